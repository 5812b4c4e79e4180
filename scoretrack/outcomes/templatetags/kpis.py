"""The KPI section of the enterprise page: `{% enterprise_kpis enterprise as kpis %}`."""

from __future__ import annotations

from typing import Any

from django import template
from django.db.models import OuterRef, Subquery
from django.urls import reverse

from scoretrack.lib.hooks import may_write
from scoretrack.outcomes.kpi_forms import readable
from scoretrack.outcomes.models import Kpi, KpiObservation, KpiSelection

register = template.Library()


@register.filter
def kpi_number(value: Any) -> str:
    """A KPI's number in the page language, without trailing zeros."""
    return readable(value)


def reached(selection: Any) -> bool | None:
    """Has the latest value reached the target, in the KPI's better direction?"""
    latest, target = selection.latest_value, selection.target
    if latest is None or target is None:
        return None
    if selection.kpi.better == Kpi.Better.LOWER:
        return latest <= target
    return latest >= target


@register.simple_tag(takes_context=True)
def enterprise_kpis(context: dict[str, Any], enterprise: Any) -> dict[str, Any]:
    """The enterprise's selected KPIs with their latest value, and the links its
    user may follow (select KPIs, enter this month's values)."""
    user = context["request"].user
    latest = (
        KpiObservation.objects.visible_to(user)
        .filter(enterprise=OuterRef("enterprise"), kpi=OuterRef("kpi"))
        .order_by("-month")
    )
    selections = (
        KpiSelection.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("kpi")
        .annotate(
            latest_value=Subquery(latest.values("value")[:1]),
            latest_month=Subquery(latest.values("month")[:1]),
        )
    )
    can_select = may_write(user, KpiSelection(enterprise=enterprise))
    can_enter = may_write(user, KpiObservation(enterprise=enterprise))
    grid = reverse("kpis:grid", args=[enterprise.pk])
    return {
        "rows": [{"selection": s, "reached": reached(s)} for s in selections],
        "select_url": reverse("kpis:select", args=[enterprise.pk]) if can_select else "",
        "enter_url": grid if can_enter else "",
    }
