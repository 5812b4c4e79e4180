"""Tables of figures that a page shows and that download as xlsx or CSV.

A page builds its tables once; the same objects feed the template, the
`?format=xlsx&table=<slug>` / `?format=csv&table=<slug>` download and the PDF,
so what is downloaded is what was shown.

A cell may hold a number withheld from the reader (`Withheld`, such as the
registry's `disclosure.Hidden`): the page shows a dash with a mark and a footnote
saying why, a download the text of why in the cell ("hidden: fewer than 5
enterprises"), never a 0.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from django.http import Http404, HttpResponse
from django.utils.text import slugify
from django.utils.translation import gettext as _

from scoretrack.lib.charts import Chart, format_value

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The marks of the footnotes of a table's withheld cells, one per reason.
MARKS = ("*", "†", "‡", "§")


@runtime_checkable
class Withheld(Protocol):
    """A number withheld from the reader: it prints as a dash, `label()` says why."""

    def label(self) -> str: ...


def withheld(cell: Any) -> bool:
    # What isinstance(cell, Withheld) checks, without the runtime protocol's cost
    # (a tenth of a report page's rendering, asked for every cell).
    return not isinstance(cell, str) and hasattr(cell, "label")


def hidden_text(cell: Withheld) -> str:
    """What a withheld cell says in a download and in its footnote."""
    return _("hidden: %(why)s") % {"why": cell.label()}


@dataclass(frozen=True)
class Footnote:
    """One reason cells of a table are withheld: its mark, its text, the cells
    ("row · column") it marks."""

    mark: str
    text: str
    cells: list[str]


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
    # What a withheld cell says (a module-level function: tables are cached, pickled).
    explain: Callable[[Any], str] = hidden_text

    def unit(self, row: int, column: int) -> str:
        if row in self.row_units and column > 0:
            return self.row_units[row]
        return self.units[column] if column < len(self.units) else ""

    def shown(self) -> list[list[dict[str, Any]]]:
        """The rows as display cells: text, whether numeric, whether marked, and for
        a withheld cell its footnote's mark and why."""
        notes = {note.text: (k, note.mark) for k, note in enumerate(self.footnotes(), 1)}
        return [
            [
                {
                    "text": cell if isinstance(cell, str) else format_value(cell, self.unit(i, j)),
                    "num": not isinstance(cell, str),
                    "marked": (i, j) in self.marked,
                    **self._hidden_cell(cell, notes),
                }
                for j, cell in enumerate(row)
            ]
            for i, row in enumerate(self.rows)
        ]

    def _hidden_cell(self, cell: Any, notes: dict[str, tuple[int, str]]) -> dict[str, Any]:
        if not withheld(cell):
            return {"hidden": "", "why": "", "note": 0}
        why = self.explain(cell)
        number, mark = notes[why]
        return {"hidden": mark, "why": why, "note": number}

    def withheld_cells(self) -> list[tuple[int, int, Any]]:
        """(row, column, cell) of each withheld cell."""
        return [
            (i, j, cell)
            for i, row in enumerate(self.rows)
            for j, cell in enumerate(row)
            if withheld(cell)
        ]

    def footnotes(self) -> list[Footnote]:
        """One footnote per reason some cells are withheld, in the order they occur."""
        found: dict[str, list[str]] = {}
        for i, j, cell in self.withheld_cells():
            column = str(self.header[j]) if j < len(self.header) else ""
            place = " · ".join(part for part in (str(self.rows[i][0]), column) if part)
            found.setdefault(self.explain(cell), []).append(place)
        return [
            Footnote(MARKS[k % len(MARKS)] * (k // len(MARKS) + 1), text, cells)
            for k, (text, cells) in enumerate(found.items())
        ]

    def mark_of(self, cell: Any) -> str:
        """The footnote mark of a withheld value (e.g. a fact shown outside the table)."""
        if not withheld(cell):
            return ""
        text = self.explain(cell)
        return next((note.mark for note in self.footnotes() if note.text == text), "")

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
    """The header and rows as a spreadsheet gets them: a withheld cell as the text
    of why (a spreadsheet user can filter on it), never a number."""
    yield [neutralise(str(cell)) for cell in table.header]
    for row in table.rows:
        yield [neutralise(table.explain(cell) if withheld(cell) else cell) for cell in row]


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
