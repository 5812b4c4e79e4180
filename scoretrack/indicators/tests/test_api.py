"""`/api/v1/indicators`: the catalogue, the figures, errors, auth and scoping."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators.api import VALUES_PARAMETERS
from scoretrack.indicators.tests.conftest import Make
from scoretrack.reference.models import Target
from scoretrack.training.models import Enrolment

pytestmark = pytest.mark.django_db
VALUES = "/api/v1/indicators/values"


@pytest.fixture
def small(make: Make) -> None:
    """Phase II 2020-2021. BO: d1 M1 (2020) with A and B, d2 M2 (2021) with A;
    PE: d3 M1 (2020) with C. One participant each; a phase II target for BO."""
    phase = make.phase("II", "2020-01-01", "2021-12-31")
    a, b = make.enterprise("A"), make.enterprise("B")
    c = make.enterprise("C", country="PE")
    d1 = make.delivery("d1", "M1", "2020-02-01")
    d2 = make.delivery("d2", "M2", "2021-02-01")
    d3 = make.delivery("d3", "M1", "2020-02-01", country="PE")
    make.participant(d1, a, "female")
    make.participant(d1, b, "male")
    make.participant(d2, a, "female")
    make.participant(d3, c, "male")
    Target.objects.create(
        indicator="smes_trained", country=make.country("BO"), phase=phase, value=70
    )


def get(client: Client, query: str) -> Any:
    return client.get(f"{VALUES}?{query}")


def test_the_catalogue_lists_every_indicator(admin_client):
    response = admin_client.get("/api/v1/indicators")
    assert response.status_code == 200
    catalogue = response.json()
    assert len(catalogue) == 42
    first = catalogue[0]
    assert set(first) == {"code", "name", "definition", "unit", "by"}
    assert (first["code"], first["unit"], first["by"]) == (
        "smes_trained",
        "count",
        ["module", "country", "sector", "year"],
    )
    codes = {item["code"] for item in catalogue}
    assert {"cost_recovery_pct", "kpi_improved_pct", "ntac_meetings"} <= codes


def test_values_with_filters_and_target(admin_client, small):
    response = get(
        admin_client, "code=smes_trained&code=staff_trained_women_pct&country=BO&phase=II"
    )
    assert response.status_code == 200
    assert response.json() == {
        "filters": {"country": "BO", "phase": "II"},
        "values": {"smes_trained": 2, "staff_trained_women_pct": pytest.approx(200 / 3)},
        "hidden": {},
        "targets": {"smes_trained": 70},
    }


def test_values_by_a_disaggregation(admin_client, small):
    response = get(admin_client, "code=smes_trained&code=staff_trained&by=module&year=2020")
    assert response.status_code == 200
    assert response.json() == {
        "filters": {"year": 2020, "by": "module"},
        "values": {"smes_trained": {"M1": 3}, "staff_trained": {"M1": 3}},
        "hidden": {},
        "targets": {},
    }


def test_values_from_and_to(admin_client, small):
    response = get(admin_client, "code=smes_trained&from=2021-01-01&to=2021-12-31")
    assert response.json()["values"] == {"smes_trained": 1}
    assert response.json()["filters"] == {"from": "2021-01-01", "to": "2021-12-31"}


def detail_of(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "detail"}
    return body["detail"]


def test_an_unknown_code_is_a_400_naming_it(admin_client, small):
    detail = detail_of(get(admin_client, "code=smes_trained&code=smes_happy"))
    assert detail == [{"field": "code", "message": "unknown indicator code 'smes_happy'"}]


def test_a_missing_code_is_a_400(admin_client, small):
    assert detail_of(get(admin_client, "country=BO"))[0]["field"] == "code"


def test_an_unknown_filter_value_is_a_400_naming_it(admin_client, small):
    assert detail_of(get(admin_client, "code=smes_trained&country=XX")) == [
        {"field": "country", "message": "unknown country 'XX'"}
    ]
    assert detail_of(get(admin_client, "code=smes_trained&phase=IX")) == [
        {"field": "phase", "message": "unknown phase 'IX'"}
    ]
    assert detail_of(get(admin_client, "code=smes_trained&partner=NOPE"))[0]["field"] == "partner"
    assert detail_of(get(admin_client, "code=smes_trained&sector=Mining"))[0]["field"] == "sector"
    assert detail_of(get(admin_client, "code=smes_trained&lead_buyer=ACME"))[0]["field"] == (
        "lead_buyer"
    )


def test_a_malformed_year_or_date_is_a_400_naming_it(admin_client, small):
    assert detail_of(get(admin_client, "code=smes_trained&year=twenty"))[0]["field"] == "year"
    assert detail_of(get(admin_client, "code=smes_trained&from=2020-13-01"))[0]["field"] == "from"
    assert detail_of(get(admin_client, "code=smes_trained&from=2021-01-01&to=2020-01-01")) == [
        {"field": "to", "message": "'to' is before 'from'"}
    ]
    assert detail_of(get(admin_client, "code=smes_trained&phase=II&year=2020"))[0]["field"] == (
        "year"
    )


def test_an_unknown_parameter_is_a_400_naming_it(admin_client, small):
    detail = detail_of(get(admin_client, "code=smes_trained&colour=red&country=BO"))
    assert [item["field"] for item in detail] == ["colour"]
    assert detail[0]["message"].startswith(
        "unknown parameter 'colour': the parameters are code, country, partner, "
    )
    detail = detail_of(admin_client.get("/api/v1/indicators?code=smes_trained"))
    assert detail == [{"field": "code", "message": "unknown parameter 'code': there are none"}]


def test_a_parameter_given_twice_is_a_400_but_code_repeats(admin_client, small):
    assert detail_of(get(admin_client, "code=smes_trained&country=BO&country=PE")) == [
        {"field": "country", "message": "given 2 times: give it once"}
    ]
    assert get(admin_client, "code=smes_trained&code=staff_trained").status_code == 200


def test_an_unknown_or_unsupported_by_is_a_400_naming_it(admin_client, small):
    assert detail_of(get(admin_client, "code=smes_trained&by=colour")) == [
        {"field": "by", "message": "unknown disaggregation 'colour'"}
    ]
    detail = detail_of(get(admin_client, "code=smes_trained&code=staff_trained&by=role"))
    assert [item["field"] for item in detail] == ["by"]
    assert "'smes_trained' cannot be disaggregated by 'role'" in detail[0]["message"]


def test_a_place_filter_an_indicator_does_not_take_is_a_400(admin_client, small):
    assert detail_of(get(admin_client, "code=ntac_meetings&sector=Food"))[0] == {
        "field": "sector",
        "message": "the sector filter does not apply to 'ntac_meetings'",
    }


def test_anonymous_requests_are_401_json(client, small):
    for url in ("/api/v1/indicators", f"{VALUES}?code=smes_trained"):
        response = client.get(url)
        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized", "detail": []}


def test_post_is_not_allowed(admin_client):
    assert admin_client.post(VALUES).status_code == 405


def test_a_country_team_sees_figures_of_its_country_only(make, small):
    user = User.objects.create_user(email="bo@example.org", password="pw-bo-123456")
    RoleAssignment.objects.create(user=user, role="country_team", country=make.country("BO"))
    client = Client()
    client.force_login(user)
    response = get(client, "code=smes_trained&by=country")
    assert response.json()["values"] == {"smes_trained": {"BO": 2}}


def test_a_lead_buyer_counts_its_suppliers_only(make, small):
    hm = make.org("HM", type="lead_buyer", country=None)
    make.enterprise("S", buyers=(hm,))
    supplier = make.enterprise("S2", country="PE", buyers=(hm,))
    delivery = make.delivery("d9", "M2", "2020-05-01", country="PE")
    # Lead buyers see the deliveries their suppliers are enrolled in.
    Enrolment.objects.create(delivery=delivery, enterprise=supplier)
    make.participant(delivery, supplier)
    user = User.objects.create_user(email="hm@example.org", password="pw-hm-123456")
    RoleAssignment.objects.create(user=user, role="lead_buyer", organisation=hm)
    client = Client()
    client.force_login(user)
    response = get(client, "code=smes_trained&code=staff_trained&by=country")
    # One supplier only: suppressed for a lead buyer (fewer than 5 enterprises).
    assert response.json()["values"] == {
        "smes_trained": {"PE": None},
        "staff_trained": {"PE": None},
    }


def test_a_lead_buyer_sees_figures_over_five_suppliers_and_not_over_fewer(make, small):
    """HM buys from S1..S5 in PE (trained in d9, one woman each) and from B1 in BO
    (trained in d1, one man): BO rests on 1 SME and is hidden; PE on 5, but the
    total (6) minus PE would be B1 alone, so PE is hidden too; the total shows."""
    hm = make.org("HM", type="lead_buyer", country=None)
    delivery = make.delivery("d9", "M2", "2020-05-01", country="PE")
    for i in range(1, 6):
        supplier = make.enterprise(f"S{i}", country="PE", buyers=(hm,))
        Enrolment.objects.create(delivery=delivery, enterprise=supplier)
        make.participant(delivery, supplier, "female")
    b1 = make.enterprise("B1", buyers=(hm,))
    d1 = make.delivery("d8", "M1", "2020-06-01")
    Enrolment.objects.create(delivery=d1, enterprise=b1)
    make.participant(d1, b1, "male")
    user = User.objects.create_user(email="hm@example.org", password="pw-hm-123456")
    RoleAssignment.objects.create(user=user, role="lead_buyer", organisation=hm)
    client = Client()
    client.force_login(user)
    by_country = get(client, "code=smes_trained&code=staff_trained_women_pct&by=country")
    assert by_country.json()["values"] == {
        "smes_trained": {"BO": None, "PE": None},
        "staff_trained_women_pct": {"BO": None, "PE": None},
    }
    reasons = by_country.json()["hidden"]["smes_trained"]
    assert {key: item["reason"] for key, item in reasons.items()} == {
        "BO": "few",
        "PE": "differencing",
    }
    assert reasons["BO"]["label"] == "fewer than 5 enterprises"
    total = get(client, "code=smes_trained&code=staff_trained")
    assert total.json()["values"] == {"smes_trained": 6, "staff_trained": 6}
    assert total.json()["hidden"] == {}
    # The 5 women come from S1..S5, the man from B1 alone: both groups hidden, or
    # the total minus the women would be B1's staff.
    by_sex = get(client, "code=staff_trained&by=sex")
    assert by_sex.json()["values"] == {"staff_trained": {"female": None, "male": None}}
    bo_only = get(client, "code=staff_trained&country=BO")
    assert bo_only.json()["values"] == {"staff_trained": None}


def test_the_docs_page_serves_swagger_from_our_own_static_files(admin_client):
    response = admin_client.get("/api/docs")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()


def test_the_openapi_document_describes_the_indicator_endpoints(admin_client):
    response = admin_client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["info"] == {"title": "scoretrack API", "version": "1", "description": ""}
    assert {"/api/v1/indicators", "/api/v1/indicators/values"} <= set(document["paths"])


def test_the_parameters_checked_are_those_documented(admin_client):
    document = admin_client.get("/api/openapi.json").json()
    parameters = document["paths"]["/api/v1/indicators/values"]["get"]["parameters"]
    assert [p["name"] for p in parameters] == list(VALUES_PARAMETERS)
