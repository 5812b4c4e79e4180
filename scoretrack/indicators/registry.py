"""The indicator registry: every programme figure, defined once.

An indicator declares its code, name, definition in words, unit, the `by`
disaggregations and the place filters it takes, and a compute function that
asks the database (one or two aggregate queries) through the one scoping method.

Conventions, written once here and repeated in the definitions where they matter:
- a figure is a number; with `by` it is an object keyed by the disaggregation's
  values (the workbook's codes; years as strings, because JSON keys are strings;
  records with no value for the disaggregation under the key `(none)`), holding
  only the groups that have records;
- percentages are 0-100 floats, unrounded; a share with an empty denominator is
  null; counts and sums of nothing are 0;
- a record falls in a period by its own date (a participation by its delivery's
  start date), the period's bounds included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, TypeVar

from django.core.exceptions import ValidationError
from django.db.models import (
    Expression,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import ExtractYear

from scoretrack.indicators.disclosure import Hidden, plain
from scoretrack.lib.derived import refreshed_once

Unit = Literal["count", "percent", "usd", "mean"]
Number = int | float | None
Value = Number | dict[str, Number]
PLACE_FILTERS = ("partner", "sector", "lead_buyer")
NONE_KEY = "(none)"


T = TypeVar("T")


class Source:
    """Where compute functions take their rows from: the user's aggregate scope.

    Every queryset an indicator reads starts here, so the scoping rules of
    `visible_to` apply to the figures, and to the subqueries inside them.
    """

    def __init__(self, user: Any, *, approved_only: bool = False) -> None:
        self.user = user
        self.approved_only = approved_only

    def __call__(self, model: type[Model]) -> QuerySet:
        rows = model.objects.visible_to(self.user, purpose="aggregates")  # type: ignore[attr-defined]
        if self.approved_only:
            # "Approved data only": the dated records of periods approved for their
            # country (scoretrack.quality); undated rows (firms, trainers) all count.
            from scoretrack.quality.locks import approved_only

            rows = approved_only(rows)
        return rows


@dataclass(frozen=True)
class Filters:
    """The filters of a request, as given (for the echo) and resolved (for queries)."""

    country: str | None = None
    partner: str | None = None
    sector: str | None = None
    lead_buyer: str | None = None
    phase: str | None = None
    year: int | None = None
    half: int | None = None
    quarter: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    by: str | None = None
    approved_only: bool = False
    country_id: Any = None
    partner_ids: tuple[Any, ...] = ()
    sector_id: Any = None
    lead_buyer_ids: tuple[Any, ...] = ()
    phase_id: Any = None
    start: dt.date | None = None
    end: dt.date | None = None
    # A series (`compute_series`): the (start, end) of each period asked at once;
    # `start` and `end` then span them all.
    windows: tuple[tuple[dt.date | None, dt.date | None], ...] = ()

    def given(self) -> dict[str, Any]:
        """The filters as the user gave them, for the response's `filters` object."""
        shown = {
            "country": self.country,
            "partner": self.partner,
            "sector": self.sector,
            "lead_buyer": self.lead_buyer,
            "phase": self.phase,
            "year": self.year,
            "half": self.half,
            "quarter": self.quarter,
            "from": self.date_from.isoformat() if self.date_from else None,
            "to": self.date_to.isoformat() if self.date_to else None,
            "by": self.by,
            "approved_only": True if self.approved_only else None,
        }
        return {name: value for name, value in shown.items() if value is not None}

    def places(self) -> set[str]:
        return {name for name in PLACE_FILTERS if getattr(self, name) is not None}

    def in_period(self, path: str) -> Q:
        """Records whose date at `path` falls in the period (bounds included)."""
        q = Q()
        if self.start is not None:
            q &= Q(**{f"{path}__gte": self.start})
        if self.end is not None:
            q &= Q(**{f"{path}__lte": self.end})
        return q

    def up_to_end(self, path: str) -> Q:
        return Q(**{f"{path}__lte": self.end}) if self.end is not None else Q()


