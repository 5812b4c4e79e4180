"""How the counts behind disclosure control are taken (indicators/protection.py):
the same numbers as one count per cell, in fewer and cheaper queries.

Every expected value is worked out in the docstrings from the records the test makes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.indicators import populations
from scoretrack.indicators.protection import Guard
from scoretrack.indicators.registry import Filters
from scoretrack.indicators.tests.conftest import Make
from scoretrack.lib import derived

pytestmark = pytest.mark.django_db


@pytest.fixture
def viewer_user(db: Any) -> User:
    user = User.objects.create(email="viewer@example.org")
    RoleAssignment.objects.create(user=user, role="viewer")
    return user


def trained_on(make: Make, days: dict[str, str]) -> None:
    """One delivery a day, one participant from each of that day's firms."""
    firms: dict[str, Any] = {}
    for start, keys in days.items():
        delivery = make.delivery(f"d-{start}", start=start)
        for key in keys:
            if key not in firms:
                firms[key] = make.enterprise(key)
            make.participant(delivery, firms[key])
    derived.refresh()


def test_rows_fall_in_the_quarter_half_and_year_of_their_date_at_the_edges(make, viewer_user):
    """Trained on the first and last day of quarters and halves:
    2020-01-01 A, 2020-03-31 B (Q1, H1); 2020-04-01 C, 2020-06-30 A (Q2, H1);
    2020-07-01 D (Q3, H2); 2020-12-31 E (Q4, H2); 2021-01-01 A (2021 Q1, H1).
    Firms per quarter: 20201 {A, B} 2, 20202 {C, A} 2, 20203 {D} 1, 20204 {E} 1,
    20211 {A} 1; per half: 20201 {A, B, C} 3, 20202 {D, E} 2, 20211 1; per year:
    2020 {A..E} 5, 2021 1. Read from the dates' digits on SQLite (no Python
    function called per row)."""
    trained_on(
        make,
        {
            "2020-01-01": "A",
            "2020-03-31": "B",
            "2020-04-01": "C",
            "2020-06-30": "A",
            "2020-07-01": "D",
            "2020-12-31": "E",
            "2021-01-01": "A",
        },
    )
    guard = Guard(populations.TRAINED_SMES, viewer_user, Filters(), {})
    with CaptureQueriesContext(connection) as counting:
        quarters = guard.table((), (("period", "quarter"),))
        halves = guard.table((), (("period", "half"),))
        years = guard.table((), (("period", "year"),))
    assert quarters == {("20201",): 2, ("20202",): 2, ("20203",): 1, ("20204",): 1, ("20211",): 1}
    assert halves == {("20201",): 3, ("20202",): 2, ("20211",): 1}
    assert years == {("2020",): 5, ("2021",): 1}
    assert not any("django_date_extract" in q["sql"] for q in counting.captured_queries)


def test_the_parts_of_every_group_come_from_one_query(make, viewer_user):
    """March 2020 (a range: counted per cell, no period tables), module M1:
    A, B in BO and C in PE; module M2: A in BO, D, E in PE. Per module and
    country: M1 {BO: 2, PE: 1}, M2 {BO: 1, PE: 2}; M3 (no rows) {}. The same
    as each group's own count (rows of the group, grouped by country), in one
    query for both groups."""
    from scoretrack.indicators.protection import Cell, Period

    firms = {
        "A": make.enterprise("A"),
        "B": make.enterprise("B"),
        "C": make.enterprise("C", country="PE"),
        "D": make.enterprise("D", country="PE"),
        "E": make.enterprise("E", country="PE"),
    }
    deliveries = {
        ("M1", "BO"): "AB",
        ("M1", "PE"): "C",
        ("M2", "BO"): "A",
        ("M2", "PE"): "DE",
    }
    for (module, country), keys in deliveries.items():
        delivery = make.delivery(f"d-{module}-{country}", module=module, country=country)
        for key in keys:
            make.participant(delivery, firms[key])
    make.module("M3")
    derived.refresh()
    march = Period("range", dt.date(2020, 3, 1), dt.date(2020, 3, 31), "march")
    filters = Filters(start=march.start, end=march.end, by="module")
    country = ("place", "country")
    guard = Guard(populations.TRAINED_SMES, viewer_user, filters, {})
    with CaptureQueriesContext(connection) as counting:
        m1 = guard.grouped(Cell(march, (), "M1"), country)
        m2 = guard.grouped(Cell(march, (), "M2"), country)
        m3 = guard.grouped(Cell(march, (), "M3"), country)
    assert (m1, m2, m3) == ({"BO": 2, "PE": 1}, {"BO": 1, "PE": 2}, {})
    assert sum("COUNT(DISTINCT" in q["sql"] for q in counting.captured_queries) == 1
    # The per-group query it replaces, for each group: the same counts.
    for group, expected in (("M1", m1), ("M2", m2), ("M3", m3)):
        rows = guard._group_rows(Cell(march, (), group), country)
        found = rows.values("_k").annotate(n=Count("enterprise_id", distinct=True)).order_by()
        assert guard._labels(country, {row["_k"]: row["n"] for row in found}) == expected


