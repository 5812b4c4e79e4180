"""A server process's first-request work, done once before gunicorn forks its workers.

Each of `scoretrack serve`'s processes used to pay on its first requests for what
Django makes lazily and keeps per process: the compiled templates (the cached
template loader), the URL map's reverse table of each language (built on the first
`{% url %}` in that language), the translation catalogues and the number formats
of each language. A kept report read back in 15 ms by a warm process took 0.2-0.6 s
in a fresh one, and with five processes the first five loads of a page after a
start each met a fresh one. `prewarm()` makes all of it in the parent process
(`serve`, with the application preloaded), so that every worker inherits it.

A database connection cannot be inherited: each worker opens its own as soon as it
is forked (`connect`, gunicorn's `post_worker_init`), and reads every table's
columns once, which fills the new PostgreSQL backend's catalogue caches (20-30 ms
to connect and 40-80 ms for the 95 tables at 100,000 enterprises, on the first
request otherwise).
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template import TemplateSyntaxError, engines
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils import formats, translation

SUFFIXES = (".html", ".txt")


def template_names(engine: Any) -> list[str]:
    """Every template the engine's loaders can find (the first found of a name wins)."""
    names: set[str] = set()
    for loader in engine.engine.template_loaders:
        for inner in getattr(loader, "loaders", [loader]):
            for folder in inner.get_dirs():
                root = Path(folder)
                if not root.is_dir():
                    continue
                names.update(
                    path.relative_to(root).as_posix()
                    for path in root.rglob("*")
                    if path.suffix in SUFFIXES and path.is_file()
                )
    return sorted(names)


def compile_templates() -> int:
    """Compile every template into the cached loader; how many compiled."""
    done = 0
    for engine in engines.all():
        for name in template_names(engine):
            try:
                engine.get_template(name)
            except (TemplateSyntaxError, UnicodeDecodeError, LookupError):
                continue  # a fragment that compiles only where it is included
            done += 1
    return done


def namespaces(resolver: URLResolver, prefix: str = "") -> list[tuple[str, URLResolver]]:
    """Every namespace of the URL map (say `reports`, `admin`), with its resolver."""
    found = []
    for pattern in resolver.url_patterns:
        if not isinstance(pattern, URLResolver):
            continue
        path = prefix
        if pattern.namespace:
            path = f"{prefix}{pattern.namespace}:"
            found.append((path, pattern))
        found += namespaces(pattern, path)
    return found


def populate() -> int:
    """The reverse tables of the URL map in the active language: the root's, and the
    one `reverse` builds for each namespace on its first name reversed through it
    (`django.urls.resolvers.get_ns_resolver`); how many namespaces."""
    root = get_resolver()
    root.reverse_dict  # noqa: B018 - built per language on first use
    spaces = namespaces(root)
    for path, resolver in spaces:
        names = [name for name in resolver.reverse_dict if isinstance(name, str)]
        if not names:
            continue
        # A name that takes arguments fails to reverse: the table is built all the same.
        with contextlib.suppress(NoReverseMatch):
            reverse(path + names[0])
    return len(spaces)


def load_languages() -> None:
    """Each language's catalogues, number formats and URL reverse tables."""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            translation.gettext("Reports")
            formats.get_format("DECIMAL_SEPARATOR")
            formats.get_format("DATE_FORMAT")
            populate()


def connect(_worker: Any = None) -> int:
    """This process's database connection opened, and every table's columns read
    once; how many tables (0 when the database does not answer: the worker starts
    all the same, and its first request connects or says why it cannot)."""
    from django.apps import apps
    from django.db import DatabaseError, connection

    tables = sorted({model._meta.db_table for model in apps.get_models()})
    try:
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)} WHERE 1 = 0")
    except DatabaseError:
        connection.close()
        return 0
    return len(tables)


def prewarm() -> int:
    """Everything above; the number of templates compiled."""
    load_languages()
    return compile_templates()
