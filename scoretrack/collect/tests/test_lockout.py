"""Wrong passwords on /collect/ (Digest and Basic) count as the log-in page's do:
django-axes' rules and settings, shared with /login/; a locked-out phone gets a 403
with the reason in an OpenRosa message, never a 500 nor axes' HTML page."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.test import Client, override_settings

from scoretrack.collect.models import CollectKey
from scoretrack.collect.tests.standin_forms import standin  # noqa: F401
from scoretrack.collect.tests.test_openrosa import Phone

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("standin"),
    pytest.mark.filterwarnings("ignore::UserWarning"),
]

LOCKED = (
    "Too many failed log-ins: This account is locked for a while after repeated wrong "
    "passwords from this address. Try again later, or ask your programme administrator to "
    "unlock it."
)


def basic(password: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"ana@x.org:{password}".encode()).decode()}


def failures() -> int:
    return sum(
        AccessAttempt.objects.filter(username="ana@x.org").values_list(
            "failures_since_start", flat=True
        )
    )


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_wrong_digest_passwords_lock_the_phone_out(world: Any) -> None:
    password, _token = CollectKey.issue(world.users["trainer"])
    wrong = Phone("ana@x.org", "not-the-password")
    wrong.challenge()
    assert wrong.send("GET", "/collect/formList").status_code == 401
    assert wrong.send("GET", "/collect/formList").status_code == 401
    assert failures() == 2
    third = wrong.send("GET", "/collect/formList")  # the limit: locked out
    assert third.status_code == 403
    assert third["X-OpenRosa-Version"] == "1.0"
    assert LOCKED in third.content.decode()
    assert failures() == 3

    right = Phone("ana@x.org", password)
    right.challenge()
    answer = right.send("GET", "/collect/formList")
    assert answer.status_code == 403  # the right password too, while locked
    assert LOCKED in answer.content.decode()
    # and the log-in page is locked for the same pair
    page = Client().post("/login/", {"username": "ana@x.org", "password": "pw"})
    assert page.status_code == 429


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_wrong_basic_passwords_lock_the_phone_out(world: Any) -> None:
    client = Client()
    for expected in (401, 401, 403):
        answer = client.get("/collect/formList", headers=basic("wrong"), secure=True)
        assert answer.status_code == expected
    assert LOCKED in answer.content.decode()
    # locked: the account password is no longer even checked
    answer = client.get("/collect/formList", headers=basic("pw"), secure=True)
    assert (answer.status_code, answer["X-OpenRosa-Version"]) == (403, "1.0")
    assert failures() == 3


@override_settings(AXES_ENABLED=True, AXES_FAILURE_LIMIT=3)
def test_a_good_password_under_the_limit_clears_the_failures(world: Any) -> None:
    password, _token = CollectKey.issue(world.users["trainer"])
    wrong = Phone("ana@x.org", "not-the-password")
    wrong.challenge()
    wrong.send("GET", "/collect/formList")
    wrong.send("GET", "/collect/formList")
    assert failures() == 2
    right = Phone("ana@x.org", password)
    right.challenge()
    assert right.send("GET", "/collect/formList").status_code == 200
    assert failures() == 0
    # a challenge (no credentials) and a stale nonce are not failures
    assert Client().get("/collect/formList").status_code == 401
    assert failures() == 0
