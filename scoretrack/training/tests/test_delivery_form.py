"""The delivery form, on create and on edit: its trainers (a searchable multiple
select of the trainers in scope), its organisers (training organisations only) and
its countries (those the user may write to).

The page world (scoretrack/lib/tests/pages.py) plus, in `people`: a trade union
and a donor in Bolivia, a global donor, a Bolivian country team and Cainco's
partner user.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import as_shown
from scoretrack.reference.models import Organisation
from scoretrack.training.models import Delivery

CREATE = reverse("training:delivery-create")


def edit(delivery: Delivery) -> str:
    return reverse("training:delivery-edit", args=[delivery.pk])


@pytest.fixture
def people(world: SimpleNamespace, admin: Any) -> SimpleNamespace:
    with acting_as(admin):
        world.cob = Organisation.objects.create(
            key="COB", name="Central Obrera Boliviana", country=world.bo, type="trade_union"
        )
        world.bo_fund = Organisation.objects.create(
            key="FUND-BO", name="Fondo Boliviano", country=world.bo, type="donor"
        )
        world.swiss = Organisation.objects.create(key="SECO", name="Swiss Fund", type="donor")

    def client_of(email: str, **role: Any) -> Client:
        user = User.objects.create_user(email=email, password="pw")
        RoleAssignment.objects.create(user=user, **role)
        client = Client()
        client.force_login(user)
        return client

    world.bo_team = client_of("bo@x.org", role="country_team", country=world.bo)
    world.cainco_partner = client_of("cainco@x.org", role="partner", organisation=world.cainco)
    return world


def keys(queryset: Any) -> list[str]:
    return [record.key for record in queryset]


def filled(client: Client, url: str, **values: Any) -> dict[str, Any]:
    """The form as the page shows it, with `values` typed in."""
    data = as_shown(client, url)
    data.update(
        {name: value if isinstance(value, list) else [value] for name, value in values.items()}
    )
    return data


# --- trainers ---------------------------------------------------------------------


def test_the_create_page_has_a_searchable_trainers_select_of_the_trainers_in_scope(
    people: SimpleNamespace,
) -> None:
    response = people.bo_team.get(CREATE)
    field = response.context["form"]["trainers"]
    assert keys(field.field.queryset) == ["T1", "T2"]  # Ana Quispe, Luis Mamani
    html = str(field)
    assert html.startswith("<select") and "multiple" in html and "data-filter" in html
    page = response.content.decode()
    # No checkbox in the form (76 of them on the old edit page); the menu's is not its.
    form = page[page.index("<form") : page.rindex("</form>")]
    assert 'name="trainers"' in form and 'type="checkbox"' not in form
    assert "Rosa Paz" not in page


def test_before_a_country_is_chosen_every_trainer_in_scope_is_offered_by_name(
    admin_client: Client, people: SimpleNamespace
) -> None:
    form = admin_client.get(CREATE).context["form"]
    assert [t.name for t in form.fields["trainers"].queryset] == [
        "Ana Quispe",
        "Luis Mamani",
        "Rosa Paz",
    ]


def test_creating_a_delivery_with_two_trainers_through_the_page_saves_them(
    people: SimpleNamespace,
) -> None:
    data = filled(
        people.bo_team,
        CREATE,
        key="BO-2019-01",
        module=str(people.m2.pk),
        organiser=str(people.cob.pk),
        start_date="2019-04-01",
        trainers=[str(people.ana.pk), str(people.luis.pk)],
    )
    response = people.bo_team.post(CREATE, data)
    assert response.status_code == 302
    created = Delivery.objects.get(key="BO-2019-01")
    assert created.country == people.bo
    assert sorted(created.trainers.values_list("key", flat=True)) == ["T1", "T2"]


def test_the_edit_page_shows_the_trainers_with_the_current_ones_selected(
    people: SimpleNamespace,
) -> None:
    url = edit(people.d_bo)
    response = people.bo_team.get(url)
    field = response.context["form"]["trainers"]
    assert keys(field.field.queryset) == ["T1", "T2"]
    assert "data-filter" in str(field)
    assert as_shown(people.bo_team, url)["trainers"] == [str(people.ana.pk)]


def test_editing_the_trainers_through_the_page_replaces_them(people: SimpleNamespace) -> None:
    url = edit(people.d_bo)
    data = filled(people.bo_team, url, trainers=[str(people.luis.pk), str(people.ana.pk)])
    assert people.bo_team.post(url, data).status_code == 302
    assert sorted(people.d_bo.trainers.values_list("key", flat=True)) == ["T1", "T2"]


# --- organisers and countries --------------------------------------------------------


def test_the_organiser_choices_are_training_organisations_of_the_country(
    admin_client: Client, people: SimpleNamespace
) -> None:
    form = admin_client.get(CREATE, {"_dependent": "1", "country": people.bo.pk}).context["form"]
    assert sorted(keys(form.fields["organiser"].queryset)) == ["CAINCO", "COB"]
    before = admin_client.get(CREATE).context["form"]
    assert keys(before.fields["organiser"].queryset) == []  # the global ones pay, not organise


def test_a_partner_is_offered_its_own_organisation_as_organiser(people: SimpleNamespace) -> None:
    form = people.cainco_partner.get(CREATE).context["form"]
    assert keys(form.fields["organiser"].queryset) == ["CAINCO"]
    assert [c.code for c in form.fields["country"].queryset] == ["BO"]


def test_a_country_team_is_offered_only_its_country_already_chosen(
    people: SimpleNamespace,
) -> None:
    response = people.bo_team.get(CREATE)
    form = response.context["form"]
    assert [c.code for c in form.fields["country"].queryset] == ["BO"]
    assert as_shown(people.bo_team, CREATE)["country"] == [str(people.bo.pk)]
    assert "Peru" not in response.content.decode()


@pytest.mark.parametrize("organiser", ["buyer", "bo_fund", "swiss"])
def test_a_lead_buyer_or_donor_posted_as_organiser_is_a_field_error_and_saves_nothing(
    people: SimpleNamespace, organiser: str
) -> None:
    data = filled(
        people.bo_team,
        CREATE,
        key="BO-2019-02",
        module=str(people.m1.pk),
        organiser=str(getattr(people, organiser).pk),
        start_date="2019-04-01",
    )
    response = people.bo_team.post(CREATE, data)
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["organiser"]
    assert not Delivery.objects.filter(key="BO-2019-02").exists()


def test_another_country_posted_by_a_country_team_is_a_field_error_and_saves_nothing(
    people: SimpleNamespace,
) -> None:
    data = filled(
        people.bo_team,
        CREATE,
        key="PE-2019-01",
        country=str(people.pe.pk),
        module=str(people.m1.pk),
        start_date="2019-04-01",
    )
    response = people.bo_team.post(CREATE, data)
    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    assert not Delivery.objects.filter(key="PE-2019-01").exists()


def test_a_delivery_cannot_be_moved_to_another_country_by_its_country_team(
    people: SimpleNamespace,
) -> None:
    url = edit(people.d_bo)
    data = filled(people.bo_team, url, country=str(people.pe.pk), organiser="", trainers=[])
    response = people.bo_team.post(url, data)
    assert response.status_code == 200
    assert "country" in response.context["form"].errors
    people.d_bo.refresh_from_db()
    assert people.d_bo.country == people.bo
