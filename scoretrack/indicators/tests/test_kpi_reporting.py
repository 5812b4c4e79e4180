"""KPI reporting completeness: the share of the KPI-months the firms selected that
have a value. Figures worked out by hand from the fixture below."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.registry import evaluate
from scoretrack.indicators.tests.conftest import Make, day, request_for
from scoretrack.outcomes.models import Kpi, KpiObservation, KpiSelection

pytestmark = pytest.mark.django_db


def select(firm: Any, kpi: Kpi, on: str, frequency: str = "monthly") -> KpiSelection:
    return KpiSelection.objects.create(
        enterprise=firm, kpi=kpi, selected_on=day(on), frequency=frequency
    )


def observe(firm: Any, kpi: Kpi, *months: str) -> None:
    for month in months:
        KpiObservation.objects.create(
            enterprise=firm, kpi=kpi, month=day(f"{month}-01"), value=Decimal(1)
        )


@pytest.fixture
def reporting(make: Make) -> None:
    """E1 (BO) chose `absent` monthly on 2024-02-10 and `defects` quarterly on
    2024-01-05; E3 (PE) chose `absent` monthly on 2023-11-20.

    Values: E1 absent 2024-01 (before its selection), 02, 03, 05;
            E1 defects 2024-03, 04 (not a quarter end), 06;
            E3 absent 2023-12, 2024-01.
    Year 2024, expected / with a value:
      E1 absent  Feb..Dec = 11 / Feb, Mar, May = 3
      E1 defects Mar, Jun, Sep, Dec = 4 / Mar, Jun = 2
      E3 absent  Jan..Dec = 12 / Jan = 1
      total 6 / 27; absent 4 / 23, defects 2 / 4; BO 5 / 15, PE 1 / 12.
    2024 Q1: E1 absent Feb, Mar 2 / 2; E1 defects Mar 1 / 1; E3 Jan..Mar 3 / 1: 4 / 6.
    2023: E1 owes nothing yet (not counted); E3 Nov, Dec 2 / Dec 1: 1 / 2.
    """
    absent, defects = make.kpi("absent", "lower"), make.kpi("defects", "lower")
    e1, e3 = make.enterprise("E1"), make.enterprise("E3", country="PE")
    select(e1, absent, "2024-02-10")
    select(e1, defects, "2024-01-05", "quarterly")
    select(e3, absent, "2023-11-20")
    observe(e1, absent, "2024-01", "2024-02", "2024-03", "2024-05")
    observe(e1, defects, "2024-03", "2024-04", "2024-06")
    observe(e3, absent, "2023-12", "2024-01")


def test_the_share_of_expected_kpi_months_with_a_value(ask, queries_of, reporting):
    assert queries_of("kpi_reporting_pct", 1, year=2024) == pytest.approx(600 / 27)
    assert ask("kpi_reporting_pct", year=2024, by="kpi") == {
        "absent": pytest.approx(400 / 23),
        "defects": 50.0,
    }
    assert ask("kpi_reporting_pct", year=2024, by="country") == {
        "BO": pytest.approx(100 / 3),
        "PE": pytest.approx(100 / 12),
    }


def test_a_period_counts_the_months_it_holds_from_each_selection(ask, reporting):
    assert ask("kpi_reporting_pct", year=2024, quarter=1) == pytest.approx(400 / 6)
    assert ask("kpi_reporting_pct", year=2023) == 50.0
    assert ask("kpi_reporting_pct", year=2023, country="BO") is None  # E1 owed nothing yet


def test_the_current_month_is_not_yet_due(ask, make: Make):
    today = timezone.localdate()
    this_month = today.replace(day=1)
    firm, kpi = make.enterprise("E9"), make.kpi("absent")
    select(firm, kpi, this_month.isoformat())
    KpiObservation.objects.create(enterprise=firm, kpi=kpi, month=this_month, value=3)
    assert ask("kpi_reporting_pct", year=today.year) is None


def test_a_viewer_does_not_see_the_figure_of_two_firms(reporting):
    viewer = User.objects.create(email="viewer@example.org")
    RoleAssignment.objects.create(user=viewer, role="viewer")
    answer = evaluate(viewer, request_for("kpi_reporting_pct", year=2024))
    assert answer["values"]["kpi_reporting_pct"] is None
    assert "kpi_reporting_pct" in answer["hidden"]


def test_month_arithmetic_matches_the_calendar() -> None:
    # The quarter ends of 2024 are months 2024 * 12 + 2, + 5, + 8, + 11: ≡ 2 (mod 3).
    assert [(2024 * 12 + m - 1) % 3 for m in (3, 6, 9, 12)] == [2, 2, 2, 2]
    assert dt.date(2024, 3, 1).month == 3
