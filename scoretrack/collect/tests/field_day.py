"""A trainer's day in the field, shared by the browser test (e2e/test_field_forms.py)
and the same four submissions sent as ODK Collect sends them (test_openrosa_day.py):
both must reach the same figures.

Worked by hand: Andina (Bolivia) is enrolled in BO-2016-01 (module M1, 2016-03-01),
which Ana trains; Panadería Sol is enrolled too, with no participant and no KPI
selected. Ana trains BO-2017-01 too, in which no firm is enrolled yet. Andina's
baseline (2024-01-10) had Kaizen 5S in place and no quality policy; it selected
absenteeism and the defect rate two months ago (both monthly); scrap is in the KPI
catalogue but not selected. The day:

- attendance: María (female, manager, team member, satisfaction 5), Juan (male,
  worker, team member, 3), Rosa (female, worker, not a member, 4) → SMEs trained 1,
  staff trained 2 women and 1 man, rating good or very good 2 of 3 (66.67%), SMEs
  with women and men in the improvement team 1 of 1 (100%);
- visit: 2024-06-04, 3 hours, following BO-2016-01;
- progress assessment of 2024-06-05: both practices in place → newly implemented 1 of
  2 (enterprise, practice) pairs, 50% (5S 0%, quality policy 100%);
- last month's KPIs: absenteeism 9 days, defect rate 2% → of the 4 KPI-months due
  (2 KPIs × the 2 months since the selection, the current month never due), 2 have
  a value: 50%.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from scoretrack.collect.forms import FORMS
from scoretrack.lib.current_user import acting_as
from scoretrack.outcomes.models import Assessment, Kpi, KpiSelection, Practice, PracticeAnswer
from scoretrack.training.models import Enrolment

FIGURES = (
    "smes_trained",
    "staff_trained",
    "satisfaction_good_pct",
    "eit_mixed_pct",
    "practice_newly_implemented_pct",
    "kpi_reporting_pct",
)
BEFORE = {
    "smes_trained": 0,
    "staff_trained": 0,
    "satisfaction_good_pct": None,
    "eit_mixed_pct": None,
    "practice_newly_implemented_pct": None,
    "kpi_reporting_pct": 0.0,
}
AFTER = {
    "smes_trained": 1,
    "staff_trained": 3,
    "satisfaction_good_pct": pytest.approx(200 / 3),
    "eit_mixed_pct": 100.0,
    "practice_newly_implemented_pct": 50.0,
    "kpi_reporting_pct": 50.0,
}
VALUES = "/api/v1/indicators/values?country=BO&" + "&".join(f"code={c}" for c in FIGURES)
STAFF_BY_SEX = "/api/v1/indicators/values?country=BO&code=staff_trained&by=sex"
STAFF_BY_SEX_AFTER = {"staff_trained": {"female": 2, "male": 1}}


def months_back(today: dt.date, n: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def prepare(w: SimpleNamespace, hq: Any) -> SimpleNamespace:
    """To a `build_world` world with Andina enrolled in BO-2016-01 and practices P1,
    P2: Sol enrolled, Andina's baseline and its KPIs (see the module's docstring)."""
    today = dt.date.today()
    with acting_as(hq):
        Enrolment.objects.create(delivery=w.d_bo, enterprise=w.sol, status="enrolled")
        w.d_bo2.trainers.add(w.ana)  # BO-2017-01: hers too, no firm enrolled yet
        baseline = Assessment.objects.create(
            enterprise=w.andina, kind="baseline", date=dt.date(2024, 1, 10)
        )
        for code, in_place in (("P1", True), ("P2", False)):
            PracticeAnswer.objects.create(
                assessment=baseline, practice=Practice.objects.get(code=code), in_place=in_place
            )
        for code, name, unit in (
            ("absent", "Absenteeism", "days"),
            ("defects", "Defect rate", "%"),
            ("scrap", "Scrap", "kg"),
        ):
            kpi = Kpi.objects.create(code=code, name=name, unit=unit, better="lower")
            if code != "scrap":
                KpiSelection.objects.create(
                    enterprise=w.andina, kpi=kpi, selected_on=months_back(today, 2)
                )
    w.last_month = months_back(today, 1)
    return w


def instances(w: SimpleNamespace) -> dict[str, bytes]:
    """The day's four instances as ODK Collect sends them (pyxform's instance of each
    of forms.py's forms, the picked records by the ids their CSVs give)."""

    def data(form_id: str, n: int, body: str) -> bytes:
        return (
            f'<?xml version="1.0"?><data xmlns:jr="http://openrosa.org/javarosa" '
            f'xmlns:orx="http://openrosa.org/xforms" id="{form_id}" '
            f'version="{FORMS[form_id].version()}">{body}'
            f"<meta><instanceID>uuid:7e1d0000-0000-4000-8000-00000000000{n}</instanceID>"
            "</meta></data>"
        ).encode()

    def person(name: str, sex: str, role: str, member: str, satisfaction: str) -> str:
        return (
            f"<participant><enterprise>{w.andina.pk}</enterprise><name>{name}</name><person/>"
            f"<sex>{sex}</sex><role>{role}</role><eit_member>{member}</eit_member>"
            f"<satisfaction>{satisfaction}</satisfaction></participant>"
        )

    def kpi(code: str, value: str) -> str:
        return f"<kpis><kpi>{code}</kpi><value>{value}</value><numerator/><denominator/></kpis>"

    return {
        "attendance": data(
            "attendance",
            1,
            f"<delivery>{w.d_bo.pk}</delivery>"
            + person("María Quispe", "female", "manager", "yes", "5")
            + person("Juan Mamani", "male", "worker", "yes", "3")
            + person("Rosa Choque", "female", "worker", "no", "4"),
        ),
        "visit": data(
            "visit",
            2,
            f"<enterprise>{w.andina.pk}</enterprise><trainer>{w.ana.pk}</trainer>"
            f"<date>2024-06-04</date><hours>3</hours><delivery>{w.d_bo.pk}</delivery>"
            "<note>5S layout of the cutting room</note>",
        ),
        "assessment": data(
            "assessment",
            3,
            f"<enterprise>{w.andina.pk}</enterprise><kind>progress</kind>"
            f"<date>2024-06-05</date><assessor>{w.ana.pk}</assessor>"
            "<p_P1>yes</p_P1><note_P1/><p_P2>yes</p_P2><note_P2/>",
        ),
        "kpi_month": data(
            "kpi_month",
            4,
            f"<enterprise>{w.andina.pk}</enterprise><month>{w.last_month:%Y-%m-%d}</month>"
            "<firm_kpis>absent defects</firm_kpis>" + kpi("absent", "9") + kpi("defects", "2"),
        ),
    }
