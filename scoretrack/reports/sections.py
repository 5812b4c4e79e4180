"""Sections both the programme report and the country profile show: the key figures
against their targets, union representation (the report's figure 3) and the sizes
of change of the firms' KPIs and savings."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.lib.charts import Series, number
from scoretrack.lib.tables import Table
from scoretrack.outcomes.models import Kpi
from scoretrack.reports.figures import (
    Figures,
    Section,
    as_dict,
    chart_section,
    labelled,
    met,
    table_section,
    told,
)

# The report's headline figures, most of them stated against a target
# ("89 NTAC meetings (target: 95)", "82% of trainings with medium or high independence").
KEY_FIGURES = (
    ("smes_trained", gettext_lazy("SMEs trained"), ""),
    ("workforce_represented", gettext_lazy("Workers in the SMEs trained"), ""),
    ("enrolments", gettext_lazy("Enrolments of SMEs in deliveries"), ""),
    ("smes_unionised_pct", gettext_lazy("SMEs trained that are unionised"), "%"),
    (
        "smes_collective_agreement_pct",
        gettext_lazy("SMEs trained covered by a collective agreement"),
        "%",
    ),
    ("deliveries", gettext_lazy("Deliveries"), ""),
    (
        "deliveries_independent_pct",
        gettext_lazy("Deliveries organised with medium or high independence"),
        "%",
    ),
    ("partners_active", gettext_lazy("Active partners"), ""),
    ("lead_buyers_sponsoring", gettext_lazy("Lead buyers sponsoring training"), ""),
    ("ntac_meetings", gettext_lazy("NTAC meetings"), ""),
    ("direct_costs_usd", gettext_lazy("Direct training costs (USD)"), ""),
)


def key_figures_section(fig: Figures) -> Section:
    """The headline figures of the period with their targets, met ones marked."""
    goals = fig.targets([code for code, _label, _unit in KEY_FIGURES])
    rows = [[str(label), fig.get(code), goals.get(code)] for code, label, _unit in KEY_FIGURES]
    table = Table(
        slug="key-figures",
        title=_("Key figures against targets"),
        header=[_("Figure"), fig.period_label(), _("Target")],
        rows=rows,
        codes=[code for code, _label, _unit in KEY_FIGURES],
        row_units={i: unit for i, (_code, _label, unit) in enumerate(KEY_FIGURES)},
        marked={(i, 1) for i, row in enumerate(rows) if met(row[1], row[2])},
    )
    return table_section(table, _("Figures at or above their target are marked."))


def union_section(fig: Figures, countries: dict[str, str]) -> Section:
    """Figure 3: union representation and collective agreements in the SMEs trained,
    per country, with the whole selection's shares in the table's last row."""
    unionised = as_dict(fig.get("smes_unionised_pct", by="country"))
    agreement = as_dict(fig.get("smes_collective_agreement_pct", by="country"))
    keys = [code for code in countries if code in unionised or code in agreement]
    section = chart_section(
        "figure-3-unions",
        _("Figure 3. Union representation and collective agreements in SMEs trained"),
        labelled(keys, countries),
        [
            Series(_("Unionised"), [unionised.get(key) for key in keys]),
            Series(_("Covered by a collective agreement"), [agreement.get(key) for key in keys]),
        ],
        ["smes_unionised_pct", "smes_collective_agreement_pct"],
        unit="%",
        horizontal=True,
        max_value=100,
    )
    if keys:
        total = [fig.get("smes_unionised_pct"), fig.get("smes_collective_agreement_pct")]
        section.table.rows.append([_("All countries"), *total])
    return section


CHANGE_CODES = [f"kpi_change_{which}_pct" for which in ("mean", "median", "min", "max")]
SAVING_CODES = [f"cost_savings_{which}_usd" for which in ("mean", "median", "min", "max")]


def changes_section(fig: Figures) -> Section:
    """Sizes of change per KPI among firms reporting six months or more: the share
    improving, the mean, median and range of the change, and reporting completeness;
    the cost savings per firm in the last row."""
    improved = as_dict(fig.get("kpi_improved_pct", by="kpi"))
    stats = [as_dict(fig.get(code, by="kpi")) for code in CHANGE_CODES]
    reporting = as_dict(fig.get("kpi_reporting_pct", by="kpi"))
    names = dict(Kpi.objects.visible_to(fig.user, purpose="aggregates").values_list("code", "name"))
    keys = sorted(set(improved) | set(stats[0]) | set(reporting), key=lambda k: names.get(k, k))
    rows: list[list[Any]] = [
        [
            names.get(key, key),
            improved.get(key),
            *[found.get(key) for found in stats],
            reporting.get(key),
        ]
        for key in keys
    ]
    savings = [fig.get(code) for code in SAVING_CODES]
    rows.append(
        [_("Cost savings per enterprise (USD)"), fig.get("smes_cost_savings_pct"), *savings, None]
    )
    table = Table(
        slug="sizes-of-change",
        title=_("Sizes of change among firms reporting six months or more"),
        header=[
            _("KPI"),
            _("Firms improving"),
            _("Mean change"),
            _("Median change"),
            _("Smallest change"),
            _("Largest change"),
            _("Reporting completeness"),
        ],
        rows=rows,
        # Changes read as "+30.5": one decimal, the sign of an improvement.
        units=["", "%", "", "", "", "", "%"],
        codes=[
            "kpi_improved_pct",
            *CHANGE_CODES,
            "kpi_reporting_pct",
            "smes_cost_savings_pct",
            *SAVING_CODES,
        ],
        row_units={len(rows) - 1: ""},
    )
    section = table_section(table, _changes_note(names, stats, savings))
    return section


def _changes_note(names: dict[str, str], stats: list[dict[str, Any]], savings: list[Any]) -> str:
    """The report's sentences: "Productivity: +30% on average, from 0.2% to 200%."."""
    sentences = [
        _(
            "Changes are in per cent of the first value, in the KPI's better direction"
            " (an improvement is positive)."
        )
    ]
    mean, _median, low, high = stats
    for key in sorted(mean, key=lambda k: names.get(k, k)):
        if number(mean.get(key)) is None:
            continue  # hidden or empty: the table says which and why
        if any(number(found.get(key)) is None for found in (low, high)):
            # the range withheld (one firm's value, for lead buyers and viewers)
            sentences.append(
                _("%(kpi)s: %(mean)s%% on average.")
                % {"kpi": names.get(key, key), "mean": told(mean.get(key))}
            )
            continue
        sentences.append(
            _("%(kpi)s: %(mean)s%% on average, from %(low)s%% to %(high)s%%.")
            % {
                "kpi": names.get(key, key),
                "mean": told(mean.get(key)),
                "low": told(low.get(key)),
                "high": told(high.get(key)),
            }
        )
    if number(savings[0]) is not None and any(number(v) is None for v in savings[2:]):
        sentences.append(
            _("Savings per enterprise: US$%(mean)s on average.") % {"mean": told(savings[0])}
        )
    elif all(number(value) is not None for value in savings):
        sentences.append(
            _("Savings per enterprise: US$%(mean)s on average, from US$%(low)s to US$%(high)s.")
            % {"mean": told(savings[0]), "low": told(savings[2]), "high": told(savings[3])}
        )
    return " ".join(sentences)
