"""Workbooks whose cells reach far beyond their content: refused before the xlsx
parser allocates for them, or read at the cost of their real content.

The sheets are written by hand (the zip's XML) so that a `<dimension>` can lie
and a cell can sit anywhere. The reads that would take gigabytes if the guard
failed run in a child process under an address-space limit, which reports its
peak memory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.readers import WorkbookError, open_book
from scoretrack.exchange.services import workbook_import
from scoretrack.reference.models import CountryProgramme

ROOT = Path(__file__).resolve().parents[3]
MB = 1 << 20
CEILING = 100 * MB  # above a child that reads a tiny normal workbook
SAFETY_NET = 3 << 30  # the child's address space: a failed guard cannot hurt the machine

HEADER = '<row r="1">{}</row>'
COUNTRIES = [("code", "name", "currency"), ("CO", "Colombia", "COP"), ("PE", "Peru", "PEN")]
CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sheet.main+xml"/>{}</Types>'
)
SHEET_TYPE = (
    '<Override PartName="/xl/worksheets/sheet{}.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
)
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def cell(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def rows_xml(rows: list[tuple[str, ...]]) -> str:
    """Rows from row 1, columns from A."""
    out = []
    for number, row in enumerate(rows, 1):
        cells = "".join(cell(f"{'ABCDEFGH'[i]}{number}", text) for i, text in enumerate(row))
        out.append(f'<row r="{number}">{cells}</row>')
    return "".join(out)


def sheet_xml(data: str, dimension: str | None = None, after: str = "") -> str:
    ref = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<worksheet xmlns="{MAIN}">{ref}<sheetData>{data}</sheetData>{after}</worksheet>'


def write_book(path: Path, sheets: dict[str, str]) -> Path:
    """An xlsx of the given sheets (name -> worksheet XML), nothing else."""
    names = list(sheets)
    listed = "".join(
        f'<sheet name="{name}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1)
    )
    targets = "".join(
        f'<Relationship Id="rId{i}" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(names) + 1)
    )
    parts = {
        "[Content_Types].xml": CONTENT_TYPES.format(
            "".join(SHEET_TYPE.format(i) for i in range(1, len(names) + 1))
        ),
        "_rels/.rels": f'<Relationships xmlns="{RELS}"><Relationship Id="rId1" '
        f'Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}">'
        f"<sheets>{listed}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'<Relationships xmlns="{RELS}">{targets}</Relationships>',
    }
    for i, name in enumerate(names, 1):
        parts[f"xl/worksheets/sheet{i}.xml"] = sheets[name]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(name, text)
    return path


FAR_ONLY = sheet_xml(f'<row r="1048576">{cell("XFD1048576", "x")}</row>')
FAR_AFTER_THREE = sheet_xml(
    rows_xml(COUNTRIES) + f'<row r="1048576">{cell("CV1048576", "x")}</row>'
)
LYING_DIMENSION = sheet_xml(rows_xml(COUNTRIES), dimension="A1:XFD1048576")

CHILD = """
import os, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scoretrack.settings")
import django
django.setup()
from scoretrack.exchange.readers import WorkbookError, open_book
try:
    book = open_book(sys.argv[1])
    for name in book.names:
        for number, row in book.rows(name):
            print(name, number, row)
except WorkbookError as exc:
    print("refused:", exc)
status = open("/proc/self/status").read().split("\\n")
print("peak", [line.split()[1] for line in status if line.startswith("VmHWM")][0])
"""


def read_in_child(path: Path, data_dir: Path) -> tuple[list[str], int]:
    """What a child process reads of the workbook, and its peak memory in bytes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "SCORETRACK_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", CHILD.format(limit=SAFETY_NET), str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    *lines, peak = done.stdout.splitlines()
    return lines, int(peak.split()[1]) * 1024


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: Any) -> int:
    folder = tmp_path_factory.mktemp("baseline")
    tiny = write_book(folder / "tiny.xlsx", {"countries": sheet_xml(rows_xml(COUNTRIES))})
    lines, peak = read_in_child(tiny, folder)
    assert lines == [
        "countries 1 ['code', 'name', 'currency']",
        "countries 2 ['CO', 'Colombia', 'COP']",
        "countries 3 ['PE', 'Peru', 'PEN']",
    ]
    return peak


