"""`scoretrack serve`: the production-grade server (gunicorn, static files by whitenoise).

A start does its work once, in one process: Django's system checks (which build the
URL map and the API's schemas), the static files only when their sources changed
(`web/staticfiles.py`), then gunicorn runs in this same process with the application
already loaded, and forks its workers from it. Exec'ing the `gunicorn` program
instead loaded Django and built the URLs a second time (and, without preloading,
once more in each of the 5 workers on 2 cores): seconds of every start. What Django
makes lazily per process on its first requests (compiled templates, each language's
URL reverse tables and catalogues) is made here too, before the fork
(`web/prewarm.py`): a fresh worker answered a kept report in 0.2-0.6 s, a warm one
in 15 ms.
"""

from __future__ import annotations

import os
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from scoretrack.lib.env import env_int
from scoretrack.web.prewarm import connect, prewarm
from scoretrack.web.staticfiles import collect_if_changed


def default_workers() -> int:
    """gunicorn's advice, 2 × cores + 1: while one process waits on the database
    or the network, another uses the core."""
    return 2 * len(os.sched_getaffinity(0)) + 1


class Server(BaseApplication):
    """gunicorn with the settings given and the application already loaded."""

    def __init__(self, application: Any, settings: dict[str, Any]) -> None:
        self.application = application
        self.settings = settings
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.settings.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        return self.application


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
        parser.add_argument(
            "--collect-only",
            action="store_true",
            help="Collect the static files if their sources changed, then exit (a deploy step)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Only when the sources changed: a collect takes 20 to 60 s (web/staticfiles.py).
        collect_if_changed(log=self.stdout.write)
        if options["collect_only"]:
            return
        from scoretrack.wsgi import application  # the URLs: built by the checks already

        # What each process would make on its first requests (templates, each
        # language's URL tables and catalogues), made once here: the workers inherit it.
        prewarm()
        settings = gunicorn_settings(options)
        self.stdout.write(f"scoretrack serving on http://{settings['bind']}/")
        self.stdout.flush()
        # The workers are forked from this process: none may inherit a connection.
        connections.close_all()
        Server(application, settings).run()


def gunicorn_settings(options: dict[str, Any]) -> dict[str, Any]:
    bind = f"{options['host']}:{options['port']}"
    if ":" in options["host"]:
        bind = f"[{options['host']}]:{options['port']}"
    return {
        "bind": bind,
        "workers": options["workers"],
        "threads": options["threads"],
        "preload_app": True,
        "accesslog": "-",
        "timeout": 120,
        # gunicorn's control socket (for `gunicornc`, unused here) is one path per
        # user, ~/.gunicorn/gunicorn.ctl: two servers took it from each other.
        "control_socket_disable": True,
        # Each worker's database connection opened before its first request.
        "post_worker_init": connect,
    }
