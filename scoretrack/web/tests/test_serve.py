"""`scoretrack serve`: the gunicorn command it hands over to."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command

from scoretrack.lib.env import ConfigError
from scoretrack.web.management.commands import serve


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The argv of every exec (none happens), collectstatic skipped, two usable cores."""
    calls: list[list[str]] = []
    monkeypatch.setattr(serve.os, "execv", lambda path, argv: calls.append(argv))
    monkeypatch.setattr(serve, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(serve.os, "sched_getaffinity", lambda pid: {0, 1})
    for name in ("WEB_CONCURRENCY", "WEB_THREADS", "HOST", "PORT"):
        monkeypatch.delenv(name, raising=False)
    return calls


def served(started: list[list[str]], **options: Any) -> tuple[str, str, str]:
    """`scoretrack serve` run once: gunicorn's --workers, --threads and --bind."""
    call_command("serve", **options)
    (argv,) = started
    return tuple(argv[argv.index(name) + 1] for name in ("--workers", "--threads", "--bind"))


def test_by_default_five_single_threaded_processes_on_two_cores(started: Any) -> None:
    assert served(started) == ("5", "1", "127.0.0.1:8000")


def test_the_environment_sets_processes_threads_and_address(
    started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("WEB_THREADS", "4")
    monkeypatch.setenv("HOST", "::1")
    monkeypatch.setenv("PORT", "9000")
    assert served(started) == ("3", "4", "[::1]:9000")


def test_options_win_over_the_environment(started: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    assert served(started, workers=2, threads=8, port=8100) == ("2", "8", "127.0.0.1:8100")


def test_a_bad_number_in_the_environment_names_the_variable(
    started: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEB_THREADS", "many")
    with pytest.raises(ConfigError, match="WEB_THREADS='many' is not an integer"):
        call_command("serve")
    assert started == []
