from __future__ import annotations

from typing import Any

from django import template

from scoretrack.web.audit import Change, changes_of

register = template.Library()


@register.inclusion_tag("web/history.html")
def record_history(record: Any) -> dict[str, list[Change]]:
    """The record's change history (who changed what and when), for its detail page."""
    return {"changes": changes_of(record)}
