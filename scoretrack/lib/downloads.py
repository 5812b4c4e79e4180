"""Downloads of tables of records, and telling the page when one has started.

`table_download`: rows of cells (a list page's current filter) as CSV, streamed
row by row, or as xlsx, written row by row (openpyxl's write-only mode) to a
temporary file that is then streamed: a big list is never held in memory. Text a
spreadsheet would run as a formula gets an apostrophe in front (`tables.neutralise`,
as in every other download).

A link or form marked `data-busy` shows a "preparing" status and sends a `dl`
token; the file's response sets a cookie holding that token, which the page's
script watches for to clear the status. The user is never left at a page that
looks frozen while a PDF or an export is being built.
"""

from __future__ import annotations

import csv
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.http import FileResponse, StreamingHttpResponse

from scoretrack.lib.cells import UNSTORABLE
from scoretrack.lib.tables import XLSX, neutralise

DOWNLOADS = ("csv", "xlsx")

TOKEN = re.compile(r"^[A-Za-z0-9]{6,40}$")
COOKIE = "scoretrack_download"


class DownloadStartedMiddleware:
    def __init__(self, get_response: Callable[[Any], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        response = self.get_response(request)
        token = request.GET.get("dl", "")
        attachment = "attachment" in response.headers.get("Content-Disposition", "")
        if token and TOKEN.match(token) and attachment:
            response.set_cookie(COOKIE, token, max_age=120, samesite="Lax")
        return response


def table_download(
    fmt: str, *, filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse | FileResponse:
    """`header` and `rows` as the attachment `<filename>.<fmt>` (csv or xlsx)."""
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(header, rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    return FileResponse(
        _xlsx_file(header, rows), as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX
    )


class _Line:
    """csv.writer's file: hands back the line it was given."""

    def write(self, line: str) -> str:
        return line


def _csv_lines(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    writer = csv.writer(_Line())
    # A byte order mark first: spreadsheets then read the file as UTF-8.
    yield "\ufeff".encode() + writer.writerow([_text(cell) for cell in header]).encode()
    for row in rows:
        yield writer.writerow([_text(cell) for cell in row]).encode()


def _text(cell: Any) -> str:
    return "" if cell is None else str(neutralise(_plain(cell)))


def _plain(cell: Any) -> Any:
    """A cell as a spreadsheet holds it: numbers, dates and booleans as they are,
    anything else (a lazy translation, a UUID) as its text."""
    if cell is None or isinstance(cell, bool | int | float) or hasattr(cell, "isoformat"):
        return cell
    return cell if isinstance(cell, Decimal) else str(cell)


def _xlsx_file(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> Any:
    from openpyxl import Workbook

    def cell(value: Any) -> Any:
        value = neutralise(_plain(value))
        if isinstance(value, str):
            # xlsx cannot hold most control characters (the import refuses them too).
            return UNSTORABLE.sub("", value) or None
        return value

    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append([cell(value) for value in header])
    for row in rows:
        sheet.append([cell(value) for value in row])
    # Closed by the FileResponse once sent (on disk, not in memory, meanwhile).
    out = tempfile.TemporaryFile()  # noqa: SIM115
    try:
        book.save(out)
    except BaseException:
        out.close()
        raise
    out.seek(0)
    return out
