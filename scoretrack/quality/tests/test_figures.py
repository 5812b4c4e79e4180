"""Figures of approved data only differ from those of all data by exactly the
records dated outside approved periods.

The world (conftest): every record dated 2015-06-01. Bolivia has 2 SMEs trained
(E-BO1, E-BO2), 2 participants, a 100 USD cost, a 10 USD contribution and an event
with 1 participant and a trainer trained; Peru 1 SME, 1 participant, a 100 USD cost,
a 5 USD contribution, 1 event participant and a trainer trained. A trainer's
milestones are dated (their date, the trainer's country) like the rest. With
Bolivia 2015 Q2 approved, approved data only is exactly Bolivia's part.
"""

from __future__ import annotations

from types import SimpleNamespace

from scoretrack.indicators.registry import Request, evaluate
from scoretrack.quality.models import Approval
from scoretrack.quality.tests.conftest import client_of

CODES = [
    "smes_trained",
    "staff_trained",
    "direct_costs_usd",
    "contributions_usd",
    "constituents_trained",
    "trainers_trained",
]
ALL = {
    "smes_trained": 3,
    "staff_trained": 3,
    "direct_costs_usd": 200,
    "contributions_usd": 15,
    "constituents_trained": 2,
    "trainers_trained": 2,
}
APPROVED = {
    "smes_trained": 2,
    "staff_trained": 2,
    "direct_costs_usd": 100,
    "contributions_usd": 10,
    "constituents_trained": 1,
    "trainers_trained": 1,
}


def values(user: object, **filters: object) -> dict:
    return evaluate(user, Request(codes=CODES, **filters))["values"]


def test_approved_only_counts_the_records_of_approved_periods(
    world: SimpleNamespace, approved: Approval
) -> None:
    hq = world.users["global"]
    assert values(hq) == ALL
    assert values(hq, approved_only=True) == APPROVED


def test_nothing_approved_counts_nothing_dated(world: SimpleNamespace) -> None:
    found = values(world.users["global"], approved_only=True)
    assert found == dict.fromkeys(CODES, 0)


def test_the_api_takes_approved_only_and_says_so(
    world: SimpleNamespace, approved: Approval
) -> None:
    client = client_of(world.users["global"])
    query = {"code": ["direct_costs_usd", "smes_trained"], "year": 2015}
    body = client.get("/api/v1/indicators/values", {**query, "approved_only": "true"}).json()
    assert body["values"] == {"direct_costs_usd": 100, "smes_trained": 2}
    assert body["filters"] == {"year": 2015, "approved_only": True}
    body = client.get("/api/v1/indicators/values", query).json()
    assert body["values"] == {"direct_costs_usd": 200, "smes_trained": 3}
    assert body["filters"] == {"year": 2015}
    bad = client.get("/api/v1/indicators/values", {**query, "approved_only": "maybe"})
    assert bad.status_code == 400


def test_the_report_shows_which_data_it_counts(world: SimpleNamespace, approved: Approval) -> None:
    client = client_of(world.users["global"])
    page = client.get("/reports/programme/", {"data": "approved"}).content.decode()
    assert "Approved data only: records dated in periods approved for their country" in page
    assert '<option value="approved" selected>' in page
    page = client.get("/reports/programme/").content.decode()
    assert "All data, approved or not" in page
    assert client.get("/reports/programme/", {"data": "some"}).status_code == 400
