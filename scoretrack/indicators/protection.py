"""Disclosure control against differencing: which figures an aggregates-only user sees.

A protected indicator declares its `Population`: the rows it reads and the unit
(enterprise, trainer) each row belongs to. A figure is a *cell*: a fixed period,
the place filters given, and with `by` one group. An aggregates-only user may ask
many cells, and subtract one from another; so a cell is shown only when:

1. it rests on no unit, or on at least the threshold's units ("few" otherwise);
2. against every coarser cell the user may ask (a period containing it, a place
   filter dropped, the total of its group), the units with rows in the coarser
   cell but not in it are none or at least the threshold ("differencing"): so
   the two answers' difference never describes fewer units;
3. in every partition it is a part of (the groups of a breakdown, the quarters,
   halves or years of a period, the phases of all time, the countries, partners
   or sectors under a place), the units of the parts hidden by rule 1 (and of the
   rows no part holds) together are none or at least the threshold; when they are
   not, the smallest part shown is hidden too ("differencing"), so that the total
   minus the parts shown never describes fewer units. A part hidden by this rule
   rests on at least the threshold's units, so hiding it never calls for more.

Each cell's answer depends on the records only, never on how it was asked: a
group of `by=country` and the `country=` filter are the same cell. The counts are
taken in the database, many cells a query (every period of a place set, every group
and its parts, every end of rows counted up to it: `table`, `until`), and kept in
the page's memo.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import itertools
import operator
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import (
    Case,
    CharField,
    Count,
    DateTimeField,
    Expression,
    F,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import ExtractMonth, ExtractQuarter, ExtractYear
from django.db.models.lookups import LessThanOrEqual

from scoretrack.indicators.disclosure import Hidden, Reason, Who, threshold
from scoretrack.indicators.registry import NONE_KEY, Context, Filters, Labelled, Source
from scoretrack.lib.freshness import data_version

Key = str | Expression | Labelled
PARTITIONED_PLACES = ("country", "partner", "sector")
# What `Guard.kept` gives when nothing is kept (read-only: never written to).
NOTHING_KEPT: dict[Any, Any] = {}


@dataclass(frozen=True)
class Population:
    """What a protected figure rests on.

    `rows(ctx)` gives its rows for the context's period and places (as the
    indicator reads them); `unit` is the path of the enterprise or trainer of a
    row; `date` the row's date, whose quarters, halves, years and phases
    partition a period (None: the rows do not depend on the period's start);
    `keys` the row's key for each `by` the population answers per group (a `by`
    it lacks, such as the workforce's sex, shares the total's answer); `places`
    the row's key for the country, partner and sector partitions.
    """

    name: str
    who: Who
    rows: Callable[[Context], QuerySet]
    unit: str
    date: str | None
    keys: Mapping[str, Key] = field(default_factory=dict)
    places: Mapping[str, Key] = field(default_factory=dict)
    # The population that answers a `by` of persons (sex, role) these rows lack.
    people: Population | None = None
    # Only the rows a share's denominator counts (an SME whose ownership is known…).
    where: Q | None = None
    # The populations of the same rows (and keys) that differ only in `where`: their
    # counts are taken together, one query for all (see `kin`).
    family: str = ""
    # Counts from sums kept ahead (tallies.py): given the source, the filters, the
    # dimensions of a `Guard.table` and the populations counted (this one, or its
    # family's members), its rows as the query over `rows` gives them, or None when
    # they cannot say (the rows are then counted).
    tally: (
        Callable[[Source, Filters, tuple[tuple[str, str | None], ...], tuple[Any, ...]], Any] | None
    ) = None
    # Rows that depend on the period's end only (`date` None): given an end (None:
    # all time), the condition picking a cell's rows among `until_rows` (its place
    # filters applied, default: the rows of all time). One query then counts the
    # rows of every end a page asks (see `Guard.until`) instead of one per cell.
    until: Callable[[dt.date | None], Q] | None = None
    until_rows: Callable[[Context], QuerySet] | None = None
    # Counts up to several ends from sums kept ahead (tallies.series_firms): given
    # the source, the filters, the dimensions and the ends, the rows the query over
    # `until_rows` gives, or None when it cannot say (the rows are then counted).
    until_tally: (
        Callable[[Source, Filters, tuple[tuple[str, str | None], ...], list[Any]], Any] | None
    ) = None

    def answering(self, by: str | None) -> Population:
        """The population whose groups are those of `by`: this one, or its people's."""
        if by is not None and by not in self.keys and self.people and by in self.people.keys:
            return self.people
        return self

    @property
    def kin(self) -> str:
        """The name of its family: the populations counted together."""
        return self.family or self.name

    def with_keys(self, name: str, **keys: Key) -> Population:
        """The same rows, answering other `by` groups (e.g. by the enterprise's country)."""
        # (a tally's columns and counts are those of the keys and rows it was given)
        return dataclasses.replace(
            self, name=name, keys={**self.keys, **keys}, family="", tally=None, until_tally=None
        )

    def only(self, name: str, where: Q, people: Population | None = None) -> Population:
        """The rows `where` holds: those a share's denominator counts, so that a share
        over one known value among five firms is about one firm, and hidden. Its
        people are `people` if given, else its own people's rows `where` holds."""
        if people is None and self.people:
            people = self.people.only(f"{name}-people", where)
        return dataclasses.replace(
            self, name=name, where=where, people=people, family=self.kin, until_tally=None
        )

    def read(self, ctx: Context) -> QuerySet:
        rows = self.rows(ctx)
        return rows if self.where is None else rows.filter(self.where)


