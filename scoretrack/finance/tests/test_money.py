"""Amounts keep their currency and get a USD value at the dated rate."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from scoretrack.finance.models import Contribution, DirectCost, ExchangeRate, MissingRate
from scoretrack.reference.models import CountryProgramme, Organisation


@pytest.fixture
def bolivia(db: object) -> CountryProgramme:
    ExchangeRate.objects.create(currency="BOB", date=dt.date(2015, 1, 1), per_usd=Decimal("6.90"))
    ExchangeRate.objects.create(currency="BOB", date=dt.date(2016, 1, 1), per_usd=Decimal("7.00"))
    return CountryProgramme.objects.create(code="BO", name="Bolivia", currency="BOB")


def test_a_cost_without_usd_takes_the_latest_rate_on_or_before_its_date(
    bolivia: CountryProgramme,
) -> None:
    cost = DirectCost.objects.create(
        country=bolivia, date=dt.date(2015, 12, 31), amount=Decimal("690"), currency="BOB"
    )
    assert cost.usd == Decimal("100.00")
    later = DirectCost.objects.create(
        country=bolivia, date=dt.date(2016, 6, 1), amount=Decimal("700"), currency="BOB"
    )
    assert later.usd == Decimal("100.00")


def test_a_given_usd_value_is_kept(bolivia: CountryProgramme) -> None:
    cost = DirectCost.objects.create(
        country=bolivia,
        date=dt.date(2015, 3, 1),
        amount=Decimal("690"),
        currency="BOB",
        usd=Decimal("95.50"),
    )
    assert cost.usd == Decimal("95.50")


def test_usd_amounts_need_no_rate(bolivia: CountryProgramme) -> None:
    cost = DirectCost.objects.create(
        country=bolivia, date=dt.date(2010, 1, 1), amount=Decimal("12.5"), currency="USD"
    )
    assert cost.usd == Decimal("12.50")


def test_a_missing_rate_names_the_currency_and_date(bolivia: CountryProgramme) -> None:
    with pytest.raises(MissingRate, match="no exchange rate for BOB on or before 2014-12-31"):
        DirectCost.objects.create(
            country=bolivia, date=dt.date(2014, 12, 31), amount=Decimal("1"), currency="BOB"
        )
    assert DirectCost.objects.count() == 0


def test_negative_amounts_and_unknown_sources_are_refused(bolivia: CountryProgramme) -> None:
    org = Organisation.objects.create(key="X", name="X", country=bolivia, type="lead_buyer")
    with pytest.raises(IntegrityError), transaction.atomic():
        DirectCost.objects.create(
            country=bolivia, date=dt.date(2015, 1, 1), amount=-1, currency="USD"
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Contribution.objects.create(
            country=bolivia,
            date=dt.date(2015, 1, 1),
            organisation=org,
            source="lottery",
            amount=1,
            currency="USD",
        )


def test_a_rate_must_be_positive(db: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        ExchangeRate.objects.create(currency="BOB", date=dt.date(2015, 1, 1), per_usd=0)
