"""Submissions from elsewhere: a CSV exported by KoboToolbox or ODK Central for one of
our field forms, each row rebuilt as the form's instance and sent through
`pipeline.receive(channel="csv")`: the same validation, the same review queue, the
same idempotence by instanceID (importing a file twice changes nothing).

Columns are named by their group path, joined by "/" (Kobo: `details/date`) or "-"
(ODK Central: `details-date`); which is meant is decided against the form's own
instance, so a name with a hyphen stays whole. The instanceID is `meta/instanceID`
(or `meta-instanceID`), else Central's `KEY`, else Kobo's `_uuid`. Repeats come as
`[n]`-indexed columns (`topic[2]/name`) or as their own tables, in the shapes the two
servers export them:

- ODK Central's "CSV export" is a .zip holding `<form>.csv` and one `<form>-<repeat>.csv`
  per repeat, each repeat row linked by its `PARENT_KEY` to its submission's `KEY` (and
  a `media/` folder, ignored); the CSV files may also be uploaded one by one.
- KoboToolbox's "XLS" export is an .xlsx whose first sheet holds the submissions and one
  sheet per repeat (named after it), each repeat row linked by `_parent_index` to its
  submission's `_index` (or, failing that, by `_submission__uuid` to `_uuid`).

Other columns (Central's SubmissionDate, Kobo's _id...) are ignored. Nothing is
received until every file has been read and joined (`CsvRefused` otherwise).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from defusedxml import ElementTree as SafeET
from django.db import transaction
from django.utils.translation import gettext as _

from scoretrack.collect import pipeline
from scoretrack.collect.models import Submission
from scoretrack.exchange.readers import WorkbookError, XlsxBook, open_book

MAX_BYTES = 20_000_000
MAX_ROWS = 20_000
_INDEX = re.compile(r"^(.*?)\[(\d+)\]$")
XFORMS = "{http://www.w3.org/2002/xforms}"


class CsvRefused(Exception):
    """A file that cannot be read as submissions of the form: nothing was received."""


@dataclass
class Shape:
    """The form's instance: its root element (the template) and its repeats' paths."""

    root: ET.Element
    repeats: set[str]

    def leaves(self) -> set[str]:
        found: set[str] = set()

        def walk(element: ET.Element, path: str) -> None:
            children = list(element)
            if not children:
                found.add(path)
            for child in children:
                walk(child, f"{path}/{pipeline.local(child.tag)}".lstrip("/"))

        walk(self.root, "")
        return found


def shape_of(xform: str) -> Shape:
    root = SafeET.fromstring(xform.encode())
    instance = next(e for e in root.iter() if pipeline.local(e.tag) == "instance")
    data = next(iter(instance))
    prefix = "/" + pipeline.local(data.tag) + "/"
    repeats = {
        e.get("nodeset", "").removeprefix(prefix)
        for e in root.iter()
        if pipeline.local(e.tag) == "repeat"
    }
    return Shape(data, repeats)


@dataclass
class Row:
    number: int
    values: dict[str, str] = field(default_factory=dict)  # leaf path -> value
    # repeat path -> index -> (relative leaf path -> value)
    repeats: dict[str, dict[int, dict[str, str]]] = field(default_factory=dict)
    key: str = ""
    uuid: str = ""  # Kobo's _uuid, which its repeat sheets repeat as _submission__uuid


@dataclass
class Outcome:
    """What became (or, checked only, would become) of one submission of the file."""

    row: int
    instance_id: str
    state: str  # "accepted", "queued" or "duplicate"
    reason: str = ""


@dataclass
class Summary:
    accepted: int = 0
    duplicates: int = 0
    queued: list[tuple[int, str, str]] = field(default_factory=list)  # row, instanceID, reason
    submissions: list[Submission] = field(default_factory=list)
    outcomes: list[Outcome] = field(default_factory=list)
    checked_only: bool = False


Table = list[dict[str, str]]


def _too_big(name: str) -> CsvRefused:
    return CsvRefused(_("%(file)s is larger than 20 MB.") % {"file": name})


def _too_long(name: str) -> CsvRefused:
    return CsvRefused(_("%(file)s has more than 20,000 rows.") % {"file": name})


def _read(data: bytes, name: str) -> Table:
    if len(data) > MAX_BYTES:
        raise _too_big(name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CsvRefused(
            _("%(file)s is not UTF-8 text (byte %(at)s): export it as CSV.")
            % {"file": name, "at": error.start}
        ) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.DictReader(io.StringIO(text), delimiter=delimiter))
    if len(rows) > MAX_ROWS:
        raise _too_long(name)
    return rows


def _cell(value: Any) -> str:
    """A spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(rows: Any, name: str) -> Table:
    """A sheet's rows under its header row (the first row holding anything)."""
    header: list[str] | None = None
    records: Table = []
    for _number, values in rows:
        cells = [_cell(value) for value in values]
        if header is None:
            if any(cell.strip() for cell in cells):
                header = [cell.strip() for cell in cells]
            continue
        if any(cell.strip() for cell in cells):
            records.append(dict(zip(header, cells, strict=False)))
            if len(records) > MAX_ROWS:
                raise _too_long(name)
    return records


