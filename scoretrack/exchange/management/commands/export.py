"""`scoretrack export PATH [--country CC] [--sheet NAME ...]`: write the exchange format."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import CommandError, CommandParser

from scoretrack.exchange.exporter import chosen_sheets, format_for, workbook_export
from scoretrack.exchange.management.users import acting_user
from scoretrack.lib.commands import DataCommand


class Command(DataCommand):
    help = "Export records as an xlsx workbook, a folder of CSV files or a zip (by PATH's suffix)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="book.xlsx, book.zip, or a folder name (no suffix)")
        parser.add_argument("--country", help="ISO code of one country programme")
        parser.add_argument("--sheet", action="extend", nargs="+", help="sheets to export")
        parser.add_argument("--user", help="e-mail of the user to act as (default: a superuser)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"])
        fmt = format_for(path)
        if not fmt:
            raise CommandError("PATH must end in .xlsx or .zip, or be a folder (no suffix)")
        try:
            sheets = chosen_sheets(options["sheet"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        user = acting_user(options["user"])
        country = options["country"].upper() if options["country"] else None
        workbook_export(
            target=path, user=user, fmt=fmt, country=country, sheets=[s.name for s in sheets]
        )
        self.stdout.write(f"exported {len(sheets)} sheet(s) to {path}")
