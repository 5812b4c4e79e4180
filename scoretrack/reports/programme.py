"""The programme report: the global report's tables and figures, and the factsheet's outcomes."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from scoretrack.lib.charts import Series, number
from scoretrack.lib.tables import Table
from scoretrack.outcomes.models import Kpi, Practice
from scoretrack.reference.models import OrganisationType
from scoretrack.reports.country import constituents_section
from scoretrack.reports.figures import (
    Figures,
    Section,
    as_dict,
    chart_section,
    labelled,
    largest_first,
    met,
    table_section,
)
from scoretrack.reports.sections import changes_section, key_figures_section, union_section


def partners_by_country(fig: Figures, countries: dict[str, str]) -> Section:
    """Table 1: active partners by type, per country, and for the whole programme.

    `partners_active` disaggregates one way at a time, so each country's column is
    its own by=type question (one query per country programme, a short list).
    """
    per_country = {
        code: as_dict(fig.get("partners_active", by="type", filters=fig.for_country(code)))
        for code in countries
    }
    totals = as_dict(fig.get("partners_active", by="type"))
    shown = [code for code in countries if per_country[code]]
    rows = [
        [
            str(OrganisationType(kind).label),
            *[per_country[code].get(kind, 0) for code in shown],
            totals[kind],
        ]
        for kind in OrganisationType.values
        if kind in totals
    ]
    country_totals = as_dict(fig.get("partners_active", by="country"))
    rows.append(
        [
            _("Total active partners"),
            *[country_totals.get(code, 0) for code in shown],
            fig.get("partners_active"),
        ]
    )
    table = Table(
        slug="table-1-partners",
        title=_("Table 1. Active implementation partners by type"),
        header=[_("Partner type"), *[countries[code] for code in shown], _("Programme")],
        rows=rows,
        codes=["partners_active"],
    )
    return table_section(table)


def recovery_table(fig: Figures, countries: dict[str, str]) -> Section:
    """Table 2: cost recovery per country (rows) and year (columns), the period, the target."""
    years = fig.years()
    per_year = {
        year: as_dict(fig.get("cost_recovery_pct", by="country", filters=fig.in_year(year)))
        for year in years
    }
    period = as_dict(fig.get("cost_recovery_pct", by="country"))
    goals = fig.country_targets("cost_recovery_pct")
    shown = [
        code
        for code in countries
        if code in period or any(code in found for found in per_year.values())
    ]
    rows, marked = [], set()
    for i, code in enumerate(shown):
        target = goals.get(code)
        row = [
            countries[code],
            *[per_year[year].get(code) for year in years],
            period.get(code),
            target,
        ]
        marked |= {(i, j) for j in range(1, len(years) + 2) if met(row[j], target)}
        rows.append(row)
    table = Table(
        slug="table-2-cost-recovery",
        # xgettext:no-python-format
        title=_("Table 2. Cost recovery as % of direct training costs"),
        header=[_("Country"), *[str(year) for year in years], fig.period_label(), _("Target")],
        rows=rows,
        units=["", *["%" for _y in years], "%", "%"],
        codes=["cost_recovery_pct"],
        marked=marked,
    )
    return table_section(table, _("Figures at or above the country's target are marked."))


def contributions_chart(fig: Figures, countries: dict[str, str]) -> Section:
    found = as_dict(fig.get("contributions_usd", by="country"))
    keys = [code for code in countries if code in found]
    return chart_section(
        "figure-4-contributions",
        _("Figure 4. Contributions by country (USD)"),
        labelled(keys, countries),
        [Series(_("USD"), [found[key] for key in keys])],
        ["contributions_usd"],
        horizontal=True,
    )


def per_phase_chart(
    fig: Figures, countries: dict[str, str], code: str, slug: str, title: str
) -> Section:
    """A figure of one count per country and phase (figures 6 and 8): a query per phase.

    Phases after the chosen period are left out, and so are phases with no records.
    """
    found = {
        phase.name: as_dict(fig.get(code, by="country", filters=fig.in_phase(phase)))
        for phase in fig.shown_phases()
    }
    found = {name: values for name, values in found.items() if values}
    keys = [key for key in countries if any(key in values for values in found.values())]
    return chart_section(
        slug,
        title,
        labelled(keys, countries),
        [
            Series(_("Phase %(phase)s") % {"phase": name}, [values.get(key, 0) for key in keys])
            for name, values in found.items()
        ],
        [code],
    )


def more_modules_chart(fig: Figures, countries: dict[str, str]) -> Section:
    found = as_dict(fig.get("smes_more_than_one_module_pct", by="country"))
    keys = [key for key in countries if key in found]
    target = fig.target("smes_more_than_one_module_pct")
    series = [Series(_("Took more than one module"), [found[key] for key in keys])]
    if target is not None:
        series.append(Series(_("Target"), [target for _key in keys]))
    return chart_section(
        "figure-7-more-than-one-module",
        _("Figure 7. SMEs taking more than one module, by country"),
        labelled(keys, countries),
        series,
        ["smes_more_than_one_module_pct"],
        unit="%",
        max_value=100,
    )


def practices_chart(fig: Figures) -> Section:
    before = as_dict(fig.get("practice_in_place_before_pct", by="practice"))
    new = as_dict(fig.get("practice_newly_implemented_pct", by="practice"))
    names = dict(
        Practice.objects.visible_to(fig.user, purpose="aggregates").values_list("code", "name")
    )
    # A hidden share counts as missing in the order, like an empty one.
    keys = sorted(
        set(before) | set(new),
        key=lambda key: -((number(before.get(key)) or 0) + (number(new.get(key)) or 0)),
    )
    return chart_section(
        "figure-13-practices",
        _("Figure 13. Management practices: in place before vs newly implemented"),
        labelled(keys, names),
        [
            Series(_("In place before training"), [before.get(key) for key in keys]),
            Series(_("Newly implemented"), [new.get(key) for key in keys]),
        ],
        ["practice_in_place_before_pct", "practice_newly_implemented_pct"],
        unit="%",
        horizontal=True,
        max_value=100,
    )


def kpi_chart(fig: Figures) -> Section:
    found = as_dict(fig.get("kpi_improved_pct", by="kpi"))
    names = dict(Kpi.objects.visible_to(fig.user, purpose="aggregates").values_list("code", "name"))
    keys = largest_first(found)
    return chart_section(
        "outcomes-kpi-improved",
        _("Share of enterprises reporting an improvement, per indicator"),
        labelled(keys, names),
        [Series(_("Enterprises improving"), [found[key] for key in keys])],
        ["kpi_improved_pct"],
        unit="%",
        horizontal=True,
        max_value=100,
    )


def outcome_table(fig: Figures) -> Section:
    rows = [
        [_("Jobs created (net change in employment)"), fig.get("jobs_created")],
        [
            _("Enterprises with an initiative recording cost savings"),
            fig.get("smes_cost_savings_pct"),
        ],
        [
            _("Gender-related initiatives per improvement plan"),
            fig.get("gender_initiatives_per_plan"),
        ],
    ]
    table = Table(
        slug="outcomes",
        title=_("Outcomes"),
        header=[_("Figure"), _("Value")],
        rows=rows,
        codes=["jobs_created", "smes_cost_savings_pct", "gender_initiatives_per_plan"],
        row_units={1: "%"},
    )
    return table_section(table)


def heaviest(fig: Figures) -> list[tuple[str, str | None, Any]]:
    """The report's costliest figures (measured at 100,000 enterprises), slowest
    first, exactly as its sections ask them: computed side by side beforehand.
    Only one practice figure: the other reads the same shared count."""
    phases = fig.shown_phases()
    return [
        ("practice_in_place_before_pct", "practice", None),
        ("kpi_improved_pct", "kpi", None),
        ("kpi_change_mean_pct", "kpi", None),
        ("kpi_reporting_pct", "kpi", None),
        ("cost_savings_mean_usd", None, None),
        ("smes_more_than_one_module_pct", "country", None),
        ("smes_cost_savings_pct", None, None),
        ("jobs_created", None, None),
        ("gender_initiatives_per_plan", None, None),
        *[("smes_trained", "country", fig.in_phase(phase)) for phase in phases],
        *[("trainers_trained", "country", fig.in_phase(phase)) for phase in phases],
        *[("cost_recovery_pct", "country", fig.in_year(year)) for year in fig.years()],
        ("cost_recovery_pct", "country", None),
        ("constituents_trained", "group", None),
        ("constituents_trained_women_pct", "group", None),
        ("contributions_usd", "country", None),
        ("constituents_trained", None, None),
        ("constituents_trained_women_pct", None, None),
        ("constituents_trained", "sex", None),
    ]


def programme_report(fig: Figures) -> list[Section]:
    countries = fig.country_names()
    fig.prefetch(heaviest(fig))
    return [
        key_figures_section(fig),
        partners_by_country(fig, countries),
        recovery_table(fig, countries),
        contributions_chart(fig, countries),
        union_section(fig, countries),
        per_phase_chart(
            fig,
            countries,
            "smes_trained",
            "figure-6-smes",
            _("Figure 6. SMEs trained per country and phase"),
        ),
        more_modules_chart(fig, countries),
        per_phase_chart(
            fig,
            countries,
            "trainers_trained",
            "figure-8-trainers",
            _("Figure 8. Trainers trained per country and phase"),
        ),
        constituents_section(fig, _("Figure 9. Tripartite constituents trained, by group")),
        practices_chart(fig),
        kpi_chart(fig),
        changes_section(fig),
        outcome_table(fig),
    ]
