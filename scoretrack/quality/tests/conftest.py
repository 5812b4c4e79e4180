from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.quality.models import Approval
from scoretrack.quality.periods import Period
from scoretrack.quality.services import approval_approve


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def approved(world: SimpleNamespace) -> Approval:
    """Bolivia 2015 Q2 (the world's records are dated 2015-06-01) approved by its team."""
    return approval_approve(
        acting_user=world.users["country"], country=world.BO, period=Period.parse("2015Q2")
    )
