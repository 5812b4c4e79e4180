"""A stand-in for collect-forms' `forms.py` and collect-server's `pipeline.py`, for the
browser forms' tests until those land: one small assessment form, hand-written as
pyxform writes an XForm (itext in two languages, a `select_one_from_file` of the
user's enterprises, a repeat of practice answers), whose `accept` writes an
assessment and its answers through the one write path (`full_clean`, `save`); and a
`receive` idempotent by instanceID, keeping what it refuses with the reason.

`install(monkeypatch)` puts both in place of the real modules."""

from __future__ import annotations

import csv
import importlib
import io
import sys
import types
from dataclasses import dataclass, field
from typing import Any
from xml.etree import ElementTree

from django.core.exceptions import ValidationError
from django.db import transaction

VERSION = "2026120701"

XFORM = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml"
  xmlns:jr="http://openrosa.org/javarosa" xmlns:odk="http://www.opendatakit.org/xforms"
  xmlns:orx="http://openrosa.org/xforms" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
  <h:head>
    <h:title>Assessment</h:title>
    <model odk:xforms-version="1.0.0">
      <itext>
        <translation lang="English (en)" default="true()">
          <text id="/assessment/enterprise:label"><value>Enterprise</value></text>
          <text id="/assessment/kind:label"><value>Kind</value></text>
          <text id="/assessment/kind/baseline:label"><value>Baseline</value></text>
          <text id="/assessment/kind/progress:label"><value>Progress</value></text>
          <text id="/assessment/date:label"><value>Date</value></text>
          <text id="/assessment/answer:label"><value>Practice</value></text>
          <text id="/assessment/answer/practice:label"><value>Which practice</value></text>
          <text id="/assessment/answer/in_place:label"><value>In place</value></text>
          <text id="/assessment/answer/in_place/yes:label"><value>Yes</value></text>
          <text id="/assessment/answer/in_place/no:label"><value>No</value></text>
        </translation>
        <translation lang="Español (es)">
          <text id="/assessment/enterprise:label"><value>Empresa</value></text>
          <text id="/assessment/kind:label"><value>Tipo</value></text>
          <text id="/assessment/kind/baseline:label"><value>Línea de base</value></text>
          <text id="/assessment/kind/progress:label"><value>Progreso</value></text>
          <text id="/assessment/date:label"><value>Fecha</value></text>
          <text id="/assessment/answer:label"><value>Práctica</value></text>
          <text id="/assessment/answer/practice:label"><value>Qué práctica</value></text>
          <text id="/assessment/answer/in_place:label"><value>Implementada</value></text>
          <text id="/assessment/answer/in_place/yes:label"><value>Sí</value></text>
          <text id="/assessment/answer/in_place/no:label"><value>No</value></text>
        </translation>
      </itext>
      <instance>
        <assessment id="assessment" version="VERSION">
          <enterprise/>
          <kind/>
          <date/>
          <answer jr:template="">
            <practice/>
            <in_place/>
          </answer>
          <answer>
            <practice/>
            <in_place/>
          </answer>
          <meta>
            <instanceID/>
          </meta>
        </assessment>
      </instance>
      <instance id="enterprises" src="jr://file-csv/enterprises.csv"/>
      <instance id="practices" src="jr://file-csv/practices.csv"/>
      <bind nodeset="/assessment/enterprise" type="string" required="true()"/>
      <bind nodeset="/assessment/kind" type="string" required="true()"/>
      <bind nodeset="/assessment/date" type="date" required="true()"/>
      <bind nodeset="/assessment/answer/practice" type="string" required="true()"/>
      <bind nodeset="/assessment/answer/in_place" type="string" required="true()"/>
      <bind nodeset="/assessment/meta/instanceID" type="string" readonly="true()"
        jr:preload="uid"/>
    </model>
  </h:head>
  <h:body>
    <select1 ref="/assessment/enterprise">
      <label ref="jr:itext('/assessment/enterprise:label')"/>
      <itemset nodeset="instance('enterprises')/root/item">
        <value ref="name"/>
        <label ref="label"/>
      </itemset>
    </select1>
    <select1 ref="/assessment/kind">
      <label ref="jr:itext('/assessment/kind:label')"/>
      <item><label ref="jr:itext('/assessment/kind/baseline:label')"/><value>baseline</value></item>
      <item><label ref="jr:itext('/assessment/kind/progress:label')"/><value>progress</value></item>
    </select1>
    <input ref="/assessment/date">
      <label ref="jr:itext('/assessment/date:label')"/>
    </input>
    <group ref="/assessment/answer">
      <label ref="jr:itext('/assessment/answer:label')"/>
      <repeat nodeset="/assessment/answer">
        <select1 ref="/assessment/answer/practice">
          <label ref="jr:itext('/assessment/answer/practice:label')"/>
          <itemset nodeset="instance('practices')/root/item">
            <value ref="name"/>
            <label ref="label"/>
          </itemset>
        </select1>
        <select1 ref="/assessment/answer/in_place">
          <label ref="jr:itext('/assessment/answer/in_place:label')"/>
          <item><label ref="jr:itext('/assessment/answer/in_place/yes:label')"/>
            <value>yes</value></item>
          <item><label ref="jr:itext('/assessment/answer/in_place/no:label')"/>
            <value>no</value></item>
        </select1>
      </repeat>
    </group>
  </h:body>
