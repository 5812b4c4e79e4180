"""The country profile: the report's country page, for any country and period."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from scoretrack.events.models import EventParticipationGroup
from scoretrack.finance.models import ContributionSource
from scoretrack.lib.charts import Series
from scoretrack.lib.tables import Table
from scoretrack.reference.models import OrganisationType
from scoretrack.reports.figures import (
    Fact,
    Figures,
    Section,
    as_dict,
    chart_section,
    labelled,
    largest_first,
    met,
    table_section,
    told,
)
from scoretrack.reports.sections import changes_section, key_figures_section

# Table 3 of the report: the gender indicators, one column per phase.
GENDER_CODES = (
    ("trainers_trained_women_pct", "Percentage of trainers trained (female)"),
    ("trainers_certified_women_pct", "Percentage of certified trainers (female)"),
    ("smes_women_owned_pct", "Percentage of female-owned enterprises trained"),
    ("staff_trained_women_pct", "Percentage of female enterprise staff trained"),
    ("eit_mixed_pct", "Percentage of enterprise improvement teams with women and men"),
)


@dataclass
class CountryProfile:
    facts: list[Fact]
    sections: list[Section]


def activity_box(fig: Figures) -> list[Fact]:
    """The "training activities" box of the report's country pages."""
    workers = fig.get("staff_trained_workers_pct")
    women = fig.get("staff_trained_women_pct")
    # The complements read "/ 53% managers", "/ 66% men": the same share, from the other side.
    return [
        Fact(_("SMEs trained"), fig.get("smes_trained"), "", "smes_trained"),
        Fact(
            _("women-owned enterprises"),
            fig.get("smes_women_owned_pct"),
            "%",
            "smes_women_owned_pct",
        ),
        Fact(
            _("took more than one module"),
            fig.get("smes_more_than_one_module_pct"),
            "%",
            "smes_more_than_one_module_pct",
        ),
        Fact(_("Staff trained in the classroom"), fig.get("staff_trained"), "", "staff_trained"),
        Fact(_("workers"), workers, "%", "staff_trained_workers_pct", extra=_("managers")),
        Fact(_("women"), women, "%", "staff_trained_women_pct", extra=_("men")),
        Fact(_("Trainers trained"), fig.get("trainers_trained"), "", "trainers_trained"),
        Fact(
            _("of trainers trained are women"),
            fig.get("trainers_trained_women_pct"),
            "%",
            "trainers_trained_women_pct",
        ),
        Fact(_("Certified trainers"), fig.get("trainers_certified"), "", "trainers_certified"),
        Fact(
            _("of certified trainers are women"),
            fig.get("trainers_certified_women_pct"),
            "%",
            "trainers_certified_women_pct",
        ),
        Fact(
            _("Satisfaction rate"), fig.get("satisfaction_good_pct"), "%", "satisfaction_good_pct"
        ),
    ]


def box_section(facts: list[Fact]) -> Section:
    table = Table(
        slug="activities",
        title=_("Training activities"),
        header=[_("Figure"), _("Value"), _("Indicator")],
        rows=[[fact.label, fact.value, fact.code] for fact in facts],
        codes=[fact.code for fact in facts],
        row_units={i: fact.unit for i, fact in enumerate(facts)},
    )
    return table_section(table)


def modules_section(fig: Figures) -> Section:
    """SMEs per module in the period beside all time; one series when the period is all time."""
    now = as_dict(fig.get("smes_trained", by="module"))
    if fig.is_all_time():
        keys = sorted(now)
        series = [Series(fig.period_label(), [now.get(key, 0) for key in keys])]
    else:
        ever = as_dict(fig.get("smes_trained", by="module", filters=fig.all_time()))
        keys = sorted(set(now) | set(ever))
        series = [
            Series(fig.period_label(), [now.get(key, 0) for key in keys]),
            Series(_("All time"), [ever.get(key, 0) for key in keys]),
        ]
    return chart_section(
        "smes-per-module", _("SMEs trained per module"), keys, series, ["smes_trained"]
    )


def recovery_section(fig: Figures) -> Section:
    """Cost recovery per year of the period, with the period's target (table 2's row)."""
    by_year = as_dict(fig.get("cost_recovery_pct", by="year"))
    costs = as_dict(fig.get("direct_costs_usd", by="year"))
    money = as_dict(fig.get("contributions_usd", by="year"))
    target = fig.target("cost_recovery_pct")
    years = sorted(set(by_year) | set(costs) | set(money))
    rows = [[year, costs.get(year), money.get(year), by_year.get(year), target] for year in years]
    rows.append(
        [
            _("Whole period"),
            fig.get("direct_costs_usd"),
            fig.get("contributions_usd"),
            fig.get("cost_recovery_pct"),
            target,
        ]
    )
    table = Table(
        slug="cost-recovery",
        title=_("Cost recovery by year against the target"),
        header=[
            _("Year"),
            _("Direct costs (USD)"),
            _("Contributions (USD)"),
            _("Cost recovery"),
            _("Target"),
        ],
        rows=rows,
        units=["", "", "", "%", "%"],
        codes=["cost_recovery_pct", "direct_costs_usd", "contributions_usd"],
        marked={(i, 3) for i, row in enumerate(rows) if met(row[3], target)},
    )
    section = table_section(table, _("Years at or above the target are marked."))
    series = [Series(_("Cost recovery"), [by_year.get(year) for year in years])]
    if target is not None:
        series.append(Series(_("Target"), [target for _year in years]))
    section.chart = chart_section(
        "cost-recovery", table.title, years, series, table.codes, unit="%"
    ).chart
    return section


