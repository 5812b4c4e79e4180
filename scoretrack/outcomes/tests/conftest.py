"""The page-test world, with trainer Ana assigned to Textiles Andina (enrolled in her
delivery BO-2016-01), three practices, and a logged-in client per role."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import build_world
from scoretrack.outcomes.models import Practice
from scoretrack.training.models import Enrolment


@pytest.fixture
def page_world(admin: Any) -> SimpleNamespace:
    w = build_world(admin)
    with acting_as(admin):
        Enrolment.objects.create(delivery=w.d_bo, enterprise=w.andina, status="enrolled")
        w.p5s = Practice.objects.create(code="P1", name="Kaizen 5S", module=w.m1)
        w.quality = Practice.objects.create(code="P2", name="Quality policy", module=w.m2)
        w.osh = Practice.objects.create(code="P3", name="OSH policy")
    return w


@pytest.fixture
def login(page_world: SimpleNamespace) -> Callable[..., Client]:
    """A client logged in as a new user with one role (`login("trainer", trainer=...)`)."""

    def make(role: str, **scope: Any) -> Client:
        user = User.objects.create_user(email=f"{role}@example.org", password="pw-123456-xyz")
        RoleAssignment.objects.create(user=user, role=role, **scope)
        client = Client()
        client.force_login(user)
        client.user = user  # type: ignore[attr-defined]
        return client

    return make
