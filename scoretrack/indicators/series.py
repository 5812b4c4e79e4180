"""Series: one figure for a run of periods, in two queries at most (issue 20).

The tracking table asks each indicator for a baseline and 16 quarters (or their
cumulative "up to" figures). An indicator declared `periodic` answers them all in
two queries at most, whatever their number: its rows are read over the span of
the periods (`dated` keeps each row's date as `_when`); the periods that share no
day (the baseline and the periods' own figures) grouped by the period each row
falls in, and the others (the "up to" figures) each counting only its rows (an
aggregate's FILTER). A distinct count is so counted within each period as it
would be alone: a unit counted once in an "up to" period however many of its
rows it holds. `compute_series` keeps each period's figure in the page's memo
under the key `compute` reads, so the disclosure rule then applies to each cell
as to a figure asked alone.

Moved out of `registry.py`, which `measure` (a series when the filters carry
`windows`) and the definitions still reach it through.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Expression,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    When,
)
from django.db.models import Value as V

from scoretrack.indicators.registry import (
    REGISTRY,
    Context,
    Filters,
    Labelled,
    Number,
    Value,
    _GroupLabel,
    compute,
    key_of,
    source_for,
)

WHEN = "_when"
Window = tuple[dt.date | None, dt.date | None]


def dated(rows: QuerySet, filters: Filters, path: str) -> QuerySet:
    """`rows` whose date at `path` falls in the period; in a series, with that date
    kept as `_when` for `measure` to tell the periods apart."""
    rows = rows.filter(filters.in_period(path))
    return rows.alias(**{WHEN: F(path)}) if filters.windows else rows


def _in_window(window: Window) -> Q:
    start, end = window
    q = Q()
    if start is not None:
        q &= Q(**{f"{WHEN}__gte": start})
    if end is not None:
        q &= Q(**{f"{WHEN}__lte": end})
    return q


def _only(expression: Any, where: Q) -> Any:
    """A copy of `expression` whose aggregates read only the rows `where` holds."""
    if not hasattr(expression, "get_source_expressions"):
        return expression
    found = expression.copy()
    if isinstance(found, Aggregate):
        found.filter = where if found.filter is None else found.filter & where
        return found
    found.set_source_expressions([_only(part, where) for part in found.get_source_expressions()])
    return found


def measure_windows(
    ctx: Context,
    queryset: QuerySet,
    keys: Mapping[str, str | Expression | Labelled],
    aggregates: Mapping[str, Any],
    shape: Callable[[Mapping[str, Any]], Number],
) -> list[Value]:
    """`measure` for each window of the series, in two queries at most: the windows
    apart from each other (a baseline and the periods' own figures) grouped by the
    window a row falls in, each row aggregated once; the others (the "up to"
    figures, overlapping them) by the aggregates' FILTERs, one set per window."""
    if WHEN not in queryset.query.annotations:
        raise ValueError("a periodic indicator dates its rows with series.dated")
    windows = ctx.filters.windows
    empty = {
        name: getattr(aggregate, "empty_result_set_value", NotImplemented)
        for name, aggregate in aggregates.items()
    }
    apart = _apart(windows) if NotImplemented not in empty.values() else []
    found: dict[int, Value] = {}
    if apart:
        found |= _grouped_windows(ctx, queryset, keys, aggregates, shape, apart, empty)
    rest = [k for k in range(len(windows)) if k not in found]
    if rest:
        found |= _filtered_windows(ctx, queryset, keys, aggregates, shape, rest)
    return [found[k] for k in range(len(windows))]


def _apart(windows: tuple[Window, ...]) -> list[int]:
    """As many of the windows as share no day, earliest ending first."""
    chosen: list[int] = []
    last: dt.date | None = None
    ordered = sorted(range(len(windows)), key=lambda k: (windows[k][1] or dt.date.max, k))
    for k in ordered:
        start, end = windows[k]
        if end is None:
            continue
        if not chosen or (start is not None and last is not None and start > last):
            chosen.append(k)
            last = end
    return chosen


def _grouped(
    ctx: Context, queryset: QuerySet, keys: Mapping[str, Any], group: dict[str, Any], spread: dict
) -> list[dict[str, Any]]:
    """`queryset` aggregated by `spread` per value of the `group` columns, and of `ctx.by`."""
    if ctx.by is None:
        return list(queryset.annotate(**group).values(*group).annotate(**spread).order_by())
    key = keys[ctx.by]
    if isinstance(key, Labelled):
        label = ctx.source(key.model).filter(pk=OuterRef("_group")).order_by().values(key.label)
        return list(
            queryset.annotate(**group)
            .values(*group, _group=F(key.path))
            .annotate(_key=_GroupLabel(label), **spread)
            .order_by()
        )
    return list(
        queryset.annotate(_key=F(key) if isinstance(key, str) else key, **group)
        .values(*group, "_key")
        .annotate(**spread)
        .order_by()
    )


def _grouped_windows(
    ctx: Context,
    queryset: QuerySet,
    keys: Mapping[str, Any],
    aggregates: Mapping[str, Any],
    shape: Callable[[Mapping[str, Any]], Number],
    apart: list[int],
    empty: dict[str, Any],
) -> dict[int, Value]:
    windows = ctx.filters.windows
    bucket = Case(
        *[When(_in_window(windows[k]), then=V(k)) for k in apart], output_field=IntegerField()
    )
    rows = _grouped(ctx, queryset, keys, {"_window": bucket}, dict(aggregates))
    found: dict[int, Any] = {k: ({} if ctx.by else shape(empty)) for k in apart}
    for row in rows:
        k = row["_window"]
        if k is None:
            continue  # a row in no window apart: in an overlapping one only
        if ctx.by is None:
            found[k] = shape(row)
        else:
            found[k][key_of(row["_key"])] = shape(row)
    if ctx.by is not None:
        found = {k: {name: groups[name] for name in sorted(groups)} for k, groups in found.items()}
    return found


def _filtered_windows(
    ctx: Context,
    queryset: QuerySet,
    keys: Mapping[str, Any],
    aggregates: Mapping[str, Any],
    shape: Callable[[Mapping[str, Any]], Number],
    chosen: list[int],
) -> dict[int, Value]:
    windows = ctx.filters.windows
    spread = {
        f"_w{k}_{name}": _only(aggregate, _in_window(windows[k]))
        for k in chosen
        for name, aggregate in aggregates.items()
    }

    def part(row: Mapping[str, Any], k: int) -> dict[str, Any]:
        return {name: row[f"_w{k}_{name}"] for name in aggregates}

    if ctx.by is None:
        row = queryset.aggregate(**spread)
        return {k: shape(part(row, k)) for k in chosen}
    # A group is in a window's figure only when it has rows in that window.
    spread |= {f"_w{k}__rows": Count("pk", filter=_in_window(windows[k])) for k in chosen}
    rows = _grouped(ctx, queryset, keys, {}, spread)
    found: dict[int, Value] = {}
    for k in chosen:
        figures = {key_of(row["_key"]): shape(part(row, k)) for row in rows if row[f"_w{k}__rows"]}
        found[k] = {name: figures[name] for name in sorted(figures)}
    return found


def units_by_end(
    ctx: Context,
    rows: QuerySet,
    unit: str,
    keys: Mapping[str, str],
    counts: Mapping[str, tuple[str, ...]],
    shape: Callable[[Mapping[str, Any]], Number],
) -> list[Value]:
    """A series (`ctx.filters.windows`) of a figure counting the distinct `unit`s of
    `rows` (dated by `dated`) that had done something by the window's end: `counts`
    names each count and the date columns of `rows` (annotations: when the unit had
    first done it, null if never) that must all fall on or before the end. The
    figures of a unit's history up to the period's end ("by the period's end, two
    modules") so need no query per period.

    One query: the rows read once (MATERIALIZED), each unit's flags for each
    window's counts taken from them by CASE, then summed; with `ctx.by`, per group
    (`keys`: its field path), a group being in a window's figure when it has rows
    there, as in `measure`.
    """
    windows = ctx.filters.windows
    key = F(keys[ctx.by]) if ctx.by else V("", output_field=CharField())
    columns = sorted({column for needed in counts.values() for column in needed})
    picked = rows.annotate(_unit=F(unit), _day=F(WHEN), _key=key)
    try:
        sql, params = (
            picked.values("_unit", "_day", "_key", *columns).order_by().query.sql_with_params()
        )
    except EmptyResultSet:  # a scope that can see no row
        sql, params = None, ()
    connection = connections[rows.db]
    day = "CAST(%s AS date)" if connection.vendor == "postgresql" else "%s"

    def bound(value: dt.date) -> Any:
        return value if connection.vendor == "postgresql" else value.isoformat()

    selected: list[str] = []
    extra: list[Any] = []
    for start, end in windows:
        inside = ["1 = 1"]
        if start is not None:
            inside.append(f"_day >= {day}")
            extra.append(bound(start))
        if end is not None:
            inside.append(f"_day <= {day}")
            extra.append(bound(end))
        selected.append(f"MAX(CASE WHEN {' AND '.join(inside)} THEN 1 ELSE 0 END)")
        for name in counts:
            done = [f"{column} IS NOT NULL" for column in counts[name]]
            if end is not None:
                done = [f"{column} <= {day}" for column in counts[name]]
            window = [*inside, *done]
            selected.append(f"MAX(CASE WHEN {' AND '.join(window)} THEN 1 ELSE 0 END)")
            extra += [bound(start)] if start is not None else []
            extra += [bound(end)] if end is not None else []
            extra += [bound(end)] * len(counts[name]) if end is not None else []
    found: list[dict[str, Any]] = [{} for _ in windows]
    if sql is not None:
        # Each unit once per group (whether it counts in each window, 1 or 0), then
        # summed: one grouping, where a distinct count per window sorted the rows
        # once per count.
        flags = ", ".join(f"{flag} AS c{n}" for n, flag in enumerate(selected))
        sums = ", ".join(f"SUM(c{n})" for n in range(len(selected)))
        query = (
            f"WITH v AS MATERIALIZED ({sql}) SELECT _key, {sums} FROM"
            f" (SELECT _key, _unit, {flags} FROM v GROUP BY _key, _unit) u GROUP BY _key"
        )
        with connection.cursor() as cursor:
            cursor.execute(query, (*params, *extra))
            width = 1 + len(counts)
            # Looping over the few result groups only shapes the figures.
            for row in cursor.fetchall():
                for k in range(len(windows)):
                    part = row[1 + k * width : 1 + (k + 1) * width]
                    if part[0]:
                        found[k][key_of(row[0])] = dict(zip(counts, part[1:], strict=True))
    if ctx.by is None:
        zero = dict.fromkeys(counts, 0)
        return [shape(groups.get("", zero)) for groups in found]
    return [{name: shape(groups[name]) for name in sorted(groups)} for groups in found]


def latest_at_ends(
    ctx: Context, rows: QuerySet, summed: Mapping[str, str]
) -> list[dict[str, dict[str, Any]]]:
    """A series (`ctx.filters.windows`) of a figure over the state of each series
    at the period's end (the KPI points: a row is its series' latest from its
    `month` until the day before its `next_month`; only the end of a period
    matters). `rows` has those two columns and `_key` (the group, '' for none);
    `summed` names SQL expressions over its columns, summed over the rows latest
    at each end ('1' counts them). One query: each row read once with a flag per
    end (whether it is the latest there), the sums per group taken over the rows
    flagged, each row once however many ends it is the latest at (a series that
    stopped reporting is the latest at every end after it): per window, {key:
    {name: value}}, holding only the groups with rows at that end.
    """
    ends = [end or dt.date.max for _start, end in ctx.filters.windows]
    found: list[dict[str, dict[str, Any]]] = [{} for _ in ends]
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a scope that can see no row
        return found
    connection = connections[rows.db]
    postgres = connection.vendor == "postgresql"
    end = "CAST(%s AS date)" if postgres else "%s"  # SQLite keeps dates as ISO text
    flags, sums, bounds = [], [], []
    for k, day in enumerate(ends):
        flags.append(
            f"CASE WHEN month <= {end} AND (next_month IS NULL OR next_month > {end})"
            f" THEN 1 ELSE 0 END AS i{k}"
        )
        bounds += [day if postgres else day.isoformat()] * 2
        sums.append(f"SUM(i{k})")
        sums += [f"SUM(CASE WHEN i{k} = 1 THEN {expression} END)" for expression in summed.values()]
    query = (
        f"SELECT _key, {', '.join(sums)} FROM"
        f" (SELECT v.*, {', '.join(flags)} FROM ({sql}) v) f GROUP BY _key"
    )
    width = 1 + len(summed)
    with connection.cursor() as cursor:
        cursor.execute(query, (*bounds, *params))  # the flags' bounds come first
        # Looping over the few result groups only shapes the figures.
        for row in cursor.fetchall():
            for k in range(len(ends)):
                part = row[1 + k * width : 1 + (k + 1) * width]
                if part[0]:
                    found[k][key_of(row[0])] = dict(zip(summed, part[1:], strict=True))
    return found


def windowed(
    ctx: Context,
    rows: QuerySet,
    selected: Mapping[str, str],
    *,
    join: str | None = None,
    windows: tuple[Window, ...] | None = None,
) -> list[dict[str, dict[str, Any]]]:
    """A series' aggregates in one query: `rows` (with `_key`, the group, '' for
    none; and `_day` for the default `join`) read once (MATERIALIZED), each joined
    to the windows (`window_table`, by default `ctx.filters.windows`) that `join`
    pairs it with (by default those its `_day` falls in: `pairs`), and the SQL
    aggregates `selected` names taken per window and group: per window, {key:
    {name: value}}, holding only the groups with rows in that window.
    """
    windows = ctx.filters.windows if windows is None else windows
    found: list[dict[str, dict[str, Any]]] = [{} for _ in windows]
    try:
        sql, params = rows.query.sql_with_params()
    except EmptyResultSet:  # a scope that can see no row
        return found
    connection = connections[rows.db]
    table, bounds = window_table(connection, windows)
    listed = ", ".join(selected.values())
    parts, more = [], []
    for clause, extra in (
        pairs(connection, windows) if join is None else [(f"v JOIN w ON {join}", [])]
    ):
        parts.append(f"SELECT w.k, v._key, {listed} FROM {clause} GROUP BY w.k, v._key")
        more += extra
    query = f"WITH v AS MATERIALIZED ({sql}), w AS ({table}) {' UNION ALL '.join(parts)}"
    with connection.cursor() as cursor:
        cursor.execute(query, (*params, *bounds, *more))
        # Looping over the few result groups only shapes the figures.
        for row in cursor.fetchall():
            found[row[0]][key_of(row[1])] = dict(zip(selected, row[2:], strict=True))
    return found


def apart(windows: tuple[Window, ...]) -> list[int]:
    """As many of the windows as share no day (`_apart`): a row falls in one at most."""
    return _apart(windows)


def bucket(
    connection: Any, windows: tuple[Window, ...], chosen: list[int], column: str
) -> tuple[str, list[Any]]:
    """SQL giving the number of the window among `chosen` (windows apart from each
    other) that the date in `column` falls in, null if none; and its parameters.
    A binary search (nested CASE): five comparisons for 17 windows, not 34."""
    postgres = connection.vendor == "postgresql"
    day = "CAST(%s AS date)" if postgres else "%s"
    params: list[Any] = []

    def bound(value: dt.date) -> Any:
        return value if postgres else value.isoformat()

    def search(ordered: list[int]) -> str:
        if len(ordered) == 1:
            k = ordered[0]
            start, end = windows[k]
            params.extend([bound(start or dt.date.min), bound(end or dt.date.max)])
            return f"CASE WHEN {column} >= {day} AND {column} <= {day} THEN {k} END"
        middle = len(ordered) // 2
        params.append(bound(windows[ordered[middle]][0] or dt.date.min))
        test = f"{column} < {day}"
        low = search(ordered[:middle])
        high = search(ordered[middle:])
        return f"CASE WHEN {test} THEN {low} ELSE {high} END"

    ordered = sorted(chosen, key=lambda k: windows[k][0] or dt.date.min)
    return search(ordered), params


def pairs(connection: Any, windows: tuple[Window, ...]) -> list[tuple[str, list[Any]]]:
    """FROM clauses pairing each row of `v` (dated `_day`) with each window of `w`
    it falls in, and their parameters: the windows apart from each other (a
    baseline and the periods' own) by the one window a row can fall in, its number
    worked out once per row (`bucket`, a binary search; a subquery with a LIMIT or
    an OFFSET, which neither database merges into its query) and matched by
    equality, not every row tried against every window; the others (overlapping
    them) by `IN_WINDOW`. Each window is in one clause only: queries aggregating
    per window may add up (UNION ALL) what each clause gives."""
    chosen = _apart(windows)
    found: list[tuple[str, list[Any]]] = []
    if chosen:
        number, params = bucket(connection, windows, chosen, "_day")
        fence = "OFFSET 0" if connection.vendor == "postgresql" else "LIMIT -1"
        numbered = f"(SELECT r.*, {number} AS _w FROM v r {fence}) v"
        found.append((f"{numbered} JOIN w ON w.k = v._w", params))
    rest = [k for k in range(len(windows)) if k not in chosen]
    if rest:
        listed = ", ".join(str(k) for k in rest)
        found.append((f"v JOIN w ON w.k IN ({listed}) AND {IN_WINDOW}", []))
    return found


# A row dated `_day` (of `v`) falls in window `w` (of `window_table`); a window
# with neither start nor end (all time) holds the undated rows too.
IN_WINDOW = "(w.a = 1 OR (v._day >= w.s AND v._day <= w.e))"


def window_table(connection: Any, windows: tuple[Window, ...]) -> tuple[str, list[Any]]:
    """The windows as a table w(k, s, e, a) for SQL to join rows to (`IN_WINDOW`):
    each window's number, first and last day (none: the earliest or latest date),
    and a = 1 for all time. Dates typed on PostgreSQL; ISO text on SQLite, which
    keeps dates so."""
    postgres = connection.vendor == "postgresql"
    day = "CAST(%s AS date)" if postgres else "%s"
    selects, params = [], []
    for k, (start, end) in enumerate(windows):
        selects.append(
            f"SELECT {k} AS k, {day} AS s, {day} AS e, {int(start is None and end is None)} AS a"
        )
        for value in (start or dt.date.min, end or dt.date.max):
            params.append(value if postgres else value.isoformat())
    return " UNION ALL ".join(selects), params


PERIOD_FIELDS = ("phase", "phase_id", "year", "half", "quarter", "date_from", "date_to")


def _span(periods: list[Filters]) -> Filters:
    """The filters of a series: the periods' common filters over their whole span."""
    common = {
        dataclasses.replace(f, start=None, end=None, **dict.fromkeys(PERIOD_FIELDS))
        for f in periods
    }
    if len(common) != 1:
        raise ValueError("a series' periods differ in more than their dates")
    starts = [f.start for f in periods]
    ends = [f.end for f in periods]
    return dataclasses.replace(
        common.pop(),
        start=None if None in starts else min(starts),  # type: ignore[type-var]
        end=None if None in ends else max(ends),  # type: ignore[type-var]
        windows=tuple((f.start, f.end) for f in periods),
    )


def compute_series(
    code: str,
    user: Any,
    periods: list[Filters],
    memo: dict[Any, Value],
    *,
    marked: bool = False,
) -> list[Value]:
    """The figure for each of `periods` (filters differing only in their period, an
    "up to" period having no start), equal to `compute` of each: for a periodic
    indicator the raw figures of those not yet in `memo` in two queries at most, kept there;
    each then read through `compute` (its disclosure rule included)."""
    if REGISTRY[code].periodic:
        missing = [f for f in dict.fromkeys(periods) if (code, user.pk, f) not in memo]
        if missing:
            span = _span(missing)
            context = Context(source=source_for(user, span), filters=span, memo=memo)
            for period, value in zip(missing, REGISTRY[code].compute(context), strict=True):
                memo[(code, user.pk, period)] = value
    return [compute(code, user, period, memo, marked=marked) for period in periods]
