"""Reading the registry for a report: periods, labels and the shapes pages draw.

Nothing here computes a figure: each number is `registry.compute` of a code for
some filters; this module only chooses the filters (this period, all time, each
phase, each year) and lays the results out as tables and charts.

For lead buyers and viewers some numbers come back hidden (`disclosure.Hidden`,
a total or groups of a breakdown): sections keep the marker in their cells, so
that tables, downloads and charts say it is hidden and why. A hidden number is
missing, never 0; a group absent from a breakdown (no records) is still 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextvars import copy_context
from dataclasses import dataclass, field
from queue import Empty, SimpleQueue
from typing import Any

from django.conf import settings
from django.db import connection, connections
from django.utils.translation import gettext as _

from scoretrack.indicators.disclosure import Hidden
from scoretrack.indicators.registry import (
    REGISTRY,
    Filters,
    Source,
    Value,
    compute,
    resolve,
)
from scoretrack.indicators.registry import Request as FigureRequest
from scoretrack.indicators.registry import targets as registry_targets
from scoretrack.indicators.series import compute_series
from scoretrack.lib import derived, tables
from scoretrack.lib.charts import Chart, Series, format_value, number
from scoretrack.lib.tables import Table, table_of_chart
from scoretrack.reference.models import CountryProgramme, Phase, Target


@dataclass(frozen=True)
class PhaseRow:
    name: str
    pk: Any
    start: dt.date
    end: dt.date


@dataclass
class Section:
    """One figure of a report: its table (always, for download) and maybe a chart."""

    slug: str
    title: str
    table: Table
    chart: Chart | None = None
    codes: Sequence[str] = ()
    note: str = ""


@dataclass
class Fact:
    """One line of a country's "training activities" box."""

    label: str
    value: Any
    unit: str
    code: str
    extra: str = ""


