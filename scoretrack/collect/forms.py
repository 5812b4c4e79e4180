"""The field forms: XLSForms generated from the record kinds and the catalogues.

Six forms a trainer, partner, country team or HQ fills on a phone (ODK Collect,
KoboCollect) or in the browser: attendance of a delivery, a consulting visit, a
baseline or progress assessment, a month of KPIs, a worker survey, the participants
of an event. Each is declared here once as XLSForm rows (labels and choices in every
interface language, the catalogue's names as the catalogue holds them), written as
an .xlsx and compiled by pyxform. What the user may pick (enterprises, deliveries,
trainers, events, the firm's selected KPIs) is not in the form but in CSVs attached
to it (`select_one_from_file`), built through `visible_to(user)`: a trainer's phone
carries only its own enterprises.

`accept` maps a filled instance to rows of the record kind's sheet and writes them
through the importer (`exchange.services.records_import`: the same parsing, rules,
scope and history as a workbook or the API), all or nothing; anything it cannot
accept is `Refused` with the reason and the field.
"""

from __future__ import annotations

import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from scoretrack.accounts.scoping import may_write_kind
from scoretrack.collect import xlsform
from scoretrack.collect.xlsform import labels, named
from scoretrack.enterprises.models import Enterprise
from scoretrack.events.models import Event, EventParticipation, EventParticipationGroup
from scoretrack.exchange.services import records_import
from scoretrack.lib.models import Sex
from scoretrack.outcomes.forms import ANSWERS, NO, NOT_ASSESSED, YES
from scoretrack.outcomes.models import (
    AssessmentKind,
    Kpi,
    KpiObservation,
    KpiSelection,
    Practice,
    PracticeAnswer,
    WorkerSurveyAnswer,
    WorkerSurveyAnswerWave,
)
from scoretrack.trainers.models import Trainer
from scoretrack.training.models import (
    ConsultingVisit,
    Delivery,
    Enrolment,
    Participant,
    ParticipantRole,
)

Row = dict[str, Any]


class Refused(Exception):
    """A submission that cannot be accepted: the reason (translated, saying where and
    why) and the form field it is about (`participant[2]/sex`), if one."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(str(reason))
        self.reason = str(reason)
        self.field = field


# --- building blocks of the survey sheet ------------------------------------------------


def question(
    kind: str, name: str, label: Any = None, *, required: bool = False, **extra: Any
) -> Row:
    row: Row = {"type": kind, "name": name}
    if label is not None:
        row.update(labels(label))
    if required:
        row["required"] = "yes"
        row.update(labels(_("Required."), "required_message"))
    for key, value in extra.items():
        if key in ("hint", "constraint_message"):
            row.update(labels(value, key))
        else:
            row[key] = value
    return row


def choice(list_name: str, name: str, label: Any) -> Row:
    return {"list_name": list_name, "name": name, **labels(label)}


def choices_of(list_name: str, items: Any) -> list[Row]:
    """A model's choices (value, label) as a choice list, labels translated."""
    return [choice(list_name, str(value), label) for value, label in items]


def from_file(name: str, file: str, label: Any, **extra: Any) -> Row:
    return question(f"select_one_from_file {file}", name, label, **extra)


# Choice labels the models hold as plain text (not marked there), translated in the
# forms: marked here so that the catalogues keep them.
CHOICE_LABELS = (
    gettext_noop("Female"),
    gettext_noop("Male"),
    gettext_noop("Undisclosed"),
    gettext_noop("Government"),
    gettext_noop("Employers"),
    gettext_noop("Trade unions"),
    gettext_noop("Other"),
    gettext_noop("NTAC meeting"),
    gettext_noop("Constituent training"),
    gettext_noop("Workshop"),
    gettext_noop("Policy course"),
    gettext_noop("Conference"),
)
ENTERPRISE = ("enterprise", "enterprises.csv", _("Enterprise"))
NOT_FUTURE = {"constraint": ". <= today()", "constraint_message": _("Not after today.")}
SCORES = [
    ("1", _("1 (poor)")),
    ("2", "2"),
    ("3", "3"),
    ("4", "4"),
    ("5", _("5 (very good)")),
]