def series(make: Make) -> None:
    """KPI observations, one a month: A (BO) P from 2019-01, 7 months (6th in
    2019-06; 6 months after its first from 2019-07); B (BO) P from 2019-10, 6
    months (6th 2020-03; never 6 months apart); C (PE) Q from 2020-05, 8 months
    (6th 2020-10; apart from 2020-11); A Q from 2018-01, 7 months, first value 0
    (6th 2018-06; never compared)."""
    a, b, c = make.enterprise("A"), make.enterprise("B"), make.enterprise("C", country="PE")
    p, q = make.kpi("P"), make.kpi("Q")
    make.observations(a, p, "2019-01", *"1234567")
    make.observations(b, p, "2019-10", *"123456")
    make.observations(c, q, "2020-05", *"12345678")
    make.observations(a, q, "2018-01", *"0123456")
    derived.refresh()


def year(y: int) -> Any:
    from scoretrack.indicators.protection import year_period

    return year_period(y)


def test_kpi_series_up_to_each_end_are_counted_in_one_query(make, viewer_user):
    """Series with a 6th observation up to the end: 2018 {A} 1, 2019 {A} 1, first
    half of 2020 {A, B} 2, 2020 {A, B, C} 3, all time 3; in 2020 by KPI P {A, B} 2,
    Q {A, C} 2, and by country BO {A, B} 2, PE {C} 1. Each the same as the count of
    the cell's own rows."""
    from scoretrack.indicators.protection import ALL_TIME, Cell, half_period

    series(make)
    guard = Guard(populations.KPI_SERIES, viewer_user, Filters(by="kpi"), {})
    expected = {
        Cell(year(2018), ()): 1,
        Cell(year(2019), ()): 1,
        Cell(half_period(2020, 1), ()): 2,
        Cell(year(2020), ()): 3,
        Cell(ALL_TIME, ()): 3,
        Cell(year(2020), (), "P"): 2,
        Cell(year(2020), (), "Q"): 2,
        Cell(year(2018), (), "Q"): 1,
        Cell(year(2018), (), "P"): 0,
        Cell(year(2020), (("country", "BO"),)): 2,
        Cell(year(2020), (("country", "PE"),)): 1,
    }
    with CaptureQueriesContext(connection) as first:
        assert guard.count(Cell(year(2020), ())) == 3
    with CaptureQueriesContext(connection) as then:
        assert guard.count(Cell(ALL_TIME, ())) == 3
    # (Besides the phases, read once: one sum of the KPI series tally's rows.)
    assert sum("outcomes_kpiseriestally" in q["sql"] for q in first.captured_queries) == 1
    assert not any("COUNT(DISTINCT" in q["sql"] for q in first.captured_queries)
    assert len(then) == 0
    assert guard.grouped(Cell(year(2020), ()), ("place", "country")) == {"BO": 2, "PE": 1}
    assert guard.grouped(Cell(year(2020), (), "P"), ("place", "country")) == {"BO": 2}
    for cell, n in expected.items():
        assert guard.count(cell) == n, cell
        assert guard.units(guard._cell_rows(cell)) == n, cell


def test_kpi_changes_up_to_each_end_count_the_firms_of_the_series_compared(make, viewer_user):
    """Series compared at the end (its latest observation 6 months or more after
    its first, a first value not 0): 2018 none, 2019 {A} 1, first half of 2020 {A}
    1, 2020 {A, C} 2 (by KPI P {A} 1, Q {C} 1; by country BO 1, PE 1), all time 2.
    Each the same as the count of the cell's own rows (the latest point of each
    series at the end)."""
    from scoretrack.indicators.protection import ALL_TIME, Cell, half_period

    series(make)
    guard = Guard(populations.KPI_CHANGES, viewer_user, Filters(by="kpi"), {})
    expected = {
        Cell(year(2018), ()): 0,
        Cell(year(2019), ()): 1,
        Cell(half_period(2020, 1), ()): 1,
        Cell(year(2020), ()): 2,
        Cell(ALL_TIME, ()): 2,
        Cell(year(2020), (), "P"): 1,
        Cell(year(2020), (), "Q"): 1,
        Cell(year(2019), (), "Q"): 0,
        Cell(year(2020), (("country", "BO"),)): 1,
        Cell(year(2020), (("country", "PE"),)): 1,
    }
    assert guard.grouped(Cell(year(2020), ()), ("place", "country")) == {"BO": 1, "PE": 1}
    for cell, n in expected.items():
        assert guard.count(cell) == n, cell
        assert guard.units(guard._cell_rows(cell)) == n, cell


