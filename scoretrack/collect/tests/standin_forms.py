"""A stand-in for collect/forms.py in the server's tests: one field form, "visit",
with the interface of the collect contract (FieldForm, Refused, FORMS, forms_for).

<visit id="visit" version="v2"><enterprise>E-BO2</enterprise><date>2016-01-05</date>
<hours>3</hours><meta><instanceID>uuid:...</instanceID></meta></visit>
writes one consulting visit of the sender's trainer, through the model's rules.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

import pytest

from scoretrack.accounts.scoping import access_for
from scoretrack.collect import pipeline
from scoretrack.enterprises.models import Enterprise
from scoretrack.trainers.models import Trainer
from scoretrack.training.models import ConsultingVisit

XFORM = """<?xml version="1.0"?>
<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:h="http://www.w3.org/1999/xhtml" \
xmlns:jr="http://openrosa.org/javarosa">
<h:head><h:title>Consulting visit</h:title><model><instance>
<visit id="visit" version="v2"><enterprise/><details><date/><hours/></details>\
<topic jr:template=""><name/></topic><meta><instanceID/></meta></visit>
</instance></model></h:head>
<h:body><group ref="/visit/topic"><repeat nodeset="/visit/topic"><input ref="/visit/topic/name"/>\
</repeat></group></h:body></h:html>"""


class Refused(Exception):
    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def _text(root: ET.Element, name: str) -> str:
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == name:
            return (element.text or "").strip()
    return ""


@dataclass(frozen=True)
class FieldForm:
    form_id: str
    title: str

    def version(self) -> str:
        return "v2"

    def xform(self, user: Any) -> str:
        return XFORM

    def xlsform(self, user: Any) -> bytes:
        return b""

    def media(self, user: Any) -> dict[str, bytes]:
        firms = Enterprise.objects.visible_to(user).order_by("key")
        rows = "".join(f"{f.key},{f.name}\n" for f in firms)
        return {"enterprises.csv": ("name,label\n" + rows).encode()}

    def accept(self, root: ET.Element, user: Any, *, version: str) -> list:
        if version not in ("v1", "v2"):
            raise Refused(f"Version {version!r} of this form is retired and does not map.")
        key = _text(root, "enterprise")
        firm = Enterprise.objects.visible_to(user).filter(key=key).first()
        if firm is None:
            raise Refused(f"enterprise: No enterprise {key!r} you may see.", "enterprise")
        trainer = Trainer.objects.filter(pk__in=access_for(user).trainers).first()
        if trainer is None:
            trainer = Trainer.objects.visible_to(user).filter(country=firm.country).first()
        hours = _text(root, "hours") or None
        topics = [(e.text or "").strip() for e in root.iter() if e.tag.rsplit("}", 1)[-1] == "name"]
        try:
            date = dt.date.fromisoformat(_text(root, "date"))
        except ValueError:
            raise Refused(f"date: {_text(root, 'date')!r} is not a date.", "date") from None
        visit = ConsultingVisit(
            enterprise=firm, trainer=trainer, date=date, hours=hours, note="; ".join(topics)
        )
        visit.save()
        return [visit]


FORMS = {"visit": FieldForm("visit", "Consulting visit")}


def forms_for(user: Any) -> list[FieldForm]:
    access = access_for(user)
    return list(FORMS.values()) if access.trainers or access.is_global or access.countries else []


@pytest.fixture
def standin(monkeypatch: pytest.MonkeyPatch) -> Any:
    import sys

    module = sys.modules[__name__]
    monkeypatch.setattr(pipeline, "forms_module", lambda: module)
    return module


def instance(
    instance_id: str, enterprise: str = "E-BO2", date: str = "2016-01-05", **kw: str
) -> bytes:
    version = kw.get("version", "v2")
    return (
        f'<?xml version="1.0"?><visit xmlns:jr="http://openrosa.org/javarosa" id="visit" '
        f'version="{version}"><enterprise>{enterprise}</enterprise><date>{date}</date>'
        f"<hours>{kw.get('hours', '3')}</hours>"
        f"<meta><instanceID>{instance_id}</instanceID></meta></visit>"
    ).encode()
