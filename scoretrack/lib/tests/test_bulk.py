"""`lib.bulk.insert`: the rows it writes are the ORM's, history included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from scoretrack.accounts.models import User
from scoretrack.finance.models import ExchangeRate
from scoretrack.lib import bulk
from scoretrack.reference.models import CountryProgramme

pytestmark = pytest.mark.django_db
FIELDS = ("id", "currency", "date", "per_usd", "created_by_id", "updated_by_id")


def rates(**values: Any) -> list[ExchangeRate]:
    return [
        ExchangeRate(currency="COP", date=dt.date(2020, 1, 1), per_usd=Decimal("3200.5"), **values),
        ExchangeRate(currency="PEN", date=dt.date(2020, 1, 1), per_usd=Decimal("3.3"), **values),
        ExchangeRate(currency="PEN", date=dt.date(2021, 1, 1), per_usd=Decimal("3.6"), **values),
    ]


def stored(objs: list[ExchangeRate]) -> list[tuple[Any, ...]]:
    return sorted(ExchangeRate.objects.filter(pk__in=[o.pk for o in objs]).values_list(*FIELDS))


def built(objs: list[ExchangeRate]) -> list[tuple[Any, ...]]:
    return sorted(tuple(getattr(o, name) for name in FIELDS) for o in objs)


def test_it_writes_what_the_orm_reads_back_in_several_batches() -> None:
    objs = rates()

    bulk.insert(ExchangeRate, objs, batch_size=2)

    assert stored(objs) == built(objs)
    assert ExchangeRate.history.count() == 0  # no history asked for


def test_empty_stamps_get_the_time_of_the_call() -> None:
    before = timezone.now()
    objs = rates()

    bulk.insert(ExchangeRate, objs)

    for created, updated in ExchangeRate.objects.values_list("created_at", "updated_at"):
        assert created == updated
        assert before <= created <= timezone.now()


def test_each_record_gets_one_created_history_row_by_the_given_user_at_the_given_time() -> None:
    user = User.objects.create_user(email="importer@example.org", password="pw-123456789")
    when = timezone.now().replace(microsecond=0)
    objs = rates(created_by=user, updated_by=user, created_at=when, updated_at=when)

    bulk.insert(ExchangeRate, objs, history=bulk.History(user.pk, when))

    assert stored(objs) == built(objs)
    history = ExchangeRate.history.values_list(
        "id", "per_usd", "history_type", "history_user_id", "history_date", "created_at"
    )
    assert sorted(history) == sorted((o.pk, o.per_usd, "+", user.pk, when, when) for o in objs)


def test_values_of_another_type_go_through_the_field() -> None:
    # A date as text and a decimal as a float: prepared as `save()` would.
    country = CountryProgramme(code="XK", name="Elsewhere", start_date="2019-03-01", currency="EUR")

    bulk.insert(CountryProgramme, [country])

    assert CountryProgramme.objects.get(code="XK").start_date == dt.date(2019, 3, 1)
    rate = ExchangeRate(currency="EUR", date=dt.date(2020, 1, 1), per_usd=0.25)
    bulk.insert(ExchangeRate, [rate])
    assert ExchangeRate.objects.get(currency="EUR").per_usd == Decimal("0.25")