# --- the media: what the user may pick, scoped --------------------------------------------


def _label(name: str, key: str) -> str:
    return f"{name} ({key})" if name and name != key else key


def enterprises_csv(user: Any) -> bytes:
    firms = Enterprise.objects.visible_to(user).order_by("name", "key")
    rows = (
        (str(pk), _label(name, key)) for pk, name, key in firms.values_list("pk", "name", "key")
    )
    return xlsform.csv_file(["name", "label"], rows)


def deliveries_csv(user: Any) -> bytes:
    deliveries = (
        Delivery.objects.visible_to(user).select_related("module").order_by("-start_date", "key")
    )
    rows = (
        (str(d.pk), f"{d.key} · {d.module.localized_name()} · {d.start_date:%Y-%m-%d}")
        for d in deliveries
    )
    return xlsform.csv_file(["name", "label"], rows)


def enrolments_csv(user: Any) -> bytes:
    """The enterprises enrolled in each delivery: filtered on the phone by the delivery."""
    enrolments = (
        Enrolment.objects.visible_to(user)
        .filter(delivery__in=Delivery.objects.visible_to(user))
        .order_by("enterprise__name", "enterprise__key", "delivery_id")
        .values_list("enterprise_id", "enterprise__name", "enterprise__key", "delivery_id")
    )
    rows = ((str(e), _label(n, k), str(d)) for e, n, k, d in enrolments)
    return xlsform.csv_file(["name", "label", "delivery"], rows)


def trainers_csv(user: Any) -> bytes:
    trainers = Trainer.objects.visible_to(user).order_by("name", "key")
    rows = ((str(pk), _label(n, k)) for pk, n, k in trainers.values_list("pk", "name", "key"))
    return xlsform.csv_file(["name", "label"], rows)


def events_csv(user: Any) -> bytes:
    rows = []
    for event in Event.objects.visible_to(user).order_by("-date", "key"):
        what = event.title or gettext(event.get_kind_display())
        rows.append((str(event.pk), f"{what} · {event.date:%Y-%m-%d} ({event.key})"))
    return xlsform.csv_file(["name", "label"], rows)


def kpi_selections_csv(user: Any) -> bytes:
    """Each firm's selected KPIs (the KPI form offers a firm only its own)."""
    selections = (
        KpiSelection.objects.visible_to(user)
        .filter(enterprise__in=Enterprise.objects.visible_to(user))
        .order_by("enterprise_id", "kpi__code")
        .values_list("enterprise_id", "kpi__code")
    )
    names = {code: name for name, code in kpi_names().items()}
    rows = ((str(e), names[k]) for e, k in selections if k in names)
    return xlsform.csv_file(["enterprise", "kpi"], rows)


def kpi_names() -> dict[str, str]:
    """Choice name -> KPI code: the code without spaces (the firm's KPIs are filtered as
    a space-separated list), never one name for two codes."""
    taken: set[str] = set()
    return {
        xlsform.field_name("", code, taken)[1:]: code
        for code in catalogue(Kpi).order_by("code").values_list("code", flat=True)
    }


def questions_csv(user: Any) -> bytes:
    """The survey questions already asked in the enterprises the user sees."""
    asked = (
        WorkerSurveyAnswer.objects.visible_to(user)
        .order_by("question")
        .values_list("question", flat=True)
        .distinct()
    )
    return xlsform.csv_file(["name", "label"], ((q, q) for q in asked))


MEDIA: dict[str, Callable[[Any], bytes]] = {
    "enterprises.csv": enterprises_csv,
    "deliveries.csv": deliveries_csv,
    "enrolments.csv": enrolments_csv,
    "trainers.csv": trainers_csv,
    "events.csv": events_csv,
    "kpi_selections.csv": kpi_selections_csv,
    "questions.csv": questions_csv,
}


def catalogue(model: type) -> Any:
    """A catalogue's entries (practices, KPIs) for a form's definition, which is the
    same for every user: catalogues are read by everyone (their scoping rule is
    `everyone`, held by test_forms), so no user narrows them."""
    return model.objects.all()


# --- the forms -------------------------------------------------------------------------------

_compiled: dict[tuple[str, str], str] = {}  # (form_id, version) -> XForm