# The members of each family (`Population.kin`) whose counts are taken together.
FAMILIES: dict[str, tuple[Population, ...]] = {}


def counted_together(*members: Population) -> None:
    """Declare populations of the same rows, unit, date, keys and places (differing
    in `where` only) whose tables one query counts: one scan of the rows gives each
    member's units (a conditional count per member) instead of one scan each."""
    first = members[0]
    for member in members:
        same = (member.rows, member.unit, member.date, member.keys, member.places)
        if member.kin != first.kin or same != (
            first.rows,
            first.unit,
            first.date,
            first.keys,
            first.places,
        ):
            raise ValueError(f"{member.name} is not of the rows of {first.name}")
    FAMILIES[first.kin] = members


# --- dates ------------------------------------------------------------------------

# The year, month and quarter of a row's date, by which its periods' tables are
# grouped. On SQLite, Django's Extract calls a Python function per row (a third of
# a donor page's time at 10,000 enterprises); a date is stored there as ISO text
# (YYYY-MM-DD), whose digits the database reads itself. Elsewhere, Django's own.


class _IsoDigits:
    """On SQLite, the part of a date column read from its ISO text (a datetime,
    whose text is in UTC, is left to Django: the page's time zone decides its day)."""

    start = length = 0
    shape = "{}"  # what is made of the digits read

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, Any]:
        lhs = self.lhs  # type: ignore[attr-defined]
        if isinstance(lhs.output_field, DateTimeField):
            return self.as_sql(compiler, connection, **extra)  # type: ignore[attr-defined]
        sql, params = compiler.compile(lhs)
        digits = f"CAST(SUBSTR({sql}, {self.start}, {self.length}) AS INTEGER)"
        return self.shape.format(digits), params


class DateYear(_IsoDigits, ExtractYear):
    start, length = 1, 4


class DateMonth(_IsoDigits, ExtractMonth):
    start, length = 6, 2


class DateQuarter(_IsoDigits, ExtractQuarter):
    start, length = 6, 2
    shape = "(({} + 2) / 3)"  # months 1-3: 1, ..., 10-12: 4 (integer division)


# --- periods ----------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # all, phase, year, half, quarter, range
    start: dt.date | None
    end: dt.date | None
    key: str

    def contains(self, other: Period) -> bool:
        return (self.start is None or (other.start is not None and other.start >= self.start)) and (
            self.end is None or (other.end is not None and other.end <= self.end)
        )


ALL_TIME = Period("all", None, None, "all")


def year_period(year: int) -> Period:
    return Period("year", dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))


def half_period(year: int, half: int) -> Period:
    start = dt.date(year, 1 if half == 1 else 7, 1)
    end = dt.date(year, 6, 30) if half == 1 else dt.date(year, 12, 31)
    return Period("half", start, end, f"{year}{half}")


def quarter_period(year: int, quarter: int) -> Period:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year + quarter // 4, (3 * quarter) % 12 + 1, 1)) - dt.timedelta(days=1)
    return Period("quarter", start, end, f"{year}{quarter}")


def period_of(filters: Filters) -> Period:
    half = getattr(filters, "half", None)
    quarter = getattr(filters, "quarter", None)
    if filters.phase_id is not None:
        return Period("phase", filters.start, filters.end, str(filters.phase_id))
    if filters.year is not None and quarter:
        return quarter_period(filters.year, quarter)
    if filters.year is not None and half:
        return half_period(filters.year, half)
    if filters.year is not None:
        return year_period(filters.year)
    if filters.start is not None or filters.end is not None:
        return Period("range", filters.start, filters.end, f"{filters.start}..{filters.end}")
    return ALL_TIME


# --- cells ------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    period: Period
    # The place filters given, by name: (name, value as given) pairs, sorted.
    places: tuple[tuple[str, Any], ...]
    group: str | None = None  # the key of one group of `by`

    def without(self, name: str) -> Cell:
        return dataclasses.replace(self, places=tuple(p for p in self.places if p[0] != name))