@dataclass(frozen=True)
class Context:
    source: Source
    filters: Filters
    # The page's memo (see `compute`), when the caller keeps one.
    memo: dict[Any, Any] | None = field(default=None, compare=False)

    @property
    def by(self) -> str | None:
        return self.filters.by

    def shared(self, name: str, build: Callable[[], T]) -> T:
        """What `build` gives, once per page: for counts that several indicators
        take from the same rows (named `name`), asked for the same user and filters."""
        if self.memo is None:
            return build()
        key = ("shared", name, self.source.user.pk, self.filters)
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]


Compute = Callable[[Context], Value]


@dataclass(frozen=True)
class Indicator:
    code: str
    name: str
    definition: str
    unit: Unit
    by: tuple[str, ...]
    compute: Compute
    places: frozenset[str] = field(default_factory=frozenset)
    # What the figure rests on, for disclosure control (indicators/protection.py):
    # a figure about firms or persons; None for figures about money or events.
    protect: Any = None
    # The figure is the value of one firm (the smallest or largest of theirs):
    # aggregates-only roles never see it (disclosure.Hidden "single").
    single: bool = False
    # Whether `compute` answers a series in two queries at most (`compute_series`): its rows
    # are dated through `dated` and aggregated by `measure`.
    periodic: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled by its code (a kept tracking table holds its rows' indicators): read
        # back as the registry's own, its compute function never serialised.
        return (registered, (self.code,))

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "name": self.name,
            "definition": self.definition,
            "unit": self.unit,
            "by": list(self.by),
        }


REGISTRY: dict[str, Indicator] = {}


def indicator(
    code: str,
    *,
    name: str,
    definition: str,
    unit: Unit,
    by: Iterable[str] = (),
    places: Iterable[str] = (),
    protect: Any = None,
    single: bool = False,
    periodic: bool = False,
) -> Callable[[Compute], Compute]:
    """Register the decorated compute function as indicator `code`."""

    def register(compute: Compute) -> Compute:
        if code in REGISTRY:
            raise ValueError(f"indicator {code} is defined twice")
        unknown = set(places) - set(PLACE_FILTERS)
        if unknown:
            raise ValueError(f"indicator {code}: unknown place filters {sorted(unknown)}")
        REGISTRY[code] = Indicator(
            code=code,
            name=name,
            definition=" ".join(definition.split()),
            unit=unit,
            by=tuple(by),
            compute=compute,
            places=frozenset(places),
            protect=protect,
            single=single,
            periodic=periodic,
        )
        return compute

    return register


def registered(code: str) -> Indicator:
    return REGISTRY[code]


def indicators() -> list[Indicator]:
    return list(REGISTRY.values())


def all_by() -> set[str]:
    return {name for item in REGISTRY.values() for name in item.by}


# --- shaping results -----------------------------------------------------------


def number(value: Any) -> Number:
    """A JSON number: integral values as int, others as float, nothing as None."""
    if value is None:
        return None
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


def share(part: Any, whole: Any) -> float | None:
    """100 times `part` / `whole`, unrounded; null when the denominator is empty."""
    if not whole:
        return None
    return float(Decimal(part or 0) * 100 / Decimal(whole))


def key_of(value: Any) -> str:
    return NONE_KEY if value is None else str(value)


def year_of(path: str) -> Expression:
    return ExtractYear(path)


@dataclass(frozen=True)
class Labelled:
    """A disaggregation keyed by a related record's unique label (a country's or a
    module's code), grouped by the record's id (`path`, e.g. `delivery__country_id`).

    Grouping by the id rather than by the joined label spares the database a join
    over every row: SQLite then reads the rows in the order of an index on the id.
    """

    path: str
    model: type[Model]
    label: str = "code"


class _GroupLabel(Subquery):
    """The label of a group's id: a function of the id, so no GROUP BY column."""

    def get_group_by_cols(self) -> list[Any]:
        return []


