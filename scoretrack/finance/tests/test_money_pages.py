"""The pages of direct training costs and contributions."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.lib.current_user import acting_as

COSTS = reverse("finance:cost-list")
CONTRIBUTIONS = reverse("finance:contribution-list")
NEW_COST = reverse("finance:cost-create")
NEW_CONTRIBUTION = reverse("finance:contribution-create")


@pytest.fixture
def money(world: SimpleNamespace, admin: Any) -> SimpleNamespace:
    """Two Bolivian costs (2016, 2017), one Peruvian (2016); two contributions."""
    with acting_as(admin):
        world.c16 = DirectCost.objects.create(
            country=world.bo,
            date="2016-03-05",
            delivery=world.d_bo,
            category="venue",
            amount=Decimal("1380"),
            currency="BOB",
        )
        world.c17 = DirectCost.objects.create(
            country=world.bo,
            date="2017-05-11",
            category="trainers",
            amount=Decimal("500"),
            currency="USD",
        )
        world.cpe = DirectCost.objects.create(
            country=world.pe,
            date="2016-06-02",
            amount=Decimal("300"),
            currency="PEN",
            usd=Decimal("90"),
        )
        world.fee = Contribution.objects.create(
            country=world.bo,
            date="2016-03-01",
            organisation=world.cainco,
            source="sme_fee",
            amount=Decimal("690"),
            currency="BOB",
        )
        world.sponsor = Contribution.objects.create(
            country=world.bo,
            date="2017-01-10",
            organisation=world.buyer,
            source="lead_buyer",
            kind="in_kind",
            amount=Decimal("250"),
            currency="USD",
        )
    return world


def usd(response: Any) -> list[Decimal]:
    return [row.obj.usd for row in response.context["rows"]]


def cost_data(world: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    data = {
        "country": world.bo.pk,
        "date": "2016-03-01",
        "delivery": world.d_bo.pk,
        "category": "materials",
        "amount": "345",
        "currency": "BOB",
        "usd": "",
    }
    data.update(changes)
    return data


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["500.00", "90.00", "200.00"]),
        ("country=BO", ["500.00", "200.00"]),
        ("year=2016", ["90.00", "200.00"]),
        ("year=2016&country=BO", ["200.00"]),
        ("q=venue", ["200.00"]),
    ],
)
def test_the_cost_list_filters_by_country_and_year(
    admin_client: Client, money: SimpleNamespace, query: str, expected: list[str]
) -> None:
    response = admin_client.get(f"{COSTS}?{query}")
    assert response.status_code == 200
    assert usd(response) == [Decimal(v) for v in expected]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["250.00", "100.00"]),
        ("source=sme_fee", ["100.00"]),
        ("source=lead_buyer&year=2017", ["250.00"]),
        ("kind=in_kind", ["250.00"]),
        ("country=PE", []),
        ("q=acme", ["250.00"]),
    ],
)
def test_the_contribution_list_filters_by_country_year_and_source(
    admin_client: Client, money: SimpleNamespace, query: str, expected: list[str]
) -> None:
    response = admin_client.get(f"{CONTRIBUTIONS}?{query}")
    assert response.status_code == 200
    assert usd(response) == [Decimal(v) for v in expected]


def test_the_lists_do_not_query_per_row(
    admin_client: Client, money: SimpleNamespace, admin: Any, django_assert_max_num_queries: Any
) -> None:
    with acting_as(admin):
        for n in range(20):
            DirectCost.objects.create(
                country=money.bo,
                date="2018-01-01",
                delivery=money.d_bo2,
                amount=n,
                currency="USD",
            )
            Contribution.objects.create(
                country=money.bo,
                date="2018-01-01",
                organisation=money.cainco,
                delivery=money.d_bo,
                source="grant",
                amount=n,
                currency="USD",
            )
    # session + user, the count, the page, and the choices of the filter: the
    # partner's (costs); the partner's and the organisation's (contributions)
    with django_assert_max_num_queries(6):
        assert len(admin_client.get(COSTS).context["rows"]) == 23
    with django_assert_max_num_queries(7):
        assert len(admin_client.get(CONTRIBUTIONS).context["rows"]) == 22


def test_a_cost_without_usd_is_converted_at_the_rate_of_its_date(
    admin_client: Client, money: SimpleNamespace, admin: Any
) -> None:
    response = admin_client.post(NEW_COST, cost_data(money))
    assert (response.status_code, response.url) == (302, COSTS)
    cost = DirectCost.objects.get(category="materials")
    assert (cost.amount, cost.currency, cost.usd, cost.delivery) == (
        Decimal("345.00"),
        "BOB",
        Decimal("50.00"),
        money.d_bo,
    )
    assert cost.created_by == admin


def test_a_missing_rate_is_shown_at_the_usd_field_and_nothing_is_saved(
    admin_client: Client, money: SimpleNamespace
) -> None:
    response = admin_client.post(NEW_COST, cost_data(money, date="2014-12-31"))
    assert response.status_code == 200
    assert response.context["form"].errors["usd"] == [
        "no exchange rate for BOB on or before 2014-12-31: enter the USD value or record that rate."
    ]
    assert 'aria-describedby="id_usd_error id_usd_helptext"' in response.content.decode()
    assert not DirectCost.objects.filter(category="materials").exists()
    # A given USD value needs no rate.
    admin_client.post(NEW_COST, cost_data(money, date="2014-12-31", usd="49.5"))
    assert DirectCost.objects.get(category="materials").usd == Decimal("49.50")


def test_a_missing_amount_is_reported_at_the_amount_only(
    admin_client: Client, money: SimpleNamespace
) -> None:
    response = admin_client.post(NEW_COST, cost_data(money, amount="", currency="bob"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "amount": ["This field is required."],
        "currency": ["Use the three capital letters of ISO 4217."],
    }


def test_a_negative_amount_is_a_field_error(admin_client: Client, money: SimpleNamespace) -> None:
    response = admin_client.post(NEW_COST, cost_data(money, amount="-1"))
    assert response.context["form"].errors["amount"] == [
        "Ensure this value is greater than or equal to 0."
    ]
    assert not DirectCost.objects.filter(category="materials").exists()


def test_a_delivery_of_another_country_is_refused(
    admin_client: Client, money: SimpleNamespace
) -> None:
    response = admin_client.post(NEW_COST, cost_data(money, delivery=money.d_pe.pk))
    assert response.context["form"].errors["delivery"] == ["That choice is not in Bolivia."]


def test_editing_a_cost(admin_client: Client, money: SimpleNamespace) -> None:
    url = reverse("finance:cost-edit", args=[money.c17.pk])
    assert admin_client.get(url).status_code == 200
    data = cost_data(money, date="2017-05-11", delivery="", amount="520", currency="USD", usd="520")
    assert admin_client.post(url, data).status_code == 302
    money.c17.refresh_from_db()
    assert (money.c17.amount, money.c17.usd, money.c17.category) == (
        Decimal("520.00"),
        Decimal("520.00"),
        "materials",
    )


def test_creating_and_editing_a_contribution(
    admin_client: Client, money: SimpleNamespace, admin: Any
) -> None:
    data = {
        "country": money.bo.pk,
        "date": "2016-04-01",
        "organisation": money.buyer.pk,
        "source": "lead_buyer",
        "kind": "cash",
        "delivery": money.d_bo.pk,
        "amount": "1035",
        "currency": "BOB",
        "usd": "",
    }
    assert admin_client.post(NEW_CONTRIBUTION, data).status_code == 302
    created = Contribution.objects.get(date="2016-04-01")
    assert (created.organisation, created.usd, created.created_by) == (
        money.buyer,
        Decimal("150.00"),
        admin,
    )
    url = reverse("finance:contribution-edit", args=[created.pk])
    assert admin_client.post(url, {**data, "source": "grant"}).status_code == 302
    created.refresh_from_db()
    assert created.source == "grant"


def test_a_contribution_from_an_organisation_of_another_country_is_refused(
    admin_client: Client, money: SimpleNamespace
) -> None:
    data = {
        "country": money.bo.pk,
        "date": "2016-04-01",
        "organisation": money.senati.pk,
        "source": "grant",
        "kind": "cash",
        "amount": "1",
        "currency": "USD",
    }
    response = admin_client.post(NEW_CONTRIBUTION, data)
    assert response.context["form"].errors["organisation"] == ["That choice is not in Bolivia."]


def test_unknown_ids_wrong_methods_and_anonymous_visitors(
    admin_client: Client, money: SimpleNamespace
) -> None:
    assert admin_client.get("/costs/00000000-0000-4000-8000-000000000000/edit/").status_code == 404
    assert (
        admin_client.get("/contributions/00000000-0000-4000-8000-000000000000/edit/").status_code
        == 404
    )
    assert admin_client.post(COSTS).status_code == 405
    assert admin_client.put(NEW_CONTRIBUTION).status_code == 405
    for url in [COSTS, CONTRIBUTIONS, NEW_COST]:
        response = Client().get(url)
        assert (response.status_code, response.url.startswith("/login/")) == (302, True)
