"""Text no database stores (NUL, the other C0 controls but tab, line feed and
carriage return, a lone surrogate) is refused with its place, the same on SQLite
and PostgreSQL: per cell in a workbook or CSV import, per field through the API
and on the pages. Tab and line breaks inside a text are kept."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.exporter import workbook_export
from scoretrack.exchange.importer import Problem
from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.readers import open_book
from scoretrack.exchange.services import workbook_import
from scoretrack.exchange.tests.test_hostile_workbooks import cell, sheet_xml, write_book
from scoretrack.reference.models import CountryProgramme, Organisation

NUL = "holds the control character U+0000, which cannot be stored"


def write_csv(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.csv").write_text(text, encoding="utf-8", newline="")
    return folder


def test_a_nul_in_a_csv_cell_is_a_located_problem_and_nothing_is_written(
    admin: Any, tmp_path: Path
) -> None:
    folder = write_csv(
        tmp_path / "book",
        "countries",
        "code,name,currency\r\nCO,Col\x00ombia,COP\r\nPE,Peru,PE\x01N\r\nVN,Viet Nam,VND\r\n",
    )
    report = workbook_import(source=folder, user=admin)
    assert report.problems == [
        Problem("countries", 2, "name", "Col\u2400ombia", NUL),
        Problem(
            "countries",
            3,
            "currency",
            "PE\u2401N",
            "holds the control character U+0001, which cannot be stored",
        ),
    ]
    assert not report.committed
    assert not CountryProgramme.objects.exists()


def test_tabs_and_line_breaks_inside_a_text_are_kept(admin: Any, tmp_path: Path) -> None:
    folder = write_csv(
        tmp_path / "book", "countries", 'code,name\r\nCO,"Colombia\tnorth\nand\r\nsouth"\r\n'
    )
    report = workbook_import(source=folder, user=admin)
    assert report.problems == []
    assert CountryProgramme.objects.get().name == "Colombia\tnorth\nand\r\nsouth"


def test_an_escaped_control_character_in_an_xlsx_cell_is_a_located_problem(
    admin: Any, tmp_path: Path
) -> None:
    """xlsx writes a control character as _x0001_ (or &#x1;); calamine reads it back."""
    rows = (
        f'<row r="1">{cell("A1", "code")}{cell("B1", "name")}</row>'
        f'<row r="2">{cell("A2", "CO")}{cell("B2", "Col_x0000_ombia")}</row>'
        f'<row r="3">{cell("A3", "PE")}{cell("B3", "Pe&#x1f;ru")}</row>'
    )
    path = write_book(tmp_path / "controls.xlsx", {"countries": sheet_xml(rows)})
    report = workbook_import(source=path, user=admin)
    assert report.problems == [
        Problem("countries", 2, "name", "Col\u2400ombia", NUL),
        Problem(
            "countries",
            3,
            "name",
            "Pe\u241fru",
            "holds the control character U+001F, which cannot be stored",
        ),
    ]
    assert not CountryProgramme.objects.exists()


def test_an_upload_holding_a_nul_keeps_its_report(
    admin: Any, admin_client: Client, settings: Any, tmp_path: Path
) -> None:
    """The report quotes the value with a symbol for the NUL: PostgreSQL's JSON
    refuses the character itself."""
    settings.IMPORT_DIR = tmp_path / "imports"
    upload = tmp_path / "book.zip"
    with zipfile.ZipFile(upload, "w") as archive:
        archive.writestr("countries.csv", "code,name\r\nCO,Col\x00ombia\r\n")
    with upload.open("rb") as handle:
        response = admin_client.post(reverse("exchange:import"), {"file": handle}, follow=True)
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED
    assert job.report["problems"] == [
        {"sheet": "countries", "row": 2, "column": "name", "value": "Col\u2400ombia", "reason": NUL}
    ]
    assert NUL in response.content.decode()


# --- the API --------------------------------------------------------------------------


def post_json(client: Client, path: str, body: str) -> Any:
    return client.post(path, body, content_type="application/json")


@pytest.mark.parametrize(
    ("name", "message"),
    [
        # The API's strict text type refuses it before the importer sees it.
        ("Col\\u0000ombia", "holds a character that cannot be stored (NUL)"),
        ("Col\\u0007ombia", "holds a character that cannot be stored (U+0007)"),
        ("Col\\ud800ombia", "holds a character that cannot be stored (U+D800)"),
    ],
    ids=["nul", "bell", "lone-surrogate"],
)
def test_an_api_write_with_unstorable_text_is_400_naming_the_field(
    admin_client: Client, world: SimpleNamespace, name: str, message: str
) -> None:
    # Written by hand: json.dumps would escape the backslash of the JSON escape.
    body = '{"key": "E-BO9", "name": "' + name + '", "country": "BO"}'
    response = post_json(admin_client, "/api/v1/enterprises", body)
    assert response.status_code == 400
    assert response.json() == {
        "error": "invalid input",
        "detail": [{"field": "name", "message": message}],
    }
    assert not Enterprise.objects.filter(key="E-BO9").exists()


def test_an_api_update_with_a_nul_in_a_list_is_400_naming_it(
    admin_client: Client, world: SimpleNamespace
) -> None:
    item = admin_client.get(f"/api/v1/enterprises/{world.E_BO1.pk}").json()
    body = json.dumps({"version": item["version"], "lead_buyers": ["L\x00B"]})
    response = admin_client.patch(
        f"/api/v1/enterprises/{world.E_BO1.pk}", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "lead_buyers", "message": "holds a character that cannot be stored (NUL)"}
    ]