def _book_tables(data: bytes, name: str) -> tuple[Table, dict[str, Table]]:
    """The submissions and the repeats of a Central .zip or a Kobo .xlsx, read bounded
    (zip bombs and stray far cells refused as for a workbook: exchange/readers.py)."""
    with tempfile.TemporaryDirectory(prefix="collect-") as folder:
        path = f"{folder}/upload"
        with open(path, "wb") as out:
            out.write(data)
        try:
            book = open_book(path)
        except WorkbookError as error:
            raise CsvRefused(f"{name}: {error}") from None
        try:
            if isinstance(book, XlsxBook):
                names = list(book.names)
                main, others = names[0], names[1:]
                suffix = ""
            else:
                with zipfile.ZipFile(path) as archive:
                    stems = {
                        PurePosixPath(entry).stem
                        for entry in archive.namelist()
                        if entry.lower().endswith(".csv") and "__MACOSX" not in entry
                    }
                main = _central_main(stems, name)
                others = sorted(stems - {main})
                suffix = ".csv"
            tables = {n: _table(book.rows(n), n + suffix) for n in [main, *others]}
        except WorkbookError as error:
            raise CsvRefused(f"{name}: {error}") from None
        finally:
            book.close()
    return tables.pop(main), {n + suffix: table for n, table in tables.items()}


def _central_main(stems: set[str], name: str) -> str:
    """The submissions' CSV of a Central zip: the one whose name starts every other's
    (`attendance.csv`, `attendance-participant.csv`)."""
    found = [s for s in stems if all(o == s or o.startswith(s + "-") for o in stems)]
    if len(found) != 1:
        raise CsvRefused(
            _(
                "%(file)s does not hold one CSV of submissions and its repeats' CSVs "
                "(<form>.csv, <form>-<repeat>.csv) as ODK Central exports them."
            )
            % {"file": name}
        )
    return found[0]


def read_upload(
    data: bytes, name: str, repeats: dict[str, bytes] | None = None
) -> tuple[Table, dict[str, Table]]:
    """The submissions' table and its repeats' tables (by file or sheet name) of an
    upload: a CSV (with its repeats' CSV files), a Central .zip or a Kobo .xlsx."""
    if len(data) > MAX_BYTES:
        raise _too_big(name)
    if data[:4] == b"PK\x03\x04":
        if repeats:
            raise CsvRefused(
                _("%(file)s holds its repeats itself: send it alone.") % {"file": name}
            )
        return _book_tables(data, name)
    return _read(data, name), {n: _read(d, n) for n, d in (repeats or {}).items()}


def _path(column: str, known: set[str], repeats: set[str]) -> tuple[str, str, int] | None:
    """(repeat, path, index) of a column: repeat "" for a value of the instance itself."""
    for separator in ("/", "-"):
        parts = column.strip().split(separator)
        steps, repeat, index = [], "", 0
        for part in parts:
            match = _INDEX.match(part)
            if match:
                part, index = match.group(1), int(match.group(2))
                steps.append(part)
                repeat = "/".join(steps)
            else:
                steps.append(part)
        path = "/".join(steps)
        if path in known:
            if not repeat:
                repeat = next((r for r in repeats if path.startswith(r + "/")), "")
                index = 1 if repeat else 0
            return repeat, path, index
    return None


def _rows(shape: Shape, main: list[dict[str, str]]) -> list[Row]:
    known = shape.leaves()
    columns = {c: _path(c, known, shape.repeats) for c in (main[0].keys() if main else [])}
    if not any(found and not found[1].startswith("meta/") for found in columns.values()):
        raise CsvRefused(_("No column of the file is a question of this form."))
    rows = []
    for number, record in enumerate(main, start=2):
        row = Row(
            number,
            key=(record.get("KEY") or record.get("_index") or "").strip(),
            uuid=(record.get("_uuid") or "").strip(),
        )
        for column, found in columns.items():
            value = (record.get(column) or "").strip()
            if found is None or value == "":
                continue
            repeat, path, index = found
            if repeat:
                relative = path.removeprefix(repeat + "/")
                row.repeats.setdefault(repeat, {}).setdefault(index, {})[relative] = value
            else:
                row.values[path] = value
        if not row.values.get("meta/instanceID"):
            if record.get("KEY", "").strip():
                row.values["meta/instanceID"] = record["KEY"].strip()
            elif record.get("_uuid", "").strip():
                row.values["meta/instanceID"] = "uuid:" + record["_uuid"].strip()
        row.values.setdefault("__version__", (record.get("FormVersion") or "").strip())
        rows.append(row)
    return rows


