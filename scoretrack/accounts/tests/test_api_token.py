"""API calls authenticate with a bearer token, within the token owner's scope."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import Client

from scoretrack.accounts.models import ApiToken


def test_a_bearer_token_authenticates_within_its_owners_scope(world: SimpleNamespace) -> None:
    _, token = ApiToken.issue(user=world.users["country"])
    response = Client().get(
        "/api/v1/indicators/values?code=smes_trained&by=country",
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.json()["values"] == {"smes_trained": {"BO": 2}}


def test_a_wrong_or_revoked_token_is_401(world: SimpleNamespace) -> None:
    record, token = ApiToken.issue(user=world.users["country"])
    bad = Client().get("/api/v1/indicators", headers={"authorization": f"Bearer {token}x"})
    assert bad.status_code == 401
    assert bad.json()["error"]
    from django.utils import timezone

    record.revoked_at = timezone.now()
    record.save()
    revoked = Client().get("/api/v1/indicators", headers={"authorization": f"Bearer {token}"})
    assert revoked.status_code == 401
