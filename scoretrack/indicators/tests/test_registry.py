"""The registry as a whole: the codes and disaggregations of INDICATORS.md, one
query per figure (two for cost recovery) whatever the `by`, and empty figures."""

from __future__ import annotations

import pytest

from scoretrack.indicators.registry import NONE_KEY, REGISTRY, number, share
from scoretrack.indicators.tests.conftest import Make

pytestmark = pytest.mark.django_db

# Code: (unit, by), copied from INDICATORS.md.
SPEC = {
    "smes_trained": ("count", ["module", "country", "sector", "year"]),
    "smes_women_owned_pct": ("percent", ["country"]),
    "smes_more_than_one_module_pct": ("percent", ["country"]),
    "workforce_represented": ("count", ["country", "sex"]),
    "smes_unionised_pct": ("percent", ["country"]),
    "smes_collective_agreement_pct": ("percent", ["country"]),
    "staff_trained": ("count", ["sex", "role", "module", "country"]),
    "staff_trained_women_pct": ("percent", ["country", "role"]),
    "staff_trained_workers_pct": ("percent", ["country", "sex"]),
    "satisfaction_good_pct": ("percent", ["country", "module"]),
    "eit_mixed_pct": ("percent", ["country"]),
    "deliveries": ("count", ["module", "country", "independence"]),
    "enrolments": ("count", ["status", "module", "country"]),
    "deliveries_independent_pct": ("percent", ["country"]),
    "trainers_trained": ("count", ["sex", "country"]),
    "trainers_trained_women_pct": ("percent", ["country"]),
    "trainers_certified": ("count", ["sex", "country"]),
    "trainers_certified_women_pct": ("percent", ["country"]),
    "trainers_expert": ("count", ["sex", "country"]),
    "partners_active": ("count", ["type", "country"]),
    "lead_buyers_sponsoring": ("count", ["country"]),
    "direct_costs_usd": ("usd", ["country", "year"]),
    "contributions_usd": ("usd", ["source", "kind", "country", "year"]),
    "cost_recovery_pct": ("percent", ["country", "year"]),
    "practice_in_place_before_pct": ("percent", ["practice", "country"]),
    "practice_newly_implemented_pct": ("percent", ["practice", "country"]),
    "kpi_improved_pct": ("percent", ["kpi", "country"]),
    "jobs_created": ("count", ["country"]),
    "kpi_reporting_pct": ("percent", ["kpi", "country"]),
    "smes_cost_savings_pct": ("percent", ["country"]),
    "gender_initiatives_per_plan": ("mean", ["country"]),
    "kpi_change_mean_pct": ("percent", ["kpi", "country"]),
    "kpi_change_median_pct": ("percent", ["kpi", "country"]),
    "kpi_change_min_pct": ("percent", ["kpi", "country"]),
    "kpi_change_max_pct": ("percent", ["kpi", "country"]),
    "cost_savings_mean_usd": ("usd", ["country"]),
    "cost_savings_median_usd": ("usd", ["country"]),
    "cost_savings_min_usd": ("usd", ["country"]),
    "cost_savings_max_usd": ("usd", ["country"]),
    "constituents_trained": ("count", ["group", "sex", "country"]),
    "constituents_trained_women_pct": ("percent", ["group", "country"]),
    "ntac_meetings": ("count", ["country"]),
}
EMPTY = {"count": 0, "usd": 0, "percent": None, "mean": None}
SUMMED_BY_SEX = {"workforce_represented", "constituents_trained"}
# Statistics of a distribution (sizes of change): of nothing, null, even in US$.
STATISTICS = {code for code in SPEC if code.startswith(("kpi_change_", "cost_savings_"))}


def test_the_registry_holds_exactly_the_codes_units_and_by_of_the_spec():
    assert {code: (item.unit, list(item.by)) for code, item in REGISTRY.items()} == SPEC
    assert list(REGISTRY) == list(SPEC)


def test_every_indicator_has_a_definition_in_words():
    for item in REGISTRY.values():
        assert item.name and len(item.definition) > 40, item.code


READ_DERIVED_ROWS = {
    "practice_in_place_before_pct",
    "practice_newly_implemented_pct",
    "kpi_improved_pct",
    "jobs_created",
    "kpi_change_mean_pct",
    "kpi_change_median_pct",
    "kpi_change_min_pct",
    "kpi_change_max_pct",
    # SME figures over the attendance rows
    "smes_trained",
    "smes_women_owned_pct",
    "smes_more_than_one_module_pct",
    "smes_unionised_pct",
    "smes_collective_agreement_pct",
    "workforce_represented",
    "eit_mixed_pct",
}


@pytest.mark.parametrize("code", list(SPEC))
def test_each_indicator_runs_one_query_per_figure_and_empty_figures(code, queries_of):
    # Cost recovery reads costs and contributions; the outcome figures over derived
    # rows and the SME figures over attendances first look whether any enterprise
    # waits for a refresh (outcomes/derived.py).
    expected_queries = 2 if code == "cost_recovery_pct" or code in READ_DERIVED_ROWS else 1
    unit, disaggregations = SPEC[code]
    assert queries_of(code, expected_queries) == (None if code in STATISTICS else EMPTY[unit])
    for by in disaggregations:
        empty = {"female": 0, "male": 0} if by == "sex" and code in SUMMED_BY_SEX else {}
        assert queries_of(code, expected_queries, by=by) == empty


def test_records_without_a_value_for_the_disaggregation_fall_under_none(ask, make: Make):
    firm = make.enterprise("A")
    make.participant(make.delivery("d1"), firm)
    assert ask("smes_trained", by="sector") == {NONE_KEY: 1}


def test_numbers_are_ints_when_integral_and_shares_unrounded():
    assert number(None) is None
    assert number(3.0) == 3 and isinstance(number(3.0), int)
    assert number(2.5) == 2.5
    assert share(1, 3) == pytest.approx(33.333333333)
    assert share(0, 0) is None
    assert share(None, 4) == 0.0
