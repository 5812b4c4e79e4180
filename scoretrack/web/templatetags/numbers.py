"""`{{ amount|money:currency }}`, `{{ count|number }}`: figures in the page language's format."""

from __future__ import annotations

from typing import Any

from django import template

from scoretrack.lib.numbers import format_money, format_number

register = template.Library()


@register.filter
def money(value: Any, currency: str = "") -> str:
    """ "69,037,494.29 COP" (English), "69.037.494,29 COP" (Spanish); blank when no amount."""
    return format_money(value, str(currency or ""))


@register.filter
def number(value: Any, decimals: Any = None) -> str:
    """A count or measure grouped by thousands ("1,355"), with `decimals` if given."""
    return format_number(value, None if decimals in (None, "") else int(decimals))