def measure(
    ctx: Context,
    queryset: QuerySet,
    keys: Mapping[str, str | Expression | Labelled],
    aggregates: Mapping[str, Any],
    shape: Callable[[Mapping[str, Any]], Number],
) -> Value:
    """Aggregate `queryset` once, or once per group of `ctx.by` (one GROUP BY query).

    `keys` maps each supported disaggregation to the field path, expression or
    `Labelled` id of its key; `shape` turns one row of aggregates into the figure.
    """
    if ctx.filters.windows:
        from scoretrack.indicators.series import measure_windows

        return measure_windows(ctx, queryset, keys, aggregates, shape)
    if ctx.by is None:
        return shape(queryset.aggregate(**aggregates))
    key = keys[ctx.by]
    if isinstance(key, Labelled):
        label = ctx.source(key.model).filter(pk=OuterRef("_group")).order_by().values(key.label)
        grouped = (
            queryset.values(_group=F(key.path))
            .annotate(_key=_GroupLabel(label), **aggregates)
            .order_by()
        )
        found = {key_of(row["_key"]): shape(row) for row in grouped}
        return {name: found[name] for name in sorted(found)}
    rows = (
        queryset.annotate(_key=F(key) if isinstance(key, str) else key)
        .values("_key")
        .annotate(**aggregates)
        .order_by("_key")
    )
    # Looping over the few result groups only shapes the dict.
    return {key_of(row["_key"]): shape(row) for row in rows}


def merge(*parts: Mapping[str, Any]) -> list[str]:
    """The sorted union of the keys of several grouped results."""
    return sorted({key for part in parts for key in part})


# --- resolving the filters -------------------------------------------------------


def _error(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


@dataclass
class Request:
    """A request for figures, as the API, the CLI and pages receive it."""

    codes: list[str]
    country: str | None = None
    partner: str | None = None
    sector: str | None = None
    lead_buyer: str | None = None
    phase: str | None = None
    year: int | None = None
    half: int | None = None
    quarter: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    by: str | None = None
    approved_only: bool = False  # records dated in approved periods only (scoretrack.quality)


def check_request(request: Request) -> dict[str, list[str]]:
    """Errors that need no database: codes, `by`, period and filter applicability."""
    errors: dict[str, list[str]] = {}
    if not request.codes:
        errors.setdefault("code", []).append("give at least one indicator code")
    for code in request.codes:
        if code not in REGISTRY:
            errors.setdefault("code", []).append(f"unknown indicator code '{code}'")
    known = [REGISTRY[code] for code in request.codes if code in REGISTRY]
    if request.by is not None:
        if request.by not in all_by():
            errors.setdefault("by", []).append(f"unknown disaggregation '{request.by}'")
        else:
            for item in known:
                if request.by not in item.by:
                    errors.setdefault("by", []).append(
                        f"'{item.code}' cannot be disaggregated by '{request.by}'"
                        f" (it takes: {', '.join(item.by) or 'nothing'})"
                    )
    for name in PLACE_FILTERS:
        if getattr(request, name) is None:
            continue
        for item in known:
            if name not in item.places:
                errors.setdefault(name, []).append(
                    f"the {name} filter does not apply to '{item.code}'"
                )
    periods = [
        name
        for name, given in (
            ("phase", request.phase is not None),
            ("year", request.year is not None),
            ("from", request.date_from is not None or request.date_to is not None),
        )
        if given
    ]
    if len(periods) > 1:
        errors.setdefault(periods[1], []).append("give only one of phase, year or from/to")
    _check_part_of_year(request, errors)
    if request.date_from and request.date_to and request.date_from > request.date_to:
        errors.setdefault("to", []).append("'to' is before 'from'")
    return errors


HALVES = {1: (1, 6), 2: (7, 12)}  # first and last month
QUARTERS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}


def _check_part_of_year(request: Request, errors: dict[str, list[str]]) -> None:
    """`half` and `quarter`: one of them at most, within its range, with a year."""
    for name, parts, allowed in (("half", HALVES, "1 or 2"), ("quarter", QUARTERS, "1 to 4")):
        given = getattr(request, name)
        if given is None:
            continue
        if request.year is None:
            errors.setdefault(name, []).append(f"give year with {name}")
        elif given not in parts:
            errors.setdefault(name, []).append(f"{name} is {allowed}, not {given}")
    if request.half is not None and request.quarter is not None:
        errors.setdefault("quarter", []).append("give half or quarter, not both")


