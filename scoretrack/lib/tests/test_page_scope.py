"""The record pages follow the user's scope: what it may read, and what it may write."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import world  # noqa: F401  (the shared page-test world)
from scoretrack.training.models import Enrolment

HTMX = {"HTTP_HX_REQUEST": "true"}


def client_for(role: str, **scope: Any) -> Client:
    user = User.objects.create_user(email=f"{role}@example.org", password="pw-123456-xyz")
    RoleAssignment.objects.create(user=user, role=role, **scope)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def peru_team(world: SimpleNamespace) -> Client:  # noqa: F811
    return client_for("country_team", country=world.pe)


@pytest.fixture
def viewer(world: SimpleNamespace) -> Client:  # noqa: F811
    return client_for("viewer")


def test_a_country_team_lists_only_its_country(
    peru_team: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    response = peru_team.get(reverse("enterprises:enterprise-list"))
    assert [row.obj.name for row in response.context["rows"]] == ["Inca Foods"]
    response = peru_team.get(reverse("training:delivery-list"))
    assert [row.obj.key for row in response.context["rows"]] == ["PE-2016-01"]


def test_a_record_out_of_scope_is_not_found(
    peru_team: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    for url in [
        reverse("enterprises:enterprise-detail", args=[world.andina.pk]),
        reverse("enterprises:enterprise-edit", args=[world.andina.pk]),
        reverse("training:delivery-detail", args=[world.d_bo.pk]),
        reverse("training:enrolments-add", args=[world.d_bo.pk]),
        reverse("trainers:trainer-detail", args=[world.ana.pk]),
        reverse("reference:organisation-detail", args=[world.cainco.pk]),
    ]:
        assert peru_team.get(url).status_code == 404, url
    assert (
        peru_team.get(reverse("training:delivery-detail", args=[world.d_pe.pk])).status_code == 200
    )


def test_a_country_team_cannot_create_a_record_in_another_country(
    peru_team: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    data = {"key": "E5", "name": "Intrusa", "country": world.bo.pk}
    response = peru_team.post(reverse("enterprises:enterprise-create"), data)
    assert response.status_code == 200
    # Bolivia is not among the countries offered to it.
    assert "Select a valid choice" in str(response.context["form"].errors["country"])
    assert not Enterprise.objects.filter(key="E5").exists()
    data["country"] = world.pe.pk
    assert peru_team.post(reverse("enterprises:enterprise-create"), data).status_code == 302
    assert Enterprise.objects.get(key="E5").country == world.pe


def test_a_country_team_cannot_move_its_record_out_of_its_country(
    peru_team: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    url = reverse("enterprises:enterprise-edit", args=[world.inca.pk])
    response = peru_team.post(url, {"key": "E7", "name": "Inca Foods", "country": world.bo.pk})
    assert "Select a valid choice" in str(response.context["form"].errors["country"])
    world.inca.refresh_from_db()
    assert (world.inca.key, world.inca.country) == ("E1", world.pe)


def test_a_viewer_reads_nothing_and_may_not_write(
    viewer: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    response = viewer.get(reverse("enterprises:enterprise-list"))
    assert response.context["rows"] == []
    assert response.context["create_url"] == ""
    assert viewer.get(reverse("enterprises:enterprise-create")).status_code == 403
    assert viewer.post(reverse("finance:cost-create"), {}).status_code == 403


def test_rows_a_role_may_not_write_show_no_actions_and_refuse_them(
    world: SimpleNamespace,  # noqa: F811
    admin: Any,
) -> None:
    # A trainer reads the enrolments of its deliveries but enrols nobody.
    trainer = client_for("trainer", trainer=world.ana)
    with acting_as(admin):
        enrolment = Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
    page = trainer.get(reverse("training:delivery-detail", args=[world.d_bo.pk]))
    assert [row.obj for row in page.context["enrolments"]["rows"]] == [enrolment]
    assert page.context["enrolments"]["rows"][0].edit_url == ""
    assert not page.context["enrolments"]["can_write"]
    assert not page.context["can_edit"]
    delete = reverse("training:enrolments-delete", args=[world.d_bo.pk, enrolment.pk])
    assert trainer.post(delete, **HTMX).status_code == 403
    assert trainer.get(reverse("training:enrolments-add", args=[world.d_bo.pk])).status_code == 403
    assert Enrolment.objects.count() == 1
    # ...but it records participants of them.
    assert page.context["participants"]["can_write"]
