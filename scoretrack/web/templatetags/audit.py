from __future__ import annotations

from typing import Any

from django import template

from scoretrack.web.audit import Change, changes_of

register = template.Library()


@register.inclusion_tag("web/history.html", takes_context=True)
def record_history(context: Any, record: Any) -> dict[str, list[Change]]:
    """The record's change history (who changed what and when), for its detail page,
    in the page language; linked records named as the page's user may see them."""
    request = context.get("request")
    return {"changes": changes_of(record, user=getattr(request, "user", None))}
