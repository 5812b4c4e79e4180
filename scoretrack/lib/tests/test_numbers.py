"""Numbers and amounts in the page language's format, worked out by hand per language."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from scoretrack.lib.charts import format_value
from scoretrack.lib.numbers import format_money, format_number

AMOUNT = Decimal("69037494.29")


@pytest.mark.parametrize(
    ("language", "money", "count", "share"),
    [
        ("en", "69,037,494.29\xa0COP", "1,355", "2.5"),
        ("es", "69.037.494,29\xa0COP", "1.355", "2,5"),
        ("fr", "69\xa0037\xa0494,29\xa0COP", "1\xa0355", "2,5"),
        ("id", "69.037.494,29\xa0COP", "1.355", "2,5"),
        ("vi", "69.037.494,29\xa0COP", "1.355", "2,5"),
        ("zh-hans", "69,037,494.29\xa0COP", "1,355", "2.5"),
    ],
)
def test_amounts_and_counts_read_with_the_languages_separators(
    language: str, money: str, count: str, share: str
) -> None:
    with translation.override(language):
        assert format_money(AMOUNT, "COP") == money
        assert format_number(1355) == count
        assert format_value(2.5) == share  # the reports' and charts' figures too
        assert format_value(1355) == count


def test_a_currency_without_minor_units_shows_no_decimals() -> None:
    assert format_money(Decimal("2500000.00"), "VND") == "2,500,000\xa0VND"
    assert format_money(Decimal("690"), "BOB") == "690.00\xa0BOB"


def test_no_amount_is_blank_not_zero() -> None:
    assert format_money(None, "COP") == ""
    assert format_number(None) == ""


def test_the_template_filters_read_the_same() -> None:
    template = Template("{% load numbers %}{{ a|money:c }} | {{ n|number }} | {{ x|number:1 }}")
    context = Context({"a": AMOUNT, "c": "COP", "n": 43800, "x": Decimal("3.14159")})
    with translation.override("es"):
        assert template.render(context) == "69.037.494,29\xa0COP | 43.800 | 3,1"
