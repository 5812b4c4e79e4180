"""Atomic versioned updates: of concurrent updates carrying one version, exactly one wins.

The API and the pages hand out a record's version; an update sends it back. The
version is claimed in the writing transaction before anything else is read, so
a check-then-write race cannot let two writers through.
"""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise
from scoretrack.reference.models import CountryProgramme

WRITERS = 16


def as_user(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="threads need a server database to race on"
)
@pytest.mark.django_db(transaction=True)
def test_of_sixteen_concurrent_updates_with_one_version_exactly_one_wins() -> None:
    country = CountryProgramme.objects.create(code="BO", name="Bolivia", currency="BOB")
    firm = Enterprise.objects.create(key="E1", name="Andina", country=country, workforce_male=0)
    user = User.objects.create_user(email="team@x.org", password="pw")
    RoleAssignment.objects.create(user=user, role="country_team", country=country)
    url = f"/api/v1/enterprises/{firm.pk}"
    version = as_user(user).get(url).json()["version"]
    barrier = threading.Barrier(WRITERS)
    answers: list[int] = []

    def write(number: int) -> None:
        client = as_user(user)
        barrier.wait()
        body = {"version": version, "workforce_male": number + 1}
        response = client.patch(url, body, content_type="application/json")
        answers.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200] + [409] * (WRITERS - 1)
    firm.refresh_from_db()
    assert 1 <= firm.workforce_male <= WRITERS
    assert firm.history.filter(history_type="~").count() == 1


def test_a_counter_incremented_with_versions_loses_no_update(world: SimpleNamespace) -> None:
    # Read-modify-write, each writer with the version it read: the second is told.
    client = as_user(world.users["country"])
    url = f"/api/v1/enterprises/{world.E_BO2.pk}"
    first, second = client.get(url).json(), client.get(url).json()
    body = {"version": first["version"], "workforce_male": 1}
    assert client.patch(url, body, content_type="application/json").status_code == 200
    body = {"version": second["version"], "workforce_male": 1}
    response = client.patch(url, body, content_type="application/json")
    assert response.status_code == 409
    current = client.get(url).json()["version"]
    assert response.json()["detail"] == [
        {"field": "version", "message": f"the record changed since: version is {current}"}
    ]


def test_a_page_saved_on_a_stale_version_is_told_and_changes_nothing(
    world: SimpleNamespace,
) -> None:
    # Two people open the same enterprise; the first saves, then the second.
    first, second = as_user(world.users["country"]), as_user(world.users["global"])
    url = f"/enterprises/{world.E_BO2.pk}/edit/"

    def posted(client: Client, name: str) -> dict[str, Any]:
        form = client.get(url).context["form"]
        data = {field: form[field].value() for field in form.fields}
        data = {key: ("" if value is None else value) for key, value in data.items()}
        return {**data, "name": name}

    data_first, data_second = posted(first, "Muebles del Sur"), posted(second, "Muebles Sud")
    assert first.post(url, data_first).status_code == 302
    response = second.post(url, data_second)
    assert response.status_code == 200
    assert "Someone else changed this record since you opened it" in response.content.decode()
    world.E_BO2.refresh_from_db()
    assert world.E_BO2.name == "Muebles del Sur"


def test_a_page_saved_on_its_version_saves(world: SimpleNamespace) -> None:
    client = as_user(world.users["country"])
    url = f"/enterprises/{world.E_BO2.pk}/edit/"
    form = client.get(url).context["form"]
    assert form["version"].value() == world.E_BO2.updated_at.isoformat()
    data = {field: form[field].value() for field in form.fields}
    data = {key: ("" if value is None else value) for key, value in data.items()}
    assert client.post(url, {**data, "name": "Muebles SA"}).status_code == 302
    world.E_BO2.refresh_from_db()
    assert world.E_BO2.name == "Muebles SA"
