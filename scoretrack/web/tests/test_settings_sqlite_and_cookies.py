"""One SQLite configuration whichever way it is named; Secure cookies follow HTTPS.

The settings are read in a fresh interpreter with the environment under test,
as `scoretrack serve` would start: the options Django was given and what the
connection then reports (its pragmas) are printed as JSON.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
from scoretrack.lib.sqlite import use_busy_timeout

def pragmas():
    cursor = connection.cursor()
    found = {}
    for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "cache_size"):
        cursor.execute(f"PRAGMA {name}")
        found[name] = cursor.fetchone()[0]
    return found

database = settings.DATABASES["default"]
options = dict(database["OPTIONS"])
first = pragmas()
use_busy_timeout(60)
print(json.dumps({
    "engine": database["ENGINE"],
    "name": str(database["NAME"]),
    "options": options,
    "pragmas": first,
    "worker_busy_timeout": pragmas()["busy_timeout"],
    "secure_cookies": [settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE],
}))
"""

PRAGMAS = (
    "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
    "PRAGMA cache_size=-64000;"
)


def settings_with(tmp_path: Path, **env: str) -> dict[str, Any]:
    """The database settings and cookie flags a process started with `env` gets."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "SECURE", "SECURE_SSL_REDIRECT", "SQLITE_BUSY_SECONDS"}
        and not k.startswith("PYTEST")
    }
    clean.update(
        PYTHONPATH=str(ROOT),
        DJANGO_SETTINGS_MODULE="scoretrack.settings",
        SCORETRACK_DATA_DIR=str(tmp_path / "data"),
        SECRET_KEY="test-secret",
        **env,
    )
    done = subprocess.run(
        [sys.executable, "-c", PROBE], env=clean, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.mark.slow
def test_sqlite_named_by_url_is_configured_as_the_default(tmp_path: Path) -> None:
    default = settings_with(tmp_path)
    named = settings_with(tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/named.sqlite3")
    assert default["name"] == str(tmp_path / "data" / "scoretrack.sqlite3")
    assert named["name"] == str(tmp_path / "named.sqlite3")
    for found in (default, named):
        assert found["engine"] == "django.db.backends.sqlite3"
        assert found["options"] == {
            "transaction_mode": "IMMEDIATE",
            "timeout": 5.0,
            "init_command": PRAGMAS,
        }
        assert found["pragmas"] == {
            "journal_mode": "wal",
            "synchronous": 1,  # NORMAL
            "foreign_keys": 1,
            "busy_timeout": 5000,
            "cache_size": -64000,
        }
        assert found["worker_busy_timeout"] == 60000  # use_busy_timeout(60)


@pytest.mark.slow
def test_the_busy_timeout_is_set_by_the_environment(tmp_path: Path) -> None:
    found = settings_with(
        tmp_path, DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3", SQLITE_BUSY_SECONDS="0.5"
    )
    assert found["options"]["timeout"] == 0.5
    assert found["pragmas"]["busy_timeout"] == 500


@pytest.mark.slow
def test_a_database_url_does_not_turn_on_secure_cookies(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/db.sqlite3"
    assert settings_with(tmp_path, DATABASE_URL=url)["secure_cookies"] == [False, False]
    redirect = settings_with(tmp_path, DATABASE_URL=url, SECURE_SSL_REDIRECT="true")
    assert redirect["secure_cookies"] == [True, True]
    explicit = settings_with(tmp_path, SECURE_SSL_REDIRECT="true", SECURE="false")
    assert explicit["secure_cookies"] == [False, False]
    assert settings_with(tmp_path, SECURE="true")["secure_cookies"] == [True, True]


def log_in(client: Client, **extra: Any) -> Any:
    client.get("/login/", **extra)  # the CSRF cookie
    token = client.cookies["csrftoken"].value
    return client.post(
        "/login/",
        {"username": "hq@example.org", "password": "pw-hq-123456", "csrfmiddlewaretoken": token},
        **extra,
    )


def test_cookies_over_http_are_not_secure(admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert log_in(client).status_code == 302
    assert client.cookies["csrftoken"]["secure"] == ""
    assert client.cookies["sessionid"]["secure"] == ""


def test_cookies_over_https_are_secure(admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    assert log_in(client, secure=True, HTTP_ORIGIN="https://testserver").status_code == 302
    assert client.cookies["csrftoken"]["secure"] is True
    assert client.cookies["sessionid"]["secure"] is True


def test_cookies_behind_a_tls_proxy_are_secure(admin: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    proxied = {
        "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_HOST": "testserver",  # as a proxy sends it (the test client would add :80)
        "HTTP_ORIGIN": "https://testserver",
    }
    assert log_in(client, **proxied).status_code == 302
    assert client.cookies["csrftoken"]["secure"] is True
    assert client.cookies["sessionid"]["secure"] is True