def _attach_repeat(shape: Shape, rows: list[Row], name: str, records: list[dict[str, str]]) -> None:
    """A repeat's own file: its rows joined to their parents by key."""
    stem = name.rsplit(".", 1)[0]
    repeat = next(
        (
            r
            for r in sorted(shape.repeats, key=len, reverse=True)
            if stem.endswith(r.split("/")[-1])
        ),
        None,
    )
    if repeat is None:
        raise CsvRefused(_("%(file)s is not named after a repeat of this form.") % {"file": name})
    known = {p.removeprefix(repeat + "/") for p in shape.leaves() if p.startswith(repeat + "/")}
    by_key = {row.key: row for row in rows if row.key}
    by_uuid = {row.uuid: row for row in rows if row.uuid}
    counts: dict[int, int] = {}
    for line, record in enumerate(records, start=2):
        parent = (record.get("PARENT_KEY") or record.get("_parent_index") or "").strip()
        row = by_key.get(parent)
        if row is None and (record.get("_submission__uuid") or "").strip():
            parent = record["_submission__uuid"].strip()
            row = by_uuid.get(parent)
        if row is None:
            raise CsvRefused(
                _("%(file)s row %(row)s: its parent %(parent)s is not in the main file.")
                % {"file": name, "row": line, "parent": parent or "—"}
            )
        counts[row.number] = counts.get(row.number, 0) + 1
        values = row.repeats.setdefault(repeat, {}).setdefault(counts[row.number], {})
        for column, value in record.items():
            for separator in ("/", "-"):
                relative = (column or "").split(separator)
                candidates = ["/".join(relative), "/".join(relative).removeprefix(repeat + "/")]
                hit = next((c for c in candidates if c in known), None)
                if hit and (value or "").strip():
                    values[hit] = value.strip()
                    break


def instance_xml(shape: Shape, form_id: str, version: str, row: Row) -> bytes:
    """The row as the form's instance, in the template's order."""

    def build(template: ET.Element, path: str, values: dict[str, str], target: ET.Element) -> None:
        built: set[str] = set()
        for child in template:
            name = pipeline.local(child.tag)
            child_path = f"{path}/{name}".lstrip("/")
            if child_path in shape.repeats:
                # pyxform writes a repeat's template and its first item: build it once.
                if child_path not in built:
                    built.add(child_path)
                    for index in sorted(row.repeats.get(child_path, {})):
                        build(
                            child, "", row.repeats[child_path][index], ET.SubElement(target, name)
                        )
                continue
            element = ET.SubElement(target, name)
            if len(child):
                build(child, child_path, values, element)
            else:
                element.text = values.get(child_path, "")

    root = ET.Element(pipeline.local(shape.root.tag), {"id": form_id, "version": version})
    build(shape.root, "", row.values, root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def import_csv(
    user: Any,
    form: Any,
    main: bytes,
    repeats: dict[str, bytes] | None = None,
    *,
    name: str = "",
    dry_run: bool = False,
) -> Summary:
    """Each submission of an export of `form` (a CSV and its repeats' CSV files, a
    Central .zip or a Kobo .xlsx: `read_upload`) received as a submission of it.
    Raises CsvRefused, having received nothing, when the files do not fit the form.
    `dry_run`: each submission received, then undone, saying what would become of it."""
    shape = shape_of(form.xform(user))
    table, repeat_tables = read_upload(main, name or "CSV", repeats)
    rows = _rows(shape, table)
    for repeat_name, records in repeat_tables.items():
        _attach_repeat(shape, rows, repeat_name, records)
    summary = Summary(checked_only=dry_run)
    if not dry_run:
        # Each submission committed as it goes (no long write lock on SQLite).
        for row in rows:
            _receive(user, form, shape, row, summary)
        return summary
    # Checked one submission at a time, each rolled back at once (a check holds the
    # write lock no longer than an import does); an instanceID met earlier in the
    # file is what the import would find already received.
    seen: set[str] = set()
    with pipeline.said_in_one_language():
        for row in rows:
            with transaction.atomic():
                _receive(user, form, shape, row, summary, seen)
                transaction.set_rollback(True)
    summary.submissions = []
    return summary


def _receive(
    user: Any, form: Any, shape: Shape, row: Row, summary: Summary, seen: set[str] | None = None
) -> None:
    version = row.values.pop("__version__", "") or form.version()
    kept = pipeline.receive(user, instance_xml(shape, form.form_id, version, row), channel="csv")
    summary.submissions.append(kept)
    if getattr(kept, "duplicate", False) or (seen is not None and kept.instance_id in seen):
        summary.duplicates += 1
        summary.outcomes.append(Outcome(row.number, kept.instance_id, "duplicate"))
    elif kept.state == Submission.State.APPROVED:
        summary.accepted += 1
        summary.outcomes.append(Outcome(row.number, kept.instance_id, "accepted"))
    else:
        summary.queued.append((row.number, kept.instance_id, kept.reason_shown))
        summary.outcomes.append(Outcome(row.number, kept.instance_id, "queued", kept.reason_shown))
    if seen is not None:
        seen.add(kept.instance_id)