def _check_fixed_period(source: Source, request: Request, errors: dict[str, list[str]]) -> None:
    """Aggregates-only users (lead buyers, viewers) ask for fixed periods only: two
    overlapping date ranges a day apart would single out the firms of that day,
    however small figures are suppressed (issue 17)."""
    from scoretrack.accounts.scoping import access_for

    if request.date_from is None and request.date_to is None:
        return
    if access_for(source.user).aggregates_only:
        name = "from" if request.date_from is not None else "to"
        errors.setdefault(name, []).append(
            "lead buyers and viewers ask for a fixed period (phase, year, half or quarter),"
            " not a date range"
        )


def _country(source: Source, code: str) -> Any:
    from scoretrack.reference.models import CountryProgramme

    return source(CountryProgramme).filter(code=code).values_list("pk", flat=True).first()


def _organisations(source: Source, key: str, country_id: Any, **where: Any) -> tuple[Any, ...]:
    """Organisations with that key: keys are unique per country, so with a country
    filter only that country's (or a global one) is meant."""
    from scoretrack.reference.models import Organisation

    found = source(Organisation).filter(key=key, **where)
    if country_id is not None:
        found = found.filter(Q(country_id=country_id) | Q(country__isnull=True))
    return tuple(found.values_list("pk", flat=True))


def _sector(source: Source, name: str) -> Any:
    from scoretrack.reference.models import Sector

    return source(Sector).filter(name=name).values_list("pk", flat=True).first()


def _phase(source: Source, name: str) -> dict[str, Any] | None:
    from scoretrack.reference.models import Phase

    return source(Phase).filter(name=name).values("pk", "start_date", "end_date").first()


def _period(request: Request, phase: dict[str, Any] | None) -> tuple[dt.date | None, ...]:
    if phase is not None:
        return phase["start_date"], phase["end_date"]
    if request.year is not None:
        first, last = HALVES.get(request.half or 0) or QUARTERS.get(request.quarter or 0) or (1, 12)
        return dt.date(request.year, first, 1), _last_day(request.year, last)
    return request.date_from, request.date_to


def _last_day(year: int, month: int) -> dt.date:
    following = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return following - dt.timedelta(days=1)


def resolve(source: Source, request: Request) -> Filters:
    """Check the request and look its filter values up; a ValidationError names each bad one."""
    from scoretrack.reference.models import Organisation

    errors = check_request(request)
    _check_fixed_period(source, request, errors)

    def need(name: str, given: Any, found: Any, what: str) -> Any:
        if given is not None and not found:
            errors.setdefault(name, []).append(f"unknown {what} '{given}'")
        return found

    country_id = request.country and _country(source, request.country)
    need("country", request.country, country_id, "country")
    partner_ids = request.partner and _organisations(source, request.partner, country_id)
    need("partner", request.partner, partner_ids, "partner")
    sector_id = request.sector and _sector(source, request.sector)
    need("sector", request.sector, sector_id, "sector")
    lead_buyer_ids = request.lead_buyer and _organisations(
        source, request.lead_buyer, None, type=Organisation.Type.LEAD_BUYER
    )
    need("lead_buyer", request.lead_buyer, lead_buyer_ids, "lead buyer")
    phase = request.phase and _phase(source, request.phase)
    need("phase", request.phase, phase, "phase")
    if request.year is not None and not 1900 <= request.year <= 2100:
        errors.setdefault("year", []).append(f"implausible year '{request.year}'")
    if errors:
        raise ValidationError(errors)
    start, end = _period(request, phase or None)
    return Filters(
        country=request.country,
        partner=request.partner,
        sector=request.sector,
        lead_buyer=request.lead_buyer,
        phase=request.phase,
        year=request.year,
        half=request.half,
        quarter=request.quarter,
        date_from=request.date_from,
        date_to=request.date_to,
        by=request.by,
        approved_only=request.approved_only,
        country_id=country_id or None,
        partner_ids=partner_ids or (),
        sector_id=sector_id or None,
        lead_buyer_ids=lead_buyer_ids or (),
        phase_id=phase["pk"] if phase else None,
        start=start,
        end=end,
    )


# --- evaluating ----------------------------------------------------------------


