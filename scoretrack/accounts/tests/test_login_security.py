"""Log-in hardening: hashed passwords and tokens, throttling, CSP, deploy check."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from scoretrack.accounts.models import ApiToken, User


def test_a_token_is_printed_once_and_only_its_hash_is_stored(db: object) -> None:
    user = User.objects.create_user(email="api@x.org", password="pw")
    out = StringIO()
    call_command("token", "create", "api@x.org", stdout=out, stderr=StringIO())
    token = out.getvalue().strip()
    assert token.startswith("st_")
    stored = ApiToken.objects.get(user=user)
    assert stored.digest != token
    assert token not in (stored.digest, stored.prefix, stored.name)
    assert len(stored.digest) == 64
    assert ApiToken.authenticate(token) == user
    assert ApiToken.authenticate(token + "x") is None


def test_a_revoked_token_no_longer_authenticates(db: object) -> None:
    user = User.objects.create_user(email="api@x.org", password="pw")
    stored, token = ApiToken.issue(user=user)
    call_command("token", "revoke", stored.prefix, stdout=StringIO())
    assert ApiToken.authenticate(token) is None


def test_passwords_are_hashed_with_argon2_in_production() -> None:
    from django.conf import settings

    # Tests swap in MD5 for speed; the production list is read from the module.
    source = Path(settings.BASE_DIR, "scoretrack", "settings.py").read_text()
    assert (
        '"django.contrib.auth.hashers.Argon2PasswordHasher",'
        in source.split("PASSWORD_HASHERS = [")[1].split("]")[0]
    )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_failed_logins_are_throttled(db: object) -> None:
    User.objects.create_user(email="ana@x.org", password="right-password-1")
    client = Client()
    for _ in range(3):
        response = client.post("/login/", {"username": "ana@x.org", "password": "wrong"})
    assert response.status_code == 429
    # Locked out: even the right password is refused now.
    response = client.post("/login/", {"username": "ana@x.org", "password": "right-password-1"})
    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_good_login_under_the_limit_gets_in(db: object) -> None:
    User.objects.create_user(email="ana@x.org", password="right-password-1")
    client = Client()
    client.post("/login/", {"username": "ana@x.org", "password": "wrong"})
    response = client.post("/login/", {"username": "ana@x.org", "password": "right-password-1"})
    assert response.status_code == 302


def test_pages_carry_a_content_security_policy(db: object) -> None:
    response = Client().get("/login/")
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy


def test_the_login_form_is_csrf_protected(db: object) -> None:
    client = Client(enforce_csrf_checks=True)
    response = client.post("/login/", {"username": "a@x.org", "password": "x"})
    assert response.status_code == 403


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PYTEST")},
        "DJANGO_SETTINGS_MODULE": "scoretrack.settings",
        "DEBUG": "false",
        "SECRET_KEY": "p" * 20 + "Q9x!z" * 10,
        "SECURE": "true",
        "SECURE_SSL_REDIRECT": "true",
        "SECURE_HSTS_SECONDS": "31536000",
        "SECURE_HSTS_PRELOAD": "true",
        "ALLOWED_HOSTS": "scoretrack.example.org",
        "SCORETRACK_DATA_DIR": str(tmp_path),
    }
    env.pop("DATABASE_URL", None)
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests for their own process
    result = subprocess.run(
        [sys.executable, "-m", "scoretrack", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
