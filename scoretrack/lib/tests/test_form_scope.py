"""The forms offer only what the user may write: its countries, what depends on them,
its organisations; a role that may not create a kind gets no button and a 403."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.lib.tests.pages import world  # noqa: F401  (the shared page-test world)
from scoretrack.lib.tests.test_page_scope import client_for


def offered(client: Client, url: str, field: str) -> list[str]:
    """The labels of the choices of a form field, the empty one left out."""
    form = client.get(url).context["form"]
    return [str(label) for value, label in form.fields[field].choices if value != ""]


@pytest.fixture
def peru_team(world: SimpleNamespace) -> Client:  # noqa: F811
    return client_for("country_team", country=world.pe)


@pytest.fixture
def cainco(world: SimpleNamespace) -> Client:  # noqa: F811
    return client_for("partner", organisation=world.cainco)


@pytest.fixture
def andina(world: SimpleNamespace) -> Client:  # noqa: F811
    return client_for("enterprise", enterprise=world.andina)


@pytest.mark.parametrize(
    "url",
    [
        "enterprises:enterprise-create",
        "training:delivery-create",
        "trainers:trainer-create",
        "finance:cost-create",
        "finance:contribution-create",
    ],
)
def test_a_country_team_is_offered_only_its_country(peru_team: Client, url: str) -> None:
    assert offered(peru_team, reverse(url), "country") == ["Peru"]


def test_a_country_teams_new_enterprise_offers_its_countrys_regions(peru_team: Client) -> None:
    form = peru_team.get(reverse("enterprises:enterprise-create")).context["form"]
    assert form.country.code == "PE"  # its one country, chosen for it
    assert offered(peru_team, reverse("enterprises:enterprise-create"), "region") == ["Lima"]


def test_a_country_teams_new_trainer_offers_its_countrys_and_global_organisations(
    peru_team: Client,
) -> None:
    assert offered(peru_team, reverse("trainers:trainer-create"), "organisation") == [
        "Acme Retail",
        "SENATI",
    ]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("training:delivery-create", "organiser"),
        ("trainers:trainer-create", "organisation"),
        ("finance:contribution-create", "organisation"),
    ],
)
def test_a_partner_is_offered_only_its_organisations(cainco: Client, url: str, field: str) -> None:
    assert offered(cainco, reverse(url), field) == ["Cámara de Industria"]


def test_a_partner_is_offered_only_its_countries(cainco: Client) -> None:
    assert offered(cainco, reverse("training:delivery-create"), "country") == ["Bolivia"]
    assert offered(cainco, reverse("enterprises:enterprise-create"), "country") == ["Bolivia"]


def test_an_enterprise_user_cannot_open_new_enterprise(andina: Client) -> None:
    assert andina.get(reverse("enterprises:enterprise-create")).status_code == 403
    response = andina.get(reverse("enterprises:enterprise-list"))
    assert response.context["create_url"] == ""
    assert reverse("enterprises:enterprise-create") not in response.content.decode()


def test_an_enterprise_user_still_edits_its_own_facts_in_its_country(
    andina: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    url = reverse("enterprises:enterprise-edit", args=[world.andina.pk])
    assert offered(andina, url, "country") == ["Bolivia"]


def test_a_partner_cannot_open_new_organisation(cainco: Client) -> None:
    assert cainco.get(reverse("reference:organisation-create")).status_code == 403
    assert cainco.get(reverse("reference:organisation-list")).context["create_url"] == ""


def test_a_partner_still_edits_its_own_organisation(
    cainco: Client,
    world: SimpleNamespace,  # noqa: F811
) -> None:
    url = reverse("reference:organisation-edit", args=[world.cainco.pk])
    assert cainco.get(url).status_code == 200


def test_hq_is_offered_every_country(admin_client: Client, world: Any) -> None:  # noqa: F811
    url = reverse("enterprises:enterprise-create")
    assert offered(admin_client, url, "country") == ["Bolivia", "Peru"]
