"""The filters of `/api/v1/<sheet>` lists: an unknown parameter, or a value of a
reference filter that names no record the caller can see, is a 400 naming it; a
known value that matches nothing is an empty page.

The world (scoretrack/conftest.py): E-BO1 and E-BO2 in Bolivia, E-PE1 in Peru.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.schema import SHEETS
from scoretrack.exchange.tests.test_api_resources import as_user
from scoretrack.reference.models import Cluster, Region, Sector

NAMES = [sheet.name for sheet in SHEETS]


def refusal(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["error"] == "invalid input"
    return body["detail"]


def keys(client: Client, query: str) -> list[str]:
    response = client.get(f"/api/v1/enterprises?{query}")
    assert response.status_code == 200, response.content
    return sorted(item["key"] for item in response.json()["items"])


@pytest.mark.parametrize("name", NAMES)
def test_an_unknown_parameter_is_400_naming_it(admin_client: Client, name: str) -> None:
    detail = refusal(admin_client.get(f"/api/v1/{name}?colour=red&limit=5"))
    assert [d["field"] for d in detail] == ["colour"]
    assert detail[0]["message"].startswith("unknown filter 'colour': the filters are limit, ")


def test_every_unknown_parameter_is_named(admin_client: Client) -> None:
    detail = refusal(admin_client.get("/api/v1/enterprises?colour=red&size=big"))
    assert [d["field"] for d in detail] == ["colour", "size"]


def test_a_filter_given_twice_is_400(world: SimpleNamespace, admin_client: Client) -> None:
    detail = refusal(admin_client.get("/api/v1/enterprises?country=BO&country=PE"))
    assert detail == [{"field": "country", "message": "given 2 times: give it once"}]


@pytest.fixture
def textiles(world: SimpleNamespace) -> None:
    """E-BO1 makes textiles in La Paz, in the El Alto cluster; Mining has no enterprise."""
    sector = Sector.objects.create(name="Textiles")
    Sector.objects.create(name="Mining")
    region = Region.objects.create(country=world.BO, name="La Paz")
    cluster = Cluster.objects.create(country=world.BO, name="El Alto", sector=sector)
    Enterprise.objects.filter(pk=world.E_BO1.pk).update(
        sector=sector, region=region, cluster=cluster
    )


def test_enterprises_filter_on_sector_region_and_cluster(
    admin_client: Client, textiles: None
) -> None:
    assert keys(admin_client, "sector=Textiles") == ["E-BO1"]
    assert keys(admin_client, "region=La+Paz") == ["E-BO1"]
    assert keys(admin_client, "cluster=El+Alto&country=BO") == ["E-BO1"]


def test_an_unknown_sector_is_400_naming_it(admin_client: Client, textiles: None) -> None:
    detail = refusal(admin_client.get("/api/v1/enterprises?sector=nonexistent"))
    assert detail == [{"field": "sector", "message": "unknown sector 'nonexistent'"}]


def test_a_known_value_that_matches_nothing_is_an_empty_page(
    world: SimpleNamespace, admin_client: Client, textiles: None
) -> None:
    assert keys(admin_client, "sector=Mining") == []
    assert keys(admin_client, "sector=Textiles&country=PE") == []
    deliveries = admin_client.get("/api/v1/deliveries?organiser=LB").json()["items"]
    assert deliveries == []


@pytest.mark.parametrize(
    ("name", "query", "field", "message"),
    [
        ("enterprises", "country=XX", "country", "unknown country 'XX'"),
        ("deliveries", "organiser=NOPE", "organiser", "unknown organisation 'NOPE'"),
        ("deliveries", "module=M9", "module", "unknown module 'M9'"),
        ("participants", "delivery=D-NOPE", "delivery", "unknown delivery 'D-NOPE'"),
        ("participants", "country=XX", "country", "unknown country 'XX'"),
        ("visits", "trainer=T-NOPE", "trainer", "unknown trainer 'T-NOPE'"),
        ("assessments", "enterprise=E-NOPE", "enterprise", "unknown enterprise 'E-NOPE'"),
        ("targets", "phase=IX", "phase", "unknown phase 'IX'"),
        ("event_participants", "event=EV-NOPE", "event", "unknown event 'EV-NOPE'"),
    ],
)
def test_an_unknown_reference_value_is_400_naming_it(
    world: SimpleNamespace, admin_client: Client, name: str, query: str, field: str, message: str
) -> None:
    detail = refusal(admin_client.get(f"/api/v1/{name}?{query}"))
    assert detail == [{"field": field, "message": message}]


REFERENCES = [
    (sheet.name, column.name)
    for sheet in SHEETS
    for column in sheet.columns
    if column.ref and column.type.name != "list"
]


@pytest.mark.parametrize(("name", "column"), REFERENCES)
def test_every_reference_filter_refuses_an_unknown_value(
    world: SimpleNamespace, admin_client: Client, name: str, column: str
) -> None:
    detail = refusal(admin_client.get(f"/api/v1/{name}?{column}=NO-SUCH-KEY"))
    assert [d["field"] for d in detail] == [column]
    assert detail[0]["message"].endswith(" 'NO-SUCH-KEY'")


def test_a_record_the_caller_cannot_see_is_an_unknown_value(world: SimpleNamespace) -> None:
    """As for an import: to the Bolivian team, Peru's enterprise does not exist."""
    client = as_user(world.users["country"])
    detail = refusal(client.get("/api/v1/participants?enterprise=E-PE1"))
    assert detail == [{"field": "enterprise", "message": "unknown enterprise 'E-PE1'"}]
    assert client.get("/api/v1/participants?enterprise=E-BO1").status_code == 200


def test_several_unknown_values_are_all_named(world: SimpleNamespace, admin_client: Client) -> None:
    detail = refusal(admin_client.get("/api/v1/deliveries?organiser=NOPE&module=M9&country=BO"))
    assert [d["field"] for d in detail] == ["module", "organiser"]


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_reference_filter_queries_only_when_the_page_is_empty(
    world: SimpleNamespace, textiles: None
) -> None:
    """A page with items proves its filter values exist; an empty page checks
    each reference filter given with one small query."""
    client = as_user(world.users["global"])
    client.get("/api/v1/enterprises?limit=1")  # warm the session and access caches
    plain = queries(client, "/api/v1/enterprises")
    assert queries(client, "/api/v1/enterprises?sector=Textiles&country=BO") == plain
    assert queries(client, "/api/v1/enterprises?sector=Mining") == plain + 1
    assert queries(client, "/api/v1/enterprises?sector=Mining&country=PE&key=E-PE1") == plain + 2
