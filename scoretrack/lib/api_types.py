"""The JSON types an API body's values must have, refused with a message that
says what to write.

pydantic's lax mode takes `0` as 1970-01-01 or as false, `"12"` as 12 and
`"1577836800"` as a date: a client's slip stored as data. These types take a
date only as ISO text, a boolean only as true/false, a whole number only as a
JSON number (12.0 too: JSON has one number type). Decimals keep pydantic's
Decimal: a JSON number or decimal text, never a boolean.

For bodies only: a query string is all text, and its parameters keep the lax
types.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from scoretrack.lib.dates import parse_date, parse_month
from scoretrack.lib.storable import cannot_be_stored, unstorable

NOT_A_DATE = "not a date: write it as text YYYY-MM-DD"
NOT_A_MONTH = "not a month: write it as text YYYY-MM"
NOT_A_BOOLEAN = "not a boolean: write true or false"
NOT_A_WHOLE_NUMBER = "not a whole number: write a JSON number"


def _refuse(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _date(value: Any) -> Any:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value  # a default, or a value already parsed
    if not isinstance(value, str):
        raise _refuse("date_type", NOT_A_DATE)
    try:
        return parse_date(value)
    except ValueError as exc:
        raise _refuse("date_value", str(exc)) from None


def _month(value: Any) -> Any:
    if not isinstance(value, str):
        raise _refuse("month_type", NOT_A_MONTH)
    try:
        parse_month(value)
    except ValueError as exc:
        raise _refuse("month_value", str(exc)) from None
    return value


def _bool(value: Any) -> Any:
    if not isinstance(value, bool):
        raise _refuse("bool_type", NOT_A_BOOLEAN)
    return value


def _int(value: Any) -> Any:
    if isinstance(value, bool):
        raise _refuse("int_type", NOT_A_WHOLE_NUMBER)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, int):
        raise _refuse("int_type", NOT_A_WHOLE_NUMBER)
    return value


JsonDate = Annotated[dt.date, BeforeValidator(_date)]
JsonMonth = Annotated[
    str, BeforeValidator(_month), Field(pattern=r"^\d{4}-\d{2}$", examples=["2024-01"])
]
JsonBool = Annotated[bool, BeforeValidator(_bool)]
JsonInt = Annotated[int, BeforeValidator(_int)]


def _text(value: str) -> str:
    character = unstorable(value)
    if character is not None:
        raise _refuse("text_unstorable", cannot_be_stored(character))
    return value


# Text a database can store: no NUL, no other C0 control character but tab and
# line breaks, no unpaired surrogate (lib/storable.py).
JsonText = Annotated[str, AfterValidator(_text)]