# --- the pages ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Acme\x00", "parameter &quot;name&quot; holds a character that cannot be stored (NUL)"),
        ("Ac\x1bme", "parameter &quot;name&quot; holds a character that cannot be stored (U+001B)"),
    ],
    ids=["nul", "escape"],
)
def test_a_page_refuses_unstorable_text_naming_the_field(
    admin_client: Client, world: SimpleNamespace, name: str, error: str
) -> None:
    """Refused where the request comes in (lib/storable.py), before any form."""
    data = {"key": "ACME", "name": name, "type": "donor"}
    response = admin_client.post(reverse("reference:organisation-create"), data)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not Organisation.objects.filter(key="ACME").exists()


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("Acme\x00", "Null characters are not allowed."),
        ("Ac\x1bme", "Remove the invisible character U+001B: it cannot be stored."),
    ],
    ids=["nul", "escape"],
)
def test_a_form_refuses_unstorable_text_as_a_field_error(
    admin: Any, world: SimpleNamespace, name: str, error: str
) -> None:
    """The forms refuse it too, whoever fills them (not only a request)."""
    from scoretrack.reference.forms import OrganisationForm

    form = OrganisationForm(data={"key": "ACME", "name": name, "type": "donor"}, user=admin)
    assert not form.is_valid()
    assert form.errors["name"] == [error]


def test_a_page_keeps_line_breaks_and_tabs(admin_client: Client, world: SimpleNamespace) -> None:
    data = {"key": "ACME", "name": "Acme\tLtd", "type": "donor"}
    response = admin_client.post(reverse("reference:organisation-create"), data)
    assert response.status_code == 302
    assert Organisation.objects.get(key="ACME").name == "Acme\tLtd"


# --- the export -----------------------------------------------------------------------


def test_an_xlsx_export_drops_what_the_import_refuses(
    admin: Any, world: SimpleNamespace, tmp_path: Path
) -> None:
    """Text stored before the import refused it (here written straight to the
    database) leaves in a workbook that imports again."""
    Organisation.objects.filter(pk=world.LB.pk).update(name="Big\x01Buyer\x1f")
    target = tmp_path / "out.xlsx"
    workbook_export(target=target, user=admin, fmt="xlsx", sheets=["organisations"])
    book = open_book(target)
    try:
        rows = [row for _number, row in book.rows("organisations")]
    finally:
        book.close()
    assert ["LB", "BigBuyer", "", "lead_buyer"] in rows
    report = workbook_import(source=target, user=admin)
    assert report.problems == []
    assert Organisation.objects.get(pk=world.LB.pk).name == "BigBuyer"
