"""The base of the console commands that read or write data and serve no page."""

from __future__ import annotations

from django.core.management.base import BaseCommand


class DataCommand(BaseCommand):
    """Starts without Django's system checks: they load the URLs, and with them
    build the whole API's schemas, 1.5 s before every run (`scoretrack check`
    still runs them all)."""

    requires_system_checks: list[str] = []