# Each place filter, and the Filters field holding its resolved id(s).
PLACE_FIELDS = {
    "country": "country_id",
    "partner": "partner_ids",
    "sector": "sector_id",
    "lead_buyer": "lead_buyer_ids",
}


class Guard:
    """The disclosure decisions of one population, for one user and one request's
    other filters; counts are kept in `memo` (the page's) across requests."""

    def __init__(
        self, population: Population, user: Any, filters: Filters, memo: dict[Any, Any]
    ) -> None:
        self.population = population
        # The request's `by`, when the population answers per group of it.
        self.by = filters.by if filters.by in population.keys else None
        self.source = Source(user, approved_only=filters.approved_only)
        self.base = dataclasses.replace(filters, by=None)
        self.memo = memo
        # Users with the same aggregate scope (every viewer; a lead buyer's users)
        # share the counts: the key names the scope, not the user.
        self.prefix = ("disclosure", population.name, scope_of(user), self.by)
        self.threshold = threshold()

    # -- the cells of a request --

    def cell(self, filters: Filters) -> Cell:
        """The cell a request asks. A partner whose rows all lie in one country is
        that country's partner: `partner=X` and `country=C&partner=X` are one cell,
        and the country's figure is coarser than it."""
        given = {name: getattr(filters, name) for name in PLACE_FIELDS}
        if given["partner"] is not None and given["country"] is None:
            given["country"] = self._home(given["partner"], filters)
        places = tuple((name, value) for name, value in given.items() if value is not None)
        return Cell(period_of(filters), places)

    def _home(self, partner: str, filters: Filters) -> str | None:
        """The one country of a partner key's organisations and of its rows, if one."""
        from scoretrack.reference.models import Organisation

        if "country" not in self.population.places or not self.batched(ALL_TIME):
            return None

        def build() -> str | None:
            countries = set(
                self.source(Organisation)
                .filter(key=partner)
                .values_list("country__code", flat=True)
                .distinct()
            )
            if len(countries) != 1 or None in countries:
                return None
            (country,) = countries
            rest = tuple(
                (name, getattr(filters, name))
                for name in PLACE_FIELDS
                if name != "country" and getattr(filters, name) is not None
            )
            found = {key[0] for key in self.table(rest, (("place", "country"),))}
            return country if found <= {country} else None

        return self._remember(("home", partner, filters.sector, filters.lead_buyer), build)

    def filters(self, cell: Cell) -> Filters:
        """The request's filters narrowed to the cell's period and places."""
        from scoretrack.indicators.registry import _country, _organisations

        changes: dict[str, Any] = {"start": cell.period.start, "end": cell.period.end}
        given = dict(cell.places)
        for name, ids in PLACE_FIELDS.items():
            if name not in given:
                changes[name] = None
                changes[ids] = () if ids.endswith("_ids") else None
        if "country" in given:
            code = given["country"]
            changes["country"] = code
            changes["country_id"] = self._remember(
                ("country", code), lambda: _country(self.source, code)
            )
        if "partner" in given:
            # As the API resolves it: with a country, that country's (or a global) one.
            key, home = given["partner"], changes.get("country_id")
            changes["partner_ids"] = self._remember(
                ("partner", key, home), lambda: _organisations(self.source, key, home)
            )
        return dataclasses.replace(self.base, **changes)

    def _remember(self, key: tuple[Any, ...], build: Callable[[], Any]) -> Any:
        """What `build` gives, once per page (the memo) and, for DISCLOSURE_CACHE_SECONDS,
        once per version of the data (the kept bundle, see `kept`)."""
        full = (*self.prefix, *key)
        if full in self.memo:
            return self.memo[full]
        bundle = self.kept()
        if full in bundle:
            found = bundle[full]
        else:
            found = build()
            if bundle is not NOTHING_KEPT:
                bundle[full] = found
                self.memo[("disclosure", "dirty", self.prefix)] = True
        self.memo[full] = found
        return found

    def kept(self) -> dict[Any, Any]:
        """The counts and decisions kept for this population and scope and this
        version of the data: one cache entry, read once per page (any change of
        the records makes a new key, so they are never stale)."""
        if not settings.DISCLOSURE_CACHE_SECONDS:
            return NOTHING_KEPT
        slot = ("disclosure", "bundle", self.prefix)
        if slot not in self.memo:
            found = cache.get(self._bundle_name())
            self.memo[slot] = found if isinstance(found, dict) else {}
        return self.memo[slot]

    def keep(self) -> None:
        """Write the bundle back when this page added to it."""
        dirty = ("disclosure", "dirty", self.prefix)
        if self.memo.pop(dirty, False):
            cache.set(self._bundle_name(), self.kept(), settings.DISCLOSURE_CACHE_SECONDS)

    def _bundle_name(self) -> str:
        version = self.memo.setdefault(("disclosure", "version"), data_version())
        raw = repr((version, self.prefix)).encode()
        return "disclosure:" + hashlib.sha256(raw).hexdigest()

    def rows(self, cell: Cell) -> QuerySet:
        """The rows of a cell without its group."""
        context = Context(source=self.source, filters=self.filters(cell))
        return self.population.read(context)

    # -- counting --

    def units(self, rows: QuerySet) -> int:
        return rows.aggregate(n=Count(self.population.unit, distinct=True))["n"] or 0

    def batched(self, period: Period) -> bool:
        """Whether counts over `period` come from the population's tables: rows
        dated by `date`, in a fixed period. One grouped query then answers every
        cell of a place set (each country, phase, year, half, quarter, group)."""
        return self.population.date is not None and period.kind != "range"

    def table(
        self, places: tuple[tuple[str, Any], ...], dims: tuple[tuple[str, str | None], ...]
    ) -> dict[tuple[str, ...], int]:
        """Units over all the rows of `places` (all time), per combination of the
        keys of `dims` (a `by`, a place, a kind of period): one query, whatever the
        order the dimensions are asked in."""
        canonical = tuple(sorted(dims, key=repr))
        if canonical != dims:
            found = self.table(places, canonical)
            order = [canonical.index(dim) for dim in dims]
            return {tuple(key[i] for i in order): n for key, n in found.items()}

        def build() -> dict[tuple[str, ...], int]:
            members = FAMILIES.get(self.population.kin, ())
            # A population of a member's name reads its rows (it shares its counts).
            if self.population.name not in {member.name for member in members}:
                return self._tables(places, dims, (self.population,))[self.population.name]
            slot = ("disclosure", "family", self.population.kin, self.prefix[2], places, dims)
            if slot not in self.memo:
                self.memo[slot] = self._tables(places, dims, members)
            return self.memo[slot][self.population.name]

        return self._remember(("table", places, dims), build)

    def _tables(
        self,
        places: tuple[tuple[str, Any], ...],
        dims: tuple[tuple[str, str | None], ...],
        members: tuple[Population, ...],
    ) -> dict[str, dict[tuple[str, ...], int]]:
        """`table` of each of `members` (populations of these rows): one query."""
        context = Context(source=self.source, filters=self.filters(Cell(ALL_TIME, places)))
        tallied = None
        tally = self.population.tally
        if tally is not None:
            tallied = tally(self.source, context.filters, dims, members)
        if tallied is not None:
            found = tallied
        else:
            found = self._count_rows(self.population.rows(context), dims, members)
        labels = [
            self._label_map(dim, {key[i] for key, _row in found}) for i, dim in enumerate(dims)
        ]
        tables: dict[str, dict[tuple[str, ...], int]] = {}
        for i, member in enumerate(members):
            table: dict[tuple[str, ...], int] = {}
            for key, row in found:
                n = row[f"n{i}"] or 0
                if n or not dims:
                    table[tuple(labels[j][key[j]] for j in range(len(dims)))] = n
            tables[member.name] = table
        return tables

    def _count_rows(
        self,
        rows: QuerySet,
        dims: tuple[tuple[str, str | None], ...],
        members: tuple[Population, ...],
    ) -> list[tuple[tuple[Any, ...], Any]]:
        """Units of each of `members` in `rows`, per combination of the raw keys of `dims`."""
        unit = self.population.unit
        counts = {
            f"n{i}": Count(unit, distinct=True, filter=member.where)
            if member.where is not None
            else Count(unit, distinct=True)
            for i, member in enumerate(members)
        }
        return self._counted(rows, dims, counts)

    def _counted(
        self, rows: QuerySet, dims: tuple[tuple[str, str | None], ...], counts: dict[str, Count]
    ) -> list[tuple[tuple[Any, ...], Any]]:
        """`counts` over `rows`, per combination of the raw keys of `dims`: one query."""
        names = [f"_d{i}" for i in range(len(dims))]
        if not dims:
            return [((), rows.aggregate(**counts))]
        rows = rows.annotate(
            **{
                name: self._expression(self._key(dim))
                for name, dim in zip(names, dims, strict=True)
            }
        )
        return [
            (tuple(row[name] for name in names), row)
            for row in rows.values(*names).annotate(**counts).order_by()
        ]

    def count(self, cell: Cell) -> int:
        """Units in a cell (of group `cell.group` of the request's `by`, if it has one)."""
        if self.population.until is not None:
            group = (("by", self.by),) if cell.group is not None else ()
            found = self.until(cell.places, group, cell.period)
            return found.get((cell.group,) if cell.group is not None else (), 0)
        if self.batched(cell.period):
            dims: list[tuple[str, str | None]] = []
            key: list[str] = []
            if cell.group is not None:
                dims.append(("by", self.by))
                key.append(cell.group)
            if cell.period.kind != "all":
                dims.append(("period", cell.period.kind))
                key.append(cell.period.key)
            return self.table(cell.places, tuple(dims)).get(tuple(key), 0)
        if cell.group is None:
            memo_key = ("n", cell.period, cell.places)
            return self._remember(memo_key, lambda: self.units(self.rows(cell)))
        parts = self.grouped(dataclasses.replace(cell, group=None), ("by", self.by))
        return parts.get(cell.group, 0)

    def grouped(self, parent: Cell, dim: tuple[str, str | None]) -> dict[str, int]:
        """Units of each part of `parent` along `dim`, keyed by the part's key. For
        a period's parts that straddle its edges, the whole part's units (an upper
        bound; such parts are never shown as parts of it)."""
        if self.batched(parent.period):
            dims = [dim]
            expected: list[str] = []
            if parent.group is not None:
                dims.append(("by", self.by))
                expected.append(parent.group)
            if parent.period.kind != "all" and dim[0] != "period":
                dims.append(("period", parent.period.kind))
                expected.append(parent.period.key)
            found = self.table(parent.places, tuple(dims))
            return {
                key[0]: n
                for key, n in found.items()
                if list(key[1:]) == expected
                and (dim[0] != "period" or self._overlaps(parent.period, str(dim[1]), key[0]))
            }

        if self.population.until is not None:
            group = (("by", self.by),) if parent.group is not None else ()
            found = self.until(parent.places, (dim, *group), parent.period)
            return {
                key[0]: n for key, n in found.items() if key[1:] == (parent.group,)[: len(group)]
            }

        def build() -> dict[str, int]:
            if parent.group is not None:
                whole = dataclasses.replace(parent, group=None)
                every = self._grouped_per_group(whole, dim)
                if every is not None:
                    return every.get(parent.group, {})
            rows = self._group_rows(parent, dim)
            found = rows.values("_k").annotate(n=Count(self.population.unit, distinct=True))
            return self._labels(dim, {row["_k"]: row["n"] for row in found.order_by()})

        return self._remember(("parts", parent, dim), build)

    def _grouped_per_group(
        self, parent: Cell, dim: tuple[str, str | None]
    ) -> dict[str, dict[str, int]] | None:
        """`grouped` of each group of the request's `by` within `parent` (a cell
        without a group): one query for every group, where a page asks the parts of
        each group in turn. None when two keys share a label (their units are then
        counted together, group by group)."""

        def build() -> dict[str, dict[str, int]] | None:
            by = ("by", self.by)
            rows = self.rows(parent).annotate(
                _g=self._expression(self._key(by)), _k=self._expression(self._key(dim))
            )
            unit = Count(self.population.unit, distinct=True)
            found = list(rows.values("_g", "_k").annotate(n=unit).order_by())
            groups = self._label_map(by, {row["_g"] for row in found})
            keys = self._label_map(dim, {row["_k"] for row in found})
            if len(set(groups.values())) < len(groups) or len(set(keys.values())) < len(keys):
                return None
            every: dict[str, dict[str, int]] = {}
            for row in found:
                every.setdefault(groups[row["_g"]], {})[keys[row["_k"]]] = row["n"]
            return every

        return self._remember(("parts-per-group", parent, dim), build)

    def until(
        self,
        places: tuple[tuple[str, Any], ...],
        dims: tuple[tuple[str, str | None], ...],
        period: Period,
    ) -> dict[tuple[str, ...], int]:
        """For a population counted `until` a period's end: units with rows of
        `places` dated up to the end of `period`, per combination of the keys of
        `dims`. The first count of a place set and dimensions also counts the ends
        of the periods containing `period` (which its decision asks) in the same
        query."""
        key, end = ("until", places, dims), period.end
        if not self._known((*key, end)):
            ends = [end, *(p.end for p in self.coarser_periods(period))]
            wanted = [e for e in dict.fromkeys(ends) if not self._known((*key, e))]
            counted = self._count_until(places, dims, wanted)
            for each in wanted:
                self._remember((*key, each), lambda each=each: counted[each])
        return self._remember((*key, end), dict)

    def _known(self, key: tuple[Any, ...]) -> bool:
        full = (*self.prefix, *key)
        return full in self.memo or full in self.kept()

    def _count_until(
        self,
        places: tuple[tuple[str, Any], ...],
        dims: tuple[tuple[str, str | None], ...],
        ends: list[dt.date | None],
    ) -> dict[dt.date | None, dict[tuple[str, ...], int]]:
        """`until` of each of `ends`: one query over the rows of all time."""
        population = self.population
        context = Context(source=self.source, filters=self.filters(Cell(ALL_TIME, places)))
        found = None
        if population.until_tally is not None:
            found = population.until_tally(self.source, context.filters, dims, ends)
        if found is None:
            rows = (population.until_rows or population.read)(context)
            until = population.until or (lambda end: Q())
            picks = [until(end) for end in ends]
            if all(picks):  # only the rows of one of the ends
                rows = rows.filter(functools.reduce(operator.or_, picks))
            unit = population.unit
            counts = {
                f"e{i}": Count(unit, distinct=True, filter=pick)
                if pick
                else Count(unit, distinct=True)
                for i, pick in enumerate(picks)
            }
            found = self._counted(rows, dims, counts)
        labels = [self._label_map(dim, {k[i] for k, _row in found}) for i, dim in enumerate(dims)]
        tables: dict[dt.date | None, dict[tuple[str, ...], int]] = {}
        for i, end in enumerate(ends):
            table = tables.setdefault(end, {})
            for raw, row in found:
                n = row[f"e{i}"] or 0
                if n or not dims:
                    table[tuple(labels[j][raw[j]] for j in range(len(dims)))] = n
        return tables

    def _overlaps(self, period: Period, kind: str, key: str) -> bool:
        part = self._part(kind, key)
        if part is None:  # rows outside every phase
            return period.kind == "all"
        return (period.start is None or part.end is None or part.end >= period.start) and (
            period.end is None or part.start is None or part.start <= period.end
        )

    def _part(self, kind: str, key: str) -> Period | None:
        """The period of part `key` of a partition into periods of `kind`."""
        if key == NONE_KEY:
            return None
        if kind == "phase":
            return next((p for p in self._phases() if p.key == key), None)
        if kind == "year":
            return year_period(int(key))
        year, part = int(key[:-1]), int(key[-1])
        return half_period(year, part) if kind == "half" else quarter_period(year, part)

    def union(self, parent: Cell, dim: tuple[str, str | None], keys: Iterable[str]) -> int:
        """Units with rows in the parts `keys` of `parent` along `dim`, together."""
        wanted = tuple(sorted(keys))

        def build() -> int:
            rows = self._group_rows(parent, dim)
            raw = self._raw_keys(dim, wanted)
            q = Q(_k__in=[k for k in raw if k is not None])
            if None in raw:
                q |= Q(_k__isnull=True)
            return self.units(rows.filter(q))

        return self._remember(("union", parent, dim, wanted), build)

    def difference(self, outer: Cell, inner: Cell) -> int:
        """Units with rows in `outer` that are not rows of `inner`."""

        def build() -> int:
            inside = self._cell_rows(inner).values("pk")
            return self.units(self._cell_rows(outer).exclude(pk__in=inside))

        return self._remember(("diff", outer, inner), build)

    def _siblings_hold(self, outer: Cell, inner: Cell) -> int:
        """A lower bound of `difference(outer, inner)` from counts already at hand:
        where `outer` is `inner` with one dimension coarser, the units of the
        largest other part of `outer` along it (each has rows outside `inner`)."""
        parts: dict[str, int] = {}
        own: str | None = None
        if inner.group is not None and outer == dataclasses.replace(inner, group=None):
            parts, own = self.grouped(outer, ("by", self.by)), inner.group
        elif outer.period == inner.period and outer.group == inner.group:
            dropped = [p for p in inner.places if p not in outer.places]
            name = dropped[0][0] if len(dropped) == 1 else None
            if (
                name in PARTITIONED_PLACES
                and name in self.population.places
                and outer == inner.without(name or "")
            ):
                parts, own = self.grouped(outer, ("place", name)), str(dropped[0][1])
        elif (
            outer.places == inner.places
            and outer.group == inner.group
            and self.population.date is not None
            and inner.period.kind in ("year", "half", "quarter", "phase")
        ):
            dim = ("period", inner.period.kind)
            parts = {
                key: n
                for key, n in self.grouped(outer, dim).items()
                if not self._rest(outer, dim, key)
            }
            own = inner.period.key
        return max((n for key, n in parts.items() if key != own), default=0)

    def _cell_rows(self, cell: Cell) -> QuerySet:
        rows = self.rows(dataclasses.replace(cell, group=None))
        if cell.group is None:
            return rows
        return self._group_rows(dataclasses.replace(cell, group=None), ("by", self.by)).filter(
            self._key_q(("by", self.by), cell.group)
        )

    # -- keys of parts --

    def _key(self, dim: tuple[str, str | None]) -> Key:
        kind, name = dim
        if kind == "by":
            return self.population.keys[name or ""]
        if kind == "place":
            return self.population.places[name or ""]
        return self._bucket(name or "")

    def _bucket(self, kind: str) -> Expression:
        date = self.population.date or ""
        year = DateYear(date)
        if kind == "year":
            return year
        if kind == "half":
            half = Case(When(LessThanOrEqual(DateMonth(date), 6), then=Value(1)), default=Value(2))
            return year * 10 + half
        if kind == "quarter":
            return year * 10 + DateQuarter(date)
        phases = self._phases()
        return Case(
            *[
                When(**{f"{date}__gte": p.start, f"{date}__lte": p.end}, then=Value(p.key))
                for p in phases
            ],
            default=Value(None),
            output_field=CharField(),
        )

    def _group_rows(self, parent: Cell, dim: tuple[str, str | None]) -> QuerySet:
        key = self._key(dim)
        rows = self.rows(parent)
        if parent.group is not None:
            rows = rows.annotate(_g=self._expression(self._key(("by", self.by))))
            rows = rows.filter(self._key_q(("by", self.by), parent.group, "_g"))
        return rows.annotate(_k=self._expression(key))

    @staticmethod
    def _expression(key: Key) -> Any:
        if isinstance(key, Labelled):
            return F(key.path)
        if isinstance(key, str):
            return F(key)
        return key

    def _label_map(self, dim: tuple[str, str | None], raw: set[Any]) -> dict[Any, str]:
        key = self._key(dim)
        names: dict[Any, Any] = {}
        if isinstance(key, Labelled):
            names = dict(
                self.source(key.model)
                .filter(pk__in=[k for k in raw if k is not None])
                .values_list("pk", key.label)
            )
        return {k: NONE_KEY if k is None else str(names.get(k, k)) for k in raw}

    def _labels(self, dim: tuple[str, str | None], counts: Mapping[Any, int]) -> dict[str, int]:
        labels = self._label_map(dim, set(counts))
        return {labels[k]: n for k, n in counts.items()}

    def _raw_keys(self, dim: tuple[str, str | None], keys: Iterable[str]) -> list[Any]:
        key = self._key(dim)
        raw: list[Any] = []
        for label in keys:
            if label == NONE_KEY:
                raw.append(None)
            elif isinstance(key, Labelled):
                raw.extend(
                    self.source(key.model).filter(**{key.label: label}).values_list("pk", flat=True)
                )
            elif isinstance(key, Expression) and dim[0] == "period" and dim[1] != "phase":
                raw.append(int(label))
            elif isinstance(key, Expression) and dim[0] == "by":
                raw.append(int(label) if label.lstrip("-").isdigit() else label)
            else:
                raw.append(label)
        return raw

    def _key_q(self, dim: tuple[str, str | None], label: str, name: str = "_k") -> Q:
        raw = self._raw_keys(dim, [label])
        if raw == [None]:
            return Q(**{f"{name}__isnull": True})
        return Q(**{f"{name}__in": raw})

    # -- the lattice --

    def _phases(self) -> list[Period]:
        from scoretrack.reference.models import Phase

        def build() -> list[Period]:
            rows = (
                self.source(Phase)
                .order_by("start_date")
                .values_list("pk", "start_date", "end_date")
            )
            return [Period("phase", start, end, str(pk)) for pk, start, end in rows]

        return self._remember(("phases",), build)

    def coarser_periods(self, period: Period) -> list[Period]:
        """The periods the user may ask that strictly contain `period`."""
        if period.kind == "all":
            return []
        found: list[Period] = []
        if period.kind == "quarter":
            year, quarter = int(period.key[:-1]), int(period.key[-1])
            found += [half_period(year, 1 if quarter <= 2 else 2), year_period(year)]
        elif period.kind == "half":
            found.append(year_period(int(period.key[:-1])))
        if period.kind != "phase":
            found += [p for p in self._phases() if p.contains(period) and p != period]
        found.append(ALL_TIME)
        return found

    def coarser(self, cell: Cell) -> list[Cell]:
        """Every cell the user may ask that strictly contains `cell`."""
        periods = [cell.period, *self.coarser_periods(cell.period)]
        subsets = [
            combo
            for size in range(len(cell.places), -1, -1)
            for combo in itertools.combinations(cell.places, size)
        ]
        groups = [cell.group, None] if cell.group is not None else [None]
        found = [
            Cell(period, places, group)
            for period in periods
            for places in subsets
            for group in groups
        ]
        return [other for other in found if other != cell]

    def partitions(self, cell: Cell) -> list[tuple[Cell, tuple[str, str | None], str]]:
        """(parent, dimension, this cell's key there) of each partition `cell` is a part of."""
        found: list[tuple[Cell, tuple[str, str | None], str]] = []
        if cell.group is not None:
            found.append((dataclasses.replace(cell, group=None), ("by", self.by), cell.group))
        for name, value in cell.places:
            if name in PARTITIONED_PLACES and name in self.population.places:
                found.append((cell.without(name), ("place", name), str(value)))
        period = cell.period
        if self.population.date is not None and period.kind in ("year", "half", "quarter", "phase"):
            for outer in self.coarser_periods(period):
                parent = dataclasses.replace(cell, period=outer)
                found.append((parent, ("period", period.kind), period.key))
        return found

    def _rest(self, parent: Cell, dim: tuple[str, str | None], key: str) -> bool:
        """Whether the part `key` is not a cell the user may ask within `parent`
        (rows outside every phase, or without a sector; a quarter straddling a
        phase's edge): never shown as a part, so counted as hidden."""
        kind, name = dim
        if kind != "period":
            return kind == "place" and key == NONE_KEY
        part = self._part(str(name), key)
        return part is None or not parent.period.contains(part)

    def _exact(self, parent: Cell, dim: tuple[str, str | None], key: str) -> bool:
        """Whether `grouped`'s count of part `key` is its units within `parent` (not
        the whole units of a part straddling the parent's period)."""
        kind, name = dim
        if kind != "period":
            return True
        part = self._part(str(name), key)
        return part is None or parent.period.contains(part)

    def secondary(self, parent: Cell, dim: tuple[str, str | None]) -> str | None:
        """The part of `parent` hidden so that the total minus the parts shown does
        not describe fewer than the threshold's units (rule 3), if one is needed."""

        def build() -> str | None:
            parts = self.grouped(parent, dim)
            rest = {key for key in parts if self._rest(parent, dim, key)}
            small = [key for key, n in parts.items() if n and (n < self.threshold or key in rest)]
            if not small:
                return None
            # Units of the small parts together: a lone part's own count when it is
            # exact; fewer than the threshold for sure when even their sum is (a
            # part straddling the period counts whole: an upper bound, so at least
            # one exact part must hold a unit); else counted.
            total = sum(parts[key] for key in small)
            exact = all(self._exact(parent, dim, key) for key in small)
            lone = len(small) == 1 and exact
            below = total < self.threshold and (exact or any(key not in rest for key in small))
            together = total if lone or below else self.union(parent, dim, small)
            if not 0 < together < self.threshold:
                return None
            shown = sorted(
                (n, key) for key, n in parts.items() if n >= self.threshold and key not in rest
            )
            return shown[0][1] if shown else None

        return self._remember(("secondary", parent, dim), build)

    # -- the decision --

    def reason(self, cell: Cell) -> Reason | None:
        """Why `cell` is hidden, or None when it may be shown."""
        return self._remember(("reason", cell), lambda: self._decide(cell))

    def _decide(self, cell: Cell) -> Reason | None:
        n = self.count(cell)
        if n == 0:
            return None
        if n < self.threshold:
            return "few"
        for outer in self.coarser(cell):
            extra = self.count(outer) - n
            if 0 < extra < self.threshold:
                return "differencing"
            if (
                extra == 0
                and self._siblings_hold(outer, cell) < self.threshold
                and 0 < self.difference(outer, cell) < self.threshold
            ):
                return "differencing"
        for parent, dim, key in self.partitions(cell):
            if self.secondary(parent, dim) == key:
                return "differencing"
        return None


