"""`/api/v1/<sheet>`: every sheet of the exchange format as a resource.

The world (scoretrack/conftest.py) holds two country programmes; the Bolivian
country team must never see a Peruvian record, and gets 404 for it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.accounts.models import ApiToken
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.exchange.schema import SHEETS
from scoretrack.finance.models import DirectCost, ExchangeRate
from scoretrack.outcomes.models import (
    Assessment,
    Kpi,
    KpiObservation,
    Practice,
    PracticeAnswer,
    WorkerSurveyAnswer,
)
from scoretrack.reference.models import Organisation, Target
from scoretrack.training.models import ConsultingVisit, Participant

D = dt.date(2015, 6, 1)


@pytest.fixture
def peru(world: SimpleNamespace) -> dict[str, Any]:
    """A Peruvian record of every sheet that has one (catalogues and targets are everyone's)."""
    Target.objects.create(indicator="smes_trained", country=world.PE, value=10)
    practice = Practice.objects.create(code="5S", name="Kaizen 5S")
    kpi = Kpi.objects.create(code="defects", name="Defect rate", unit="%", better="lower")
    assessment = Assessment.objects.create(enterprise=world.E_PE1, kind="baseline", date=D)
    return {
        "organisations": world.P_PE,
        "agreements": world.AG_PE,
        "enterprises": world.E_PE1,
        "trainers": world.T_PE,
        "trainer_milestones": world.MS_PE,
        "deliveries": world.D_PE,
        "enrolments": world.enrolments["E-PE1"],
        "participants": world.participants["E-PE1"],
        "visits": ConsultingVisit.objects.create(
            enterprise=world.E_PE1, trainer=world.T_PE, date=D
        ),
        "costs": world.COST_PE,
        "contributions": world.CONTRIB_PE,
        "assessments": PracticeAnswer.objects.create(
            assessment=assessment, practice=practice, in_place=True
        ),
        "kpi_observations": KpiObservation.objects.create(
            enterprise=world.E_PE1, kpi=kpi, month=D, value=3
        ),
        "initiatives": world.INIT_PE1,
        "worker_surveys": WorkerSurveyAnswer.objects.create(
            enterprise=world.E_PE1, wave="before", date=D, respondent="r1", question="q1", answer=4
        ),
        "events": world.EV_PE,
        "event_participants": world.EVP_PE,
    }


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


NAMES = [sheet.name for sheet in SHEETS]


@pytest.mark.parametrize("name", NAMES)
def test_a_list_gives_items_with_the_sheets_columns_id_and_version(
    world: SimpleNamespace, peru: dict[str, Any], name: str
) -> None:
    response = as_user(world.users["global"]).get(f"/api/v1/{name}")
    assert response.status_code == 200
    body = response.json()
    assert body["next"] is None
    sheet = next(s for s in SHEETS if s.name == name)
    for item in body["items"]:
        assert set(item) == {"id", "version", *sheet.column_names}


@pytest.mark.parametrize("name", NAMES)
def test_a_record_of_another_country_is_not_listed_and_is_404(
    world: SimpleNamespace, peru: dict[str, Any], name: str
) -> None:
    client = as_user(world.users["country"])
    record = peru.get(name)
    pk = str(record.pk) if record else str(uuid.uuid4())  # catalogues: an unknown id
    listed = [item["id"] for item in client.get(f"/api/v1/{name}?limit=500").json()["items"]]
    assert pk not in listed
    response = client.get(f"/api/v1/{name}/{pk}")
    assert response.status_code == 404
    assert response.json() == {"error": "not found", "detail": []}
    assert client.delete(f"/api/v1/{name}/{pk}").status_code == 404


@pytest.mark.parametrize("name", NAMES)
def test_bad_input_is_400_naming_the_field(admin_client: Client, name: str) -> None:
    response = admin_client.get(f"/api/v1/{name}?limit=501")
    assert response.status_code == 400
    assert [d["field"] for d in response.json()["detail"]] == ["limit"]
    sheet = next(s for s in SHEETS if s.name == name)
    response = admin_client.post(f"/api/v1/{name}", {}, content_type="application/json")
    assert response.status_code == 400
    assert {d["field"] for d in response.json()["detail"]} == set(sheet.required)


@pytest.mark.parametrize("name", NAMES)
def test_a_wrong_method_is_405_in_json(admin_client: Client, name: str) -> None:
    response = admin_client.delete(f"/api/v1/{name}")
    assert response.status_code == 405
    assert response.json()["error"] == "method not allowed"


def test_an_enterprise_reads_with_references_by_key_and_json_types(
    world: SimpleNamespace, admin_client: Client
) -> None:
    world.E_BO1.workforce_female = 12
    world.E_BO1.unionised = True
    world.E_BO1.save()
    item = admin_client.get(f"/api/v1/enterprises/{world.E_BO1.pk}").json()
    world.E_BO1.refresh_from_db()
    assert item == {
        "id": str(world.E_BO1.pk),
        "version": world.E_BO1.updated_at.isoformat(),
        "key": "E-BO1",
        "name": "Textil Andina",
        "country": "BO",
        "region": None,
        "sector": None,
        "cluster": None,
        "workforce_female": 12,
        "workforce_male": None,
        "women_owned": None,  # not known
        "unionised": True,
        "collective_agreement": None,
        "lead_buyers": ["LB"],
    }


def test_a_list_filters_on_references_and_booleans(
    world: SimpleNamespace, admin_client: Client
) -> None:
    def keys(query: str) -> list[str]:
        items = admin_client.get(f"/api/v1/enterprises?{query}").json()["items"]
        return sorted(item["key"] for item in items)

    Enterprise.objects.filter(pk=world.E_BO2.pk).update(women_owned=True)
    assert keys("country=BO") == ["E-BO1", "E-BO2"]
    assert keys("country=PE") == ["E-PE1"]
    assert keys("women_owned=true") == ["E-BO2"]
    assert keys("key=E-BO1") == ["E-BO1"]
    participants = admin_client.get("/api/v1/participants?delivery=D-PE").json()["items"]
    assert [p["enterprise"] for p in participants] == ["E-PE1"]
    participants = admin_client.get("/api/v1/participants?country=BO").json()["items"]
    assert sorted(p["enterprise"] for p in participants) == ["E-BO1", "E-BO2"]


def test_pages_follow_the_cursor_in_order_of_change(
    world: SimpleNamespace, admin_client: Client
) -> None:
    seen, url = [], "/api/v1/enterprises?limit=2"
    for _ in range(3):
        body = admin_client.get(url).json()
        seen += [item["key"] for item in body["items"]]
        if body["next"] is None:
            break
        url = f"/api/v1/enterprises?limit=2&cursor={body['next']}"
    assert seen == ["E-BO1", "E-BO2", "E-PE1"]  # the order they were created in


def test_updated_since_gives_only_records_changed_since(
    world: SimpleNamespace, admin_client: Client
) -> None:
    world.E_PE1.name = "Pesca Norte SA"
    world.E_PE1.save()
    since = world.E_PE1.updated_at.isoformat().replace("+00:00", "Z")
    items = admin_client.get("/api/v1/enterprises", {"updated_since": since}).json()["items"]
    assert [item["key"] for item in items] == ["E-PE1"]


def test_a_bad_cursor_is_400_naming_it(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/enterprises?cursor=nonsense")
    assert response.status_code == 400
    assert response.json()["detail"][0]["field"] == "cursor"


def test_a_list_takes_the_same_queries_for_one_item_or_many(
    world: SimpleNamespace, django_assert_max_num_queries: Any
) -> None:
    client = as_user(world.users["global"])
    client.get("/api/v1/enterprises?limit=1")  # warm the session and access caches
    for n in range(20):
        firm = Enterprise.objects.create(key=f"E-{n}", name=f"Firm {n}", country=world.BO)
        LeadBuyerLink.objects.create(enterprise=firm, lead_buyer=world.LB)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one:
        assert len(client.get("/api/v1/enterprises?limit=1").json()["items"]) == 1
    with CaptureQueriesContext(connection) as many:
        items = client.get("/api/v1/enterprises?limit=500").json()["items"]
    assert len(items) == 23
    assert all(item["lead_buyers"] == ["LB"] for item in items if item["key"][2:].isdigit())
    assert len(many) == len(one)
    # the records and their lead buyers (a subquery of the same row) in one query
    assert sum("enterprises_enterprise" in q["sql"] for q in many.captured_queries) == 1


def test_a_list_column_holds_the_linked_keys_in_key_order(world: SimpleNamespace) -> None:
    _, token = ApiToken.issue(user=world.users["global"])
    client = Client(headers={"authorization": f"Bearer {token}"})
    firm = Enterprise.objects.create(key="E-KEYS", name="Three buyers", country=world.BO)
    for key in ("LB-B2", "LB-A1", "LB-C3"):  # created out of order
        buyer = Organisation.objects.create(key=key, name=key, type="lead_buyer")
        LeadBuyerLink.objects.create(enterprise=firm, lead_buyer=buyer)
    Enterprise.objects.create(key="E-NONE", name="No buyer", country=world.BO)
    client.get(f"/api/v1/enterprises/{firm.pk}")  # warm the token and access caches
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        item = client.get(f"/api/v1/enterprises/{firm.pk}").json()
    assert item["lead_buyers"] == ["LB-A1", "LB-B2", "LB-C3"]
    assert len(queries) == 1
    items = client.get("/api/v1/enterprises?limit=500").json()["items"]
    by_key = {i["key"]: i["lead_buyers"] for i in items}
    assert by_key["E-KEYS"] == ["LB-A1", "LB-B2", "LB-C3"]
    assert by_key["E-BO1"] == ["LB"]
    assert by_key["E-NONE"] == []  # no link: an empty list, not null


# --- writes -----------------------------------------------------------------------------


def post(client: Client, name: str, body: dict[str, Any]) -> Any:
    return client.post(f"/api/v1/{name}", body, content_type="application/json")


def test_creating_an_enterprise_with_lead_buyers(
    world: SimpleNamespace, admin_client: Client
) -> None:
    body = {"key": "E-BO9", "name": "Nueva", "country": "BO", "lead_buyers": ["LB"]}
    response = post(admin_client, "enterprises", body)
    assert response.status_code == 201
    item = response.json()
    assert (item["key"], item["country"], item["lead_buyers"]) == ("E-BO9", "BO", ["LB"])
    firm = Enterprise.objects.get(pk=item["id"])
    assert firm.name == "Nueva"
    links = LeadBuyerLink.objects.filter(enterprise=firm)
    assert list(links.values_list("lead_buyer__key", flat=True)) == ["LB"]
    assert firm.history.count() == 1


def test_creating_a_record_whose_identity_exists_is_409(admin_client: Client, world: Any) -> None:
    response = post(admin_client, "enterprises", {"key": "E-BO1", "name": "X", "country": "BO"})
    assert response.status_code == 409
    assert response.json()["detail"][0]["field"] == "key"
    assert Enterprise.objects.get(pk=world.E_BO1.pk).name == "Textil Andina"


def test_a_create_with_an_unknown_reference_is_400_naming_it(
    admin_client: Client, world: Any
) -> None:
    body = {"key": "E-X", "name": "X", "country": "BO", "lead_buyers": ["NOPE"]}
    response = post(admin_client, "enterprises", body)
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "lead_buyers", "message": "unknown organisation 'NOPE'"}
    ]


