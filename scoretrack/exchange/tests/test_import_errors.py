"""Every kind of bad input gets an error naming sheet, row, column, value and reason."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.services import ImportReport, workbook_import
from scoretrack.exchange.tests.conftest import BASICS, Sheets
from scoretrack.finance.models import DirectCost
from scoretrack.reference.models import CountryProgramme, Organisation, Target

COUNTRY = {"countries": [["code", "name"], ["CO", "Colombia"]]}


def errors(report: ImportReport) -> list[tuple[Any, ...]]:
    return [(p.sheet, p.row, p.column, p.value, p.reason) for p in report.problems]


@pytest.fixture
def run(admin: Any, xlsx: Callable[[Sheets], Path]) -> Callable[[Sheets], ImportReport]:
    return lambda sheets: workbook_import(source=xlsx(sheets), user=admin)


def test_it_names_an_unknown_sheet(run: Any) -> None:
    report = run({**COUNTRY, "companies": [["key"], ["x"]]})
    assert errors(report) == [("companies", None, "", "", "unknown sheet")]
    assert not CountryProgramme.objects.exists()


def test_it_names_an_unknown_column(run: Any) -> None:
    report = run({"countries": [["code", "name", "capital"], ["CO", "Colombia", "Bogotá"]]})
    assert errors(report) == [("countries", 1, "capital", "", "unknown column")]


def test_it_names_a_missing_required_column(run: Any) -> None:
    report = run({"countries": [["code"], ["CO"]]})
    assert errors(report) == [("countries", 1, "name", "", "required column missing")]


def test_it_rejects_a_bad_date(run: Any) -> None:
    report = run({"countries": [["code", "name", "start_date"], ["CO", "Colombia", "2020-13-01"]]})
    assert errors(report) == [
        ("countries", 2, "start_date", "2020-13-01", "not a date: use YYYY-MM-DD")
    ]


def test_it_rejects_a_number_as_a_date_or_a_boolean(run: Any) -> None:
    """As the API does: a spreadsheet's 0 is neither 1970-01-01 (or 1899-12-30) nor no."""
    report = run(
        {
            "countries": [["code", "name", "start_date"], ["CO", "Colombia", 0]],
            "modules": [["code", "name", "core"], ["M1", "Cooperation", 0]],
        }
    )
    assert errors(report) == [
        ("countries", 2, "start_date", "0.0", "not a date: use YYYY-MM-DD"),
        ("modules", 2, "core", "0.0", "not yes or no"),
    ]


def test_it_rejects_a_bad_enum(run: Any) -> None:
    report = run({"countries": [["code", "name", "status"], ["CO", "Colombia", "closed"]]})
    assert errors(report) == [
        ("countries", 2, "status", "closed", "not one of active, handed_over")
    ]


def test_it_rejects_a_bad_bool(run: Any) -> None:
    report = run({"modules": [["code", "name", "core"], ["M1", "Cooperation", "maybe"]]})
    assert errors(report) == [("modules", 2, "core", "maybe", "not yes or no")]


def test_it_rejects_a_bad_number(run: Any) -> None:
    report = run(
        {
            **COUNTRY,
            "enterprises": [
                ["key", "name", "country", "workforce_female"],
                ["E1", "Flores", "CO", "many"],
            ],
        }
    )
    assert errors(report) == [("enterprises", 2, "workforce_female", "many", "not a whole number")]


def test_it_rejects_an_unknown_reference(run: Any) -> None:
    report = run({**COUNTRY, "enterprises": [["key", "name", "country"], ["E1", "Flores", "PE"]]})
    assert errors(report) == [("enterprises", 2, "country", "PE", "unknown country 'PE'")]


def test_it_rejects_a_key_twice_in_one_file(run: Any) -> None:
    report = run(
        {
            **COUNTRY,
            "enterprises": [
                ["key", "name", "country"],
                ["E1", "Flores", "CO"],
                ["E1", "Flores again", "CO"],
            ],
        }
    )
    assert errors(report) == [("enterprises", 3, "key", "E1", "same key and country as row 2")]
    assert not Enterprise.objects.exists()