def scope_of(user: Any) -> tuple[Any, ...]:
    """What decides a user's aggregate scope, in a stable order."""
    from scoretrack.accounts.scoping import access_for

    access = access_for(user)
    return tuple(
        (name, tuple(sorted(map(str, value))) if isinstance(value, frozenset) else value)
        for name, value in sorted(vars(access).items())
        if name != "user_id"
    )


def protect(
    population: Population,
    value: Any,
    user: Any,
    filters: Filters,
    memo: dict[Any, Any] | None,
) -> Any:
    """`value` (a figure of `filters`) with the numbers `user` may not see replaced
    by `Hidden` markers."""
    population = population.answering(filters.by)
    guard = Guard(population, user, filters, memo if memo is not None else {})
    cell = guard.cell(filters)
    by = guard.by
    try:
        if isinstance(value, dict) and by is not None:
            shown: dict[str, Any] = {}
            for key, figure in value.items():
                why = guard.reason(dataclasses.replace(cell, group=key))
                shown[key] = Hidden(why, population.who) if why else figure
            return shown
        why = guard.reason(cell)
        if why is None:
            return value
        if isinstance(value, dict):
            return dict.fromkeys(value, Hidden(why, population.who))
        return Hidden(why, population.who)
    finally:
        guard.keep()
