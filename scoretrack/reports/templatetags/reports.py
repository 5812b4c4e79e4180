"""Template helpers of the report pages: links to definitions and downloads."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def definition_url(code: str) -> str:
    """Where an indicator's definition is, for the link beside each figure."""
    return f"{reverse('indicators:definitions')}#{code}"


@register.simple_tag(takes_context=True)
def download_url(context: dict[str, Any], fmt: str, table: str = "") -> str:
    """This page's address with its filters, asking for a download instead."""
    query = context["request"].GET.copy()
    query["format"] = fmt
    if table:
        query["table"] = table
    else:
        query.pop("table", None)
    return "?" + query.urlencode()


@register.filter
def complement(value: Any) -> Any:
    """The other side of a two-way share ("47% workers / 53% managers")."""
    return None if value is None else 100 - value


@register.filter
def figure(value: Any, unit: str = "") -> str:
    from scoretrack.lib.charts import format_value

    return format_value(value, unit)