@dataclass
class Figures:
    """The registry, asked for one user and one period, with the period's variations."""

    user: Any
    filters: Filters
    phases: list[PhaseRow] = field(default_factory=list)
    country_ids: dict[str, Any] = field(default_factory=dict)
    _country_names: dict[str, str] = field(default_factory=dict)
    # Figures already computed for this page: a section asking a figure another
    # section (or suppression, for aggregates-only users) asked is served from here.
    _memo: dict[Any, Value] = field(default_factory=dict)

    @classmethod
    def for_request(
        cls,
        user: Any,
        *,
        country: str | None,
        phase: str | None,
        year: int | None,
        half: int | None = None,
        quarter: int | None = None,
        approved_only: bool = False,
        partner: str | None = None,
        sector: str | None = None,
        lead_buyer: str | None = None,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
    ) -> Figures:
        """Resolve the filters once; an unknown country, phase, partner, sector or lead
        buyer raises ValidationError, and so does a date range asked by a lead buyer
        or a viewer (fixed periods only: the disclosure rule, registry.resolve)."""
        source = Source(user)
        wanted = FigureRequest(
            codes=["smes_trained"],
            country=country,
            phase=phase,
            year=year,
            half=half,
            quarter=quarter,
            approved_only=approved_only,
            partner=partner,
            sector=sector,
            lead_buyer=lead_buyer,
            date_from=date_from,
            date_to=date_to,
        )
        filters = resolve(source, wanted)
        rows = (
            source(Phase).order_by("start_date").values_list("name", "pk", "start_date", "end_date")
        )
        return cls(user=user, filters=filters, phases=[PhaseRow(*row) for row in rows])

    def get(self, code: str, by: str | None = None, filters: Filters | None = None) -> Value:
        """The figure, with `disclosure.Hidden` in place of a number hidden from the user.

        A figure the page's partner, sector or lead-buyer filter does not apply to
        (an event count under a partner filter) is missing (None), never the
        unfiltered figure: the page says which filters leave what out."""
        chosen = filters or self.filters
        if not chosen.places() <= REGISTRY[code].places:
            return None
        return compute(
            code, self.user, dataclasses.replace(chosen, by=by), memo=self._memo, marked=True
        )

    def prefetch(self, wanted: Sequence[tuple[str, str | None, Filters | None]]) -> None:
        """Compute the `wanted` figures (code, by, filters, as `get` takes them) side
        by side, on REPORT_WORKERS database connections (each worker takes the next
        figure of the list when done), into the page's memo: the page then reads
        them from there as it lays itself out.

        Each connection sees the committed records, so this is done only outside a
        transaction (not inside a test's, whose rows other connections cannot
        see); otherwise, and with one worker, the page computes them one by one as
        it comes to them. A failure is raised here, as the page would have.
        """
        jobs = [
            functools.partial(self.get, code, by=by, filters=filters)
            for code, by, filters in wanted
        ]
        self.side_by_side(jobs)

    def series(self, code: str, periods: list[Filters]) -> list[Value]:
        """The figure for each of `periods` (`series.compute_series`: two queries at
        most for a periodic indicator), kept in the page's memo for `get` to read."""
        return compute_series(code, self.user, periods, self._memo, marked=True)

    @staticmethod
    def side_by_side(jobs: Sequence[Callable[[], Any]]) -> bool:
        """Run `jobs` on REPORT_WORKERS database connections, as `prefetch` does
        (not inside a transaction, nor with one worker: then nothing is run and
        False is returned)."""
        workers = min(settings.REPORT_WORKERS, len(jobs))
        if workers < 2 or connection.in_atomic_block:
            return False
        derived.refresh()  # once, here: every worker then reads up-to-date rows
        queue: SimpleQueue[Callable[[], Any]] = SimpleQueue()
        for job in jobs:
            queue.put(job)

        def work() -> None:
            try:
                while True:
                    try:
                        job = queue.get_nowait()
                    except Empty:
                        return
                    job()
            finally:
                connections.close_all()  # this worker thread's connections only

        with ThreadPoolExecutor(max_workers=workers) as pool:
            running = [pool.submit(copy_context().run, work) for _ in range(workers)]
            for done in running:
                done.result()
        return True

    def shown_phases(self) -> list[PhaseRow]:
        """The phases a per-phase table or chart shows: like the report, none
        starting after the chosen period."""
        end = self.filters.end
        return [phase for phase in self.phases if end is None or phase.start <= end]

    def all_time(self) -> Filters:
        return dataclasses.replace(
            self.filters,
            phase=None,
            phase_id=None,
            year=None,
            half=None,
            quarter=None,
            date_from=None,
            date_to=None,
            start=None,
            end=None,
        )

    def is_all_time(self) -> bool:
        """Whether the period asked is all time (an "all time" series beside it would repeat it)."""
        return self.all_time() == self.filters

    def in_phase(self, phase: PhaseRow) -> Filters:
        return dataclasses.replace(
            self.all_time(), phase=phase.name, phase_id=phase.pk, start=phase.start, end=phase.end
        )

    def in_year(self, year: int) -> Filters:
        return dataclasses.replace(
            self.all_time(), year=year, start=dt.date(year, 1, 1), end=dt.date(year, 12, 31)
        )

    def years(self) -> list[int]:
        """The calendar years of the period; for all time, the years with costs."""
        if self.filters.start and self.filters.end:
            return list(range(self.filters.start.year, self.filters.end.year + 1))
        found = self.get("direct_costs_usd", by="year")
        return sorted(int(key) for key in as_dict(found) if key.isdigit())

    def target(self, code: str) -> float | None:
        """The target set for this code and exactly this country and period, if any."""
        found = registry_targets(
            Source(self.user), [code], dataclasses.replace(self.filters, by=None)
        )
        value = found.get(code)
        return None if value is None else float(value)

    def targets(self, codes: Sequence[str]) -> dict[str, float]:
        """The targets set for these codes and exactly this country and period (one query)."""
        found = registry_targets(
            Source(self.user), list(codes), dataclasses.replace(self.filters, by=None)
        )
        return {code: float(value) for code, value in found.items() if value is not None}

    def ranges_allowed(self) -> bool:
        """Whether the user may ask a custom date range (not lead buyers and viewers)."""
        from scoretrack.accounts.scoping import access_for

        return not access_for(self.user).aggregates_only

    def left_out(self) -> list[str]:
        """The codes of this page that its place filters do not apply to."""
        places = self.filters.places()
        return [code for code, item in REGISTRY.items() if not places <= item.places]

    def country_targets(self, code: str) -> dict[str, float]:
        """Targets of `code` for each country in this phase (table 2's target column)."""
        if self.filters.phase_id is None:
            return {}
        rows = (
            Target.objects.visible_to(self.user, purpose="aggregates")
            .filter(
                indicator=code,
                phase_id=self.filters.phase_id,
                year=None,
                country__isnull=False,
                disaggregation="",
                cumulative=False,
            )
            .values_list("country__code", "value")
        )
        return {country: float(value) for country, value in rows}

    def country_names(self) -> dict[str, str]:
        """Country programmes in the user's scope, code to name, by name; remembers their ids."""
        if self.country_ids:
            return dict(self._country_names)
        rows = (
            CountryProgramme.objects.visible_to(self.user, purpose="aggregates")
            .order_by("name")
            .values_list("code", "name", "pk")
        )
        self.country_ids = {code: pk for code, _name, pk in rows}
        self._country_names = {code: name for code, name, _pk in rows}
        return dict(self._country_names)

    def for_country(self, code: str) -> Filters:
        return dataclasses.replace(self.filters, country=code, country_id=self.country_ids[code])

    def data_label(self) -> str:
        """Which data the figures count (scoretrack.quality's approvals)."""
        if self.filters.approved_only:
            return _("Approved data only: records dated in periods approved for their country")
        return _("All data, approved or not")

    def data_suffix(self) -> str:
        return "-approved-data-only" if self.filters.approved_only else ""

    def period_label(self) -> str:
        if self.filters.phase:
            return _("Phase %(phase)s") % {"phase": self.filters.phase}
        if self.filters.half:  # a half or a quarter always comes with its year
            return f"{self.filters.year} H{self.filters.half}"
        if self.filters.quarter:
            return f"{self.filters.year} Q{self.filters.quarter}"
        if self.filters.year:
            return str(self.filters.year)
        if self.filters.date_from or self.filters.date_to:
            start = self.filters.date_from.isoformat() if self.filters.date_from else "…"
            end = self.filters.date_to.isoformat() if self.filters.date_to else "…"
            return f"{start} – {end}"
        return _("All time")


