"""Targets sit beside the values where one is set for exactly the request's filters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoretrack.indicators.registry import evaluate
from scoretrack.indicators.tests.conftest import Make, day, request_for
from scoretrack.reference.models import Phase, Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(make: Make) -> None:
    phase = make.phase("II", "2020-01-01", "2021-12-31")
    bolivia = make.country("BO")
    make.org("NPC")
    Target.objects.create(indicator="smes_trained", country=bolivia, phase=phase, value=70)
    Target.objects.create(indicator="smes_trained", phase=phase, value=100)
    Target.objects.create(indicator="smes_trained", year=2020, value=50)
    Target.objects.create(indicator="staff_trained", country=bolivia, value=Decimal("12.5"))


def targets_for(user, *codes: str, **filters) -> dict:
    return evaluate(user, request_for(*codes, **filters))["targets"]


def test_the_target_of_the_same_country_and_phase(admin, targets):
    assert targets_for(admin, "smes_trained", "staff_trained", country="BO", phase="II") == {
        "smes_trained": 70
    }


def test_a_global_target_for_a_request_without_country(admin, targets):
    assert targets_for(admin, "smes_trained", phase="II") == {"smes_trained": 100}
    assert targets_for(admin, "smes_trained", year=2020) == {"smes_trained": 50}


def test_a_country_target_for_all_time(admin, targets):
    assert targets_for(admin, "smes_trained", "staff_trained", country="BO") == {
        "staff_trained": 12.5
    }


def test_no_target_where_none_is_set_for_those_filters(admin, targets):
    assert targets_for(admin, "smes_trained") == {}
    assert targets_for(admin, "smes_trained", country="BO", year=2020) == {}
    assert targets_for(admin, "smes_trained", phase="II", partner="NPC") == {}
    assert targets_for(admin, "smes_trained", **{"from": "2020-01-01"}) == {}


def test_a_disaggregated_request_keeps_the_totals_target(admin, targets):
    assert targets_for(admin, "smes_trained", phase="II", by="module") == {"smes_trained": 100}


def test_targets_take_one_query(admin, targets, django_assert_num_queries):
    from scoretrack.indicators.registry import Source, resolve
    from scoretrack.indicators.registry import targets as targets_of

    filters = resolve(Source(admin), request_for("smes_trained", phase="II"))
    assert Phase.objects.count() == 1
    with django_assert_num_queries(1):
        assert targets_of(Source(admin), ["smes_trained"], filters) == {"smes_trained": 100}


@pytest.fixture
def periods(make: Make) -> None:
    bolivia = make.country("BO")
    Target.objects.create(indicator="smes_trained", year=2020, quarter=3, value=30)
    Target.objects.create(indicator="smes_trained", country=bolivia, year=2020, half=2, value=45)
    Target.objects.create(
        indicator="smes_trained",
        start_date=day("2020-01-05"),
        end_date=day("2020-03-31"),
        value=12,
    )
    # Neither cumulative nor per-group targets are the totals' targets of the period.
    Target.objects.create(indicator="smes_trained", year=2020, quarter=4, cumulative=True, value=90)
    Target.objects.create(
        indicator="staff_trained",
        year=2020,
        quarter=3,
        disaggregation="sex",
        group="female",
        value=40,
    )


def test_a_quarter_half_or_custom_period_has_its_own_target(admin, periods):
    assert targets_for(admin, "smes_trained", year=2020, quarter=3) == {"smes_trained": 30}
    assert targets_for(admin, "smes_trained", country="BO", year=2020, half=2) == {
        "smes_trained": 45
    }
    assert targets_for(admin, "smes_trained", **{"from": "2020-01-05", "to": "2020-03-31"}) == {
        "smes_trained": 12
    }
    assert targets_for(admin, "smes_trained", year=2020) == {}
    assert targets_for(admin, "smes_trained", year=2020, quarter=4) == {}
    assert targets_for(admin, "staff_trained", year=2020, quarter=3) == {}


def rule_errors(**fields) -> dict[str, list[str]]:
    from django.core.exceptions import ValidationError

    try:
        Target(value=1, **fields).clean()
    except ValidationError as error:
        return error.message_dict
    return {}


def test_a_target_names_a_registry_code_and_a_group_its_indicator_offers(db):
    assert rule_errors(indicator="smes_sold") == {
        "indicator": ["'smes_sold' is no indicator code of the registry."]
    }
    assert rule_errors(indicator="smes_trained", disaggregation="sex", group="female") == {
        "disaggregation": [
            "This indicator is not disaggregated by 'sex' (it offers: module, country,"
            " sector, year)."
        ]
    }
    assert rule_errors(indicator="staff_trained", disaggregation="sex") == {
        "group": ["Name the group, e.g. female."]
    }
    assert rule_errors(indicator="staff_trained", disaggregation="sex", group="female") == {}


def test_a_targets_period_is_well_formed(db):
    assert rule_errors(indicator="smes_trained", quarter=2) == {
        "year": ["Give the year of the half or quarter."]
    }
    assert rule_errors(indicator="smes_trained", year=2020, quarter=5) == {
        "quarter": ["A quarter is 1 to 4."]
    }
    assert rule_errors(indicator="smes_trained", year=2020, half=1, quarter=1) == {
        "quarter": ["Give a half or a quarter, not both."]
    }
    assert rule_errors(indicator="smes_trained", start_date=day("2020-01-01")) == {
        "end_date": ["A custom period needs its first and last day."]
    }
    assert rule_errors(
        indicator="smes_trained", start_date=day("2020-02-01"), end_date=day("2020-01-01")
    ) == {"end_date": ["The end date is before the start date (2020-02-01)."]}
    assert rule_errors(
        indicator="smes_trained",
        year=2020,
        start_date=day("2020-01-01"),
        end_date=day("2020-03-31"),
    ) == {"start_date": ["Give a phase, a year or custom dates, not several."]}
