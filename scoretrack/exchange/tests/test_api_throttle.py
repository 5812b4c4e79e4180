"""The API's per-caller rate limit (scoretrack.lib.throttling)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from scoretrack.accounts.models import ApiToken
from scoretrack.lib import throttling
from scoretrack.lib.throttling import CallerRateThrottle


class Caller:
    def __init__(self, name: str) -> None:
        self.auth = name


@pytest.fixture
def clock(monkeypatch: Any) -> SimpleNamespace:
    now = SimpleNamespace(value=6_000_030.0)  # half way through a minute
    monkeypatch.setattr(throttling.time, "time", lambda: now.value)
    cache.clear()
    yield now
    cache.clear()


def test_the_limit_counts_over_a_sliding_period(clock: Any, settings: Any) -> None:
    settings.API_THROTTLE_SYNC_SECONDS = 0
    throttle = CallerRateThrottle("4/min")
    a, b = Caller("a@x.org"), Caller("b@x.org")
    assert [throttle.allow_request(a) for _ in range(5)] == [True] * 4 + [False]
    assert throttle.wait() == 30  # the rest of the minute
    assert throttle.allow_request(b)  # per caller
    clock.value += 30  # the next minute: the previous one's 4 still weigh 4
    assert not throttle.allow_request(a)
    clock.value += 30  # half way through: they weigh 2
    assert [throttle.allow_request(a) for _ in range(3)] == [True, True, False]


def test_processes_share_their_counts_through_the_cache(clock: Any, settings: Any) -> None:
    settings.API_THROTTLE_SYNC_SECONDS = 1
    one, two = CallerRateThrottle("6/min"), CallerRateThrottle("6/min")  # two workers
    a = Caller("a@x.org")
    assert all(one.allow_request(a) for _ in range(3))
    assert all(two.allow_request(a) for _ in range(3))  # counted in memory until a sync
    clock.value += 1
    assert one.allow_request(a)  # its 3 go to the cache; the other's are not there yet
    assert not two.allow_request(a)  # its 3 join them: 6 in the cache
    clock.value += 1
    assert not one.allow_request(a)  # and now the first process sees them too


def test_a_throttled_call_is_a_429_with_retry_after(world: SimpleNamespace, monkeypatch: Any):
    from scoretrack.api import api

    monkeypatch.setattr(api.throttle[0], "num_requests", 1)
    cache.clear()
    _, token = ApiToken.issue(user=world.users["country"])
    client = Client(headers={"authorization": f"Bearer {token}"})
    assert client.get("/api/v1/indicators").status_code == 200
    refused = client.get("/api/v1/indicators")
    assert refused.status_code == 429
    assert refused.json()["error"] and refused.json()["detail"] == []
    assert 1 <= int(refused["Retry-After"]) <= 60
    cache.clear()