</h:html>
""".replace('version="VERSION"', f'version="{VERSION}"')


class Refused(Exception):
    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def _csv(rows: list[tuple[str, str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["name", "label"])
    writer.writerows(rows)
    return out.getvalue().encode()


def _local(element: ElementTree.Element) -> str:
    return element.tag.rsplit("}", 1)[-1]


def _child(element: ElementTree.Element, name: str) -> ElementTree.Element | None:
    return next((c for c in element if _local(c) == name), None)


def _text(element: ElementTree.Element, name: str) -> str:
    child = _child(element, name)
    return (child.text or "").strip() if child is not None else ""


@dataclass(frozen=True)
class FieldForm:
    form_id: str
    title: str

    def version(self) -> str:
        return VERSION

    def xform(self, user: Any) -> str:
        return XFORM

    def media(self, user: Any) -> dict[str, bytes]:
        from scoretrack.enterprises.models import Enterprise
        from scoretrack.outcomes.models import Practice

        enterprises = Enterprise.objects.visible_to(user).order_by("name")
        practices = Practice.objects.visible_to(user).order_by("code")
        return {
            "enterprises.csv": _csv([(str(e.pk), e.name) for e in enterprises]),
            "practices.csv": _csv([(p.code, p.name) for p in practices]),
        }

    def accept(self, root: ElementTree.Element, user: Any, *, version: str) -> list:
        from scoretrack.enterprises.models import Enterprise
        from scoretrack.lib.current_user import acting_as
        from scoretrack.outcomes.models import Assessment, Practice, PracticeAnswer

        if version != VERSION:
            raise Refused(f"form version {version} is retired")
        enterprise = Enterprise.objects.visible_to(user).filter(pk=_text(root, "enterprise"))
        if not enterprise.exists():
            raise Refused("enterprise: not one of yours", "enterprise")
        written: list = []
        try:
            with transaction.atomic(), acting_as(user):
                assessment = Assessment(
                    enterprise=enterprise.get(), kind=_text(root, "kind"), date=_text(root, "date")
                )
                assessment.full_clean()
                assessment.save()
                written.append(assessment)
                for answer in (c for c in root if _local(c) == "answer"):
                    row = PracticeAnswer(
                        assessment=assessment,
                        practice=Practice.objects.get(code=_text(answer, "practice")),
                        in_place=_text(answer, "in_place") == "yes",
                    )
                    row.full_clean()
                    row.save()
                    written.append(row)
        except ValidationError as error:
            raise Refused("; ".join(error.messages)) from error
        return written


FORMS = {"assessment": FieldForm("assessment", "Assessment")}


def forms_for(user: Any) -> list[FieldForm]:
    return list(FORMS.values()) if user.is_authenticated else []


@dataclass
class Submission:
    instance_id: str
    xml: bytes
    attachments: dict[str, bytes]
    channel: str
    state: str = "received"
    reason: str = ""
    records: list = field(default_factory=list)


RECEIVED: dict[str, Submission] = {}


def receive(
    user: Any,
    xml: bytes,
    attachments: dict[str, bytes] | None = None,
    *,
    channel: str = "openrosa",
) -> Submission:
    root = ElementTree.fromstring(xml)
    meta = _child(root, "meta")
    instance_id = _text(meta, "instanceID") if meta is not None else ""
    if instance_id in RECEIVED:
        return RECEIVED[instance_id]
    submission = Submission(instance_id, xml, attachments or {}, channel)
    # The forms in place: this stand-in's, or collect-forms' real ones.
    forms = importlib.import_module("scoretrack.collect.forms")
    try:
        with transaction.atomic():
            submission.records = forms.FORMS[root.get("id", "")].accept(
                root, user, version=root.get("version", "")
            )
        submission.state = "approved"
    except forms.Refused as refused:
        submission.state, submission.reason = "has_issues", str(refused.reason)
    RECEIVED[instance_id] = submission
    return submission


def install(monkeypatch: Any, names: tuple[str, ...] = ("forms", "pipeline")) -> types.ModuleType:
    """The stand-in in place of `scoretrack.collect.forms` and `.pipeline` (or of
    those `names` only)."""
    import scoretrack.collect

    # The URL map first, with the real modules: the views importing them keep theirs.
    importlib.import_module("scoretrack.urls")
    module = sys.modules[__name__]
    RECEIVED.clear()
    for name in names:
        monkeypatch.setitem(sys.modules, f"scoretrack.collect.{name}", module)
        monkeypatch.setattr(scoretrack.collect, name, module, raising=False)
    return module
