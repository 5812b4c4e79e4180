"""`scoretrack serve`: the production-grade server (gunicorn, static files by whitenoise)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Serve the app with gunicorn on HOST:PORT (static files through whitenoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "2"))
        )
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "4")))

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("collectstatic", interactive=False, verbosity=0)
        bind = f"{options['host']}:{options['port']}"
        if ":" in options["host"]:
            bind = f"[{options['host']}]:{options['port']}"
        self.stdout.write(f"scoretrack serving on http://{bind}/")
        gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
        argv = [
            gunicorn,
            "scoretrack.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-",
            "--timeout",
            "120",
        ]
        sys.stdout.flush()
        os.execv(gunicorn, argv)
