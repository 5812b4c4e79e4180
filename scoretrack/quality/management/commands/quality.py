"""`scoretrack quality [--country CC]`: run the data-quality rules now."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError

from scoretrack.lib.commands import DataCommand
from scoretrack.quality.runs import quality_run
from scoretrack.reference.models import CountryProgramme


class Command(DataCommand):
    help = "Run the data-quality rules and bring their violations up to date."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--country", help="ISO code of one country programme (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        country_id = None
        if options["country"]:
            country = CountryProgramme.objects.filter(code=options["country"].upper()).first()
            if country is None:
                raise CommandError(f"--country: unknown country programme '{options['country']}'")
            country_id = country.pk
        run = quality_run(country_id=country_id)
        self.stdout.write(f"{run.opened} violations opened, {run.cleared} cleared")