def test_updating_a_delivery_changes_its_trainers_and_key(
    world: SimpleNamespace, admin_client: Client
) -> None:
    url = f"/api/v1/deliveries/{world.D_BO.pk}"
    item = admin_client.get(url).json()
    assert item["trainers"] == ["T-BO"]
    body = {**item, "key": "D-BO-1", "trainers": []}
    response = admin_client.put(url, body, content_type="application/json")
    assert response.status_code == 200
    assert (response.json()["key"], response.json()["trainers"]) == ("D-BO-1", [])
    world.D_BO.refresh_from_db()
    assert world.D_BO.key == "D-BO-1"
    assert list(world.D_BO.trainers.all()) == []


def test_an_update_with_a_stale_version_is_409(
    world: SimpleNamespace, admin_client: Client
) -> None:
    url = f"/api/v1/deliveries/{world.D_BO.pk}"
    item = admin_client.get(url).json()
    world.D_BO.end_date = dt.date(2015, 6, 30)
    world.D_BO.save()
    response = admin_client.patch(url, {**item, "key": "D-X"}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["detail"][0]["field"] == "version"


def test_an_update_to_another_records_identity_is_409(
    world: SimpleNamespace, admin_client: Client
) -> None:
    url = f"/api/v1/deliveries/{world.D_BO.pk}"
    version = admin_client.get(url).json()["version"]
    body = {"version": version, "key": "D-BO2"}
    assert admin_client.patch(url, body, content_type="application/json").status_code == 409


def test_a_patch_changes_only_what_it_gives(world: SimpleNamespace, admin_client: Client) -> None:
    url = f"/api/v1/deliveries/{world.D_BO.pk}"
    version = admin_client.get(url).json()["version"]
    body = {"version": version, "end_date": "2015-06-30"}
    item = admin_client.patch(url, body, content_type="application/json").json()
    assert (item["end_date"], item["trainers"], item["organiser"]) == (
        "2015-06-30",
        ["T-BO"],
        "P-BO",
    )


def test_a_bad_value_in_an_update_is_400_naming_the_column(
    world: SimpleNamespace, admin_client: Client
) -> None:
    url = f"/api/v1/deliveries/{world.D_BO.pk}"
    version = admin_client.get(url).json()["version"]
    body = {"version": version, "end_date": "2015-01-01"}  # before the start
    response = admin_client.patch(url, body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "end_date", "message": "The end date is before the start date (2015-06-01)."}
    ]


