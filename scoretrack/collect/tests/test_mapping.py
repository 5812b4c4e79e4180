"""accept(): a hand-written instance of each form writes the expected records through
the one write path, all or nothing; a broken rule or a record out of scope is Refused
with its field."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from scoretrack.accounts.models import User
from scoretrack.collect.forms import FORMS, Refused, forms_for
from scoretrack.events.models import EventParticipation
from scoretrack.outcomes.models import (
    Assessment,
    Kpi,
    KpiObservation,
    Practice,
    PracticeAnswer,
    WorkerSurveyAnswer,
)
from scoretrack.training.models import ConsultingVisit, Participant


@pytest.fixture
def w(world: SimpleNamespace) -> SimpleNamespace:
    world.WC = Practice.objects.create(code="WC.1", name="Workers are consulted")
    world.QM = Practice.objects.create(code="QM-2", name="Defects are recorded")
    Kpi.objects.create(code="absent", name="Absenteeism", unit="%", better="lower")
    Kpi.objects.create(code="defects", name="Defect rate", unit="%", better="lower")
    Kpi.objects.create(code="scrap kg", name="Scrap", unit="kg", better="lower")
    return world


def instance(form_id: str, body: str, *, version: str | None = None, ns: str = "") -> ET.Element:
    """An instance as a phone sends it (`ns`: the default namespace some clients put)."""
    version = FORMS[form_id].version() if version is None else version
    xmlns = f' xmlns="{ns}"' if ns else ""
    return ET.fromstring(
        f'<data id="{form_id}" version="{version}"{xmlns}>{body}'
        "<meta><instanceID>uuid:0b0e7c43-1</instanceID></meta></data>"
    )


def accept(form_id: str, root: ET.Element, user: User) -> list:
    return FORMS[form_id].accept(root, user, version=root.get("version"))


def test_attendance_writes_the_participants(w: SimpleNamespace) -> None:
    trainer = w.users["trainer"]
    root = instance(
        "attendance",
        f"<delivery>{w.D_BO.pk}</delivery>"
        f"<participant><enterprise>{w.E_BO1.pk}</enterprise><name>María Quispe</name><person/>"
        "<sex>female</sex><role>manager</role><eit_member>yes</eit_member>"
        "<satisfaction>5</satisfaction></participant>"
        f"<participant><enterprise>{w.E_BO1.pk}</enterprise><name>Juan Mamani</name>"
        "<person>CI-123</person><sex>male</sex><role>worker</role><eit_member>no</eit_member>"
        "<satisfaction/></participant>",
    )
    written = accept("attendance", root, trainer)
    got = {
        (
            p.delivery_id,
            p.enterprise_id,
            p.name,
            p.person,
            p.sex,
            p.role,
            p.eit_member,
            p.satisfaction,
        )
        for p in written
    }
    assert got == {
        (w.D_BO.pk, w.E_BO1.pk, "María Quispe", "", "female", "manager", True, 5),
        (w.D_BO.pk, w.E_BO1.pk, "Juan Mamani", "CI-123", "male", "worker", False, None),
    }
    assert all(p.created_by_id == trainer.pk for p in written)
    # the world's one participant and these two
    assert Participant.objects.filter(delivery=w.D_BO).count() == 3


def test_attendance_is_all_or_nothing(w: SimpleNamespace) -> None:
    # The second participant's firm (E-BO2) is not enrolled in D-BO: nothing is written.
    root = instance(
        "attendance",
        f"<delivery>{w.D_BO.pk}</delivery>"
        f"<participant><enterprise>{w.E_BO1.pk}</enterprise><sex>female</sex><role>worker</role>"
        "<eit_member>no</eit_member></participant>"
        f"<participant><enterprise>{w.E_BO2.pk}</enterprise><sex>male</sex><role>worker</role>"
        "<eit_member>no</eit_member></participant>",
    )
    with pytest.raises(Refused) as refused:
        accept("attendance", root, w.users["country"])
    assert refused.value.field == "participant[2]/enterprise"
    assert "enrolled" in refused.value.reason
    assert Participant.objects.filter(delivery=w.D_BO).count() == 1


def test_out_of_scope_records_are_refused(w: SimpleNamespace) -> None:
    trainer = w.users["trainer"]  # Ana trains in Bolivia: Peru's delivery and firm are not hers
    root = instance(
        "attendance",
        f"<delivery>{w.D_PE.pk}</delivery><participant><enterprise>{w.E_BO1.pk}</enterprise>"
        "<sex>female</sex><role>worker</role></participant>",
    )
    with pytest.raises(Refused) as refused:
        accept("attendance", root, trainer)
    assert refused.value.field == "delivery"
    assert "outside your scope" in refused.value.reason
    root = instance(
        "visit",
        f"<enterprise>{w.E_PE1.pk}</enterprise><trainer>{w.T_BO.pk}</trainer>"
        "<date>2026-11-30</date>",
    )
    with pytest.raises(Refused) as refused:
        accept("visit", root, trainer)
    assert refused.value.field == "enterprise"
    root = instance("visit", "<enterprise>not-an-id</enterprise>")
    with pytest.raises(Refused) as refused:
        accept("visit", root, trainer)
    assert refused.value.field == "enterprise"
    assert ConsultingVisit.objects.count() == 1  # the world's


def test_visit(w: SimpleNamespace, day: Any) -> None:
    root = instance(
        "visit",
        f"<enterprise>{w.E_BO2.pk}</enterprise><trainer>{w.T_BO.pk}</trainer>"
        f"<date>2026-11-30</date><hours>2.5</hours><delivery>{w.D_BO2.pk}</delivery>"
        "<note>Checked the 5S board</note>",
        ns="http://www.w3.org/2002/xforms",  # namespaced: read alike
    )
    # D-BO2 is not one of Ana's deliveries: Bolivia's country team records it
    (visit,) = accept("visit", root, w.users["country"])
    assert (visit.enterprise_id, visit.trainer_id, visit.date, visit.hours, visit.delivery_id) == (
        w.E_BO2.pk,
        w.T_BO.pk,
        day("2026-11-30"),
        Decimal("2.50"),
        w.D_BO2.pk,
    )
    assert visit.note == "Checked the 5S board"


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ("<date>2099-01-01</date><hours>2</hours>", "date", "today"),
        ("<date>2026-11-30</date><hours>30</hours>", "hours", "24 hours"),
        ("<date/><hours>2</hours>", "date", "required"),
    ],
)
def test_visit_rules_refused_with_the_field(
    w: SimpleNamespace, body: str, field: str, words: str
) -> None:
    root = instance(
        "visit", f"<enterprise>{w.E_BO2.pk}</enterprise><trainer>{w.T_BO.pk}</trainer>{body}"
    )
    with pytest.raises(Refused) as refused:
        accept("visit", root, w.users["trainer"])
    assert refused.value.field == field
    assert words in refused.value.reason
    assert ConsultingVisit.objects.count() == 1


def test_assessment_answers_every_practice_given(w: SimpleNamespace, day: Any) -> None:
    root = instance(
        "assessment",
        f"<enterprise>{w.E_BO1.pk}</enterprise><kind>baseline</kind><date>2026-11-02</date>"
        f"<assessor>{w.T_BO.pk}</assessor>"
        "<p_QM-2>no</p_QM-2><note_QM-2/>"
        "<p_WC.1>yes</p_WC.1><note_WC.1>Monthly meeting</note_WC.1>",
    )
    written = accept("assessment", root, w.users["trainer"])
    (assessment,) = Assessment.objects.all()
    assert (assessment.enterprise_id, assessment.kind, assessment.date, assessment.assessor_id) == (
        w.E_BO1.pk,
        "baseline",
        day("2026-11-02"),
        w.T_BO.pk,
    )
    answers = {(a.practice.code, a.in_place, a.note) for a in PracticeAnswer.objects.all()}
    assert answers == {("QM-2", False, ""), ("WC.1", True, "Monthly meeting")}
    assert len(written) == 2


def test_assessment_needs_one_answer_and_known_practices(w: SimpleNamespace) -> None:
    head = (
        f"<enterprise>{w.E_BO1.pk}</enterprise><kind>progress</kind><date>2026-11-02</date>"
        f"<assessor>{w.T_BO.pk}</assessor>"
    )
    root = instance("assessment", head + "<p_QM-2>skip</p_QM-2><p_WC.1>skip</p_WC.1>")
    with pytest.raises(Refused) as refused:
        accept("assessment", root, w.users["trainer"])
    assert refused.value.field == "p_QM-2"
    root = instance("assessment", head + "<p_OLD>yes</p_OLD>", version="2025010100-0ld0ld00")
    with pytest.raises(Refused) as refused:
        accept("assessment", root, w.users["trainer"])
    assert refused.value.field == "p_OLD"
    assert Assessment.objects.count() == 0


def test_kpi_month(w: SimpleNamespace, day: Any) -> None:
    root = instance(
        "kpi_month",
        f"<enterprise>{w.E_BO1.pk}</enterprise><month>2026-10-01</month>"
        "<firm_kpis>absent defects</firm_kpis>"
        "<kpis><kpi>absent</kpi><value>4.5</value><numerator/><denominator/></kpis>"
        "<kpis><kpi>defects</kpi><value/><numerator>3</numerator><denominator>200</denominator></kpis>"
        # a code with a space is offered without it (the firm's KPIs are a spaced list)
        "<kpis><kpi>scrap_kg</kpi><value>120</value></kpis>",
    )
    accept("kpi_month", root, w.users["enterprise"])
    got = {
        (o.enterprise_id, o.kpi.code, o.month, o.value, o.numerator, o.denominator)
        for o in KpiObservation.objects.all()
    }
    assert got == {
        (w.E_BO1.pk, "absent", day("2026-10-01"), Decimal("4.5"), None, None),
        (w.E_BO1.pk, "defects", day("2026-10-01"), Decimal("0.015"), Decimal(3), Decimal(200)),
        (w.E_BO1.pk, "scrap kg", day("2026-10-01"), Decimal(120), None, None),
    }


def test_kpi_month_without_a_value(w: SimpleNamespace) -> None:
    root = instance(
        "kpi_month",
        f"<enterprise>{w.E_BO1.pk}</enterprise><month>2026-10-01</month>"
        "<kpis><kpi>absent</kpi><value>1</value></kpis>"
        "<kpis><kpi>defects</kpi><numerator>3</numerator></kpis>",
    )
    with pytest.raises(Refused) as refused:
        accept("kpi_month", root, w.users["enterprise"])
    assert refused.value.field == "kpis[2]/value"
    assert KpiObservation.objects.count() == 0


def test_worker_survey(w: SimpleNamespace, day: Any) -> None:
    root = instance(
        "worker_survey",
        f"<enterprise>{w.E_BO2.pk}</enterprise><wave>before</wave><date>2026-11-03</date>"
        "<respondent>R1</respondent><sex>female</sex>"
        "<answers><question>safety</question><question_new/><answer>4</answer></answers>"
        "<answers><question/><question_new>training useful</question_new>"
        "<answer>5</answer></answers>",
    )
    accept("worker_survey", root, w.users["trainer"])
    got = {
        (a.enterprise_id, a.wave, a.date, a.respondent, a.sex, a.question, a.answer)
        for a in WorkerSurveyAnswer.objects.all()
    }
    assert got == {
        (w.E_BO2.pk, "before", day("2026-11-03"), "R1", "female", "safety", 4),
        (w.E_BO2.pk, "before", day("2026-11-03"), "R1", "female", "training useful", 5),
    }


def test_event_participants(w: SimpleNamespace) -> None:
    root = instance(
        "event_participants",
        f"<event>{w.EV_BO.pk}</event>"
        "<groups><group>employers</group><female>3</female><male>4</male></groups>"
        "<groups><group>government</group><female>2</female><male>0</male></groups>",
    )
    accept("event_participants", root, w.users["country"])
    got = {(p.event_id, p.group, p.female, p.male) for p in EventParticipation.objects.all()}
    assert got == {
        (w.EV_BO.pk, "employers", 3, 4),
        (w.EV_BO.pk, "government", 2, 0),  # the world's row, updated (its identity)
        (w.EV_PE.pk, "government", 1, 0),
    }
    with pytest.raises(Refused):  # a partner does not record events
        accept("event_participants", root, w.users["partner"])


def test_an_older_version_is_accepted_where_it_maps(w: SimpleNamespace) -> None:
    body = (
        f"<enterprise>{w.E_BO2.pk}</enterprise><trainer>{w.T_BO.pk}</trainer>"
        "<date>2026-11-30</date>"
    )
    accept("visit", instance("visit", body, version="2025010100-0ld0ld00"), w.users["trainer"])
    assert ConsultingVisit.objects.filter(date=dt.date(2026, 11, 30)).count() == 1
    old = instance("visit", f"<firm>{w.E_BO2.pk}</firm>", version="2025010100-0ld0ld00")
    with pytest.raises(Refused) as refused:
        accept("visit", old, w.users["trainer"])
    assert refused.value.field == "enterprise"
    assert "2025010100-0ld0ld00" in refused.value.reason


def test_forms_each_role_may_submit(w: SimpleNamespace) -> None:
    def ids(name: str) -> list[str]:
        return [form.form_id for form in forms_for(w.users[name])]

    every = [
        "attendance",
        "visit",
        "assessment",
        "kpi_month",
        "worker_survey",
        "event_participants",
    ]
    assert ids("global") == every
    assert ids("country") == every
    assert ids("trainer") == ["attendance", "visit", "assessment", "kpi_month", "worker_survey"]
    assert ids("partner") == ["attendance", "visit", "kpi_month", "worker_survey"]
    assert ids("enterprise") == ["kpi_month", "worker_survey"]
    assert ids("lead_buyer") == ids("viewer") == ids("nobody") == []
