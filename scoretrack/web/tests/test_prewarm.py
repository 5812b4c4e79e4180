"""`web/prewarm.py`: a server's first-request work done before its workers fork."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.template import engines
from django.urls import clear_url_caches, reverse
from django.urls.resolvers import URLResolver
from django.utils import translation

from scoretrack.web.prewarm import compile_templates, namespaces, prewarm


def test_every_language_reverses_every_namespace_without_building_a_table(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clear_url_caches()
    prewarm()
    built: list[str] = []
    original = URLResolver._populate

    def populate(resolver: URLResolver) -> None:
        built.append(translation.get_language())
        original(resolver)

    monkeypatch.setattr(URLResolver, "_populate", populate)
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            reverse("reports:programme")
            reverse("reports:country", args=["ID"])
            reverse("admin:training_participant_changelist")
            reverse("home")
    assert built == []


def test_the_namespaces_include_the_nested_ones() -> None:
    from django.urls import get_resolver

    found = [path for path, _resolver in namespaces(get_resolver())]
    assert {"reports:", "admin:"} <= set(found)


def test_the_report_templates_are_compiled_into_the_cached_loader() -> None:
    (engine,) = engines.all()
    (loader,) = engine.engine.template_loaders
    while not hasattr(loader, "get_template_cache"):  # template_partials wraps Django's
        (loader,) = loader.loaders
    loader.reset()
    assert compile_templates() > 50
    assert {"reports/programme.html", "reports/country.html", "base.html"} <= set(
        loader.get_template_cache
    )


@pytest.mark.django_db(transaction=True)  # the connection is closed first
def test_a_worker_opens_its_connection_and_reads_every_table_once_at_its_start() -> None:
    from django.apps import apps
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from scoretrack.web.management.commands.serve import gunicorn_settings
    from scoretrack.web.prewarm import connect

    options = {"host": "127.0.0.1", "port": 8000, "workers": 1, "threads": 1}
    assert gunicorn_settings(options)["post_worker_init"] is connect
    connection.close()
    with CaptureQueriesContext(connection) as seen:
        tables = connect(object())
    assert connection.connection is not None
    assert tables == len({m._meta.db_table for m in apps.get_models()}) > 90
    selects = [q["sql"] for q in seen.captured_queries if q["sql"].startswith("SELECT")]
    assert len(selects) == tables
    assert all(sql.endswith("WHERE 1 = 0") for sql in selects)


def test_a_worker_starts_though_the_database_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from django.db import OperationalError, connection

    from scoretrack.web.prewarm import connect

    def down() -> None:
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", down)
    assert connect(object()) == 0
