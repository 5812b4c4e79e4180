"""`{{ module|localized }}`: a catalogue record's name in the page language."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def localized(record: Any) -> str:
    """The name from name_translations (modules, practices, KPIs), else the record as text."""
    if record is None:
        return ""
    localized_name = getattr(record, "localized_name", None)
    return localized_name() if callable(localized_name) else str(record)
