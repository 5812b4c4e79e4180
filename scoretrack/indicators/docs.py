"""docs/INDICATORS.md, generated from the indicator registry.

Each indicator's code, name, definition (which states its numerator and
denominator), unit, disaggregations (`by`) and place filters come from its
declaration in `definitions/`, grouped as `definitions.GROUPS` orders them; the
prose around them is the contract's text (/shared/INDICATORS.md).
`scoretrack docs` writes the file, and a test fails when the committed file
differs from what this gives.
"""

from __future__ import annotations

from importlib import import_module

from scoretrack.indicators.definitions import GROUPS
from scoretrack.indicators.registry import Indicator, indicators

GENERATED = (
    "<!-- Generated from the indicator registry (scoretrack/indicators/registry.py and"
    " definitions/) by `scoretrack docs` (or `make docs`); do not edit by hand: a test fails"
    " when this file and the code differ. -->"
)
TITLE = "# The indicator registry"

INTRODUCTION = """\
Every figure the system shows is one of these, computed in the database from the
records, never typed in. Codes are stable (the API, exports, targets and the
workbook's `targets.indicator` use them). More can be added; none is computed
outside the registry. The same definitions are served at `/indicators/` and as
JSON at `/api/v1/indicators`.

## Filters every indicator takes
- place: `country` (ISO code; absent = whole programme), optionally `partner`
  (organiser of the delivery), `sector`, `lead_buyer` where it applies (each
  indicator lists the place filters it takes);
- time: `phase` (name), or `year`, or `from` / `to` dates; absent = all time.
  With `year`, `half` (1: January–June, 2: July–December) or `quarter` (1–4,
  calendar quarters) narrows it to that part of the year (not both; neither
  without `year`). A record falls in a period by its own date: a participation
  by its delivery's `start_date`, a milestone, cost, contribution, event or
  visit by its `date`, the period's first and last days included.
- lead buyers and viewers (who see figures but no record) ask for a fixed
  period only — a phase, a year, a half or a quarter — never `from` / `to`:
  two date ranges a day apart would single out the firms of that day. Each
  filter takes one value.
- `by`: one disaggregation the indicator lists (e.g. `module`, `sex`, `role`,
  `source`, `type`, `group`, `practice`, `kpi`, `country`, `year`).

Percentages are 0–100, unrounded; a share with an empty denominator is null.
"Share of women" is over records whose sex is `female` or `male`. Each
definition below names its numerator and denominator."""

DISCLOSURE = """\
## Disclosure control
Lead buyers and viewers see figures, never records, and no figure may tell them
about one firm or one person. For them, every figure marked *protected* below
(figures about SMEs, staff, trainers, workforce, practices, KPIs and improvement
plans, and the shares and sums built on them) is hidden when:

1. **few**: it rests on fewer than `DISCLOSURE_THRESHOLD` (default 5) enterprises
   — or trainers, for trainer figures — but more than none (an empty figure shows
   0);
2. **differencing**: a coarser figure they may ask (a period containing it —
   quarter, half, year, a phase, all time —, the same without one of its place
   filters, or the total of its breakdown) rests on 1 to 4 enterprises more than
   it, or on rows of 1 to 4 enterprises it does not hold: the difference of the
   two answers would describe them;
3. **differencing** (secondary): it is the smallest part still shown of a
   partition — the groups of a breakdown, the quarters or halves of a year, the
   years or phases of all time, the countries, partners or sectors under a place
   — whose parts hidden by rule 1 (with the rows no askable part holds) together
   rest on 1 to 4 enterprises: the total minus the parts shown would describe them.
4. **single**: it is one firm's own value, whatever the number of firms it is
   chosen among: the smallest and the largest of the sizes of change
   (`kpi_change_min_pct`, `kpi_change_max_pct`, `cost_savings_min_usd`,
   `cost_savings_max_usd`) are always hidden; their mean and median follow rules
   1 to 3 (over the threshold's firms or more, no one firm's value is told apart).

A figure is a *cell* (indicator, fixed period, place filters, group), and its
answer depends only on the records: a group of `by=country` and the `country=`
filter are the same cell and are shown or hidden together. Together with the
fixed periods and one value per filter (see above), no two answers a lead buyer
or a viewer may ask — nested periods, a filter against its total, a breakdown
against its total — differ by the contribution of fewer than the threshold's
enterprises or trainers. Figures about money, partners and awareness events are
not about firms or persons and are not protected. Roles that see records
(global admin, a country team for its country, a partner for its own) see every
figure.

A hidden value is `null` in the API, and `hidden` says why, per code (a hidden
total) or per code and group: `{"reason": "few" | "differencing", "who":
"enterprises" | "trainers", "label": "fewer than 5 enterprises"}`. Pages, PDFs
and downloads show a dash with the reason and a link to this rule.

The counts behind these decisions are the same however they are taken. For a
scope of the whole programme (viewers), all the records, a fixed period and no
partner, sector or lead-buyer filter, those of the practices, the KPI series and
changes and the SMEs trained (with ownership, union, agreement, workforce, team
members, participants' sex or ratings known) are read from sums kept across
enterprises as the records change; otherwise (a lead buyer's scope, approved data
only, a partner, sector or lead-buyer filter, the workforce by the enterprise's
country) they are counted from the records."""

