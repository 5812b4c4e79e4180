"""`scoretrack import PATH [--dry-run]`: import a workbook, all or nothing."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from scoretrack.exchange.management.users import acting_user
from scoretrack.exchange.services import workbook_import
from scoretrack.lib.commands import DataCommand


class Command(DataCommand):
    help = "Import a workbook (xlsx, a folder of CSV files or a zip of them)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and count, change nothing"
        )
        parser.add_argument("--user", help="e-mail of the user to act as (default: a superuser)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = acting_user(options["user"])
        report = workbook_import(source=options["path"], user=user, dry_run=options["dry_run"])
        for name, counts in report.counts.items():
            self.stdout.write(f"{name}: {counts.summary()}")
        for problem in report.problems:
            self.stderr.write(problem.line())
        if report.problem_count > len(report.problems):
            self.stderr.write(f"... and {report.problem_count - len(report.problems)} more errors")
        if not report.ok:
            raise CommandError(f"{report.problem_count} error(s): nothing was imported")
        if not report.counts:
            raise CommandError("no sheet to import: nothing was imported")
        self.stdout.write("dry run: nothing was changed" if report.dry_run else "imported")
