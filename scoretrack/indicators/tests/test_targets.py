"""Targets sit beside the values where one is set for exactly the request's filters."""

from __future__ import annotations

from decimal import Decimal

import pytest

from scoretrack.indicators.registry import evaluate
from scoretrack.indicators.tests.conftest import Make, request_for
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
