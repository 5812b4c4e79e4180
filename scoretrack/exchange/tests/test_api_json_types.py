"""The API takes each column in its own JSON type: a number is not a date or a
boolean, text is not a whole number (decimals alone may come as text).

Each refusal goes through create (POST), replace (PUT) and change (PATCH), and
names the field in the API's error shape.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.enterprises.models import Enterprise
from scoretrack.events.models import Event
from scoretrack.finance.models import DirectCost
from scoretrack.outcomes.models import Practice, PracticeAnswer

NOT_A_DATE = "not a date: write it as text YYYY-MM-DD"
NOT_A_BOOLEAN = "not a boolean: write true or false"
NOT_A_WHOLE_NUMBER = "not a whole number: write a JSON number"


def send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


def refused(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid input"
    return body["detail"]


@pytest.fixture
def event(world: SimpleNamespace, admin_client: Client) -> dict[str, Any]:
    """An event as the API reads it, and how to write it each way."""
    return admin_client.get(f"/api/v1/events/{world.EV_BO.pk}").json()


def writes(name: str, item: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, dict]]:
    """The three writes of one resource with the same bad field: create, replace, change."""
    created = {k: v for k, v in item.items() if k not in {"id", "version"}}
    return [
        ("post", f"/api/v1/{name}", {**created, **new}),
        ("put", f"/api/v1/{name}/{item['id']}", {**item, **new}),
        ("patch", f"/api/v1/{name}/{item['id']}", {"version": item["version"], **new}),
    ]


@pytest.mark.parametrize("value", [0, 20200101, 1577836800, True, "1577836800", "20200101"])
def test_a_number_is_not_a_date(
    world: SimpleNamespace, admin_client: Client, event: dict[str, Any], value: Any
) -> None:
    message = "not a date: use YYYY-MM-DD" if isinstance(value, str) else NOT_A_DATE
    for method, url, body in writes("events", {**event, "key": "EV-NEW"}, {"date": value}):
        detail = refused(send(admin_client, method, url, body))
        assert detail == [{"field": "date", "message": message}], method
    world.EV_BO.refresh_from_db()
    assert world.EV_BO.date == dt.date(2015, 6, 1)
    assert not Event.objects.filter(key="EV-NEW").exists()


def test_a_date_as_text_is_taken(admin_client: Client, event: dict[str, Any]) -> None:
    url = f"/api/v1/events/{event['id']}"
    response = send(admin_client, "patch", url, {"version": event["version"], "date": "2016-02-29"})
    assert response.status_code == 200
    assert response.json()["date"] == "2016-02-29"


@pytest.fixture
def answer(world: SimpleNamespace, admin_client: Client) -> dict[str, Any]:
    Practice.objects.create(code="5S", name="Kaizen 5S")
    body = {
        "enterprise": "E-BO1",
        "kind": "baseline",
        "date": "2015-07-01",
        "practice": "5S",
        "in_place": True,
    }
    response = send(admin_client, "post", "/api/v1/assessments", body)
    assert response.status_code == 201
    return response.json()


@pytest.mark.parametrize("value", [0, 1, "false", "no", "yes", "", 0.0])
def test_a_number_or_text_is_not_a_boolean(
    admin_client: Client, answer: dict[str, Any], value: Any
) -> None:
    other = {**answer, "date": "2015-08-01"}  # a create must not meet the first answer
    for method, url, body in writes("assessments", other, {"in_place": value}):
        detail = refused(send(admin_client, method, url, body))
        assert detail == [{"field": "in_place", "message": NOT_A_BOOLEAN}], method
    assert list(PracticeAnswer.objects.values_list("in_place", flat=True)) == [True]


@pytest.mark.parametrize("value", ["12", "twelve", True, 12.5, "1e3"])
def test_text_or_a_fraction_is_not_a_whole_number(
    world: SimpleNamespace, admin_client: Client, value: Any
) -> None:
    item = admin_client.get(f"/api/v1/enterprises/{world.E_BO2.pk}").json()
    new = {"workforce_female": value}
    for method, url, body in writes("enterprises", {**item, "key": "E-NEW"}, new):
        detail = refused(send(admin_client, method, url, body))
        assert detail == [{"field": "workforce_female", "message": NOT_A_WHOLE_NUMBER}], method
    assert Enterprise.objects.get(pk=world.E_BO2.pk).workforce_female is None
    assert not Enterprise.objects.filter(key="E-NEW").exists()


def test_a_whole_number_is_taken_even_written_with_a_point(
    world: SimpleNamespace, admin_client: Client
) -> None:
    """JSON has one number type: 12.0 is the whole number 12 (JavaScript writes it 12)."""
    url = f"/api/v1/enterprises/{world.E_BO2.pk}"
    version = admin_client.get(url).json()["version"]
    response = send(admin_client, "patch", url, {"version": version, "workforce_female": 12.0})
    assert response.status_code == 200
    assert response.json()["workforce_female"] == 12


@pytest.mark.parametrize(("value", "stored"), [(69, "69.00"), (69.5, "69.50"), ("69.25", "69.25")])
def test_a_decimal_is_a_json_number_or_decimal_text(
    world: SimpleNamespace, admin_client: Client, value: Any, stored: str
) -> None:
    body = {"country": "BO", "date": "2015-06-01", "amount": value, "currency": "USD"}
    response = send(admin_client, "post", "/api/v1/costs", body)
    assert response.status_code == 201
    assert str(DirectCost.objects.get(pk=response.json()["id"]).amount) == stored


@pytest.mark.parametrize("value", [True, "sixty-nine", "NaN", "", [69]])
def test_a_boolean_or_other_text_is_not_a_decimal(
    world: SimpleNamespace, admin_client: Client, value: Any
) -> None:
    body = {"country": "BO", "date": "2015-06-01", "amount": value, "currency": "USD"}
    detail = refused(send(admin_client, "post", "/api/v1/costs", body))
    assert [d["field"] for d in detail] == ["amount"]
    assert detail[0]["message"]
    assert DirectCost.objects.count() == 2  # the world's


def test_a_number_is_not_text(world: SimpleNamespace, admin_client: Client) -> None:
    body = {"key": 42, "name": "Answer", "country": "BO"}
    detail = refused(send(admin_client, "post", "/api/v1/enterprises", body))
    assert [d["field"] for d in detail] == ["key"]


def test_the_openapi_document_gives_each_column_its_json_type(admin_client: Client) -> None:
    schemas = admin_client.get("/api/openapi.json").json()["components"]["schemas"]
    event = schemas["EventsCreate"]["properties"]
    assert (event["date"]["type"], event["date"]["format"]) == ("string", "date")
    answer = schemas["AssessmentsCreate"]["properties"]
    assert answer["in_place"]["type"] == "boolean"
    firm = schemas["EnterprisesCreate"]["properties"]
    assert [kind["type"] for kind in firm["workforce_female"]["anyOf"]] == ["integer", "null"]
    cost = schemas["CostsCreate"]["properties"]
    assert {kind["type"] for kind in cost["amount"]["anyOf"]} == {"number", "string"}
