"""Saving the enterprise form keeps the lead-buyer links its user cannot see or write.

The page world (lib/tests/pages.py) plus: Textiles Andina enrolled in BO-2016-01
(organised by CAINCO), so CAINCO's partner reads it; Andina supplies the global
lead buyer Acme Retail and the Peruvian lead buyer Pacífico. Who can choose which
lead buyer on the form (choices go through `visible_to`):
- the Bolivia team: Acme (global), not Pacífico (Peru's);
- CAINCO's partner: none (it reads only its own organisation);
- Andina's own user: none, and it may not write lead-buyer links anyway.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.enterprises.services import enterprise_set_lead_buyers
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import as_shown
from scoretrack.reference.models import Organisation
from scoretrack.training.models import Enrolment


@pytest.fixture
def links(world: SimpleNamespace, admin: Any) -> SimpleNamespace:
    with acting_as(admin):
        world.pacifico = Organisation.objects.create(
            key="PACIFICO", name="Pacífico Retail", country=world.pe, type="lead_buyer"
        )
        Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
        LeadBuyerLink.objects.create(enterprise=world.andina, lead_buyer=world.buyer)
        LeadBuyerLink.objects.create(enterprise=world.andina, lead_buyer=world.pacifico)
    return world


def client_for(email: str, **role: Any) -> Client:
    user = User.objects.create_user(email=email, password="pw-123456-xyz")
    RoleAssignment.objects.create(user=user, **role)
    client = Client()
    client.force_login(user)
    return client


def edit_url(enterprise: Enterprise) -> str:
    return reverse("enterprises:enterprise-edit", args=[enterprise.pk])


def buyers_of(enterprise: Enterprise) -> set[str]:
    links = LeadBuyerLink.objects.filter(enterprise=enterprise)
    return set(links.values_list("lead_buyer__key", flat=True))


def removed_links() -> int:
    return LeadBuyerLink.history.filter(history_type="-").count()


ROLES = {
    "partner": lambda w: {"role": "partner", "organisation": w.cainco},
    "enterprise": lambda w: {"role": "enterprise", "enterprise": w.andina},
    "country_team": lambda w: {"role": "country_team", "country": w.bo},
}


@pytest.mark.parametrize("role", ["partner", "enterprise", "country_team"])
def test_saving_the_form_unchanged_keeps_every_link_and_writes_no_history(
    links: SimpleNamespace, role: str
) -> None:
    client = client_for(f"{role}@example.org", **ROLES[role](links))
    url = edit_url(links.andina)
    before = Enterprise.history.filter(id=links.andina.pk).count()
    response = client.post(url, as_shown(client, url))
    assert response.status_code == 302
    assert buyers_of(links.andina) == {"ACME", "PACIFICO"}
    assert removed_links() == 0
    assert Enterprise.history.filter(id=links.andina.pk).count() == before
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        "Nothing changed: Textiles Andina was left as it was."
    ]


# A partner reads the lead buyers of the firms it reads (their names are on the firm's
# record) and may write links among them; an enterprise user writes none.
@pytest.mark.parametrize("role", ["enterprise"])
def test_a_user_who_cannot_choose_lead_buyers_changes_the_facts_and_keeps_the_links(
    links: SimpleNamespace, role: str
) -> None:
    client = client_for(f"{role}@example.org", **ROLES[role](links))
    url = edit_url(links.andina)
    form = client.get(url).context["form"]
    assert "lead_buyers" not in form.fields
    response = client.post(url, {**as_shown(client, url), "workforce_male": "11"})
    assert response.status_code == 302
    links.andina.refresh_from_db()
    assert links.andina.workforce == 41  # 30 women + 11 men
    assert buyers_of(links.andina) == {"ACME", "PACIFICO"}
    assert removed_links() == 0


def test_an_enterprise_user_cannot_add_a_lead_buyer_by_posting_one(
    links: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        LeadBuyerLink.objects.filter(lead_buyer=links.buyer).delete()
    client = client_for("andina@example.org", **ROLES["enterprise"](links))
    url = edit_url(links.andina)
    data = {**as_shown(client, url), "name": "Textiles Andina SA", "lead_buyers": [links.buyer.pk]}
    assert client.post(url, data).status_code == 302
    assert buyers_of(links.andina) == {"PACIFICO"}


def test_a_country_team_changes_only_the_links_among_its_choices(
    links: SimpleNamespace,
) -> None:
    client = client_for("bo-team@example.org", **ROLES["country_team"](links))
    url = edit_url(links.andina)
    form = client.get(url).context["form"]
    assert list(form.fields["lead_buyers"].queryset) == [links.buyer]
    assert form["lead_buyers"].value() == [links.buyer.pk]
    data = {**as_shown(client, url), "lead_buyers": []}
    assert client.post(url, data).status_code == 302
    assert buyers_of(links.andina) == {"PACIFICO"}  # Acme unticked, Peru's kept
    assert removed_links() == 1


def test_changing_only_the_lead_buyers_writes_no_enterprise_history(
    admin_client: Client, links: SimpleNamespace
) -> None:
    url = edit_url(links.andina)
    before = Enterprise.history.filter(id=links.andina.pk).count()
    data = {**as_shown(admin_client, url), "lead_buyers": [links.buyer.pk]}
    assert admin_client.post(url, data).status_code == 302
    assert buyers_of(links.andina) == {"ACME"}
    assert removed_links() == 1
    assert Enterprise.history.filter(id=links.andina.pk).count() == before


def test_the_service_refuses_a_lead_buyer_the_user_may_not_choose(links: SimpleNamespace) -> None:
    team = User.objects.create_user(email="bo-team@example.org", password="pw-123456-xyz")
    RoleAssignment.objects.create(user=team, **ROLES["country_team"](links))
    own = User.objects.create_user(email="andina@example.org", password="pw-123456-xyz")
    RoleAssignment.objects.create(user=own, **ROLES["enterprise"](links))
    for user, buyers in ((team, [links.pacifico]), (own, [])):
        with pytest.raises(PermissionDenied):
            enterprise_set_lead_buyers(
                acting_user=user, enterprise=links.andina, lead_buyers=buyers
            )
    assert buyers_of(links.andina) == {"ACME", "PACIFICO"}
