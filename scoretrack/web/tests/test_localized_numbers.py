"""Amounts and counts on the pages read with the page language's separators;
downloads keep the raw numbers.

The world (lib/tests/pages.py): 1 USD = 6.90 BOB from 2015. Here a Bolivian cost
of 69,037,494.29 BOB (2016-03-05) = 10,005,433.96 USD (69,037,494.29 / 6.90 =
10,005,433.955...), and Textiles Andina enrolled in BO-2016-01 for a fee of
1,234,567.50 BOB = 178,922.83 USD (1,234,567.50 / 6.90 = 178,922.826...).
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import world  # noqa: F401  (the shared page-test world)
from scoretrack.training.models import Enrolment

NBSP = "\xa0"


@pytest.fixture
def amounts(world: SimpleNamespace, admin: Any) -> SimpleNamespace:  # noqa: F811
    with acting_as(admin):
        world.cost = DirectCost.objects.create(
            country=world.bo,
            date="2016-03-05",
            delivery=world.d_bo,
            category="venue",
            amount=Decimal("69037494.29"),
            currency="BOB",
        )
        world.fee = Contribution.objects.create(
            country=world.bo,
            date="2016-03-01",
            organisation=world.cainco,
            source="sme_fee",
            amount=Decimal("69037494.29"),
            currency="BOB",
        )
        Enrolment.objects.create(
            delivery=world.d_bo,
            enterprise=world.andina,
            fee=Decimal("1234567.50"),
            currency="BOB",
            fee_usd=Decimal("178922.83"),
        )
    return world


def page(client: Client, url: str, language: str) -> str:
    client.cookies["django_language"] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


# (language, the amount, its USD value, the fee, the fee's USD value)
WRITTEN = [
    ("en", "69,037,494.29", "10,005,433.96", "1,234,567.50", "178,922.83"),
    ("es", "69.037.494,29", "10.005.433,96", "1.234.567,50", "178.922,83"),
    (
        "fr",
        f"69{NBSP}037{NBSP}494,29",
        f"10{NBSP}005{NBSP}433,96",
        f"1{NBSP}234{NBSP}567,50",
        f"178{NBSP}922,83",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "amount", "usd", "fee", "fee_usd"), WRITTEN)
def test_the_money_lists_show_amounts_grouped_in_the_page_language(
    admin_client: Client,
    amounts: SimpleNamespace,
    language: str,
    amount: str,
    usd: str,
    fee: str,
    fee_usd: str,
) -> None:
    for url in (reverse("finance:cost-list"), reverse("finance:contribution-list")):
        html = page(admin_client, url, language)
        assert f'<td class="num">{amount}</td><td>BOB</td><td class="num">{usd}</td>' in html
        assert "69037494" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "amount", "usd", "fee", "fee_usd"), WRITTEN)
def test_a_fee_reads_in_the_page_language_on_the_delivery_and_the_enterprise(
    admin_client: Client,
    amounts: SimpleNamespace,
    language: str,
    amount: str,
    usd: str,
    fee: str,
    fee_usd: str,
) -> None:
    html = page(admin_client, reverse("training:delivery-detail", args=[amounts.d_bo.pk]), language)
    assert f'<td class="num">{fee}</td><td>BOB</td><td class="num">{fee_usd}</td>' in html
    html = page(
        admin_client, reverse("enterprises:enterprise-detail", args=[amounts.andina.pk]), language
    )
    assert f'<td class="num">{fee}{NBSP}BOB</td>' in html
    assert "1234567" not in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "costs"),
    [("en", "10,005,434.0"), ("es", "10.005.434,0"), ("zh-hans", "10,005,434.0")],
)
def test_the_country_profile_groups_its_usd_figures(
    admin_client: Client, amounts: SimpleNamespace, language: str, costs: str
) -> None:
    html = page(admin_client, "/reports/country/BO/?year=2016", language)
    assert f'<td class="num">{costs}</td>' in html


@pytest.mark.django_db
def test_downloads_keep_the_raw_numbers_whatever_the_language(
    admin_client: Client, amounts: SimpleNamespace
) -> None:
    admin_client.cookies["django_language"] = "es"
    response = admin_client.get("/reports/country/BO/?year=2016&format=csv&table=cost-recovery")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[1][:3] == ["2016", "10005433.96", "10005433.96"]  # costs, contributions
