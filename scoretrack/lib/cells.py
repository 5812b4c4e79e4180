"""Cells of the workbook exchange format: cell types, columns and sheets.

Generic machinery, knowing no app: each app declares its sheets' columns with
these (in its `kinds.py`), and the exchange app reads, writes and documents the
format from those declarations (scoretrack/exchange/schema.py).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext

from scoretrack.lib.dates import NOT_A_MONTH, parse_date, parse_month, plausible
from scoretrack.lib.models import Sex

LIST_SEPARATOR = ";"
# A spreadsheet runs a cell starting with one of these as a formula (CSV injection);
# the exporter prefixes such text with an apostrophe, the importer strips one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"
# Text no database column takes the same way: PostgreSQL refuses NUL, and the C0
# controls but tab, line feed and carriage return (and U+FFFE, U+FFFF) cannot be
# written in an xlsx's XML (the export drops them, openpyxl's ILLEGAL_CHARACTERS_RE);
# a lone surrogate (JSON's "\ud800") is no text at all. Refused on import, so that
# what is stored can be exported and imported again.
UNSTORABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class CellError(ValueError):
    """A cell's value is not acceptable; the message says why."""


# --- cell types ------------------------------------------------------------------------


@dataclass(frozen=True)
class CellType:
    """How one column's cells are read (`parse`) and written (`format`)."""

    name: str
    parse: Callable[[Any], Any]
    format: Callable[[Any], Any]
    allowed: str  # the README sheet's "allowed values" text
    choices: tuple[str, ...] = ()


def unstorable(text: str) -> str | None:
    """Why the text cannot be stored, or None when it can."""
    found = UNSTORABLE.search(text)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    if 0xD800 <= ord(found.group()) <= 0xDFFF:
        return f"holds {code}, half of a surrogate pair, which is not text"
    kind = "the control character" if found.group() < " " else "the character"
    return f"holds {kind} {code}, which cannot be stored"


def visible(text: str) -> str:
    """The text with its unstorable characters shown as symbols (U+0000 as ␀), to be
    quoted in a message that is itself stored (an import's report)."""
    return UNSTORABLE.sub(
        lambda m: chr(0x2400 + ord(m.group())) if m.group() < " " else "\ufffd", text
    )


def _as_text(raw: Any) -> str:
    """Any cell as text: spreadsheets turn keys like 0042 or 12 into numbers.

    Text a database cannot store is refused here, whatever the column's type."""
    if type(raw) is str:  # a CSV's every cell: the common case first
        if UNSTORABLE.search(raw) is None:
            return raw.strip()
        raise CellError(unstorable(raw))
    if isinstance(raw, bool):
        return "yes" if raw else "no"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat() if raw.time() == dt.time() else raw.isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    text = str(raw)
    if (why := unstorable(text)) is not None:
        raise CellError(why)
    return text.strip()


def unescape(text: str) -> str:
    return text[1:] if text.startswith(ESCAPE) else text


def escape(text: str) -> str:
    return ESCAPE + text if text.startswith((*FORMULA_TRIGGERS, ESCAPE)) else text


def text_type(max_length: int) -> CellType:
    def parse(raw: Any) -> str:
        value = _as_text(raw)
        if len(value) > max_length:
            raise CellError(gettext("longer than %(max)s characters") % {"max": max_length})
        return value

    return CellType("text", parse, lambda value: value or "", f"text, at most {max_length}")


def _parse_date(raw: Any) -> dt.date:
    try:
        if isinstance(raw, dt.date):  # a spreadsheet's date cell
            return plausible(raw.date() if isinstance(raw, dt.datetime) else raw)
        return parse_date(_as_text(raw))
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _format_date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


DATE = CellType("date", _parse_date, _format_date, "date YYYY-MM-DD")


def _parse_month(raw: Any) -> dt.date:
    try:
        if isinstance(raw, dt.date):  # a spreadsheet's date cell: the first of a month
            day = raw.date() if isinstance(raw, dt.datetime) else raw
            if day.day != 1:
                raise ValueError(NOT_A_MONTH)
            return plausible(day)
        return parse_month(_as_text(raw))
    except ValueError as exc:
        raise CellError(str(exc)) from None


MONTH = CellType(
    "month", _parse_month, lambda value: f"{value:%Y-%m}" if value else "", "month YYYY-MM"
)