@dataclass(frozen=True)
class FieldForm:
    """One field form: its XLSForm rows, its media, and how an instance becomes rows
    of its record kind's sheet (`rows`)."""

    form_id: str
    title: Any  # translated lazily

    model: ClassVar[type]  # the record kind it writes: who may submit it
    sheet: ClassVar[str]  # the workbook sheet its rows go through
    files: ClassVar[tuple[str, ...]] = ()  # the CSVs attached
    repeats: ClassVar[tuple[str, ...]] = ()
    catalogues: ClassVar[tuple[type, ...]] = ()  # catalogue models its rows read

    # -- definition -----------------------------------------------------------------------

    def survey(self) -> list[Row]:
        raise NotImplementedError

    def choices(self) -> list[Row]:
        return []

    def definition(self) -> dict[str, Any]:
        """The form as data (not the user's: catalogues are read by every role)."""
        return {"form_id": self.form_id, "survey": self.survey(), "choices": self.choices()}

    def version(self) -> str:
        """`<latest catalogue change, YYYYMMDDHH>-<hash of the definition>`: changes
        whenever the form's rows, labels or catalogue entries do, sorts by date."""
        stamps = [
            catalogue(model).aggregate(latest=Max("updated_at"))["latest"]
            for model in self.catalogues
        ]
        stamps = [stamp for stamp in stamps if stamp is not None]
        stamp = f"{max(stamps):%Y%m%d%H}" if stamps else "0"
        return f"{stamp}-{xlsform.fingerprint(self.definition())}"

    def _sheets(self) -> tuple[dict[str, list[Row]], str]:
        version = self.version()
        definition = self.definition()
        with translation.override("en"):
            title = str(self.title)
        settings_row = {
            "form_title": title,
            "form_id": self.form_id,
            "version": version,
            "default_language": xlsform.default_language(),
        }
        sheets = {"survey": definition["survey"], "settings": [settings_row]}
        if definition["choices"]:
            sheets["choices"] = definition["choices"]
        return sheets, version

    def xlsform(self, user: Any) -> bytes:
        """The XLSForm (.xlsx) in every interface language."""
        return xlsform.workbook(self._sheets()[0])

    def xform(self, user: Any) -> str:
        """The XForm XML compiled by pyxform, form id and version on the instance root."""
        sheets, version = self._sheets()
        key = (self.form_id, version)
        if key not in _compiled:
            if len(_compiled) > 64:
                _compiled.clear()
            _compiled[key] = xlsform.compile_xform(xlsform.workbook(sheets))
        return _compiled[key]

    def media(self, user: Any) -> dict[str, bytes]:
        """The attached CSVs, holding only what the user may see."""
        return {name: MEDIA[name](user) for name in self.files}

    # -- accepting an instance -----------------------------------------------------------------

    def rows(
        self, values: dict[str, Any], user: Any, check: Checker
    ) -> tuple[list[Row], list[dict[str, str]]]:
        """The sheet's rows of an instance, and for each row its columns' form fields."""
        raise NotImplementedError

    def accept(self, root: ET.Element, user: Any, *, version: str) -> list:
        """Write the instance's records through the one write path, all or nothing."""
        if not may_write_kind(user, self.model):
            raise Refused(
                gettext("Your role may not submit the form “%(form)s”.") % {"form": self.title}
            )
        given = root.get("id")
        if given and given != self.form_id:
            raise Refused(
                gettext("This is a submission of the form “%(given)s”, not “%(form)s”.")
                % {"given": given, "form": self.form_id}
            )
        values = xlsform.read_instance(root, self.repeats)
        current = self.version()
        check = Checker(user, "" if version == current else version)
        rows, fields = self.rows(values, user, check)
        if not rows:
            raise Refused(
                gettext("The form holds nothing to record."),
                self.repeats[0] if self.repeats else None,
            )
        with transaction.atomic():
            result = records_import(sheet=self.sheet, rows=rows, user=user)
            if result.report.problem_count:
                problem = result.report.problems[0]
                where = fields[(problem.row or 1) - 1] if problem.row else {}
                field = where.get(problem.column, problem.column or None)
                shown = f" ({problem.value})" if problem.value else ""
                raise Refused(
                    gettext("%(field)s: %(reason)s%(value)s")
                    % {"field": field or self.form_id, "reason": problem.reason, "value": shown},
                    field,
                )
            records = self.model.objects.visible_to(user).filter(pk__in=result.ids)
            written = {record.pk: record for record in records}
        return [written[pk] for pk in dict.fromkeys(result.ids) if pk in written]