@pytest.mark.parametrize(
    ("sheet", "expected"),
    [
        (
            FAR_ONLY,
            [
                "refused: sheet countries: cell XFD1048576 lies far outside the data "
                "(the sheet holds no other value): delete it and upload again"
            ],
        ),
        (
            FAR_AFTER_THREE,
            [
                "refused: sheet countries: cell CV1048576 lies far outside the data "
                "(which ends at row 3, column C): delete it and upload again"
            ],
        ),
        (
            LYING_DIMENSION,
            [
                "countries 1 ['code', 'name', 'currency']",
                "countries 2 ['CO', 'Colombia', 'COP']",
                "countries 3 ['PE', 'Peru', 'PEN']",
            ],
        ),
    ],
    ids=["XFD1048576-only", "CV1048576-after-three-rows", "lying-dimension"],
)
def test_a_far_cell_costs_no_more_memory_than_a_tiny_workbook(
    tmp_path: Path, baseline: int, sheet: str, expected: list[str]
) -> None:
    path = write_book(tmp_path / "hostile.xlsx", {"countries": sheet})
    assert path.stat().st_size < 5000
    lines, peak = read_in_child(path, tmp_path)
    assert lines == expected
    assert peak < baseline + CEILING, f"peak {peak / MB:.0f} MB, baseline {baseline / MB:.0f} MB"


def read(path: Path) -> dict[str, list[tuple[int, list[Any]]]]:
    book = open_book(path)
    try:
        return {name: list(book.rows(name)) for name in book.names}
    finally:
        book.close()


def refusal(path: Path) -> str:
    with pytest.raises(WorkbookError) as caught:
        read(path)
    return str(caught.value)


THREE_ROWS = [
    (1, ["code", "name", "currency"]),
    (2, ["CO", "Colombia", "COP"]),
    (3, ["PE", "Peru", "PEN"]),
]


@pytest.mark.parametrize(
    "after_the_rows",
    [
        '<row r="1048576"><c r="XFD1048576" s="1"/></row>',  # empty, styled
        '<row r="1048576"/>',  # a far row without cells
        '<row r="1048576"><c r="XFD1048576"><v></v></c></row>',  # an empty value
        '<row r="1048576"><c r="XFD1048576"><f>1+1</f></c></row>',  # a formula, no value
    ],
    ids=["styled-cell", "empty-row", "empty-value", "formula-without-value"],
)
def test_far_cells_without_a_value_are_read_as_nothing(tmp_path: Path, after_the_rows: str) -> None:
    sheet = sheet_xml(rows_xml(COUNTRIES) + after_the_rows, dimension="A1:XFD1048576")
    path = write_book(tmp_path / "styled.xlsx", {"countries": sheet})
    assert read(path) == {"countries": THREE_ROWS}


def test_far_merged_cells_and_column_widths_are_read_as_nothing(tmp_path: Path) -> None:
    sheet = (
        f'<worksheet xmlns="{MAIN}"><dimension ref="A1:C3"/>'
        '<cols><col min="1" max="16384" width="12" customWidth="1"/></cols>'
        f"<sheetData>{rows_xml(COUNTRIES)}</sheetData>"
        '<mergeCells count="1"><mergeCell ref="D1:XFD1048576"/></mergeCells></worksheet>'
    )
    path = write_book(tmp_path / "merged.xlsx", {"countries": sheet})
    assert read(path) == {"countries": THREE_ROWS}


@pytest.mark.parametrize(
    ("far", "named"),
    [
        ('<c r="XFD1048576" t="b"><v>0</v></c>', "XFD1048576"),  # a boolean
        ('<c r="XFD1048576" t="inlineStr"><is><t></t></is></c>', "XFD1048576"),  # empty text
        ('<c r="cv1048576"><v>1</v></c>', "CV1048576"),  # lower case
        ("<c x='>' r='CV1048576'><v>1</v></c>", "CV1048576"),  # quotes, a > in a value
        ('<y:c xmlns:y="urn:y" r="CV1048576"><y:v>1</y:v></y:c>', "CV1048576"),  # a prefix
        ("<c><v>1</v></c>", "A1048576"),  # placed by its row
    ],
    ids=["boolean", "empty-text", "lower-case", "quoted", "prefixed", "no-reference"],
)
def test_a_far_cell_is_found_whatever_its_form(tmp_path: Path, far: str, named: str) -> None:
    sheet = sheet_xml(rows_xml(COUNTRIES) + f'<row r="1048576">{far}</row>')
    path = write_book(tmp_path / "far.xlsx", {"countries": sheet})
    assert refusal(path) == (
        f"sheet countries: cell {named} lies far outside the data "
        "(which ends at row 3, column C): delete it and upload again"
    )