def contributions_section(fig: Figures) -> Section:
    found = as_dict(fig.get("contributions_usd", by="source"))
    keys = largest_first(found)
    return chart_section(
        "contributions-by-source",
        _("Contributions by source (USD)"),
        labelled(keys, dict(ContributionSource.choices)),
        [Series(_("USD"), [found[key] for key in keys])],
        ["contributions_usd"],
        horizontal=True,
    )


def partners_section(fig: Figures) -> Section:
    found = as_dict(fig.get("partners_active", by="type"))
    keys = largest_first(found)
    return chart_section(
        "partners-by-type",
        _("Active partners by type"),
        labelled(keys, dict(OrganisationType.choices)),
        [Series(_("Partners"), [found[key] for key in keys])],
        ["partners_active"],
        horizontal=True,
    )


def pipeline_section(fig: Figures) -> Section:
    steps = [
        ("trainers_trained", _("Trained")),
        ("trainers_certified", _("Certified")),
        ("trainers_expert", _("Expert")),
    ]
    found = {code: as_dict(fig.get(code, by="sex")) for code, _label in steps}
    return chart_section(
        "trainer-pipeline",
        _("Trainer pipeline: trained, certified, expert"),
        [label for _code, label in steps],
        [
            Series(_("Women"), [found[code].get("female", 0) for code, _label in steps]),
            Series(_("Men"), [found[code].get("male", 0) for code, _label in steps]),
        ],
        [code for code, _label in steps],
    )


def gender_section(fig: Figures) -> Section:
    """Table 3: the gender indicators, one column per phase up to the chosen period."""
    columns = [(phase.name, fig.in_phase(phase)) for phase in fig.shown_phases()]
    rows = [
        [_(label), *[fig.get(code, filters=filters) for _name, filters in columns]]
        for code, label in GENDER_CODES
    ]
    rows.append(
        [
            _("Gender-related initiatives per improvement plan"),
            *[
                fig.get("gender_initiatives_per_plan", filters=filters)
                for _name, filters in columns
            ],
        ]
    )
    table = Table(
        slug="gender",
        title=_("Gender indicators by phase"),
        header=[
            _("Gender indicator"),
            *[_("Phase %(phase)s") % {"phase": name} for name, _f in columns],
        ],
        rows=rows,
        units=["", *["%" for _c in columns]],
        codes=[*[code for code, _label in GENDER_CODES], "gender_initiatives_per_plan"],
    )
    # The last row is a mean, not a percentage: its cells carry no % sign.
    table.row_units[len(rows) - 1] = ""
    return table_section(table)


def constituents_section(fig: Figures, title: str | None = None) -> Section:
    count = as_dict(fig.get("constituents_trained", by="group"))
    women = as_dict(fig.get("constituents_trained_women_pct", by="group"))
    keys = [key for key in EventParticipationGroup.values if key in count]
    section = chart_section(
        "constituents",
        title or _("Constituents trained by group and sex"),
        labelled(keys, dict(EventParticipationGroup.choices)),
        [Series(_("Participants"), [count[key] for key in keys])],
        ["constituents_trained", "constituents_trained_women_pct"],
    )
    section.table.header = [_("Group"), _("Participants"), _("Women")]
    section.table.units = ["", "", "%"]
    for row, key in zip(section.table.rows, keys, strict=True):
        row.append(women.get(key))
    if keys:
        total = [fig.get("constituents_trained"), fig.get("constituents_trained_women_pct")]
        section.table.rows.append([_("All groups"), *total])
        by_sex = as_dict(fig.get("constituents_trained", by="sex"))
        section.note = section.table.note = _("Women: %(women)s, men: %(men)s.") % {
            "women": told(by_sex.get("female", 0)),
            "men": told(by_sex.get("male", 0)),
        }
    return section


def heaviest(fig: Figures) -> list[tuple[str, str | None, Any]]:
    """The profile's costliest figures (measured at 100,000 enterprises), slowest
    first, exactly as its sections ask them: computed side by side beforehand."""
    phases = [fig.in_phase(phase) for phase in fig.shown_phases()]
    return [
        *[("eit_mixed_pct", None, filters) for filters in phases],
        *[("gender_initiatives_per_plan", None, filters) for filters in phases],
        ("smes_more_than_one_module_pct", None, None),
        *([] if fig.is_all_time() else [("smes_trained", "module", fig.all_time())]),
        ("smes_trained", "module", None),
        *[("smes_women_owned_pct", None, filters) for filters in phases],
        ("smes_women_owned_pct", None, None),
        *[("staff_trained_women_pct", None, filters) for filters in phases],
        ("kpi_improved_pct", "kpi", None),
        ("kpi_change_mean_pct", "kpi", None),
        ("kpi_reporting_pct", "kpi", None),
    ]


def country_profile(fig: Figures) -> CountryProfile:
    # Figure 13 is the programme report's; imported here, as programme imports this module.
    from scoretrack.reports.programme import kpi_chart, outcome_table, practices_chart

    fig.prefetch(heaviest(fig))
    facts = activity_box(fig)
    sections = [
        box_section(facts),
        key_figures_section(fig),
        modules_section(fig),
        recovery_section(fig),
        contributions_section(fig),
        partners_section(fig),
        pipeline_section(fig),
        gender_section(fig),
        constituents_section(fig),
        practices_chart(fig),
        kpi_chart(fig),
        changes_section(fig),
        outcome_table(fig),
    ]
    return CountryProfile(facts=facts, sections=sections)