def test_participants_without_person_are_each_a_new_record(
    world: SimpleNamespace, admin_client: Client
) -> None:
    body = {"delivery": "D-BO", "enterprise": "E-BO1", "sex": "female", "role": "worker"}
    body["name"] = "P of E-BO1"  # equal to the world's participant: still another person
    first = post(admin_client, "participants", body)
    second = post(admin_client, "participants", body)
    assert (first.status_code, second.status_code) == (201, 201)
    assert Participant.objects.filter(delivery=world.D_BO).count() == 3


def test_a_cost_is_converted_to_usd_at_the_stored_rate(admin_client: Client, world: Any) -> None:
    ExchangeRate.objects.create(currency="BOB", date=dt.date(2015, 1, 1), per_usd=Decimal("6.9"))
    body = {"country": "BO", "date": "2015-06-01", "amount": 69, "currency": "BOB"}
    response = post(admin_client, "costs", body)
    assert response.status_code == 201
    assert (response.json()["amount"], response.json()["usd"]) == (69.0, 10.0)
    assert DirectCost.objects.get(pk=response.json()["id"]).usd == Decimal("10.00")


def test_a_cost_without_a_rate_is_400_naming_the_currency(admin_client: Client, world: Any) -> None:
    body = {"country": "BO", "date": "2015-06-01", "amount": 69, "currency": "EUR"}
    response = post(admin_client, "costs", body)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert [d["field"] for d in detail] == ["currency"]
    assert detail[0]["message"].startswith("no exchange rate for EUR on or before 2015-06-01")


