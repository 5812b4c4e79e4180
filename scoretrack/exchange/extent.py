"""How far a worksheet's cells really reach, found before the xlsx parser reads it.

python-calamine reads a sheet into one dense block from its first to its last
cell holding a value, 32 bytes a cell, and hands the rows out from row 1. So one
value at XFD1048576 asks for 16,384 × 1,048,576 cells (512 GiB, and the process
aborts), one at CV1048576 for 3.2 GB. calamine trusts only the cells' own
positions (`<c r="CV1048576">`, or the place of a cell without one in its
`<row r=...>`): a lying `<dimension ref="A1:XFD1048576">`, a far `<row>` with no
cells, far empty styled cells, merged cells and column widths cost nothing
(measured with python-calamine 0.9.1; the tests hold it).

So the sheet's XML is streamed from the zip in chunks before calamine sees it,
and a sheet whose block would hold far more cells than the sheet has
(`AREA_FLOOR + AREA_PER_CELL` per cell) is refused, naming the stray cells. A
normal sheet costs one pass of a regular expression (`_CELL`) that reads every
cell's position; only a sheet that pass finds too wide is read again tag by tag
(`_Exact`), to tell cells holding a value from empty ones and to name the
strays.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from array import array
from collections.abc import Iterator
from xml.etree import ElementTree

MAX_ROWS, MAX_COLUMNS = 1_048_576, 16_384  # a spreadsheet's last cell: XFD1048576
# The block calamine may allocate: a million cells (32 MB) whatever the sheet,
# and 16 more per cell it holds (the widest sheet of the format has 12 columns,
# and each row of data holds at least one value).
AREA_FLOOR = 1_000_000
AREA_PER_CELL = 16
_CHUNK = 1 << 20
# No tag nor text in a sheet is this long (a cell holds at most 32,767 characters).
_MAX_PIECE = 16 << 20
# Stray cells are those past the first run of empty rows (or columns) longer than
# the data before it and than these.
_ROW_GAP, _COLUMN_GAP = 64, 16
_NAMED = 3  # stray cells named in a refusal

_PREFIX = rb"<(?:[^\s<>/!?:\"']+:)?"  # calamine matches tags by local name, any prefix
_ATTRIBUTE = rb"""\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*')"""
# Every cell's opening tag, with its reference when it has a plain one.
_CELL = re.compile(
    _PREFIX
    + rb"c(?=[\s/>])"
    + rb"""(?:\s+(?!r\s*=)[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*"""
    + rb"""(?:\s+r\s*=\s*["']([A-Za-z]{1,3})([1-9][0-9]{0,6})["'])?"""
)
# The usual form, found much faster (a literal start): `_CELL` is for the rest.
# Rows and columns are found apart: a list of bytes costs the garbage collector
# nothing, a list of pairs costs it a walk through the whole heap now and then.
_PLAIN_ROWS = re.compile(rb'<c r="[A-Za-z]{1,3}([0-9]{1,7})"')
_PLAIN_COLUMNS = re.compile(rb'<c r="([A-Za-z]{1,3})[0-9]')
_TAG = re.compile(
    rb"<(/?)(?:[^\s<>/!?:\"']+:)?(row|c|v|is)(?=[\s/>])((?:" + _ATTRIBUTE + rb")*)\s*(/?)>"
)
_ATTRIBUTES = re.compile(rb"""\s+([^\s=>/]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_CELL_NAME = re.compile(rb"([A-Za-z]+)([0-9]+)")
_RELATIONS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_SHEET = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}sheet"
_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


class ExtentError(ValueError):
    """A sheet reaches far beyond its content; the message names the cells."""


def column_letters(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


def _allowed(cells: int) -> int:
    return AREA_FLOOR + AREA_PER_CELL * cells


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name -> the zip entry of its XML, as the workbook's relations say."""
    try:
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        relations = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return {}  # calamine refuses such a workbook with its own message
    targets = {r.get("Id"): r.get("Target") or "" for r in relations.iter(_RELATIONS)}
    parts = {}
    for sheet in book.iter(_SHEET):
        target = targets.get(sheet.get(_ID), "")
        if target.startswith("/"):
            path = target.lstrip("/")
        elif target.startswith("xl/"):
            path = target
        else:
            path = posixpath.normpath(f"xl/{target}")
        parts[sheet.get("name") or ""] = path
    return parts


def _pieces(chunks: Iterator[bytes], sheet: str) -> Iterator[bytes]:
    """The XML in pieces that end before a tag: every tag is whole in one piece."""
    carried = b""
    for chunk in chunks:
        whole, carried = _split(carried + chunk, sheet)
        yield whole
    yield carried


def _chunks(archive: zipfile.ZipFile, part: str) -> Iterator[bytes]:
    with archive.open(part) as stream:
        while chunk := stream.read(_CHUNK):
            yield chunk


class Scan:
    """The quick look at one sheet, fed its XML chunk by chunk as the zip is
    inflated: where every cell lies, empty or not, from plain references."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.cells, self.last_row, self.last_column = 0, 0, b""
        self.placed = True  # False once a cell is placed by its order in the row
        self._carried = b""

    def feed(self, chunk: bytes) -> None:
        whole, self._carried = _split(self._carried + chunk, self.sheet)
        self._look(whole)

    def _look(self, piece: bytes) -> None:
        if not self.placed:
            return
        rows = _PLAIN_ROWS.findall(piece)
        if piece.count(b"<c") == len(rows) and b":c" not in piece:
            columns = _PLAIN_COLUMNS.findall(piece)
        else:  # not every cell in the usual form
            found = _CELL.findall(piece)
            columns, rows = [c for c, _ in found], [r for _, r in found]
        if not rows:
            return
        if b"" in columns:
            self.placed = False  # a cell placed by its order in the row
            return
        self.cells += len(rows)
        self.last_column = max(
            [self.last_column, *(c.upper() for c in set(columns))], key=lambda c: (len(c), c)
        )
        self.last_row = max(self.last_row, *map(int, set(rows)))

    def fits(self) -> bool:
        """True when every cell lies within the area the sheet's cells allow; False
        when a closer look is needed."""
        self._look(self._carried)
        self._carried = b""
        area = self.last_row * _column_number(self.last_column)
        return self.placed and area <= _allowed(self.cells)


def _split(buffer: bytes, sheet: str) -> tuple[bytes, bytes]:
    """`buffer` as (the part made of whole tags, the rest: an unfinished tag)."""
    cut = buffer.rfind(b"<")
    if cut < 0:
        return buffer, b""
    if len(buffer) - cut > _MAX_PIECE:
        raise ExtentError(f"sheet {sheet}: a tag or text longer than {_MAX_PIECE:,} bytes")
    return buffer[:cut], buffer[cut:]


def refusal(archive: zipfile.ZipFile, part: str, scan: Scan) -> str | None:
    """Why calamine must not read the sheet (None: it may), after its quick look."""
    if scan.fits():
        return None
    try:
        _Exact(scan.sheet).read(_pieces(_chunks(archive, part), scan.sheet))
    except ExtentError as exc:
        return str(exc)
    return None


class _Exact:
    """The cells holding a value, tag by tag, placed as calamine places them."""

    def __init__(self, sheet: str) -> None:
        self.sheet = sheet
        self.cells = 0
        self.last_row = self.last_column = 0
        self.row_cells = array("I", bytes(4 * (MAX_ROWS + 1)))
        self.row_last = array("H", bytes(2 * (MAX_ROWS + 1)))  # a row's last column
        self.column_cells = array("I", bytes(4 * (MAX_COLUMNS + 1)))
        self.column_first = array("I", bytes(4 * (MAX_COLUMNS + 1)))  # its first row

    def read(self, pieces: Iterator[bytes]) -> None:
        row, next_column, previous = 0, 1, b""
        place: tuple[int, int] | None = None  # of the open cell
        valued, value_at = False, -1
        for piece in pieces:
            if value_at >= 0:  # a <v> left open: text after it, or in this piece?
                valued = valued or value_at < len(previous)
                value_at = 0
            for match in _TAG.finditer(piece):
                closing, name, attributes, empty = match.groups()
                if closing:
                    if name == b"v" and place and match.start() > value_at >= 0:
                        valued = True
                    if name == b"v":
                        value_at = -1
                    elif name == b"c":
                        if place and valued:
                            self._hold(*place)
                        place, valued = None, False
                elif name == b"row":
                    given = _reference(attributes)
                    row = self._number(given) if given is not None else row + 1
                    next_column = 1
                elif name == b"c":
                    if place and valued:
                        self._hold(*place)  # a cell left open
                    self.cells += 1
                    given = _reference(attributes)
                    place = self._place(given) if given is not None else (row, next_column)
                    next_column = place[1] + 1
                    valued = False
                    if empty:
                        place = None
                elif place is not None:  # <v> or <is> in a cell
                    if name == b"is" or empty:
                        valued = True
                    else:
                        value_at = match.end()
            previous = piece
        if place and valued:
            self._hold(*place)
        if self.last_row * self.last_column > _allowed(self.cells):
            raise ExtentError(self._refusal())

    def _number(self, text: bytes) -> int:
        if not text.isdigit():
            shown = text.decode(errors="replace")[:40]
            raise ExtentError(f"sheet {self.sheet}: {shown!r} is not a row number")
        return int(text)

    def _place(self, text: bytes) -> tuple[int, int]:
        name = _CELL_NAME.fullmatch(text)
        if not name:
            shown = text.decode(errors="replace")[:40]
            raise ExtentError(f"sheet {self.sheet}: {shown!r} is not a cell reference")
        return int(name.group(2)), _column_number(name.group(1))

    def _hold(self, row: int, column: int) -> None:
        if row > MAX_ROWS or column > MAX_COLUMNS or row < 1:
            cell = f"{column_letters(column)}{row}"
            raise ExtentError(
                f"sheet {self.sheet}: cell {cell} lies beyond a spreadsheet's last cell "
                f"(XFD{MAX_ROWS}): delete it and upload again"
            )
        self.last_row = max(self.last_row, row)
        self.last_column = max(self.last_column, column)
        self.row_cells[row] += 1
        self.row_last[row] = max(self.row_last[row], column)
        if not self.column_cells[column] or row < self.column_first[column]:
            self.column_first[column] = row
        self.column_cells[column] += 1

    def _refusal(self) -> str:
        rows = _data_end(self.row_cells, self.last_row, _ROW_GAP)
        columns = _data_end(self.column_cells, self.last_column, _COLUMN_GAP)
        strays = {
            (row, self.row_last[row])
            for row in range(rows + 1, self.last_row + 1)
            if self.row_cells[row]
        }
        strays |= {
            (self.column_first[column], column)
            for column in range(columns + 1, self.last_column + 1)
            if self.column_cells[column]
        }
        if not strays:
            far = f"{column_letters(self.last_column)}{self.last_row}"
            return (
                f"sheet {self.sheet}: its values are spread over A1:{far}, far more cells "
                f"than the {self.cells:,} it holds: delete the stray cells and upload again"
            )
        names = [f"{column_letters(c)}{r}" for r, c in sorted(strays)]
        shown = names[:_NAMED]
        if len(names) > _NAMED:
            listed = f"{', '.join(shown)} and {len(names) - _NAMED:,} more"
        elif len(shown) > 1:
            listed = f"{', '.join(shown[:-1])} and {shown[-1]}"
        else:
            listed = shown[0]
        subject = f"cells {listed} lie" if len(names) > 1 else f"cell {listed} lies"
        data = (
            f"which ends at row {rows}, column {column_letters(columns)}"
            if rows and columns
            else "the sheet holds no other value"
        )
        them = "them" if len(names) > 1 else "it"
        return (
            f"sheet {self.sheet}: {subject} far outside the data ({data}): "
            f"delete {them} and upload again"
        )


def _reference(attributes: bytes) -> bytes | None:
    for name, double, single in _ATTRIBUTES.findall(attributes):
        if name == b"r":
            return double or single
    return None


def _data_end(counts: array, last: int, least_gap: int) -> int:
    """The last row (or column) of the data: before the first run of empty ones
    longer than both `least_gap` and the data before it."""
    end = 0
    for index in range(1, last + 1):
        if counts[index]:
            if index - end - 1 > max(least_gap, end):
                return end
            end = index
    return end