def _parse_bool(raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    text = _as_text(raw).lower()
    if text not in ("yes", "no"):
        raise CellError(gettext("not yes or no"))
    return text == "yes"


def _format_bool(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


BOOL = CellType("bool", _parse_bool, _format_bool, "yes, no", choices=("yes", "no"))


def enum_type(codes: list[str]) -> CellType:
    def parse(raw: Any) -> str:
        value = _as_text(raw)
        if value not in codes:
            raise CellError(gettext("not one of %(codes)s") % {"codes": ", ".join(codes)})
        return value

    return CellType("enum", parse, lambda value: value or "", ", ".join(codes), tuple(codes))


SEX = enum_type(Sex.codes())


def int_type(minimum: int = 0, maximum: int = 2_147_483_647) -> CellType:
    def parse(raw: Any) -> int:
        try:
            number = Decimal(_as_text(raw))
        except InvalidOperation:
            raise CellError(gettext("not a whole number")) from None
        if not number.is_finite() or number != number.to_integral_value():
            raise CellError(gettext("not a whole number"))
        if not minimum <= number <= maximum:
            raise CellError(
                gettext("not between %(minimum)s and %(maximum)s")
                % {"minimum": minimum, "maximum": maximum}
            )
        return int(number)

    return CellType(
        "int", parse, lambda value: "" if value is None else value, f"{minimum} to {maximum}"
    )


def decimal_type(digits: int, places: int, minimum: Decimal | None = None) -> CellType:
    def parse(raw: Any) -> Decimal:
        text = repr(raw) if isinstance(raw, float) else _as_text(raw)
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise CellError(gettext("not a number")) from None
        if not number.is_finite():
            raise CellError(gettext("not a number"))
        if minimum is not None and number < minimum:
            raise CellError(gettext("less than %(minimum)s") % {"minimum": minimum})
        # Checked before rounding too: quantizing 1e100 overflows the decimal context.
        too_large = CellError(
            gettext("too large: at most %(digits)s digits before the point")
            % {"digits": digits - places}
        )
        if number.adjusted() >= digits - places:
            raise too_large
        number = number.quantize(Decimal(1).scaleb(-places)) if places else number
        if number.adjusted() >= digits - places:
            raise too_large
        return number

    def format_(value: Decimal | None) -> Any:
        if value is None:
            return ""
        # Trailing zeros are noise; a whole number stays whole.
        text = f"{value.normalize():f}"
        return Decimal(text)

    floor = "" if minimum is None else f", at least {minimum}"
    return CellType("decimal", parse, format_, f"number, {places} decimals at most{floor}")


MONEY = decimal_type(16, 2, Decimal(0))

_CURRENCY = re.compile(r"^[A-Z]{3}$")


def _parse_currency(raw: Any) -> str:
    value = _as_text(raw).upper()
    if not _CURRENCY.match(value):
        raise CellError("not an ISO 4217 currency code (three letters)")
    return value


CURRENCY = CellType(
    "currency", _parse_currency, lambda value: value or "", "ISO 4217 code, e.g. USD"
)

_COUNTRY = re.compile(r"^[A-Z]{2}$")


def _parse_country_code(raw: Any) -> str:
    value = _as_text(raw).upper()
    if not _COUNTRY.match(value):
        raise CellError("not an ISO 3166 alpha-2 code (two letters)")
    return value


COUNTRY_CODE = CellType(
    "code", _parse_country_code, lambda value: value or "", "ISO 3166 alpha-2, e.g. CO"
)


def ref_type(target: str, max_length: int = 100) -> CellType:
    text = text_type(max_length)
    return CellType(
        "reference", text.parse, text.format, f"the {target}'s {REF_LABELS.get(target, 'key')}"
    )


def list_type(target: str) -> CellType:
    def parse(raw: Any) -> list[str]:
        parts = [part.strip() for part in _as_text(raw).split(LIST_SEPARATOR)]
        return list(dict.fromkeys(part for part in parts if part))

    return CellType(
        "list",
        parse,
        lambda values: LIST_SEPARATOR.join(values or []),
        f"{target} keys separated by {LIST_SEPARATOR}",
    )


REF_LABELS = {
    "country": "code",
    "module": "code",
    "practice": "code",
    "kpi": "code",
    "phase": "name",
}


# --- sheets ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    name: str
    type: CellType
    required: bool = False
    ref: str | None = None  # the kind of record a reference column points to
    help: str = ""


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple[Column, ...]
    identity: tuple[str, ...] | None  # None: matched by content
    help: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def col(name: str, kind: CellType, required: bool = False, help: str = "") -> Column:
    return Column(name, kind, required, help=help)


def ref(name: str, target: str | None = None, required: bool = False, help: str = "") -> Column:
    target = target or name
    return Column(name, ref_type(target), required, ref=target, help=help)


KEY = col("key", text_type(100), True, "your own identifier, unique per country programme")
NAME = col("name", text_type(200), True)
COUNTRY = ref("country", required=True)