API = """\
## The API of the registry
- `GET /api/v1/indicators` → `[{"code", "name", "definition", "unit", "by": [...]}]`
- `GET /api/v1/indicators/values?code=A&code=B&country=BO&phase=II` →
  `{"filters": {...}, "values": {"A": 53, "B": 92.45}, "hidden": {}, "targets": {}}`
  (`hidden`: see Disclosure control); with `&by=module`, each
  value is an object keyed by the disaggregation's values, e.g.
  `{"smes_trained": {"M1": 53, "M2": 11}}` — keys are the values the workbook
  uses (module, practice and KPI codes, country codes, organisation types, event
  groups, `female`/`male`, `manager`/`worker`, source codes, years). Where a
  target exists for a code and the filters, a separate `"targets": {"A": 70}`
  sits beside `values` (targets are set per phase or year, so a half or quarter
  has none). An unknown parameter, code, filter value or `by`, a parameter but
  `code` given twice, or `from` / `to` asked by a lead buyer or viewer, is a 400
  naming it, e.g. `{"error": "...", "detail": [{"field": "from", "message":
  "lead buyers and viewers ask for a fixed period (phase, year, half or quarter),
  not a date range"}]}`.
- `GET /api/v1/indicators/values?code=A&year=2016&half=2` → the figures of July to
  December 2016; `&quarter=3` instead: July to September.
- On the console: `scoretrack values --code A [--code B] [--country CC]
  [--phase P | --year Y [--half H | --quarter Q] | --from D --to D]
  [--user EMAIL] ... [--json]`; with `--user` the figures and the rules are that
  user's."""


def render() -> str:
    groups = _groups()
    parts = [GENERATED, TITLE, INTRODUCTION]
    for module, items in groups:
        title, _, summary = (import_module(module).__doc__ or "").strip().partition(":")
        summary = summary.strip().splitlines()[0] if summary.strip() else ""
        parts.append(f"## {title.strip()}")
        parts.append(summary[:1].upper() + summary[1:])
        parts.append(_table(items))
        parts += [_entry(item) for item in items]
    parts.append(DISCLOSURE)
    parts.append(API)
    return "\n\n".join(part for part in parts if part) + "\n"


def _groups() -> list[tuple[str, list[Indicator]]]:
    modules = [f"scoretrack.indicators.definitions.{group}" for group in GROUPS]
    grouped: dict[str, list[Indicator]] = {module: [] for module in modules}
    for item in indicators():
        grouped[item.compute.__module__].append(item)
    return list(grouped.items())


def _table(items: list[Indicator]) -> str:
    rows = ["| code | name | unit | by |", "|---|---|---|---|"]
    rows += [
        f"| [`{i.code}`](#{i.code}) | {i.name} | {i.unit} | {', '.join(i.by)} |" for i in items
    ]
    return "\n".join(rows)


def _protection(item: Indicator) -> str:
    population = item.protect
    if population is None:
        return "not protected (not about firms or persons)"
    grouped = ", ".join(f"`{name}`" for name in item.by if name in population.answering(name).keys)
    per = f"; per group of {grouped}" if grouped else ""
    return f"protected, counting {population.who}{per}"


def _entry(item: Indicator) -> str:
    places = ", ".join(f"`{name}`" for name in ("country", *sorted(item.places)))
    by = ", ".join(f"`{name}`" for name in item.by) or "none"
    return "\n".join(
        [
            f"### {item.code}",
            "",
            f"**{item.name}** ({item.unit}). {item.definition}",
            "",
            f"- by: {by}",
            f"- place filters: {places}",
            f"- disclosure: {_protection(item)}",
        ]
    )
