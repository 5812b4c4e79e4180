"""Outcomes: practices, KPIs, jobs, improvement plans. Figures worked out by hand.

Phase II = 2020-2021. E1 BO Textiles supplies HM; E2 BO Food, trained by NPC; E3 PE.
"""

from __future__ import annotations

from typing import Any

import pytest

from scoretrack.indicators.tests.conftest import Make

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(make: Make) -> dict[str, Any]:
    make.phase("II", "2020-01-01", "2021-12-31")
    hm = make.org("HM", type="lead_buyer", country=None)
    e1 = make.enterprise("E1", sector="Textiles", buyers=(hm,))
    e2 = make.enterprise("E2", sector="Food")
    e3 = make.enterprise("E3", country="PE")
    make.participant(make.delivery("dN", organiser=make.org("NPC")), e2)
    return {"e1": e1, "e2": e2, "e3": e3}


# --- practices ----------------------------------------------------------------------


@pytest.fixture
def practices(make: Make, firms: dict[str, Any]) -> None:
    """Answers (practice: in place):
    E1 baseline 2019-01-10 P5S no, PQ yes; progress 2020-03-01 P5S yes, PQ yes;
       progress 2022-05-01 P5S no.
    E2 baseline 2020-02-01 P5S yes, PQ no; progress 2020-01-15 P5S yes (before the
       baseline); progress 2021-06-01 PQ yes.
    E3 baseline 2020-01-05 P5S no; a second baseline 2020-03-01 P5S yes;
       progress 2020-07-01 P5S no.
    Phase II pairs (before -> latest progress in the phase):
      E1 P5S no->yes, E1 PQ yes->yes, E2 PQ no->yes, E3 P5S no->no; E2 P5S has no
      progress after its baseline.
    """
    e1, e2, e3 = firms["e1"], firms["e2"], firms["e3"]
    make.assessment(e1, "baseline", "2019-01-10", P5S=False, PQ=True)
    make.assessment(e1, "progress", "2020-03-01", P5S=True, PQ=True)
    make.assessment(e1, "progress", "2022-05-01", P5S=False)
    make.assessment(e2, "baseline", "2020-02-01", P5S=True, PQ=False)
    make.assessment(e2, "progress", "2020-01-15", P5S=True)
    make.assessment(e2, "progress", "2021-06-01", PQ=True)
    make.assessment(e3, "baseline", "2020-01-05", P5S=False)
    make.assessment(e3, "baseline", "2020-03-01", P5S=True)
    make.assessment(e3, "progress", "2020-07-01", P5S=False)


def test_practice_in_place_before(ask, queries_of, practices):
    assert queries_of("practice_in_place_before_pct", 2, phase="II") == 25.0
    assert ask("practice_in_place_before_pct", phase="II", by="practice") == {
        "P5S": 0.0,
        "PQ": 50.0,
    }
    assert ask("practice_in_place_before_pct", phase="II", by="country") == {
        "BO": pytest.approx(100 / 3),
        "PE": 0.0,
    }


def test_practice_newly_implemented(ask, queries_of, practices):
    assert queries_of("practice_newly_implemented_pct", 2, phase="II") == 50.0
    assert ask("practice_newly_implemented_pct", phase="II", by="practice") == {
        "P5S": 50.0,
        "PQ": 50.0,
    }
    assert ask("practice_newly_implemented_pct", phase="II", by="country") == {
        "BO": pytest.approx(200 / 3),
        "PE": 0.0,
    }


def test_practice_compares_with_the_latest_progress_answer(ask, practices):
    # All time, E1's latest P5S answer (2022) is "no" again: only E2's PQ is new.
    assert ask("practice_newly_implemented_pct") == 25.0


def test_practice_shares_follow_the_enterprise_filters(ask, practices):
    assert ask("practice_newly_implemented_pct", phase="II", sector="Textiles") == 50.0
    assert ask("practice_in_place_before_pct", phase="II", lead_buyer="HM") == 50.0
    assert ask("practice_newly_implemented_pct", phase="II", partner="NPC") == 100.0
    assert ask("practice_in_place_before_pct", phase="II", partner="NPC") == 0.0
    assert ask("practice_newly_implemented_pct", phase="II", country="PE") == 0.0


def test_practice_shares_are_null_without_pairs(ask, practices):
    assert ask("practice_in_place_before_pct", year=2018) is None
    assert ask("practice_newly_implemented_pct", year=2018) is None


# --- KPIs ---------------------------------------------------------------------------


@pytest.fixture
def kpis(make: Make, firms: dict[str, Any]) -> None:
    """productivity (higher is better), defect_rate (lower is better), monthly:
    E1 productivity 2020-01..06: 10 11 9 12 12 13        (6 months, better)
    E2 productivity 2020-01..05: 10 12 14 16 18; 2021-01: 30
                    (5 months up to 2020, 6 from 2021 on, better)
    E3 productivity 2020-01..06: 10 9 9 9 11 12          (6 months, better)
    E1 defect_rate  2020-03..08: 5 5 4 4 3 2             (lower: better)
    E2 defect_rate  2020-01..07: 3 3 3 3 3 3 3           (unchanged: not better)
    E3 defect_rate  2020-01..06: 1 2 2 3 3 4             (higher: worse)
    """
    e1, e2, e3 = firms["e1"], firms["e2"], firms["e3"]
    productivity = make.kpi("productivity", "higher")
    defects = make.kpi("defect_rate", "lower")
    make.observations(e1, productivity, "2020-01", "10", "11", "9", "12", "12", "13")
    make.observations(e2, productivity, "2020-01", "10", "12", "14", "16", "18")
    make.observations(e2, productivity, "2021-01", "30")
    make.observations(e3, productivity, "2020-01", "10", "9", "9", "9", "11", "12")
    make.observations(e1, defects, "2020-03", "5", "5", "4", "4", "3", "2")
    make.observations(e2, defects, "2020-01", "3", "3", "3", "3", "3", "3", "3")
    make.observations(e3, defects, "2020-01", "1", "2", "2", "3", "3", "4")