def test_it_names_the_currency_and_date_of_a_missing_rate(run: Any) -> None:
    report = run(
        {
            **COUNTRY,
            "costs": [
                ["country", "date", "amount", "currency"],
                ["CO", "2020-02-01", "800000", "COP"],
            ],
        }
    )
    assert errors(report) == [
        (
            "costs",
            2,
            "currency",
            "COP",
            "no exchange rate for COP on or before 2020-02-01: "
            "add it to the rates sheet or give usd",
        )
    ]
    assert not DirectCost.objects.exists()


def test_it_requires_required_cells(run: Any) -> None:
    report = run({"countries": [["code", "name"], ["CO", ""]]})
    assert errors(report) == [("countries", 2, "name", "", "required")]


def test_it_rejects_an_end_before_the_start(run: Any) -> None:
    report = run(
        {"phases": [["name", "start_date", "end_date"], ["IV", "2021-01-01", "2017-01-01"]]}
    )
    assert errors(report) == [
        (
            "phases",
            2,
            "end_date",
            "2017-01-01",
            "The end date is before the start date (2021-01-01).",
        )
    ]


def test_a_bad_last_row_means_nothing_is_created(run: Any) -> None:
    sheets = {**BASICS}
    sheets["enterprises"] = [*BASICS["enterprises"], ["E3", "Late", "CO", "", "", "perhaps", ""]]
    report = run(sheets)
    assert errors(report) == [("enterprises", 4, "women_owned", "perhaps", "not yes or no")]
    assert not report.committed
    assert not CountryProgramme.objects.exists()
    assert not Organisation.objects.exists()
    assert not Enterprise.objects.exists()


def test_a_row_referring_to_a_rejected_row_says_so(run: Any) -> None:
    report = run(
        {
            **COUNTRY,
            "organisations": [["key", "name", "country", "type"], ["sena", "SENA", "CO", "school"]],
            "trainers": [
                ["key", "name", "sex", "country", "organisation"],
                ["T1", "Maria", "female", "CO", "sena"],
            ],
        }
    )
    assert errors(report)[1] == (
        "trainers",
        2,
        "organisation",
        "sena",
        "organisation 'sena''s own row has errors",
    )


def test_it_rejects_an_indicator_the_registry_does_not_know(run: Any) -> None:
    report = run({"targets": [["indicator", "year", "value"], ["smes_happy", 2020, 10]]})
    assert errors(report) == [
        ("targets", 2, "indicator", "smes_happy", "unknown indicator 'smes_happy'")
    ]


TWO_COUNTRIES: Sheets = {
    "countries": [["code", "name"], ["CO", "Colombia"], ["PE", "Peru"]],
    "modules": [["code", "name"], ["M1", "Cooperation"]],
    "enterprises": [["key", "name", "country"], ["E1", "Flores", "CO"], ["E1", "Incas", "PE"]],
    "deliveries": [["key", "country", "module", "start_date"], ["D1", "PE", "M1", "2020-01-01"]],
}


def test_a_key_used_in_two_countries_is_settled_by_the_rows_other_reference(run: Any) -> None:
    from scoretrack.training.models import Enrolment

    report = run({**TWO_COUNTRIES, "enrolments": [["enterprise", "delivery"], ["E1", "D1"]]})
    assert report.ok, report.problems
    assert Enrolment.objects.get().enterprise.name == "Incas"


def test_a_key_used_in_two_countries_and_nothing_to_settle_it_is_an_error(run: Any) -> None:
    report = run(
        {
            **TWO_COUNTRIES,
            "worker_surveys": [
                ["enterprise", "wave", "date", "respondent", "question", "answer"],
                ["E1", "before", "2020-01-01", "r1", "q1", 3],
            ],
        }
    )
    assert errors(report) == [
        (
            "worker_surveys",
            2,
            "enterprise",
            "E1",
            "enterprise 'E1' exists in several country programmes: nothing in the row says which",
        )
    ]


def test_a_target_for_a_group_its_indicator_does_not_offer_is_refused_at_its_cell(
    run: Any,
) -> None:
    report = run(
        {
            "targets": [
                ["indicator", "year", "quarter", "disaggregation", "group", "value"],
                ["staff_trained", 2020, 3, "sex", "female", 40],
                ["smes_trained", 2020, 3, "sex", "female", 40],
            ]
        }
    )
    assert errors(report) == [
        (
            "targets",
            3,
            "disaggregation",
            "sex",
            "This indicator is not disaggregated by 'sex' (it offers: module, country,"
            " sector, year).",
        )
    ]
    assert not Target.objects.exists()
