"""Listings of one enterprise's or one trainer's own records, for their detail pages.

These are records, not programme figures: plain queries through `visible_to`. (The
practices before and after are the assessments section's, outcomes/templatetags.)
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from scoretrack.lib.charts import Chart, Series
from scoretrack.outcomes.models import Assessment, KpiObservation
from scoretrack.training.models import ConsultingVisit, Enrolment


@dataclass(frozen=True)
class Step:
    date: dt.date | None
    kind: str
    what: str
    url: str = ""


def journey(user: Any, enterprise: Any) -> list[Step]:
    """Enrolments, consulting visits and assessments of the enterprise, oldest first."""
    steps = [
        Step(
            e.delivery.start_date,
            _("Module"),
            f"{e.delivery.module} — {e.delivery.key} ({e.get_status_display()})",
            reverse("training:delivery-detail", args=[e.delivery_id]),
        )
        for e in Enrolment.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("delivery__module")
    ]
    steps += [
        Step(v.date, _("Consulting visit"), f"{v.trainer}" + (f", {v.hours} h" if v.hours else ""))
        for v in ConsultingVisit.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("trainer")
    ]
    steps += [
        Step(
            a.date,
            _("Assessment"),
            f"{a.get_kind_display()}" + (f", {a.assessor}" if a.assessor else ""),
        )
        for a in Assessment.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("assessor")
    ]
    return sorted(steps, key=lambda step: step.date or dt.date.min)


def kpi_charts(user: Any, enterprise: Any) -> list[Chart]:
    """One line chart per KPI the enterprise reports, its first value as the baseline."""
    rows = (
        KpiObservation.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("kpi")
        .order_by("kpi__code", "month")
    )
    series: dict[str, list[KpiObservation]] = {}
    for row in rows:
        series.setdefault(row.kpi.code, []).append(row)
    charts = []
    for code, observations in series.items():
        kpi = observations[0].kpi
        values = [float(o.value) for o in observations]
        better = _("higher is better") if kpi.better == "higher" else _("lower is better")
        charts.append(
            Chart(
                title=f"{kpi}: {better}",
                categories=[o.month.strftime("%Y-%m") for o in observations],
                series=[Series(kpi.name, values)],
                line=True,
                baseline=values[0],
                slug=f"kpi-{code}",
                baseline_label=_("Baseline"),
            )
        )
    return charts


def trainer_visits(user: Any, trainer: Any) -> list[ConsultingVisit]:
    return list(
        ConsultingVisit.objects.visible_to(user)
        .filter(trainer=trainer)
        .select_related("enterprise", "delivery")
        .order_by("-date")
    )


def trainer_assessments(user: Any, trainer: Any) -> list[Assessment]:
    return list(
        Assessment.objects.visible_to(user)
        .filter(assessor=trainer)
        .select_related("enterprise")
        .order_by("-date")
    )