class Checker:
    """Reads an instance's values for `FieldForm.rows`: the required ones, the records
    picked (through `visible_to`: one the user may not see is refused as out of scope)."""

    def __init__(self, user: Any, old_version: str) -> None:
        self.user = user
        self.old_version = old_version  # "" when the instance is of the current version

    def need(self, values: dict[str, Any], name: str, path: str | None = None) -> str:
        value = values.get(name)
        if value is None:
            path = path or name
            if self.old_version:
                raise Refused(
                    gettext(
                        "%(field)s is missing: version %(version)s of this form does not map to "
                        "the current one; correct it here or fill the current form."
                    )
                    % {"field": path, "version": self.old_version},
                    path,
                )
            raise Refused(gettext("%(field)s is required.") % {"field": path}, path)
        return value

    def record(
        self,
        model: type,
        values: dict[str, Any],
        name: str,
        path: str | None = None,
        *,
        required: bool = True,
    ) -> Any:
        path = path or name
        value = self.need(values, name, path) if required else values.get(name)
        if value is None:
            return None
        try:
            pk = uuid.UUID(value)
        except ValueError:
            found = None
        else:
            found = model.objects.visible_to(self.user).filter(pk=pk).first()
        if found is None:
            raise Refused(
                gettext(
                    "%(field)s: you may not record for %(what)s %(value)s (unknown, or "
                    "outside your scope)."
                )
                % {"field": path, "value": value, "what": gettext(str(model._meta.verbose_name))},
                path,
            )
        return found

    def no_list(self, values: dict[str, Any], name: str) -> list[dict[str, Any]]:
        items = values.get(name) or []
        if not items:
            raise Refused(gettext("%(field)s: add at least one.") % {"field": name}, name)
        return items


def _month(value: str | None) -> str | None:
    """An XForm month (`2026-11` or the date `2026-11-01` month-year widgets send)."""
    return value[:7] if value else value


class AttendanceForm(FieldForm):
    model = Participant
    sheet = "participants"
    files = ("deliveries.csv", "enrolments.csv")
    repeats = ("participant",)

    def survey(self) -> list[Row]:
        return [
            from_file("delivery", "deliveries.csv", _("Delivery"), required=True),
            question("begin repeat", "participant", _("Participant")),
            from_file(
                "enterprise",
                "enrolments.csv",
                _("Enterprise"),
                required=True,
                choice_filter="delivery=${delivery}",
            ),
            question("text", "name", _("Name")),
            question(
                "text",
                "person",
                _("Person ID"),
                hint=_("Links one person's attendance across deliveries; blank: one person."),
            ),
            question("select_one sex", "sex", _("Sex"), required=True),
            question("select_one role", "role", _("Role"), required=True),
            question(
                "select_one yes_no",
                "eit_member",
                _("Member of the enterprise improvement team"),
                required=True,
                default="no",
            ),
            question("select_one score", "satisfaction", _("Satisfaction with the training")),
            question("end repeat", "participant"),
        ]

    def choices(self) -> list[Row]:
        return [
            *choices_of("sex", Sex.choices),
            *choices_of("role", ParticipantRole.choices),
            *choices_of("yes_no", [("yes", _("Yes")), ("no", _("No"))]),
            *choices_of("score", SCORES),
        ]

    def rows(
        self, values: dict[str, Any], user: Any, check: Checker
    ) -> tuple[list[Row], list[dict[str, str]]]:
        delivery = check.record(Delivery, values, "delivery")
        rows, fields = [], []
        for n, item in enumerate(check.no_list(values, "participant"), 1):
            at = f"participant[{n}]"
            firm = check.record(Enterprise, item, "enterprise", f"{at}/enterprise")
            rows.append(
                {
                    "delivery": delivery.key,
                    "enterprise": firm.key,
                    "sex": check.need(item, "sex", f"{at}/sex"),
                    "role": check.need(item, "role", f"{at}/role"),
                    "person": item.get("person"),
                    "name": item.get("name"),
                    "eit_member": item.get("eit_member") or "no",
                    "satisfaction": item.get("satisfaction"),
                }
            )
            fields.append({c: f"{at}/{c}" for c in rows[-1]} | {"delivery": "delivery"})
        return rows, fields


