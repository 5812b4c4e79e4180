"""A write that cannot get the database's lock in time: 503 with Retry-After.

Another connection holds a write on the record (on SQLite the write lock of the
database, on PostgreSQL the row's lock, with a short lock_timeout): the API
answers 503 in its error shape, a page form POST the styled 503 page; neither a
500 nor a 400 blaming the input. Once the lock is released the same write works.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from types import SimpleNamespace
from typing import Any

import psycopg
import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.utils import translation

from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.busy import busy_response


@contextmanager
def record_locked(table: str, pk: Any) -> Iterator[None]:
    """Another connection updates the row and holds its transaction open."""
    if connection.vendor == "postgresql":
        other = psycopg.connect(**connection.get_connection_params())
        other.execute(f"UPDATE {table} SET name = name WHERE id = %s", [pk])
        with connection.cursor() as cursor:  # this connection waits at most that long
            cursor.execute("SET lock_timeout = '300ms'")
    else:
        name = connection.get_connection_params()["database"]
        other = sqlite3.connect(name, uri=True, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        other.execute(f"UPDATE {table} SET name = name WHERE id = ?", [pk.hex])
    try:
        yield
    finally:
        other.rollback()
        other.close()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("RESET lock_timeout")


@pytest.fixture
def client_of(world: SimpleNamespace) -> Client:
    client = Client()
    client.force_login(world.users["global"])
    return client


@pytest.mark.django_db(transaction=True)
def test_an_api_write_that_cannot_get_the_lock_is_503_with_retry_after(
    world: SimpleNamespace, client_of: Client
) -> None:
    url = f"/api/v1/enterprises/{world.E_BO1.pk}"
    version = client_of.get(url).json()["version"]
    change = {"version": version, "name": "Textil Andina II"}
    with record_locked("enterprises_enterprise", world.E_BO1.pk):
        response = client_of.patch(url, change, content_type="application/json")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": "service unavailable",
        "detail": [{"field": None, "message": "the database is busy: try again in a few seconds"}],
    }
    assert Enterprise.objects.get(pk=world.E_BO1.pk).name == "Textil Andina"
    again = client_of.patch(url, change, content_type="application/json")
    assert again.status_code == 200
    assert Enterprise.objects.get(pk=world.E_BO1.pk).name == "Textil Andina II"


@pytest.mark.django_db(transaction=True)
def test_a_page_write_that_cannot_get_the_lock_is_the_503_page(
    world: SimpleNamespace, client_of: Client
) -> None:
    url = f"/enterprises/{world.E_BO1.pk}/edit/"
    form = client_of.get(url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(name="Textil Andina II", lead_buyers=[world.LB.pk])
    with record_locked("enterprises_enterprise", world.E_BO1.pk):
        response = client_of.post(url, data)
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    page = response.content.decode()
    assert "<h1>The database is busy</h1>" in page
    assert "Nothing of it was saved: try again in a few seconds." in page
    assert 'href="/enterprises/"' in page  # the site's frame, with its navigation
    assert Enterprise.objects.get(pk=world.E_BO1.pk).name == "Textil Andina"
    assert client_of.post(url, data).status_code == 302
    assert Enterprise.objects.get(pk=world.E_BO1.pk).name == "Textil Andina II"


@pytest.mark.django_db(transaction=True)
def test_a_busy_database_outside_the_view_is_503_too(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session saved after the view (by its middleware) meets the lock: 503, not 500."""
    save = SessionStore.save

    def locked(self: Any, must_create: bool = False) -> None:
        if not must_create:  # the log-in view creates it; the middleware saves it after
            raise OperationalError("database is locked")
        save(self, must_create=must_create)

    monkeypatch.setattr(SessionStore, "save", locked)
    client = Client(raise_request_exception=False)
    response = client.post("/login/", {"username": "global@x.org", "password": "pw"})
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "<h1>The database is busy</h1>" in response.content.decode()


def test_the_503_page_is_translated(world: SimpleNamespace) -> None:
    request = RequestFactory().get("/enterprises/")
    request.user = world.users["global"]
    with translation.override("fr"):
        page = busy_response(request, OperationalError("database is locked")).content.decode()
    assert "<h1>La base de données est occupée</h1>" in page
