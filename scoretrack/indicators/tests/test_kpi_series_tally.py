"""The KPI series tally (outcomes.KpiSeriesTally): the firms whose KPI series first
count in each month, and disclosure control's counts up to a period's end read from
it (tallies.series_firms) for the KPI series and KPI changes populations.

Every expected value is worked out in the docstrings from the records the test
makes; on a generated programme, every count is also taken with the tally set
aside (the rows' own count, as before the tally).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise
from scoretrack.indicators import populations
from scoretrack.indicators.protection import ALL_TIME, Cell, Guard, Period, half_period
from scoretrack.indicators.registry import Filters
from scoretrack.indicators.tests.conftest import Make
from scoretrack.indicators.tests.test_disclosure_counts import series, year
from scoretrack.indicators.tests.test_kpi_module_tallies import rebuilt, series_tally
from scoretrack.lib import derived
from scoretrack.outcomes.models import KpiObservation

pytestmark = pytest.mark.django_db

TALLY = "outcomes_kpiseriestally"


@pytest.fixture
def viewer_user(db: Any) -> User:
    user = User.objects.create(email="viewer@example.org")
    RoleAssignment.objects.create(user=user, role="viewer")
    return user


def month(text: str) -> dt.date:
    return dt.date(int(text[:4]), int(text[5:]), 1)


def test_the_tally_holds_each_series_first_months_by_hand(make: Make):
    """`series`: A/P (BO) 2019-01..07: 6th 2019-06, compared from 2019-07; B/P (BO)
    2019-10..2020-03: 6th 2020-03, never compared; C/Q (PE) 2020-05..12: 6th
    2020-10, compared from 2020-11; A/Q (BO) 2018-01..07, first value 0: 6th
    2018-06, never compared. Any KPI, per firm the earliest: A 6th 2018-06,
    compared 2019-07; B 6th 2020-03; C 6th 2020-10, compared 2020-11."""
    series(make)
    assert series_tally() == {
        ("BO", "P", month("2019-06")): (1, 0),
        ("BO", "P", month("2019-07")): (0, 1),
        ("BO", "P", month("2020-03")): (1, 0),
        ("PE", "Q", month("2020-10")): (1, 0),
        ("PE", "Q", month("2020-11")): (0, 1),
        ("BO", "Q", month("2018-06")): (1, 0),
        ("BO", None, month("2018-06")): (1, 0),
        ("BO", None, month("2019-07")): (0, 1),
        ("BO", None, month("2020-03")): (1, 0),
        ("PE", None, month("2020-10")): (1, 0),
        ("PE", None, month("2020-11")): (0, 1),
    }
    assert series_tally() == rebuilt()[2]


def test_writes_keep_the_tally_exact(make: Make):
    """From `series`: C moves to BO (its rows leave PE); A's first P observation
    (2019-01) is deleted, so A/P runs 2019-02..07: its 6th is 2019-07 and it is
    never compared (5 months apart); A's earliest comparison is then none, its
    earliest 6th still 2018-06 (A/Q). B gets a 7th P observation 2020-04, six
    months after its first (2019-10): compared from 2020-04."""
    series(make)
    c = Enterprise.objects.get(key="C")
    Enterprise.objects.filter(pk=c.pk).update(country=make.country("BO"))
    KpiObservation.objects.filter(enterprise__key="A", kpi__code="P", month="2019-01-01").delete()
    make.observations(Enterprise.objects.get(key="B"), make.kpi("P"), "2020-04", "7")
    derived.refresh()
    assert series_tally() == {
        ("BO", "P", month("2019-07")): (1, 0),
        ("BO", "P", month("2020-03")): (1, 0),
        ("BO", "P", month("2020-04")): (0, 1),
        ("BO", "Q", month("2020-10")): (1, 0),
        ("BO", "Q", month("2020-11")): (0, 1),
        ("BO", "Q", month("2018-06")): (1, 0),
        ("BO", None, month("2018-06")): (1, 0),
        ("BO", None, month("2020-03")): (1, 0),
        ("BO", None, month("2020-04")): (0, 1),
        ("BO", None, month("2020-10")): (1, 0),
        ("BO", None, month("2020-11")): (0, 1),
    }
    assert series_tally() == rebuilt()[2]


@pytest.mark.parametrize(
    ("population", "expected"),
    [
        # 2018 {A}, 2019 {A}, H1 2020 {A, B}, 2020 {A, B, C}; P in 2020 {A, B}, Q {A, C}.
        (populations.KPI_SERIES, (1, 1, 2, 3, 2, 2)),
        # 2018 none, 2019 {A}, H1 2020 {A}, 2020 {A, C}; P in 2020 {A}, Q {C}.
        (populations.KPI_CHANGES, (0, 1, 1, 2, 1, 1)),
    ],
    ids=lambda value: getattr(value, "name", ""),
)
def test_counts_up_to_an_end_read_the_tally_unless_it_cannot_say(
    make: Make, viewer_user: User, population: Any, expected: tuple[int, ...]
):
    """The same counts from the tally (a viewer, all the records) and from the rows
    (approved data only, which no tally records; a sector, which it does not key;
    a lead buyer's user, whose scope is not the whole programme): no approved
    period here, so approved data only counts nothing."""
    series(make)
    cells = [
        Cell(year(2018), ()),
        Cell(year(2019), ()),
        Cell(half_period(2020, 1), ()),
        Cell(year(2020), ()),
        Cell(year(2020), (), "P"),
        Cell(year(2020), (), "Q"),
    ]
    guard = Guard(population, viewer_user, Filters(by="kpi"), {})
    with CaptureQueriesContext(connection) as reading:
        assert tuple(guard.count(cell) for cell in cells) == expected
    assert any(TALLY in q["sql"] for q in reading.captured_queries)
    assert not any("COUNT(DISTINCT" in q["sql"] for q in reading.captured_queries)

    approved = Guard(population, viewer_user, Filters(by="kpi", approved_only=True), {})
    with CaptureQueriesContext(connection) as reading:
        assert tuple(approved.count(cell) for cell in cells) == (0,) * len(cells)
    assert not any(TALLY in q["sql"] for q in reading.captured_queries)

    sector = ("place", "sector")
    with CaptureQueriesContext(connection) as reading:
        parts = guard.grouped(Cell(year(2020), ()), sector)
    assert sum(parts.values()) == expected[3]  # (one sector, or none, per firm)
    assert not any(TALLY in q["sql"] for q in reading.captured_queries)

    buyer = make.org("LB", type="lead_buyer", country=None)
    buyer_user = User.objects.create(email="buyer@example.org")
    RoleAssignment.objects.create(user=buyer_user, role="lead_buyer", organisation=buyer)
    scoped = Guard(population, buyer_user, Filters(by="kpi"), {})
    with CaptureQueriesContext(connection) as reading:
        assert scoped.count(Cell(year(2020), ())) == 0  # it buys from none of them
    assert not any(TALLY in q["sql"] for q in reading.captured_queries)


@pytest.fixture
def generated(db: Any) -> None:
    from django.core.management import call_command

    call_command("generate", enterprises=150, seed=7, verbosity=0)
    derived.refresh()


@pytest.mark.parametrize(
    "population", [populations.KPI_SERIES, populations.KPI_CHANGES], ids=lambda p: p.name
)
@pytest.mark.parametrize("by", [None, "kpi", "country"])
def test_the_tally_gives_the_rows_counts_on_a_generated_programme(
    generated, viewer_user, population, by
):
    """Every table a decision asks (each end: all time, each phase and year, the
    halves and quarters of one year; all countries and each; per group and per
    country) is the same read from the tally as counted from the rows."""
    from scoretrack.indicators.protection import quarter_period
    from scoretrack.reference.models import CountryProgramme, Phase

    rows = dataclasses.replace(population, name=f"{population.name}-rows", until_tally=None)
    tallied = Guard(population, viewer_user, Filters(by=by), {})
    counted = Guard(rows, viewer_user, Filters(by=by), {})
    phases = [
        Period("phase", start, end, str(pk))
        for pk, start, end in Phase.objects.values_list("pk", "start_date", "end_date")
    ]
    periods = [
        ALL_TIME,
        *phases,
        *(year(y) for y in range(2010, 2024)),
        *(half_period(2016, h) for h in (1, 2)),
        *(quarter_period(2016, q) for q in (1, 2, 3, 4)),
    ]
    countries = list(CountryProgramme.objects.values_list("code", flat=True))
    group = (("by", by),) if by else ()
    total = 0
    with CaptureQueriesContext(connection) as reading:
        for period in periods:
            for places in [(), *((("country", code),) for code in countries)]:
                for dims in [group, (("place", "country"), *group)]:
                    found = tallied.until(places, dims, period)
                    assert found == counted.until(places, dims, period), (period, places, dims)
                    total += sum(found.values())
    assert total > 0
    assert any(TALLY in q["sql"] for q in reading.captured_queries)
