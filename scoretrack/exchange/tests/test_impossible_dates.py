"""A year before 1900 or after 2100 is refused as an impossible date where a
date or a month is read: workbook cells (text or a spreadsheet's date), API
bodies, and the indicator API's period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.events.models import Event
from scoretrack.exchange.services import workbook_import
from scoretrack.exchange.tests.conftest import Sheets
from scoretrack.outcomes.models import Kpi, KpiObservation
from scoretrack.reference.models import CountryProgramme

IMPOSSIBLE = "impossible date: the year must be 1900 to 2100"
COUNTRY = ["code", "name", "start_date"]


def problems(report: Any) -> list[tuple[Any, ...]]:
    return [(p.sheet, p.row, p.column, p.reason) for p in report.problems]


# A date cell before 1900 cannot be written: xlsx counts days from 1900 (calamine
# reads day 0 and below as a time of day, refused as not a date).
@pytest.mark.parametrize("cell", ["1899-12-31", "0001-01-01", "2101-01-01", dt.date(2200, 1, 1)])
def test_a_workbook_date_in_an_impossible_year_is_refused(
    admin: Any, xlsx: Callable[[Sheets], Path], cell: Any
) -> None:
    report = workbook_import(
        source=xlsx({"countries": [COUNTRY, ["CO", "Colombia", cell]]}), user=admin
    )
    assert problems(report) == [("countries", 2, "start_date", IMPOSSIBLE)]
    assert not CountryProgramme.objects.exists()


def test_a_csv_date_in_an_impossible_year_is_refused(
    admin: Any, csv_folder: Callable[[Sheets], Path]
) -> None:
    sheets = {"countries": [COUNTRY, ["CO", "Colombia", "9999-12-31"]]}
    report = workbook_import(source=csv_folder(sheets), user=admin)
    assert problems(report) == [("countries", 2, "start_date", IMPOSSIBLE)]


def test_the_first_and_last_possible_years_are_taken(
    admin: Any, csv_folder: Callable[[Sheets], Path]
) -> None:
    sheets = {
        "countries": [COUNTRY, ["CO", "Colombia", "1900-01-01"], ["PE", "Peru", "2100-12-31"]]
    }
    report = workbook_import(source=csv_folder(sheets), user=admin)
    assert report.problems == []
    days = CountryProgramme.objects.order_by("code").values_list("start_date", flat=True)
    assert list(days) == [dt.date(1900, 1, 1), dt.date(2100, 12, 31)]


def test_a_date_python_would_read_but_the_format_does_not_allow_is_refused(
    admin: Any, csv_folder: Callable[[Sheets], Path]
) -> None:
    sheets = {"countries": [COUNTRY, ["CO", "Colombia", "20200101"], ["PE", "Peru", "2020-W01-1"]]}
    report = workbook_import(source=csv_folder(sheets), user=admin)
    assert problems(report) == [
        ("countries", 2, "start_date", "not a date: use YYYY-MM-DD"),
        ("countries", 3, "start_date", "not a date: use YYYY-MM-DD"),
    ]


@pytest.mark.parametrize("cell", ["1850-01", "2101-12", dt.date(2101, 1, 1)])
def test_a_workbook_month_in_an_impossible_year_is_refused(
    world: SimpleNamespace, admin: Any, xlsx: Callable[[Sheets], Path], cell: Any
) -> None:
    Kpi.objects.create(code="defects", name="Defect rate", unit="%", better="lower")
    sheets = {
        "kpi_observations": [["enterprise", "kpi", "month", "value"], ["E-BO1", "defects", cell, 1]]
    }
    report = workbook_import(source=xlsx(sheets), user=admin)
    assert problems(report) == [("kpi_observations", 2, "month", IMPOSSIBLE)]


def send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, body, content_type="application/json")


@pytest.mark.parametrize("day", ["1899-12-31", "0001-01-01", "2101-01-01"])
def test_an_api_date_in_an_impossible_year_is_refused(
    world: SimpleNamespace, admin_client: Client, day: str
) -> None:
    body = {"key": "EV-X", "country": "BO", "kind": "workshop", "date": day}
    response = send(admin_client, "post", "/api/v1/events", body)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid input",
        "detail": [{"field": "date", "message": IMPOSSIBLE}],
    }
    url = f"/api/v1/events/{world.EV_BO.pk}"
    version = admin_client.get(url).json()["version"]
    response = send(admin_client, "patch", url, {"version": version, "date": day})
    assert response.json()["detail"] == [{"field": "date", "message": IMPOSSIBLE}]
    assert not Event.objects.filter(key="EV-X").exists()


def test_an_api_month_in_an_impossible_year_is_refused(
    world: SimpleNamespace, admin_client: Client
) -> None:
    Kpi.objects.create(code="defects", name="Defect rate", unit="%", better="lower")
    body = {"enterprise": "E-BO1", "kpi": "defects", "month": "1850-01", "value": 1}
    response = send(admin_client, "post", "/api/v1/kpi_observations", body)
    assert response.status_code == 400
    assert response.json()["detail"] == [{"field": "month", "message": IMPOSSIBLE}]
    body["month"] = 202001
    response = send(admin_client, "post", "/api/v1/kpi_observations", body)
    assert response.json()["detail"] == [
        {"field": "month", "message": "not a month: write it as text YYYY-MM"}
    ]
    assert not KpiObservation.objects.exists()


@pytest.mark.parametrize("name", ["from", "to"])
def test_an_indicator_period_in_an_impossible_year_is_refused(
    admin_client: Client, world: SimpleNamespace, name: str
) -> None:
    response = admin_client.get(f"/api/v1/indicators/values?code=smes_trained&{name}=1066-10-14")
    assert response.status_code == 400
    assert response.json()["detail"] == [{"field": name, "message": IMPOSSIBLE}]
