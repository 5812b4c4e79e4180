"""Events: a list, a page with the participants by group and sex, create, edit and
delete, for country teams (and HQ) only."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.events.models import Event, EventParticipation
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import as_shown

EVENT = {
    "key": "NTAC-2024-1",
    "kind": "ntac_meeting",
    "date": "2024-03-01",
    "title": "National tripartite advisory committee",
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(role: str, **scope: Any) -> Client:
    user = User.objects.create_user(email=f"{role}@example.org", password="pw-123456-xyz")
    RoleAssignment.objects.create(user=user, role=role, **scope)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def bolivia_team(world: SimpleNamespace) -> Client:
    return client_for("country_team", country=world.bo)


@pytest.fixture
def ntac(world: SimpleNamespace, admin: Any) -> Event:
    with acting_as(admin):
        event = Event.objects.create(
            key="NTAC-1", country=world.bo, kind="ntac_meeting", date=dt.date(2024, 3, 1)
        )
        EventParticipation.objects.create(event=event, group="government", female=3, male=5)
        EventParticipation.objects.create(event=event, group="trade_unions", female=2, male=0)
    return event


def test_events_are_listed_for_the_country_team(
    bolivia_team: Client, ntac: Event, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        Event.objects.create(key="W-1", country=world.pe, kind="workshop", date=dt.date(2024, 1, 1))
    response = bolivia_team.get(reverse("events:event-list"))
    assert response.status_code == 200
    assert [row.obj for row in response.context["rows"]] == [ntac]
    assert response.context["create_url"] == reverse("events:event-create")


def test_a_country_team_creates_an_event_in_its_country(
    bolivia_team: Client, world: SimpleNamespace
) -> None:
    url = reverse("events:event-create")
    shown = as_shown(bolivia_team, url)
    assert shown["country"] == [str(world.bo.pk)]  # its only country, chosen
    assert "Peru" not in bolivia_team.get(url).content.decode()
    response = bolivia_team.post(url, {**EVENT, "country": world.bo.pk})
    event = Event.objects.get()
    assert response.status_code == 302 and response.url == f"/events/{event.pk}/"
    assert (event.key, event.country, event.kind, event.date) == (
        "NTAC-2024-1",
        world.bo,
        "ntac_meeting",
        dt.date(2024, 3, 1),
    )


def test_an_event_in_another_country_is_refused_at_the_country(
    bolivia_team: Client, world: SimpleNamespace
) -> None:
    response = bolivia_team.post(reverse("events:event-create"), {**EVENT, "country": world.pe.pk})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["country"]
    assert not Event.objects.exists()


def test_a_key_already_used_in_the_country_is_a_form_error(
    bolivia_team: Client, world: SimpleNamespace, ntac: Event
) -> None:
    data = {**EVENT, "key": "NTAC-1", "country": world.bo.pk}
    response = bolivia_team.post(reverse("events:event-create"), data)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Event with this Country and Key already exists."
    ]
    assert Event.objects.count() == 1


def test_the_event_page_shows_participants_by_group_and_their_total(
    bolivia_team: Client, ntac: Event
) -> None:
    page = bolivia_team.get(reverse("events:event-detail", args=[ntac.pk])).content.decode()
    assert "5 women, 5 men" in page
    section = page.split('id="participants"')[1]
    assert section.index("Government") < section.index("Trade unions")


def test_participants_are_added_edited_and_removed_inline(
    bolivia_team: Client, ntac: Event
) -> None:
    add = reverse("events:participants-add", args=[ntac.pk])
    response = bolivia_team.post(add, {"group": "employers", "female": "4", "male": "6"}, **HTMX)
    assert response.status_code == 200 and "Employers" in response.content.decode()
    row = EventParticipation.objects.get(group="employers")
    assert (row.female, row.male) == (4, 6)
    edit = reverse("events:participants-edit", args=[ntac.pk, row.pk])
    bolivia_team.post(edit, {"group": "employers", "female": "1", "male": "6"})
    row.refresh_from_db()
    assert row.female == 1
    bolivia_team.post(reverse("events:participants-delete", args=[ntac.pk, row.pk]))
    assert not EventParticipation.objects.filter(group="employers").exists()


@pytest.mark.parametrize(
    "data,field",
    [
        ({"group": "government", "female": "1", "male": "1"}, None),  # already there
        ({"group": "other", "female": "0", "male": "0"}, "female"),
        ({"group": "other", "female": "-2", "male": "1"}, "female"),
    ],
)
def test_a_bad_participation_is_refused(
    bolivia_team: Client, ntac: Event, data: dict, field: str | None
) -> None:
    response = bolivia_team.post(reverse("events:participants-add", args=[ntac.pk]), data)
    assert response.status_code == 200
    errors = response.context["t"]["form"].errors
    assert list(errors) == [field or "__all__"]
    assert EventParticipation.objects.count() == 2


def test_an_event_is_edited_and_deleted_with_its_participants(
    bolivia_team: Client, ntac: Event
) -> None:
    edit = reverse("events:event-edit", args=[ntac.pk])
    data = as_shown(bolivia_team, edit)
    data["title"] = ["First NTAC of 2024"]
    assert bolivia_team.post(edit, data).status_code == 302
    ntac.refresh_from_db()
    assert ntac.title == "First NTAC of 2024"
    delete = reverse("events:event-delete", args=[ntac.pk])
    response = bolivia_team.post(delete, as_shown(bolivia_team, delete))
    assert response.status_code == 302 and response.url == "/events/"
    assert not Event.objects.exists() and not EventParticipation.objects.exists()


def test_another_countrys_event_is_not_found(world: SimpleNamespace, ntac: Event) -> None:
    peru = client_for("country_team", country=world.pe)
    assert peru.get(reverse("events:event-detail", args=[ntac.pk])).status_code == 404
    assert peru.post(reverse("events:event-edit", args=[ntac.pk]), EVENT).status_code == 404
    assert peru.post(reverse("events:participants-add", args=[ntac.pk]), {}).status_code == 404


@pytest.mark.parametrize(
    "role,scope",
    [("partner", "cainco"), ("trainer", "ana"), ("enterprise", "andina")],
)
def test_roles_that_do_not_run_events_get_403(
    world: SimpleNamespace, role: str, scope: str
) -> None:
    field = {"partner": "organisation"}.get(role, role)
    client = client_for(role, **{field: getattr(world, scope)})
    response = client.post(reverse("events:event-create"), {**EVENT, "country": world.bo.pk})
    assert response.status_code == 403
    assert "You do not have access to this page" in response.content.decode()
    assert not Event.objects.exists()
    listing = client.get(reverse("events:event-list"))
    assert listing.status_code == 200 and listing.context["create_url"] == ""
