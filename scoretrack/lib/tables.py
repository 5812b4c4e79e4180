"""Tables of figures that a page shows and that download as xlsx or CSV.

A page builds its tables once; the same objects feed the template, the
`?format=xlsx&table=<slug>` / `?format=csv&table=<slug>` download and the PDF,
so what is downloaded is what was shown.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404, HttpResponse
from django.utils.text import slugify

from scoretrack.lib.charts import Chart, format_value

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass
class Table:
    """Rows of cells under a header; `units` says how each column's numbers read."""

    slug: str
    title: str
    header: Sequence[str]
    rows: list[list[Any]]
    units: Sequence[str] = ()
    codes: Sequence[str] = ()  # the registry's indicator codes the figures come from
    note: str = ""
    marked: set[tuple[int, int]] = field(default_factory=set)  # (row, column) to highlight
    row_units: dict[int, str] = field(default_factory=dict)  # a row whose figures differ

    def unit(self, row: int, column: int) -> str:
        if row in self.row_units and column > 0:
            return self.row_units[row]
        return self.units[column] if column < len(self.units) else ""

    def shown(self) -> list[list[dict[str, Any]]]:
        """The rows as display cells: text, whether numeric, whether marked."""
        return [
            [
                {
                    "text": cell if isinstance(cell, str) else format_value(cell, self.unit(i, j)),
                    "num": not isinstance(cell, str),
                    "marked": (i, j) in self.marked,
                }
                for j, cell in enumerate(row)
            ]
            for i, row in enumerate(self.rows)
        ]

    @property
    def empty(self) -> bool:
        return not self.rows


def table_of_chart(chart: Chart, codes: Sequence[str] = ()) -> Table:
    """The chart's own numbers (unrounded) as a downloadable table."""
    return Table(
        slug=chart.slug,
        title=chart.title,
        header=["", *[s.name for s in chart.series]],
        rows=[
            [category, *[s.values[i] for s in chart.series]]
            for i, category in enumerate(chart.categories)
        ],
        units=["", *[chart.unit for _ in chart.series]],
        codes=codes,
    )


def neutralise(cell: Any) -> Any:
    """Text a spreadsheet would run as a formula gets an apostrophe in front."""
    if isinstance(cell, str) and cell.startswith(FORMULA_TRIGGERS):
        return "'" + cell
    return cell


def _cells(table: Table) -> Iterable[list[Any]]:
    yield [neutralise(str(cell)) for cell in table.header]
    for row in table.rows:
        yield [neutralise(cell) for cell in row]


def _filename(table: Table, extension: str) -> str:
    return f"{slugify(table.slug or table.title) or 'table'}.{extension}"


def csv_response(table: Table) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _cells(table):
        writer.writerow(["" if cell is None else cell for cell in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, "csv")}"'
    return response


def xlsx_response(table: Table) -> HttpResponse:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = (table.slug or "table")[:31]
    for row in _cells(table):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{_filename(table, "xlsx")}"'
    return response


def export_response(tables: Iterable[Table], slug: str | None, fmt: str) -> HttpResponse:
    """The download of the table `slug` among a page's tables, as `fmt` (xlsx or csv)."""
    found = next((table for table in tables if table.slug == slug), None)
    if found is None:
        raise Http404("No such table on this page")
    return xlsx_response(found) if fmt == "xlsx" else csv_response(found)
