"""The template workbook: every sheet with its headers, a README, and drop-downs."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from scoretrack.exchange.schema import ESCAPE, LIST_SEPARATOR, SHEETS, Sheet

LAST_ROW = 1_048_576  # the last row of a sheet: drop-downs cover every row below the header

INTRODUCTION = [
    "The workbook exchange format of scoretrack: one sheet per kind of record.",
    "Fill in any subset of the sheets; delete the ones you do not need, or leave them empty.",
    "First row: the column names, exactly as given; column order is free.",
    "Required columns are marked 'yes'; a missing optional column is left blank.",
    f"Dates YYYY-MM-DD; months YYYY-MM; yes / no; lists separated by '{LIST_SEPARATOR}'.",
    "Rows refer to other records by their key (or code, or name), in this workbook "
    "or already in scoretrack.",
    "Re-importing a row with the same key updates that record; "
    "importing the same file twice changes nothing.",
    "An import commits all its rows or none; every bad cell is reported.",
    f"A cell starting with {ESCAPE} loses that one {ESCAPE} on import: exports put it "
    "before text starting with = + - @ so that spreadsheets do not run it as a formula.",
    "This README sheet is ignored on import.",
]


def template_workbook() -> bytes:
    book = Workbook()
    readme = book.active
    assert readme is not None
    readme.title = "README"
    _readme(readme)
    for sheet in SHEETS:
        _sheet(book.create_sheet(sheet.name), sheet)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _readme(readme: Worksheet) -> None:
    for line in INTRODUCTION:
        readme.append([line])
    readme.append([])
    readme.append(["sheet", "column", "required", "allowed values", "meaning"])
    header_row = len(INTRODUCTION) + 2
    for cell in readme[header_row]:
        cell.font = Font(bold=True)
    for sheet in SHEETS:
        for column in sheet.columns:
            readme.append(
                [
                    sheet.name,
                    column.name,
                    "yes" if column.required else "no",
                    column.type.allowed,
                    column.help or sheet.help,
                ]
            )
    for letter, width in zip("ABCDE", (20, 22, 10, 60, 60), strict=True):
        readme.column_dimensions[letter].width = width


def _sheet(out: Worksheet, sheet: Sheet) -> None:
    out.append(list(sheet.column_names))
    out.freeze_panes = "A2"
    for position, column in enumerate(sheet.columns, 1):
        letter = get_column_letter(position)
        header = out[f"{letter}1"]
        header.font = Font(bold=column.required)
        out.column_dimensions[letter].width = max(12, len(column.name) + 4)
        if column.type.choices:
            choices = ",".join(column.type.choices)
            rule = DataValidation(
                type="list",
                formula1=f'"{choices}"',
                allow_blank=not column.required,
                showErrorMessage=True,
                errorTitle=f"{column.name}",
                error=f"Choose one of: {', '.join(column.type.choices)}",
            )
            rule.add(f"{letter}2:{letter}{LAST_ROW}")
            out.add_data_validation(rule)