def test_deleting_keeps_the_history(world: SimpleNamespace, admin_client: Client) -> None:
    pk = world.INIT_BO1.pk
    assert admin_client.delete(f"/api/v1/initiatives/{pk}").status_code == 204
    assert admin_client.get(f"/api/v1/initiatives/{pk}").status_code == 404
    assert world.INIT_BO1.history.first().history_type == "-"


def test_a_role_that_reads_but_may_not_write_gets_403(world: SimpleNamespace) -> None:
    client = as_user(world.users["viewer"])
    pk = world.E_BO1.pk
    if client.get(f"/api/v1/enterprises/{pk}").status_code == 404:
        client = as_user(world.users["enterprise"])  # a role that reads it
    assert client.get(f"/api/v1/enterprises/{pk}").status_code == 200
    assert client.delete(f"/api/v1/events/{world.EV_BO.pk}").status_code in (403, 404)
    response = client.delete(f"/api/v1/enterprises/{world.E_BO2.pk}")
    assert response.status_code == 404
    assert (
        post(
            client, "kpis", {"code": "x", "name": "x", "unit": "x", "better": "higher"}
        ).status_code
        == 403
    )


def test_a_country_team_cannot_create_in_another_country(world: SimpleNamespace) -> None:
    client = as_user(world.users["country"])
    response = post(client, "enterprises", {"key": "E-X", "name": "X", "country": "PE"})
    assert response.status_code == 403
    assert response.json()["detail"][0]["message"].startswith("outside your scope")
    response = post(client, "enterprises", {"key": "E-X", "name": "X", "country": "BO"})
    assert response.status_code == 201