class VisitForm(FieldForm):
    model = ConsultingVisit
    sheet = "visits"
    files = ("enterprises.csv", "trainers.csv", "deliveries.csv")

    def survey(self) -> list[Row]:
        return [
            from_file(*ENTERPRISE, required=True),
            from_file("trainer", "trainers.csv", _("Trainer"), required=True),
            question("date", "date", _("Date"), required=True, **NOT_FUTURE),
            question(
                "decimal",
                "hours",
                _("Hours"),
                constraint=". >= 0 and . <= 24",
                constraint_message=_("Between 0 and 24 hours."),
            ),
            from_file(
                "delivery",
                "deliveries.csv",
                _("Delivery"),
                hint=_("The delivery this visit follows, if one."),
            ),
            question("text", "note", _("Note"), appearance="multiline"),
        ]

    def rows(
        self, values: dict[str, Any], user: Any, check: Checker
    ) -> tuple[list[Row], list[dict[str, str]]]:
        firm = check.record(Enterprise, values, "enterprise")
        trainer = check.record(Trainer, values, "trainer")
        delivery = check.record(Delivery, values, "delivery", required=False)
        row = {
            "enterprise": firm.key,
            "trainer": trainer.key,
            "date": check.need(values, "date"),
            "hours": values.get("hours"),
            "delivery": delivery.key if delivery else None,
            "note": values.get("note"),
        }
        return [row], [{c: c for c in row}]


class AssessmentForm(FieldForm):
    """Every practice of the catalogue answered yes, no or not assessed, with a note
    (as the assessment page: outcomes/forms.py)."""

    model = PracticeAnswer
    sheet = "assessments"
    files = ("enterprises.csv", "trainers.csv")
    catalogues = (Practice,)

    def practices(self) -> list[tuple[str, str, Practice]]:
        """(answer field, note field, practice) per practice of the catalogue, by code."""
        taken: set[str] = set()
        found = []
        for practice in catalogue(Practice).order_by("code"):
            answer = xlsform.field_name("p", practice.code, taken)
            found.append((answer, f"note_{answer[2:]}", practice))
        return found

    def survey(self) -> list[Row]:
        rows = [
            from_file(*ENTERPRISE, required=True),
            question("select_one assessment_kind", "kind", _("Kind"), required=True),
            question("date", "date", _("Date"), required=True, **NOT_FUTURE),
            from_file("assessor", "trainers.csv", _("Assessor"), required=True),
        ]
        for answer, note, practice in self.practices():
            row = question("select_one answer", answer, required=True)
            rows.append({**row, **named(practice)})
            rows.append(question("text", note, _("Note")))
        return rows

    def choices(self) -> list[Row]:
        return [
            *choices_of("assessment_kind", AssessmentKind.choices),
            *choices_of("answer", ANSWERS),
        ]

    def rows(
        self, values: dict[str, Any], user: Any, check: Checker
    ) -> tuple[list[Row], list[dict[str, str]]]:
        firm = check.record(Enterprise, values, "enterprise")
        assessor = check.record(Trainer, values, "assessor")
        common = {
            "enterprise": firm.key,
            "kind": check.need(values, "kind"),
            "date": check.need(values, "date"),
            "assessor": assessor.key,
        }
        known = {answer: (note, practice) for answer, note, practice in self.practices()}
        for name in values:
            if name.startswith("p_") and name not in known:
                raise Refused(
                    gettext("%(field)s: this practice is no longer in the catalogue.")
                    % {"field": name},
                    name,
                )
        rows, fields = [], []
        for answer, (note, practice) in known.items():
            given = values.get(answer)
            if given in (None, NOT_ASSESSED):
                continue
            if given not in (YES, NO):
                raise Refused(
                    gettext("%(field)s: answer yes, no or not assessed.") % {"field": answer},
                    answer,
                )
            rows.append(
                {**common, "practice": practice.code, "in_place": given, "note": values.get(note)}
            )
            fields.append(
                {**{c: c for c in common}, "practice": answer, "in_place": answer, "note": note}
            )
        if not rows:
            first = next(iter(known), None)
            raise Refused(gettext("Answer at least one practice yes or no."), first)
        return rows, fields


