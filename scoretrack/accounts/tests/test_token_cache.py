"""The per-process cache of API tokens: no query per request, revocation still holds."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from scoretrack.accounts import models
from scoretrack.accounts.models import ApiToken, Role, RoleAssignment


@pytest.fixture
def clock(monkeypatch: Any) -> SimpleNamespace:
    """The cache's clock (time.monotonic as the models module sees it), moved by hand."""
    now = SimpleNamespace(value=1_000_000.0)
    monkeypatch.setattr(models.time, "monotonic", lambda: now.value)
    return now


def queries_of(token: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        ApiToken.authenticate(token)
    return [q["sql"] for q in captured.captured_queries]


def test_a_token_is_read_once_per_cache_period(world: SimpleNamespace, clock: Any) -> None:
    record, token = ApiToken.issue(user=world.users["country"])
    first = queries_of(token)
    assert any("accounts_apitoken" in sql and "SELECT" in sql for sql in first)
    assert any("last_used_at" in sql for sql in first)  # the first use is recorded
    assert queries_of(token) == []  # cached: no query, last use not written again
    clock.value += models.TOKEN_CACHE_SECONDS + 1
    again = queries_of(token)
    assert any("SELECT" in sql for sql in again)
    assert not any("UPDATE" in sql for sql in again)  # last use written once a minute
    a_minute_ago = timezone.now() - dt.timedelta(seconds=models.LAST_USED_EVERY + 1)
    ApiToken.objects.filter(pk=record.pk).update(last_used_at=a_minute_ago)
    clock.value += models.TOKEN_CACHE_SECONDS + 1
    assert any("UPDATE" in sql for sql in queries_of(token))


def test_each_request_gets_its_own_user_object(world: SimpleNamespace) -> None:
    _, token = ApiToken.issue(user=world.users["country"])
    one, two = ApiToken.authenticate(token), ApiToken.authenticate(token)
    assert one == two == world.users["country"]
    assert one is not two
    one.first_name = "changed by one request"
    assert two.first_name != one.first_name


def test_a_token_revoked_in_this_process_is_refused_at_once(world: SimpleNamespace) -> None:
    record, token = ApiToken.issue(user=world.users["country"])
    assert ApiToken.authenticate(token) is not None
    record.revoked_at = timezone.now()
    record.save()
    assert ApiToken.authenticate(token) is None


def test_a_token_revoked_elsewhere_is_refused_within_the_cache_period(
    world: SimpleNamespace, clock: Any
) -> None:
    record, token = ApiToken.issue(user=world.users["country"])
    assert ApiToken.authenticate(token) is not None
    # Another process revokes it: a bulk update, no signal reaches this one.
    ApiToken.objects.filter(pk=record.pk).update(revoked_at=timezone.now())
    clock.value += models.TOKEN_CACHE_SECONDS + 0.1
    assert ApiToken.authenticate(token) is None


def test_a_deactivated_user_or_a_changed_role_is_seen_at_once(world: SimpleNamespace) -> None:
    user = world.users["country"]
    _, token = ApiToken.issue(user=user)
    client = Client(headers={"authorization": f"Bearer {token}"})
    assert client.get("/api/v1/enterprises").status_code == 200
    seen = {item["key"] for item in client.get("/api/v1/enterprises").json()["items"]}
    RoleAssignment.objects.filter(user=user).delete()
    RoleAssignment.objects.create(user=user, role=Role.VIEWER)
    assert client.get("/api/v1/enterprises").json()["items"] == []  # viewers: no records
    assert seen  # the country team saw some before
    user.is_active = False
    user.save()
    assert client.get("/api/v1/enterprises").status_code == 401


def test_a_locked_database_does_not_refuse_the_call(world: SimpleNamespace, monkeypatch: Any):
    from django.db import OperationalError
    from django.db.models import QuerySet

    _, token = ApiToken.issue(user=world.users["country"])

    def locked(self: Any, **values: Any) -> int:
        raise OperationalError("database is locked")

    monkeypatch.setattr(QuerySet, "update", locked)
    assert ApiToken.authenticate(token) == world.users["country"]
