"""Sections the enterprise and trainer pages include: journey, outcomes, visits."""

from __future__ import annotations

from typing import Any

from django import template

from scoretrack.reports import records

register = template.Library()


@register.inclusion_tag("reports/enterprise_journey.html", takes_context=True)
def enterprise_journey(context: dict[str, Any], enterprise: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "request": context["request"],
        "steps": records.journey(user, enterprise),
        "kpi_charts": records.kpi_charts(user, enterprise),
    }


@register.inclusion_tag("reports/trainer_work.html", takes_context=True)
def trainer_work(context: dict[str, Any], trainer: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "request": context["request"],
        "visits": records.trainer_visits(user, trainer),
        "assessments": records.trainer_assessments(user, trainer),
    }