def test_a_bearer_token_reads_and_writes(world: SimpleNamespace) -> None:
    _, token = ApiToken.issue(user=world.users["country"])
    client = Client(headers={"authorization": f"Bearer {token}"})
    keys = [item["key"] for item in client.get("/api/v1/enterprises").json()["items"]]
    assert sorted(keys) == ["E-BO1", "E-BO2"]
    response = post(
        client, "events", {"key": "EV-2", "country": "BO", "kind": "workshop", "date": "2016-01-01"}
    )
    assert response.status_code == 201
    assert Client().get("/api/v1/enterprises").status_code == 401


def test_an_oversize_body_is_413(admin_client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = {"key": "E-X", "name": "x" * 2000, "country": "BO"}
    response = post(admin_client, "enterprises", body)
    assert response.status_code == 413
    assert response.json()["error"].startswith("request body larger than")


def test_an_assessment_answer_is_created_with_its_assessment(
    world: SimpleNamespace, admin_client: Client
) -> None:
    Practice.objects.create(code="5S", name="Kaizen 5S")
    body = {
        "enterprise": "E-BO1",
        "kind": "baseline",
        "date": "2015-07-01",
        "assessor": "T-BO",
        "practice": "5S",
        "in_place": True,
    }
    response = post(admin_client, "assessments", body)
    assert response.status_code == 201
    item = response.json()
    assert {k: item[k] for k in body} == body
    assert Assessment.objects.get(enterprise=world.E_BO1).assessor == world.T_BO


# --- the access matrix of the API (see scoretrack/web/tests/test_access_matrix.py) -----

ROLES = ["global", "country", "partner", "trainer", "enterprise", "lead_buyer", "viewer", "nobody"]
RECORDS = {
    "enterprises": ["E_BO1", "E_BO2", "E_PE1"],
    "deliveries": ["D_BO", "D_BO2", "D_PE"],
    "trainers": ["T_BO", "T_PE"],
    "organisations": ["P_BO", "P_PE", "LB"],
    "costs": ["COST_BO", "COST_PE"],
    "contributions": ["CONTRIB_LB", "CONTRIB_PE"],
    "events": ["EV_BO", "EV_PE"],
    "initiatives": ["INIT_BO1", "INIT_PE1"],
}
CASES = [(name, role) for name in RECORDS for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_the_api_shows_each_role_its_scope(world: SimpleNamespace, name: str, role: str) -> None:
    """What the scoping gives the role (tested by hand in test_scoping) and nothing else."""
    client = as_user(world.users[role])
    response = client.get(f"/api/v1/{name}?limit=500")
    assert response.status_code == 200
    listed = {item["id"] for item in response.json()["items"]}
    for attribute in RECORDS[name]:
        record = getattr(world, attribute)
        allowed = type(record).objects.visible_to(world.users[role]).filter(pk=record.pk).exists()
        assert (str(record.pk) in listed) == allowed, f"{attribute} for {role}"
        detail = client.get(f"/api/v1/{name}/{record.pk}")
        assert detail.status_code == (200 if allowed else 404), f"{attribute} for {role}"


def test_a_huge_amount_is_400_naming_it(admin_client: Client, world: Any) -> None:
    body = {"country": "BO", "date": "2015-06-01", "amount": "1e999999999", "currency": "USD"}
    response = post(admin_client, "costs", body)
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "amount", "message": "too large: at most 14 digits before the point"}
    ]


def test_an_offset_postgresql_cannot_store_is_taken_in_utc(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/costs", {"updated_since": "1393-08-17T15:29:04-22:42"})
    assert response.status_code == 200
