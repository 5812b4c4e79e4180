"""A real server on SQLite named by DATABASE_URL, many writers at once.

gunicorn (several processes, as `scoretrack serve` runs it) on a scratch SQLite
file configured through `DATABASE_URL=sqlite:///...`: 16 threads write records
through the API for about 10 s and every answer is a success (before, 43% of
them were 400 "database is locked"); and a write that cannot get the lock
within the busy timeout (held by another connection) is a 503 with Retry-After,
in the API and on a page, and goes through once the lock is released.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[3]
EMAIL, PASSWORD = "writer@example.org", "pw-writer-123456"
WRITERS, SECONDS = 16, 10


def environment(folder: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    for name in ("DATABASE_URL", "SECURE", "SECURE_SSL_REDIRECT", "SQLITE_BUSY_SECONDS"):
        env.pop(name, None)
    env.update(
        PYTHONPATH=str(ROOT),
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        SCORETRACK_DATA_DIR=str(folder / "data"),
        SCORETRACK_TESTING="1",  # unthrottled API, plain static files, fast hasher
        SECRET_KEY="writers-test-secret",
        ALLOWED_HOSTS="127.0.0.1",
        DEBUG="false",
        **extra,
    )
    return env


def scoretrack(folder: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "scoretrack", *args],
        env=environment(folder),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def migrated(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A migrated database with a writer and its API token (copied by each test)."""
    folder = tmp_path_factory.mktemp("writers")
    scoretrack(folder, "migrate", "--no-input")
    scoretrack(folder, "users", "add", EMAIL, "--role", "global_admin", "--password", PASSWORD)
    token = scoretrack(folder, "token", "create", EMAIL).strip()
    return folder / "db.sqlite3", token


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def server(migrated: tuple[Path, str], folder: Path, **env: str) -> Iterator[str]:
    """gunicorn with 4 processes on a copy of the migrated database; its base URL."""
    shutil.copy(migrated[0], folder / "db.sqlite3")
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "scoretrack.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "4",
            "--threads",
            "1",
        ],
        env=environment(folder, **env),
        stdout=subprocess.DEVNULL,
        stderr=(folder / "server.log").open("w"),
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a generous ceiling for 4 processes to start
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{base}/livez", timeout=10).status_code == 200:
                    break
            except requests.RequestException:
                time.sleep(0.5)
        else:
            pytest.fail(f"the server did not start: {(folder / 'server.log').read_text()}")
        yield base
    finally:
        process.terminate()
        process.wait(30)


def stored(folder: Path, sql: str) -> Any:
    with sqlite3.connect(folder / "db.sqlite3") as db:
        return db.execute(sql).fetchall()


def test_sixteen_writers_for_ten_seconds_all_succeed(
    migrated: tuple[Path, str], tmp_path: Path
) -> None:
    token = migrated[1]
    with server(migrated, tmp_path) as base:
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {token}"
        country = {"code": "BO", "name": "Bolivia", "currency": "BOB"}
        assert session.post(f"{base}/api/v1/countries", json=country).status_code == 201
        answers: Counter[tuple[str, int]] = Counter()
        failures: list[str] = []
        lock = threading.Lock()
        stop = time.monotonic() + SECONDS

        def write(writer: int) -> None:
            calls = requests.Session()
            calls.headers["Authorization"] = f"Bearer {token}"
            number = 0
            while time.monotonic() < stop:
                number += 1
                firm = {"key": f"E-{writer}-{number}", "name": "Firm", "country": "BO"}
                created = calls.post(f"{base}/api/v1/enterprises", json=firm, timeout=60)
                answer = [("POST", created.status_code)]
                if created.status_code == 201:
                    item = created.json()
                    change = {"version": item["version"], "name": f"Firm {writer}-{number}"}
                    url = f"{base}/api/v1/enterprises/{item['id']}"
                    changed = calls.patch(url, json=change, timeout=60)
                    answer.append(("PATCH", changed.status_code))
                with lock:
                    answers.update(answer)
                    failures.extend(
                        f"{method} {status}" for method, status in answer if status >= 300
                    )

        threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(SECONDS + 120)
    assert failures == [], dict(answers)
    created, changed = answers[("POST", 201)], answers[("PATCH", 200)]
    assert created > WRITERS  # every writer wrote, more than once
    assert stored(tmp_path, "SELECT COUNT(*) FROM enterprises_enterprise") == [(created,)]
    renamed = "SELECT COUNT(*) FROM enterprises_enterprise WHERE name LIKE 'Firm %'"
    assert stored(tmp_path, renamed) == [(changed,)]


@contextmanager
def write_lock_held(folder: Path) -> Iterator[None]:
    """Another connection takes the database's write lock and keeps it."""
    other = sqlite3.connect(folder / "db.sqlite3", isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        other.rollback()
        other.close()


def logged_in(base: str) -> tuple[requests.Session, str]:
    """A browser's session (over http: its cookies must come back) and a CSRF token."""
    browser = requests.Session()
    browser.get(f"{base}/login/")
    token = browser.cookies["csrftoken"]
    form = {"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": token}
    assert browser.post(f"{base}/login/", data=form, allow_redirects=False).status_code == 302
    page = browser.get(f"{base}/enterprises/new/").text
    return browser, re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]


def test_a_write_that_cannot_get_the_lock_in_time_is_503(
    migrated: tuple[Path, str], tmp_path: Path
) -> None:
    token = migrated[1]
    with server(migrated, tmp_path, SQLITE_BUSY_SECONDS="0.5") as base:
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {token}"
        country = {"code": "BO", "name": "Bolivia", "currency": "BOB"}
        assert api.post(f"{base}/api/v1/countries", json=country).status_code == 201
        country_id = stored(tmp_path, "SELECT id FROM reference_countryprogramme")[0][0]
        browser, csrf = logged_in(base)
        firm = {"key": "E-1", "name": "Firm", "country": "BO"}
        form = {"key": "E-2", "name": "Firm", "country": country_id, "csrfmiddlewaretoken": csrf}
        with write_lock_held(tmp_path):
            by_api = api.post(f"{base}/api/v1/enterprises", json=firm, timeout=60)
            by_page = browser.post(f"{base}/enterprises/new/", data=form, allow_redirects=False)
        assert (by_api.status_code, by_api.headers["Retry-After"]) == (503, "5")
        assert by_api.json()["error"] == "service unavailable"
        assert (by_page.status_code, by_page.headers["Retry-After"]) == (503, "5")
        assert "<h1>The database is busy</h1>" in by_page.text
        assert stored(tmp_path, "SELECT COUNT(*) FROM enterprises_enterprise") == [(0,)]
        again = api.post(f"{base}/api/v1/enterprises", json=firm, timeout=60)
        assert again.status_code == 201
        by_page = browser.post(f"{base}/enterprises/new/", data=form, allow_redirects=False)
        assert by_page.status_code == 302
    assert stored(tmp_path, "SELECT key FROM enterprises_enterprise ORDER BY key") == [
        ("E-1",),
        ("E-2",),
    ]
