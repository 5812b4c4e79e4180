"""`scoretrack serve`: the gunicorn it runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from scoretrack.lib.env import ConfigError
from scoretrack.web.management.commands import serve


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """The gunicorn settings of every server run (none runs), no static files
    collected, two usable cores."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(serve.Server, "run", lambda server: calls.append(server.settings))
    monkeypatch.setattr(serve, "prewarm", lambda: calls.append({"prewarmed": True}) or 0)
    monkeypatch.setattr(serve, "collect_if_changed", lambda log: False)
    monkeypatch.setattr(serve.os, "sched_getaffinity", lambda pid: {0, 1})
    for name in ("WEB_CONCURRENCY", "WEB_THREADS", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    return calls


def served(started: list[dict[str, Any]], **options: Any) -> tuple[int, int, str]:
    """`scoretrack serve` run once: gunicorn's workers, threads and bind."""
    call_command("serve", **options)
    _prewarmed, settings = started
    return settings["workers"], settings["threads"], settings["bind"]


def test_by_default_five_single_threaded_processes_on_two_cores(started: Any) -> None:
    assert served(started) == (5, 1, "127.0.0.1:8000")


def test_the_application_is_loaded_once_before_the_workers_fork(started: Any) -> None:
    call_command("serve")
    assert started[1]["preload_app"] is True


def test_the_first_requests_work_is_done_before_gunicorn_forks(started: Any) -> None:
    call_command("serve")
    assert started == [{"prewarmed": True}, started[1]]


def test_collect_only_collects_and_serves_nothing(
    started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    collected: list[bool] = []
    monkeypatch.setattr(serve, "collect_if_changed", lambda log: collected.append(True))
    call_command("serve", collect_only=True)
    assert (collected, started) == ([True], [])


def test_the_environment_sets_processes_threads_and_address(
    started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "4")
    monkeypatch.setenv("HOST", "::1")
    monkeypatch.setenv("PORT", "9000")
    assert served(started) == (3, 4, "[::1]:9000")


def test_options_win_over_the_environment(started: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert served(started, workers=2, threads=8, port=8100) == (2, 8, "127.0.0.1:8100")


def test_a_bad_number_in_the_environment_names_the_variable(
    started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEB_THREADS", "many")
    with pytest.raises(ConfigError, match="WEB_THREADS='many' is not an integer"):
        call_command("serve")
    assert started == []