NO_KPIS = gettext_noop(
    "No KPI is in the catalogue yet, so there is nothing to report: the country team or HQ "
    "adds the KPIs to the catalogue first."
)
NO_FIRM_KPIS = gettext_noop(
    "This enterprise has selected no KPI yet: choose its KPIs on its page (KPIs) before "
    "reporting a month."
)


class KpiMonthForm(FieldForm):
    """One month of a firm's KPIs: one repeat per KPI, offered only the firm's selected
    ones (the selections come as a CSV, filtered on the phone by the enterprise)."""

    model = KpiObservation
    sheet = "kpi_observations"
    files = ("enterprises.csv", "kpi_selections.csv")
    repeats = ("kpis",)
    catalogues = (Kpi,)

    def survey(self) -> list[Row]:
        if not catalogue(Kpi).exists():
            # Still a form (a phone lists it, the browser opens it), saying why it is empty.
            return [question("note", "no_kpis", NO_KPIS)]
        return [
            from_file(
                *ENTERPRISE,
                required=True,
                # Its KPIs are the ones it selected: with none, nothing could be picked.
                constraint="${firm_kpis} != ''",
                constraint_message=NO_FIRM_KPIS,
            ),
            question(
                "date", "month", _("Month"), required=True, appearance="month-year", **NOT_FUTURE
            ),
            question("csv-external", "kpi_selections"),
            question(
                "calculate",
                "firm_kpis",
                calculation="join(' ', instance('kpi_selections')/root/item"
                "[enterprise = ${enterprise}]/kpi)",
            ),
            question("begin repeat", "kpis", _("KPI")),
            question(
                "select_one kpi",
                "kpi",
                _("KPI"),
                required=True,
                choice_filter="selected(${firm_kpis}, name)",
            ),
            question("decimal", "value", _("Value"), hint=_("Blank: numerator / denominator.")),
            question("decimal", "numerator", _("Numerator")),
            question(
                "decimal",
                "denominator",
                _("Denominator"),
                constraint=". > 0",
                constraint_message=_("More than 0."),
            ),
            question("end repeat", "kpis"),
        ]

    def choices(self) -> list[Row]:
        rows = []
        names = {code: name for name, code in kpi_names().items()}
        for kpi in catalogue(Kpi).order_by("code"):
            rows.append(
                {"list_name": "kpi", "name": names[kpi.code]}
                | {column: f"{name} ({kpi.unit})" for column, name in named(kpi).items()}
            )
        return rows

    def rows(
        self, values: dict[str, Any], user: Any, check: Checker
    ) -> tuple[list[Row], list[dict[str, str]]]:
        if "no_kpis" in values and not catalogue(Kpi).exists():
            raise Refused(gettext(NO_KPIS))
        firm = check.record(Enterprise, values, "enterprise")
        month = _month(check.need(values, "month"))
        rows, fields = [], []
        codes = kpi_names()
        for n, item in enumerate(check.no_list(values, "kpis"), 1):
            at = f"kpis[{n}]"
            kpi = check.need(item, "kpi", f"{at}/kpi")
            rows.append(
                {
                    "enterprise": firm.key,
                    "kpi": codes.get(kpi, kpi),  # an unknown one: refused by the importer
                    "month": month,
                    "value": item.get("value"),
                    "numerator": item.get("numerator"),
                    "denominator": item.get("denominator"),
                }
            )
            fields.append(
                {c: f"{at}/{c}" for c in rows[-1]} | {"enterprise": "enterprise", "month": "month"}
            )
        return rows, fields


