"""`scoretrack serve`: the production-grade server (gunicorn, static files by whitenoise)."""

from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from scoretrack.lib.env import env_int


def default_workers() -> int:
    """gunicorn's advice, 2 × cores + 1: while one process waits on the database
    or the network, another uses the core."""
    return 2 * len(os.sched_getaffinity(0)) + 1


class Command(BaseCommand):
    help = "Serve the app with gunicorn on HOST:PORT (static files through whitenoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=env_int("PORT", 8000))
        parser.add_argument(
            "--workers", type=int, default=env_int("WEB_CONCURRENCY", default_workers())
        )
        # One request at a time per process by default: Python threads of one
        # process take turns on its one interpreter lock, and a thread back from a
        # database call waits for the others' turns. Measured with the API load
        # benchmark (16 clients, 2 cores, SQLite): 5 processes × 1 thread gave a
        # p95 of 61 ms for lists and 27 ms for details; 5 × 4 threads 109 and 53 ms.
        parser.add_argument("--threads", type=int, default=env_int("WEB_THREADS", 1))

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
