"""docs/EXCHANGE.md, generated from the declarations of `schema.py`.

The sheets, columns, cell types, required columns, identities and the import
order come from `SHEETS` and `IMPORT_ORDER`; the prose around them is the
contract's text (/shared/EXCHANGE.md). `scoretrack docs` writes the file, and a
test fails when the committed file differs from what this gives.
"""

from __future__ import annotations

from scoretrack.exchange.schema import IMPORT_ORDER, LIST_SEPARATOR, SHEETS, Column, Sheet

TITLE = "# The workbook exchange format"

INTRODUCTION = f"""\
One format for import and export, in xlsx (one sheet per kind) or CSV (one file
per kind, named after the sheet, in a folder or a zip). Sheet and column names
below are stable: users build their spreadsheets and scripts on them. A workbook
may hold any subset of the sheets; rows refer to each other by keys, across the
workbook and to records already in the database.

Conventions
- First row: column names exactly as below; column order is free; unknown columns
  are an error (named), missing optional columns are blank.
- `key` columns are the user's own natural keys (any text, unique per kind and
  country programme); re-importing a row with the same key updates that record,
  so importing the same file twice changes nothing.
- Dates ISO `YYYY-MM-DD`; months `YYYY-MM`; booleans `yes` / `no`; sex `female`,
  `male` or `undisclosed`; money as a number plus an ISO 4217 currency, with an
  optional `usd` value (else converted at the stored rate of that date).
- Lists inside a cell are separated by `{LIST_SEPARATOR}`.
- An import either commits all its rows or none. Each rejected cell is reported
  as (sheet, row number, column, value, reason).

The template workbook (`/exchange/export/template.xlsx`) holds every sheet with
its headers, drop-downs and a README sheet made from the same declarations; the
rules the implementation adds (formula escape, blank cells, ambiguous keys) are
in `scoretrack/exchange/README.md`."""

REFERENCES = """\
Reference columns hold the other record's key (`organisation`, `enterprise`,
`trainer`, `delivery`, `event`), code (`country`, `module`, `practice`, `kpi`,
`indicator`) or name (`phase`). `participants.person` links the same person's
attendance across several deliveries; where it is blank each row is one person.
`assessments` is long: one row per practice answer of one assessment;
`worker_surveys` likewise, one row per answer (`respondent` is an anonymous id
within the enterprise and wave)."""

IDENTITY = """\
An import creates or updates; it never deletes. A row is matched to an existing
record by its identity:"""

BY_CONTENT = """\
By content: a row equal in every column to an existing record of the same sheet
is that record; equal rows are matched one to one, so a file holding two equal
rows matches two equal records. Re-importing a file therefore creates nothing,
and an unmatched row is created."""

ORDER = """\
Whatever the order of the sheets in the file, their rows are written in this
order, so that every reference points to a record that already exists:"""

# Where an identity says more than its columns.
IDENTITY_NOTES = {
    "participants": "where `person` is blank, by content (below)",
    "organisations": "without a country: globally",
}
GENERATED = (
    "<!-- Generated from scoretrack/exchange/schema.py by `scoretrack docs` (or `make docs`);"
    " do not edit by hand: a test fails when this file and the code differ. -->"
)


def render() -> str:
    parts = [
        GENERATED,
        TITLE,
        INTRODUCTION,
        "## Sheets",
        _summary(),
        REFERENCES,
        "## Which existing record a row is",
        IDENTITY,
        _identities(),
        BY_CONTENT,
        "## Import order",
        ORDER,
        ", ".join(f"`{name}`" for name in IMPORT_ORDER) + ".",
        "## The columns, sheet by sheet",
        *(_sheet(sheet) for sheet in SHEETS),
    ]
    return "\n\n".join(parts) + "\n"


def _summary() -> str:
    rows = ["| sheet | columns (required in **bold**) |", "|---|---|"]
    rows += [f"| [{s.name}](#{s.name}) | {', '.join(map(_short, s.columns))} |" for s in SHEETS]
    return "\n".join(rows)


def _short(column: Column) -> str:
    text = f"**{column.name}**" if column.required else column.name
    if column.type.choices and column.type.name == "enum":
        text += " (" + ", ".join(f"`{code}`" for code in column.type.choices) + ")"
    return text


def _identities() -> str:
    rows = ["| sheet | identity |", "|---|---|"]
    for sheet in SHEETS:
        rows.append(f"| {sheet.name} | {_identity(sheet)} |")
    return "\n".join(rows)


def _identity(sheet: Sheet) -> str:
    if sheet.identity is None:
        return "by content (below)"
    if sheet.identity == ("key", "country"):
        text = "`key` within its country programme"
    else:
        text = ", ".join(f"`{name}`" for name in sheet.identity)
    note = IDENTITY_NOTES.get(sheet.name)
    return f"{text} — {note}" if note else text


def _sheet(sheet: Sheet) -> str:
    lines = [
        f"### {sheet.name}",
        "",
        f"{sheet.help} Identity: {_identity(sheet)}.",
        "",
        "| column | required | allowed values | meaning |",
        "|---|---|---|---|",
    ]
    for column in sheet.columns:
        cells = [
            f"`{column.name}`",
            "yes" if column.required else "",
            _cell(column.type.allowed),
            _cell(column.help),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|")