@pytest.fixture
def generated(db: Any) -> None:
    from django.core.management import call_command

    call_command("generate", enterprises=150, seed=7, verbosity=0)
    derived.refresh()


@pytest.mark.parametrize(
    ("population", "by"),
    [
        (populations.TRAINED_SMES, "module"),
        (populations.KPI_SERIES, "kpi"),
        (populations.KPI_CHANGES, "kpi"),
        (populations.INITIATIVES, "country"),
    ],
    ids=lambda value: getattr(value, "name", value),
)
def test_counts_are_those_of_each_cells_own_rows_on_a_generated_programme(
    generated, viewer_user, population, by
):
    """Every count and every group's parts as the rule asks them equal the count of
    the cell's (or the group's) own rows, one query each, as before they were
    taken together: each period a viewer may ask (all time, each phase and year,
    the halves and quarters of one year), all countries and each, each group."""
    from scoretrack.indicators.protection import (
        ALL_TIME,
        Cell,
        Period,
        half_period,
        quarter_period,
    )
    from scoretrack.reference.models import CountryProgramme, Phase

    guard = Guard(population, viewer_user, Filters(by=by), {})
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
    places = [(), *((("country", code),) for code in countries)]
    country = ("place", "country")
    asked = 0
    for period in periods:
        for place in places:
            whole = Cell(period, place)
            groups = guard.grouped(whole, ("by", guard.by))
            for group in [None, *groups]:
                cell = Cell(period, place, group)
                n = guard.count(cell)
                assert n == guard.units(guard._cell_rows(cell)), cell
                asked += n
                if place or group is None:
                    continue
                rows = guard._group_rows(cell, country)
                found = rows.values("_k").annotate(n=Count(population.unit, distinct=True))
                own = guard._labels(country, {row["_k"]: row["n"] for row in found.order_by()})
                assert guard.grouped(cell, country) == own, cell
    assert asked > 0


def test_employment_is_counted_per_country_of_the_points(make, viewer_user):
    """Employment observations: A (BO) 2020-01, 2020-02, 2020-03; B (BO) 2020-05,
    2021-01; C (PE) 2020-02 alone. Firms with a change in 2020 (a second observation
    in the year): A, in BO; all time: A, B in BO, none in PE. After A moves to PE
    (a queryset update: the trigger sees it), 2020: PE {A}, BO none; all time BO {B},
    PE {A}. The country is the point's own: no join to the enterprises."""
    from scoretrack.enterprises.models import Enterprise
    from scoretrack.indicators.protection import ALL_TIME, Cell

    employment = make.kpi("employment")
    a, b = make.enterprise("A"), make.enterprise("B")
    c = make.enterprise("C", country="PE")
    make.observations(a, employment, "2020-01", "10", "12", "13")
    make.observations(b, employment, "2020-05", "4")
    make.observations(b, employment, "2021-01", "6")
    make.observations(c, employment, "2020-02", "7")
    derived.refresh()

    def counts() -> list[int]:
        guard = Guard(populations.EMPLOYMENT, viewer_user, Filters(), {})
        cells = [
            Cell(year(2020), (("country", "BO"),)),
            Cell(year(2020), (("country", "PE"),)),
            Cell(ALL_TIME, (("country", "BO"),)),
            Cell(ALL_TIME, (("country", "PE"),)),
        ]
        with CaptureQueriesContext(connection) as counting:
            found = [guard.count(cell) for cell in cells]
        counted = [q["sql"] for q in counting.captured_queries if "COUNT(DISTINCT" in q["sql"]]
        assert counted
        assert not any("enterprises_enterprise" in sql for sql in counted)
        return found

    assert counts() == [1, 0, 2, 0]
    Enterprise.objects.filter(pk=a.pk).update(country=make.country("PE"))
    assert counts() == [0, 1, 1, 1]
