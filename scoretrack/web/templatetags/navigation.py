"""`{% main_nav %}`: the navigation of base.html, per user (web/navigation.py)."""

from __future__ import annotations

from typing import Any

from django import template

from scoretrack.web.navigation import links_for

register = template.Library()


@register.inclusion_tag("nav.html", takes_context=True)
def main_nav(context: dict[str, Any]) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    if user is None or not user.is_authenticated:
        return {"links": []}
    return {"links": links_for(user, request.path if request else "")}
