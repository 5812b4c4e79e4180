"""`scoretrack docs`: writes docs/EXCHANGE.md and docs/INDICATORS.md from the code."""

from __future__ import annotations

from argparse import ArgumentParser
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from scoretrack.exchange import docs as exchange_docs
from scoretrack.indicators import docs as indicators_docs
from scoretrack.lib.commands import DataCommand

# Each generated document (under docs/) and what renders it.
DOCUMENTS: dict[str, Callable[[], str]] = {
    "EXCHANGE.md": exchange_docs.render,
    "INDICATORS.md": indicators_docs.render,
}
DOCS_DIR = Path(settings.BASE_DIR) / "docs"


def stale(folder: Path) -> list[str]:
    """The documents whose file differs from what the code renders (or is missing)."""
    return [
        name
        for name, render in DOCUMENTS.items()
        if not (folder / name).is_file() or (folder / name).read_text() != render()
    ]


class Command(DataCommand):
    help = (
        "Write docs/EXCHANGE.md (from the workbook schema) and docs/INDICATORS.md (from the "
        "indicator registry). With --check, write nothing and fail if either is out of date."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--check", action="store_true", help="only compare, write nothing")
        parser.add_argument("--dir", type=Path, default=DOCS_DIR, help=f"default {DOCS_DIR}")

    def handle(self, *args: Any, **options: Any) -> None:
        folder: Path = options["dir"]
        if options["check"]:
            if names := stale(folder):
                raise CommandError(f"out of date: {', '.join(names)}; run `scoretrack docs`")
            self.stdout.write("docs are up to date")
            return
        folder.mkdir(parents=True, exist_ok=True)
        for name, render in DOCUMENTS.items():
            (folder / name).write_text(render())
            self.stdout.write(f"wrote {folder / name}")