class AllHidden(dict[str, Any]):
    """A breakdown hidden as a whole: no group is known, and any group asked is hidden."""

    def __init__(self, hidden: Hidden) -> None:
        super().__init__()
        self.hidden = hidden

    def get(self, key: Any, default: Any = None) -> Any:
        return self.hidden

    def __missing__(self, key: Any) -> Any:
        return self.hidden


def as_dict(value: Value) -> dict[str, Any]:
    if isinstance(value, Hidden):
        return AllHidden(value)
    return value if isinstance(value, dict) else {}


def hidden_text(value: Any) -> str:
    """What a hidden cell says: "hidden: fewer than 5 enterprises", or the
    differencing reason, which says "hidden" itself."""
    if isinstance(value, Hidden) and value.reason == "differencing":
        return value.label()
    return tables.hidden_text(value)


def told(value: Any, unit: str = "") -> str:
    """A figure written in a sentence: the number, or that it is hidden and why."""
    return hidden_text(value) if isinstance(value, Hidden) else format_value(value, unit)


def largest_first(found: Mapping[str, Any]) -> list[str]:
    """The keys by their figure, largest first; missing and hidden ones last."""
    return sorted(found, key=lambda key: (number(found[key]) is None, -(number(found[key]) or 0)))


def labelled(keys: Sequence[str], labels: Mapping[str, str]) -> list[str]:
    return [str(labels.get(key, key)) for key in keys]


def chart_section(
    slug: str,
    title: str,
    categories: Sequence[str],
    series: Sequence[Series],
    codes: Sequence[str],
    *,
    unit: str = "",
    horizontal: bool = False,
    max_value: float | None = None,
    note: str = "",
) -> Section:
    """A section whose table is the chart's own numbers."""
    chart = Chart(
        title=title,
        categories=list(categories),
        series=list(series),
        unit=unit,
        horizontal=horizontal,
        max_value=max_value,
        slug=slug,
        note=note,
    )
    table = table_of_chart(chart, codes)
    table.note = note
    table.explain = hidden_text
    return Section(slug=slug, title=title, table=table, chart=chart, codes=codes, note=note)


def table_section(table: Table, note: str = "") -> Section:
    table.note = note or table.note
    table.explain = hidden_text
    return Section(
        slug=table.slug, title=table.title, table=table, codes=table.codes, note=table.note
    )


def met(value: Any, target: float | None) -> bool:
    """Whether a figure reached its target (both known; a hidden figure is not)."""
    return number(value) is not None and target is not None and float(value) >= target
