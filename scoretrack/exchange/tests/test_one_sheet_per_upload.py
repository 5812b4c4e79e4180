"""One sheet per upload: two files (or xlsx sheets) that would both be read as
one sheet are refused, naming them, rather than the last one silently winning.

Through the command, the import page and the service they share.
"""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from scoretrack.enterprises.models import Enterprise
from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.services import ImportReport, workbook_import
from scoretrack.exchange.tests.conftest import write_xlsx
from scoretrack.exchange.tests.test_commands import run

COUNTRIES = [["code", "name"], ["CO", "Colombia"]]
FIRST = [["key", "name", "country"], ["E1", "Flores SA", "CO"]]
SECOND = [["key", "name", "country"], ["E2", "Textil Ltda", "CO"]]


def csv_bytes(rows: list[list[Any]]) -> bytes:
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return text.getvalue().encode()


def zip_of(path: Path, files: dict[str, list[list[Any]]]) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for name, rows in files.items():
            archive.writestr(name, csv_bytes(rows))
    return path


def reasons(report: ImportReport) -> list[str]:
    return [p.reason for p in report.problems]


@pytest.mark.parametrize(
    ("second", "reason"),
    [
        ("data/enterprises.csv", "enterprises.csv and data/enterprises.csv"),
        ("Enterprises.csv", "enterprises.csv and Enterprises.csv"),
        ("enterprises.CSV", "enterprises.csv and enterprises.CSV"),
        ("enterprises.txt", "enterprises.csv and enterprises.txt"),
    ],
)
def test_a_zip_with_two_files_for_one_sheet_is_refused(
    admin: Any, tmp_path: Path, second: str, reason: str
) -> None:
    files = {"countries.csv": COUNTRIES, "enterprises.csv": FIRST, second: SECOND}
    report = workbook_import(source=zip_of(tmp_path / "book.zip", files), user=admin)
    assert reasons(report) == [f"{reason} both hold the sheet enterprises: give one"]
    assert not report.committed
    assert not Enterprise.objects.exists()


def test_every_sheet_held_twice_is_named(admin: Any, tmp_path: Path) -> None:
    files = {
        "countries.csv": COUNTRIES,
        "a/countries.csv": COUNTRIES,
        "enterprises.csv": FIRST,
        "b/enterprises.csv": SECOND,
        "c/enterprises.csv": SECOND,
    }
    report = workbook_import(source=zip_of(tmp_path / "book.zip", files), user=admin)
    assert reasons(report) == [
        "countries.csv and a/countries.csv both hold the sheet countries: give one; "
        "enterprises.csv, b/enterprises.csv and c/enterprises.csv all hold the sheet "
        "enterprises: give one"
    ]


def test_a_sheet_in_a_folder_of_the_zip_is_still_read(admin: Any, tmp_path: Path) -> None:
    files = {"data/countries.csv": COUNTRIES, "data/enterprises.csv": FIRST}
    report = workbook_import(source=zip_of(tmp_path / "book.zip", files), user=admin)
    assert report.problems == []
    assert list(Enterprise.objects.values_list("key", flat=True)) == ["E1"]


def test_a_folder_with_two_files_for_one_sheet_is_refused(admin: Any, tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    for name, rows in {"countries.csv": COUNTRIES, "enterprises.csv": FIRST}.items():
        (folder / name).write_bytes(csv_bytes(rows))
    (folder / "enterprises.txt").write_bytes(csv_bytes(SECOND))
    report = workbook_import(source=folder, user=admin)
    assert reasons(report) == [
        "enterprises.csv and enterprises.txt both hold the sheet enterprises: give one"
    ]


def test_an_xlsx_with_two_sheets_differing_in_case_is_refused(admin: Any, tmp_path: Path) -> None:
    """Excel refuses such names; a workbook written by another program may hold them."""
    book = write_xlsx(
        tmp_path / "made.xlsx", {"countries": COUNTRIES, "Enterprises": FIRST, "x": SECOND}
    )
    renamed = tmp_path / "book.xlsx"
    with zipfile.ZipFile(book) as source, zipfile.ZipFile(renamed, "w") as target:
        for entry in source.infolist():
            data = source.read(entry)
            if entry.filename == "xl/workbook.xml":
                data = data.replace(b'name="x"', b'name="enterprises"')
            target.writestr(entry, data)
    report = workbook_import(source=renamed, user=admin)
    assert reasons(report) == [
        "sheets Enterprises and enterprises both hold the sheet enterprises: give one"
    ]


def test_the_command_names_the_files(admin: Any, tmp_path: Path, capsys: Any) -> None:
    files = {"countries.csv": COUNTRIES, "enterprises.csv": FIRST, "data/enterprises.csv": SECOND}
    code, _out, err = run(capsys, "import", str(zip_of(tmp_path / "book.zip", files)))
    assert code == 1
    assert (
        "book.zip::: enterprises.csv and data/enterprises.csv both hold the sheet enterprises: "
        "give one"
    ) in err.splitlines()
    assert not Enterprise.objects.exists()


def test_the_import_page_names_the_files(
    admin_client: Client, tmp_path: Path, settings: Any
) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"
    files = {"countries.csv": COUNTRIES, "enterprises.csv": FIRST, "data/enterprises.csv": SECOND}
    content = zip_of(tmp_path / "book.zip", files).read_bytes()
    upload = SimpleUploadedFile("book.zip", content)
    page = admin_client.post(reverse("exchange:import"), {"file": upload}, follow=True)
    text = page.content.decode()
    assert "1 error: nothing was imported" in text
    assert (
        "enterprises.csv and data/enterprises.csv both hold the sheet enterprises: give one"
    ) in text
    job = ImportJob.objects.get()
    assert admin_client.post(reverse("exchange:import-confirm", args=[job.id])).status_code == 409
    assert not Enterprise.objects.exists()