def test_several_stray_cells_are_named_with_the_count_of_the_rest(tmp_path: Path) -> None:
    # Six strays: Z900000 to Z900004, and XFD1 beside the header.
    strays = "".join(
        f'<row r="{row}"><c r="Z{row}"><v>1</v></c></row>' for row in range(900_000, 900_005)
    )
    sheet = sheet_xml(rows_xml(COUNTRIES) + strays + '<row r="1"><c r="XFD1"><v>1</v></c></row>')
    path = write_book(tmp_path / "strays.xlsx", {"countries": sheet})
    assert refusal(path) == (
        "sheet countries: cells XFD1, Z900000, Z900001 and 3 more lie far outside the data "
        "(which ends at row 3, column C): delete them and upload again"
    )


def test_a_cell_beyond_the_last_cell_of_a_spreadsheet_is_refused(tmp_path: Path) -> None:
    sheet = sheet_xml(rows_xml(COUNTRIES) + '<row r="4"><c r="ZZZZ4"><v>1</v></c></row>')
    path = write_book(tmp_path / "beyond.xlsx", {"countries": sheet})
    assert refusal(path) == (
        "sheet countries: cell ZZZZ4 lies beyond a spreadsheet's last cell (XFD1048576): "
        "delete it and upload again"
    )


def test_a_sheet_only_in_the_readme_is_not_read(tmp_path: Path) -> None:
    """Only the sheets read are refused: a stray cell in a sheet the import skips
    (the template's readme) does not stop it."""
    path = write_book(
        tmp_path / "readme.xlsx", {"readme": FAR_ONLY, "countries": sheet_xml(rows_xml(COUNTRIES))}
    )
    book = open_book(path)
    try:
        assert list(book.rows("countries")) == THREE_ROWS
    finally:
        book.close()


# --- through every path: the command, the upload page --------------------------------


def test_the_import_command_refuses_a_far_cell_with_its_place(
    admin: Any, tmp_path: Path, capsys: Any
) -> None:
    from django.core.management import CommandError, call_command

    path = write_book(tmp_path / "hostile.xlsx", {"countries": FAR_ONLY})
    with pytest.raises(CommandError, match=r"1 error\(s\): nothing was imported"):
        call_command("import", "--dry-run", str(path))
    assert capsys.readouterr().err.splitlines()[0] == (
        "hostile.xlsx::: sheet countries: cell XFD1048576 lies far outside the data "
        "(the sheet holds no other value): delete it and upload again"
    )


def test_an_upload_with_a_far_cell_ends_checked_with_the_problem(
    admin: Any, admin_client: Client, settings: Any, tmp_path: Path
) -> None:
    settings.IMPORT_DIR = tmp_path / "imports"
    path = write_book(tmp_path / "hostile.xlsx", {"countries": FAR_AFTER_THREE})
    with path.open("rb") as handle:
        response = admin_client.post(reverse("exchange:import"), {"file": handle}, follow=True)
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.CHECKED
    assert [p["reason"] for p in job.report["problems"]] == [
        "sheet countries: cell CV1048576 lies far outside the data (which ends at row 3, "
        "column C): delete it and upload again"
    ]
    assert "cell CV1048576 lies far outside the data" in response.content.decode()
    assert not CountryProgramme.objects.exists()


def test_a_lying_dimension_imports_its_rows(admin: Any, tmp_path: Path) -> None:
    path = write_book(tmp_path / "lying.xlsx", {"countries": LYING_DIMENSION})
    report = workbook_import(source=path, user=admin)
    assert report.problems == []
    assert report.counts["countries"].created == 2
    assert sorted(CountryProgramme.objects.values_list("code", "name", "currency")) == [
        ("CO", "Colombia", "COP"),
        ("PE", "Peru", "PEN"),
    ]


def test_rows_are_numbered_as_the_spreadsheet_shows_them_when_the_data_starts_lower(
    tmp_path: Path,
) -> None:
    """calamine hands out the empty rows above the first value too: row 3 is the third."""
    rows = f'<row r="3">{cell("B3", "code")}</row><row r="4">{cell("B4", "CO")}</row>'
    path = write_book(tmp_path / "lower.xlsx", {"countries": sheet_xml(rows)})
    assert read(path) == {"countries": [(1, [""]), (2, [""]), (3, ["code"]), (4, ["CO"])]}
