"""Fixtures shared by every app's tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from scoretrack.accounts.models import User


@pytest.fixture
def admin(db: Any) -> User:
    return User.objects.create_superuser(email="hq@example.org", password="pw-hq-123456")


@pytest.fixture
def admin_client(admin: User) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def day() -> Any:
    return lambda text: dt.date.fromisoformat(text)
