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
    """The other side of a two-way share ("47% workers / 53% managers"); the other
    side of a hidden share is hidden too."""
    from scoretrack.lib.charts import number

    return value if number(value) is None else 100 - value


@register.filter
def hidden_mark(value: Any, table: Any) -> str:
    """The footnote mark of a hidden value shown outside its table (the box's facts)."""
    return table.mark_of(value)


@register.simple_tag
def disclosure_url() -> str:
    """Where the rule that hides figures is explained, for the footnotes."""
    return f"{reverse('indicators:definitions')}#disclosure"


@register.filter
def figure(value: Any, unit: str = "") -> str:
    from scoretrack.lib.charts import format_value

    return format_value(value, unit)
