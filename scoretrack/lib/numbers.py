"""Numbers and amounts as a person reads them: the page language's separators.

Settings leave `USE_THOUSAND_SEPARATOR` off on purpose: with it on, every integer a
template prints is grouped, years and ids in links included ("?year=2,024"). Pages
format what people read through these helpers (and the `numbers` template filters);
downloads keep the raw values, which machines read.
"""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.utils.formats import number_format

# ISO 4217 currencies without minor units: their amounts show no decimals.
NO_MINOR_UNITS = frozenset(
    "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF".split()  # noqa: SIM905
)
NBSP = "\xa0"


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def format_number(value: Any, decimals: int | None = None) -> str:
    """The number grouped and with the decimal mark of the active language
    ("1,234.5" in English, "1.234,5" in Spanish); anything else as text."""
    if not is_number(value):
        return "" if value is None else str(value)
    if decimals is not None:  # rounded here: number_format cuts the extra digits off
        value = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN)
    return number_format(value, decimal_pos=decimals, use_l10n=True, force_grouping=True)


def currency_decimals(currency: str) -> int:
    return 0 if (currency or "").upper() in NO_MINOR_UNITS else 2


def format_amount(value: Any, currency: str) -> str:
    """The amount with as many decimals as the currency has (no code)."""
    return format_number(value, currency_decimals(currency))


def format_money(value: Any, currency: str) -> str:
    """ "69,037,494.29 COP": the amount, then its currency code (kept on one line)."""
    if not is_number(value):
        return ""
    return (
        f"{format_amount(value, currency)}{NBSP}{currency}"
        if currency
        else format_amount(value, "")
    )