class WorkerSurveyForm(FieldForm):
    """One respondent's answers: each a question already asked in the programme (or a
    new one) and its answer 1 to 5."""

    model = WorkerSurveyAnswer
    sheet = "worker_surveys"
    files = ("enterprises.csv", "questions.csv")
    repeats = ("answers",)

    def survey(self) -> list[Row]:
        return [
            from_file(*ENTERPRISE, required=True),
            question("select_one wave", "wave", _("Wave"), required=True),
            question("date", "date", _("Date"), required=True, **NOT_FUTURE),
            question(
                "text",
                "respondent",
                _("Respondent"),
                required=True,
                hint=_("An anonymous id within the enterprise and wave."),
            ),
            question("select_one sex", "sex", _("Sex")),
            question("begin repeat", "answers", _("Answer")),
            from_file("question", "questions.csv", _("Question")),
            question(
                "text",
                "question_new",
                _("New question"),
                required=True,
                relevant="${question} = ''",
            ),
            question("select_one score", "answer", _("Answer"), required=True),
            question("end repeat", "answers"),
        ]

    def choices(self) -> list[Row]:
        return [
            *choices_of("wave", WorkerSurveyAnswerWave.choices),
            *choices_of("sex", Sex.choices),
            *choices_of("score", SCORES),
        ]

    def rows(
        self, values: dict[str, Any], user: Any, check: Checker
    ) -> tuple[list[Row], list[dict[str, str]]]:
        firm = check.record(Enterprise, values, "enterprise")
        common = {
            "enterprise": firm.key,
            "wave": check.need(values, "wave"),
            "date": check.need(values, "date"),
            "respondent": check.need(values, "respondent"),
            "sex": values.get("sex"),
        }
        rows, fields = [], []
        for n, item in enumerate(check.no_list(values, "answers"), 1):
            at = f"answers[{n}]"
            asked = item.get("question") or check.need(item, "question_new", f"{at}/question_new")
            rows.append(
                {**common, "question": asked, "answer": check.need(item, "answer", f"{at}/answer")}
            )
            where = "question" if item.get("question") else "question_new"
            fields.append(
                {c: c for c in common} | {"question": f"{at}/{where}", "answer": f"{at}/answer"}
            )
        return rows, fields


class EventParticipantsForm(FieldForm):
    model = EventParticipation
    sheet = "event_participants"
    files = ("events.csv",)
    repeats = ("groups",)

    def survey(self) -> list[Row]:
        count = {"constraint": ". >= 0", "constraint_message": _("0 or more.")}
        return [
            from_file("event", "events.csv", _("Event"), required=True),
            question("begin repeat", "groups", _("Group")),
            question("select_one group", "group", _("Group"), required=True),
            question("integer", "female", _("Women"), default="0", **count),
            question("integer", "male", _("Men"), default="0", **count),
            question("end repeat", "groups"),
        ]

    def choices(self) -> list[Row]:
        return choices_of("group", EventParticipationGroup.choices)

    def rows(
        self, values: dict[str, Any], user: Any, check: Checker
    ) -> tuple[list[Row], list[dict[str, str]]]:
        event = check.record(Event, values, "event")
        rows, fields = [], []
        for n, item in enumerate(check.no_list(values, "groups"), 1):
            at = f"groups[{n}]"
            rows.append(
                {
                    "event": event.key,
                    "group": check.need(item, "group", f"{at}/group"),
                    "female": item.get("female") or "0",
                    "male": item.get("male") or "0",
                }
            )
            fields.append({c: f"{at}/{c}" for c in rows[-1]} | {"event": "event"})
        return rows, fields


FORMS: dict[str, FieldForm] = {
    form.form_id: form
    for form in (
        AttendanceForm("attendance", _("Attendance of a delivery")),
        VisitForm("visit", _("Consulting visit")),
        AssessmentForm("assessment", _("Baseline or progress assessment")),
        KpiMonthForm("kpi_month", _("Monthly KPI report")),
        WorkerSurveyForm("worker_survey", _("Worker survey")),
        EventParticipantsForm("event_participants", _("Event participants")),
    )
}


def forms_for(user: Any) -> list[FieldForm]:
    """The forms this user may submit: those whose record kind its roles create."""
    return [form for form in FORMS.values() if may_write_kind(user, form.model)]