def test_a_kpi_reported_for_five_months_is_left_out_and_six_is_in(ask, queries_of, kpis):
    # Up to 2020: E2's productivity has 5 months and is left out.
    assert queries_of("kpi_improved_pct", 2, year=2020, by="kpi") == {
        "defect_rate": pytest.approx(100 / 3),
        "productivity": 100.0,
    }
    # All time: its sixth month (2021-01) brings it in.
    assert ask("kpi_improved_pct", by="kpi") == {
        "defect_rate": pytest.approx(100 / 3),
        "productivity": 100.0,
    }
    assert ask("kpi_improved_pct", year=2020) == 60.0
    assert ask("kpi_improved_pct") == pytest.approx(400 / 6)


def test_lower_is_better_kpis_improve_when_they_fall(ask, kpis):
    # E1's defect rate fell (better), E2's did not move, E3's rose (worse).
    assert ask("kpi_improved_pct", by="kpi", phase="II")["defect_rate"] == pytest.approx(100 / 3)
    assert ask("kpi_improved_pct", country="PE", year=2020) == 50.0


def test_kpi_improvement_counts_observations_before_the_periods_start(ask, kpis):
    assert ask("kpi_improved_pct", **{"from": "2020-06-01", "to": "2020-12-31"}) == 60.0


def test_kpi_improved_by_country_and_filters(ask, queries_of, kpis):
    assert queries_of("kpi_improved_pct", 2, year=2020, by="country") == {
        "BO": pytest.approx(200 / 3),
        "PE": 50.0,
    }
    assert ask("kpi_improved_pct", sector="Food") == 50.0
    assert ask("kpi_improved_pct", lead_buyer="HM") == 100.0
    assert ask("kpi_improved_pct", year=2019) is None


@pytest.fixture
def employment(make: Make, firms: dict[str, Any]) -> None:
    """employment: E1 2020-01..03: 50 52 55 (+5); E2 2020-06: 20 (one only);
    E3 2020-01: 30 and 2021-01: 28 (-2 over both years)."""
    jobs = make.kpi("employment", "higher")
    make.observations(firms["e1"], jobs, "2020-01", "50", "52", "55")
    make.observations(firms["e2"], jobs, "2020-06", "20")
    make.observations(firms["e3"], jobs, "2020-01", "30")
    make.observations(firms["e3"], jobs, "2021-01", "28")
    make.observations(firms["e2"], make.kpi("productivity"), "2020-01", "1", "9")


def test_jobs_created_sums_latest_minus_first_of_enterprises_with_two_observations(
    ask, queries_of, employment
):
    assert queries_of("jobs_created", 2) == 3
    assert ask("jobs_created", by="country") == {"BO": 5, "PE": -2}


def test_jobs_created_only_counts_observations_in_the_period(ask, employment):
    # In 2020, E3 has one observation only.
    assert ask("jobs_created", year=2020) == 5
    assert ask("jobs_created", year=2019) == 0
    assert ask("jobs_created", country="PE", phase="II") == -2


# --- improvement plans --------------------------------------------------------------


@pytest.fixture
def plans(make: Make, firms: dict[str, Any]) -> None:
    """E1: 5S (saving 100, 2020-02-01), Childcare (gender, no saving, 2020-03-01),
    Women supervisors (gender, saving 0, 2022-01-01); E2: Maintenance (saving 0,
    2021-05-01); E3: Lighting (gender, saving 50, no start date)."""
    e1, e2, e3 = firms["e1"], firms["e2"], firms["e3"]
    make.initiative(e1, "5S", saving_usd=100, started_on="2020-02-01")
    make.initiative(e1, "Childcare", gender_related=True, started_on="2020-03-01")
    make.initiative(
        e1, "Women supervisors", gender_related=True, saving_usd=0, started_on="2022-01-01"
    )
    make.initiative(e2, "Maintenance", saving_usd=0, started_on="2021-05-01")
    make.initiative(e3, "Lighting", gender_related=True, saving_usd=50)


def test_cost_savings_share_of_enterprises_with_initiatives(ask, queries_of, plans):
    # All time: E1 and E3 record a saving above zero, E2 only zero.
    assert queries_of("smes_cost_savings_pct", 1) == pytest.approx(200 / 3)
    # Phase II: E1 (5S, Childcare) and E2; E3's undated initiative falls outside.
    assert ask("smes_cost_savings_pct", phase="II") == 50.0
    assert ask("smes_cost_savings_pct", by="country") == {"BO": 50.0, "PE": 100.0}
    assert ask("smes_cost_savings_pct", year=2019) is None


def test_gender_initiatives_per_plan_is_a_mean_over_enterprises_with_initiatives(
    ask, queries_of, plans
):
    # All time: 3 gender-related initiatives, 3 enterprises.
    assert queries_of("gender_initiatives_per_plan", 1) == 1
    # Phase II: Childcare only, over E1 and E2.
    assert ask("gender_initiatives_per_plan", phase="II") == 0.5
    assert ask("gender_initiatives_per_plan", by="country") == {"BO": 1, "PE": 1}
    assert ask("gender_initiatives_per_plan", country="BO", phase="II") == 0.5
    assert ask("gender_initiatives_per_plan", year=2019) is None
