"""Small hand-made workbooks for the exchange tests."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

Sheets = dict[str, list[list[Any]]]


def write_xlsx(path: Path, sheets: Sheets) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def write_csv_folder(folder: Path, sheets: Sheets) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows(rows)
    return folder


@pytest.fixture
def xlsx(tmp_path: Path) -> Callable[[Sheets], Path]:
    counter = iter(range(1000))
    return lambda sheets: write_xlsx(tmp_path / f"book{next(counter)}.xlsx", sheets)


@pytest.fixture
def csv_folder(tmp_path: Path) -> Callable[[Sheets], Path]:
    counter = iter(range(1000))
    return lambda sheets: write_csv_folder(tmp_path / f"folder{next(counter)}", sheets)


BASICS: Sheets = {
    "countries": [["code", "name", "currency"], ["CO", "Colombia", "COP"]],
    "modules": [["code", "name", "core"], ["M1", "Workplace Cooperation", "yes"]],
    "rates": [["currency", "date", "per_usd"], ["COP", "2020-01-01", "4000"]],
    "organisations": [
        ["key", "name", "country", "type"],
        ["sena", "SENA", "CO", "government_training"],
        ["buyer", "Big Buyer", "", "lead_buyer"],
    ],
    "enterprises": [
        ["key", "name", "country", "region", "sector", "women_owned", "lead_buyers"],
        ["E1", "Flores SA", "CO", "Cundinamarca", "Flowers", "yes", "buyer"],
        ["E2", "Textil Ltda", "CO", "Antioquia", "Textiles", "no", ""],
    ],
}


# Every sheet, a few rows each, in an order that is NOT the dependency order.
EVERYTHING: Sheets = {
    "event_participants": [
        ["event", "group", "female", "male"],
        ["ntac1", "government", 3, 4],
        ["ntac1", "trade_unions", 2, 0],
    ],
    "events": [
        ["key", "country", "kind", "date", "title"],
        ["ntac1", "CO", "ntac_meeting", "2020-03-01", "First NTAC"],
    ],
    "participants": [
        ["delivery", "enterprise", "sex", "role", "person", "name", "eit_member", "satisfaction"],
        ["D1", "E1", "female", "manager", "p1", "Ana", "yes", 5],
        ["D1", "E1", "male", "worker", "", "", "no", 4],
        ["D1", "E1", "male", "worker", "", "", "no", 4],
    ],
    "enrolments": [
        ["delivery", "enterprise", "status", "fee", "currency", "usd"],
        ["D1", "E1", "completed", "400000", "COP", ""],
        ["D1", "E2", "enrolled", "", "", ""],
    ],
    "deliveries": [
        [
            "key",
            "country",
            "module",
            "organiser",
            "independence",
            "start_date",
            "end_date",
            "trainers",
        ],
        ["D1", "CO", "M1", "sena", "supported", "2020-02-01", "2020-02-05", "T1;T2"],
    ],
    "countries": [
        ["code", "name", "start_date", "currency", "status"],
        ["CO", "Colombia", "2011-01-01", "COP", "active"],
    ],
    "phases": [["name", "start_date", "end_date"], ["IV", "2017-01-01", "2021-12-31"]],
    "modules": [
        ["code", "name", "core", "compulsory_first"],
        ["M1", "Workplace Cooperation", "yes", "yes"],
        ["M2", "Quality", "yes", "no"],
    ],
    "organisations": [
        ["key", "name", "country", "type"],
        ["sena", "SENA", "CO", "government_training"],
        ["buyer", "'=Big Buyer", "", "lead_buyer"],
    ],
    "agreements": [
        ["organisation", "country", "kind", "signed_on", "ended_on"],
        ["sena", "CO", "mou", "2012-05-01", ""],
    ],
    "targets": [
        ["indicator", "country", "phase", "year", "value"],
        ["cost_recovery_pct", "CO", "IV", "", "0.4"],
        ["smes_trained", "", "", 2020, 100],
    ],
    "enterprises": [
        [
            "key",
            "name",
            "country",
            "region",
            "sector",
            "cluster",
            "workforce_female",
            "workforce_male",
            "women_owned",
            "unionised",
            "collective_agreement",
            "lead_buyers",
        ],
        [
            "E1",
            "Flores SA",
            "CO",
            "Cundinamarca",
            "Flowers",
            "Sabana",
            120,
            80,
            "yes",
            "no",
            "",
            "buyer",
        ],
        ["E2", "+Textil Ltda", "CO", "", "", "", "", "", "", "", "", ""],
    ],
    "trainers": [
        ["key", "name", "sex", "country", "organisation", "email"],
        ["T1", "Maria", "female", "CO", "sena", "maria@example.org"],
        ["T2", "Jorge", "male", "CO", "", ""],
    ],
    "trainer_milestones": [
        ["trainer", "milestone", "date", "module"],
        ["T1", "trained", "2019-01-10", "M1"],
        ["T1", "certified", "2019-06-10", ""],
    ],
    "visits": [
        ["enterprise", "trainer", "date", "hours", "delivery", "note"],
        ["E1", "T1", "2020-03-10", "3.5", "D1", "-5S started"],
    ],
    "costs": [
        ["country", "date", "delivery", "category", "amount", "currency", "usd"],
        ["CO", "2020-02-01", "D1", "venue", "800000", "COP", ""],
        ["CO", "2020-02-01", "D1", "venue", "800000", "COP", ""],
        ["CO", "2020-02-02", "", "", "50", "USD", "50"],
    ],
    "contributions": [
        [
            "country",
            "date",
            "organisation",
            "source",
            "kind",
            "delivery",
            "amount",
            "currency",
            "usd",
        ],
        ["CO", "2020-02-01", "sena", "partner_funds", "in_kind", "D1", "100", "USD", ""],
    ],
    "practices": [
        ["code", "name", "module"],
        ["5s", "Kaizen 5S", "M1"],
        ["qp", "Quality policy", ""],
    ],
    "assessments": [
        ["enterprise", "kind", "date", "assessor", "practice", "in_place", "note"],
        ["E1", "baseline", "2020-01-15", "T1", "5s", "no", "tools on the floor"],
        ["E1", "baseline", "2020-01-15", "T1", "qp", "yes", ""],
        ["E1", "progress", "2020-06-15", "", "5s", "yes", ""],
    ],
    "kpis": [
        ["code", "name", "unit", "better", "module"],
        ["defects", "Defect rate", "%", "lower", "M2"],
    ],
    "kpi_observations": [
        ["enterprise", "kpi", "month", "value", "numerator", "denominator"],
        ["E1", "defects", "2020-01", "", "5", "100"],
        ["E1", "defects", "2020-02", "0.04", "", ""],
    ],
    "initiatives": [
        [
            "enterprise",
            "title",
            "module",
            "category",
            "gender_related",
            "status",
            "started_on",
            "completed_on",
            "cost_usd",
            "saving_usd",
        ],
        ["E1", "Sort the store", "M1", "5S", "no", "done", "2020-03-01", "2020-04-01", "10", "200"],
    ],
    "worker_surveys": [
        ["enterprise", "wave", "date", "respondent", "sex", "question", "answer"],
        ["E1", "before", "2020-01-20", "r1", "female", "q1", 2],
        ["E1", "after", "2020-07-20", "r1", "female", "q1", 4],
    ],
    "rates": [["currency", "date", "per_usd"], ["COP", "2020-01-01", "4000"]],
}