def compute(
    code: str,
    user: Any,
    filters: Filters,
    memo: dict[Any, Value] | None = None,
    *,
    marked: bool = False,
) -> Value:
    """One indicator's figure for `user`, with already resolved filters.

    A page asking many figures of one user passes the same `memo` dict to every
    call: a figure asked again for the same filters (or the counts that disclosure
    control rests on) is then computed once. A number hidden from an
    aggregates-only user is None, or with `marked` a `disclosure.Hidden` saying why.
    """
    value = _raw(code, user, filters, memo)
    population = REGISTRY[code].protect
    if REGISTRY[code].single and _aggregates_only(user):
        value = _single(value, population.who if population is not None else "enterprises")
    elif population is not None and _aggregates_only(user):
        from scoretrack.indicators.protection import protect

        value = protect(population, value, user, filters, memo)
    return value if marked else plain(value)


def _single(value: Value, who: Any) -> Value:
    """One firm's value, withheld: the total, or every group of a breakdown."""
    from scoretrack.indicators.disclosure import Hidden

    hidden = Hidden("single", who)
    return dict.fromkeys(value, hidden) if isinstance(value, dict) else hidden


def _raw(code: str, user: Any, filters: Filters, memo: dict[Any, Value] | None) -> Value:
    """The figure before suppression, from `memo` when it holds it."""
    if memo is None:
        return REGISTRY[code].compute(Context(source=source_for(user, filters), filters=filters))
    key = (code, user.pk, filters)
    if key not in memo:
        context = Context(source=source_for(user, filters), filters=filters, memo=memo)
        memo[key] = REGISTRY[code].compute(context)
    found = memo[key]
    # A copy, so that a caller changing its result cannot change the next caller's.
    return dict(found) if isinstance(found, dict) else found


def source_for(user: Any, filters: Filters) -> Source:
    """The rows a figure for these filters reads: all data, or approved data only."""
    return Source(user, approved_only=filters.approved_only)


def _aggregates_only(user: Any) -> bool:
    from scoretrack.accounts.scoping import access_for

    return access_for(user).aggregates_only


def hidden_of(marked: Mapping[str, Value]) -> dict[str, Any]:
    """Why each hidden value is hidden: per code, the reason of a hidden total, or
    per group the reasons of its hidden groups; codes with nothing hidden are left out."""
    found: dict[str, Any] = {}
    for code, value in marked.items():
        if isinstance(value, Hidden):
            found[code] = value.as_json()
        elif isinstance(value, dict):
            groups = {
                key: item.as_json() for key, item in value.items() if isinstance(item, Hidden)
            }
            if groups:
                found[code] = groups
    return found


def targets(source: Source, codes: list[str], filters: Filters) -> dict[str, Number]:
    """Per-period targets of the totals set for exactly these filters: the same
    country (or global) and period (phase; year, half or quarter; from/to dates
    as a custom period; or none).

    Targets are set per country, not per partner, sector or lead buyer, so a
    request filtering by one of those has none. `by` does not change the scope, so
    the total's target is still given. Cumulative targets and those of one group of
    a disaggregation are the tracking table's (`scoretrack.results`).
    """
    from scoretrack.reference.models import Target

    if filters.places():
        return {}
    rows = (
        source(Target)
        .filter(
            indicator__in=codes,
            country_id=filters.country_id,
            phase_id=filters.phase_id,
            year=filters.year,
            half=filters.half,
            quarter=filters.quarter,
            start_date=filters.date_from,
            end_date=filters.date_to,
            disaggregation="",
            cumulative=False,
        )
        .values_list("indicator", "value")
    )
    return {code: number(value) for code, value in rows}


def evaluate(user: Any, request: Request) -> dict[str, Any]:
    """The response of `/api/v1/indicators/values` (and of `scoretrack values --json`)."""
    source = Source(user)
    filters = resolve(source, request)
    codes = list(dict.fromkeys(request.codes))
    memo: dict[Any, Value] = {}  # suppression's smes_trained counts: computed once
    with refreshed_once():  # outcome figures' derived rows: brought up to date once
        marked = {code: compute(code, user, filters, memo, marked=True) for code in codes}
    return {
        "filters": filters.given(),
        "values": {code: plain(value) for code, value in marked.items()},
        "hidden": hidden_of(marked),
        "targets": targets(source, codes, filters),
    }
