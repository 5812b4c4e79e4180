"""The enterprise pages: list, detail, create, edit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.lib.current_user import acting_as
from scoretrack.trainers.models import Trainer
from scoretrack.training.models import ConsultingVisit, Enrolment

LIST = reverse("enterprises:enterprise-list")
CREATE = reverse("enterprises:enterprise-create")


def names(response: Any) -> list[str]:
    return [row.obj.name for row in response.context["rows"]]


def detail(enterprise: Enterprise) -> str:
    return reverse("enterprises:enterprise-detail", args=[enterprise.pk])


def form_data(world: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    data = {
        "key": "E9",
        "name": "Cerámica Illimani",
        "country": world.bo.pk,
        "region": world.la_paz.pk,
        "sector": world.textiles.pk,
        "cluster": world.weavers.pk,
        "workforce_female": "12",
        "workforce_male": "8",
        "women_owned": "true",
        "unionised": "unknown",
        "collective_agreement": "false",
        "lead_buyers": [world.buyer.pk],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_list_shows_every_visible_enterprise_by_name(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert names(response) == ["Inca Foods", "Panadería Sol", "Textiles Andina"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=andina", ["Textiles Andina"]),
        ("q=E2", ["Panadería Sol"]),
        ("country=BO", ["Panadería Sol", "Textiles Andina"]),
        ("country=PE&q=E1", ["Inca Foods"]),
        ("women_owned=yes", ["Textiles Andina"]),
        ("women_owned=no", ["Panadería Sol"]),
        ("women_owned=unknown", ["Inca Foods"]),
    ],
)
def test_search_and_filters_narrow_the_list(
    admin_client: Client, world: SimpleNamespace, query: str, expected: list[str]
) -> None:
    assert names(admin_client.get(f"{LIST}?{query}")) == expected


def test_the_sector_filter_narrows_the_list(admin_client: Client, world: SimpleNamespace) -> None:
    response = admin_client.get(LIST, {"sector": world.food.pk})
    assert names(response) == ["Inca Foods", "Panadería Sol"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("sector", "nonexistent"),
        ("sector", "00000000-0000-4000-8000-000000000000"),
        ("country", "XX"),
        ("women_owned", "maybe"),
    ],
)
def test_a_bad_filter_value_is_shown_at_the_field_and_lists_nothing(
    admin_client: Client, world: SimpleNamespace, field: str, value: str
) -> None:
    # Ignoring it would list all three enterprises as if they matched.
    response = admin_client.get(LIST, {field: value, "q": "sol"})
    body = response.content.decode()
    assert response.status_code == 200
    assert names(response) == []
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in body
    assert "0 enterprises" in body
    assert "Nothing is listed while a filter is not valid" in body


def test_a_bad_filter_value_is_named_in_the_htmx_results(
    admin_client: Client, world: SimpleNamespace
) -> None:
    # htmx swaps the results alone: the reason has to be there, not only at the field.
    response = admin_client.get(LIST, {"sector": "nonexistent"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Nothing is listed while a filter is not valid" in body
    assert "Sector: “nonexistent” is not a valid UUID." in body


def test_the_list_is_paginated(admin_client: Client, world: SimpleNamespace, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    assert names(admin_client.get(LIST, {"page": 2})) == ["Textiles Andina"]
    # A page number out of range or not a number shows a valid page, not an error.
    assert names(admin_client.get(LIST, {"page": "zz"})) == ["Inca Foods", "Panadería Sol"]


def test_an_htmx_search_returns_only_the_results(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.get(LIST, {"q": "inca"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="results"')
    assert "Inca Foods" in body and "<html" not in body


def test_the_list_does_not_query_per_row(
    admin_client: Client, world: SimpleNamespace, admin: Any, django_assert_max_num_queries: Any
) -> None:
    with acting_as(admin):
        for n in range(20):
            Enterprise.objects.create(
                key=f"X{n}",
                name=f"Firm {n}",
                country=world.bo,
                region=world.la_paz,
                sector=world.food,
            )
    # session + user, the count, the page, the sector, partner and lead-buyer
    # choices of the filter
    with django_assert_max_num_queries(9):
        response = admin_client.get(LIST)
    assert len(response.context["rows"]) == 23


def test_the_detail_shows_facts_lead_buyers_enrolments_and_visits(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        LeadBuyerLink.objects.create(enterprise=world.andina, lead_buyer=world.buyer)
        Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina, status="completed")
        ConsultingVisit.objects.create(
            enterprise=world.andina,
            trainer=world.ana,
            date="2016-04-02",
            hours="3.5",
            note="5S walk-through",
        )
    response = admin_client.get(detail(world.andina))
    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Textiles Andina",
        "La Paz",
        "40 (30 women, 10 men)",
        "Acme Retail",
        "BO-2016-01",
        "Completed",
        "M1",
        "Ana Quispe",
        "3.50",
        "5S walk-through",
    ]:
        assert text in body, text


def test_an_unknown_enterprise_is_not_found(admin_client: Client, world: SimpleNamespace) -> None:
    unknown = "/enterprises/00000000-0000-4000-8000-000000000000/"
    assert admin_client.get(unknown).status_code == 404
    assert admin_client.get(unknown + "edit/").status_code == 404
    assert admin_client.get("/enterprises/not-a-uuid/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(world: SimpleNamespace) -> None:
    client = Client()
    for url in [LIST, CREATE, detail(world.andina)]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_wrong_methods_are_refused(admin_client: Client, world: SimpleNamespace) -> None:
    assert admin_client.post(LIST).status_code == 405
    assert admin_client.delete(CREATE).status_code == 405
    assert admin_client.post(detail(world.andina)).status_code == 405


def test_creating_an_enterprise_saves_its_values_author_and_lead_buyers(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    response = admin_client.post(CREATE, form_data(world))
    created = Enterprise.objects.get(key="E9")
    assert response.status_code == 302
    assert response.url == detail(created)
    assert (created.name, created.country, created.region, created.cluster) == (
        "Cerámica Illimani",
        world.bo,
        world.la_paz,
        world.weavers,
    )
    assert (created.workforce_female, created.workforce_male) == (12, 8)
    assert (created.women_owned, created.unionised, created.collective_agreement) == (
        True,
        None,
        False,
    )
    assert created.created_by == admin
    link = LeadBuyerLink.objects.get(enterprise=created)
    assert (link.lead_buyer, link.created_by) == (world.buyer, admin)


def test_a_duplicate_key_in_the_same_country_is_a_form_error(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.post(CREATE, form_data(world, key="E1"))
    assert response.status_code == 200
    assert "Enterprise with this Country and Key already exists." in response.content.decode()
    assert Enterprise.objects.filter(key="E1").count() == 2  # Andina and Inca only


def test_the_same_key_is_fine_in_another_country(
    admin_client: Client, world: SimpleNamespace
) -> None:
    data = form_data(world, key="E2", country=world.pe.pk, region=world.lima.pk, cluster="")
    response = admin_client.post(CREATE, data)
    assert response.status_code == 302
    assert Enterprise.objects.get(key="E2", country=world.pe).region == world.lima


def test_a_region_of_another_country_is_refused_at_the_field(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.post(CREATE, form_data(world, region=world.lima.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["region"] == ["That choice is not in Bolivia."]
    assert not Enterprise.objects.filter(key="E9").exists()


def test_a_negative_workforce_is_refused(admin_client: Client, world: SimpleNamespace) -> None:
    response = admin_client.post(CREATE, form_data(world, workforce_male="-3"))
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    assert not Enterprise.objects.filter(key="E9").exists()


def test_the_errors_are_linked_to_their_fields(
    admin_client: Client, world: SimpleNamespace
) -> None:
    body = admin_client.post(CREATE, form_data(world, name="")).content.decode()
    assert 'aria-describedby="id_name_error"' in body
    assert 'id="id_name_error"' in body
    assert 'aria-invalid="true"' in body


def test_the_region_and_cluster_choices_follow_the_chosen_country(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.get(CREATE, {"_dependent": "1", "country": world.pe.pk})
    body = response.content.decode()
    assert "Lima" in body and "La Paz" not in body and "El Alto weavers" not in body
    assert 'hx-swap-oob="outerHTML:#field-region"' in body


def test_before_a_country_is_chosen_no_region_is_offered(
    admin_client: Client, world: SimpleNamespace
) -> None:
    form = admin_client.get(CREATE).context["form"]
    assert list(form.fields["region"].queryset) == []
    assert form.fields["region"].help_text == "Choose the country first: the choices are its own."
    edit = reverse("enterprises:enterprise-edit", args=[world.andina.pk])
    assert list(admin_client.get(edit).context["form"].fields["region"].queryset) == [world.la_paz]


def test_editing_changes_the_values_and_the_lead_buyers(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        LeadBuyerLink.objects.create(enterprise=world.andina, lead_buyer=world.buyer)
    form = admin_client.get(reverse("enterprises:enterprise-edit", args=[world.andina.pk]))
    assert form.context["form"]["lead_buyers"].value() == [world.buyer.pk]
    data = form_data(world, key="E1", name="Textiles Andina SRL", lead_buyers=None)
    response = admin_client.post(
        reverse("enterprises:enterprise-edit", args=[world.andina.pk]), data
    )
    assert response.status_code == 302
    world.andina.refresh_from_db()
    assert world.andina.name == "Textiles Andina SRL"
    assert world.andina.workforce == 20
    assert not LeadBuyerLink.objects.filter(enterprise=world.andina).exists()
    # The removed link stays in the history.
    assert LeadBuyerLink.history.filter(history_type="-").count() == 1


def test_a_trainer_is_not_an_enterprise(admin_client: Client, world: SimpleNamespace) -> None:
    trainer = Trainer.objects.get(key="T1", country=world.bo)
    response = admin_client.get(f"/enterprises/{trainer.pk}/")
    assert response.status_code == 404


def test_the_detail_shows_who_changed_what(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    url = reverse("enterprises:enterprise-edit", args=[world.sol.pk])
    admin_client.post(url, form_data(world, key="E2", name="Panadería Sol y Luna"))
    body = admin_client.get(detail(world.sol)).content.decode()
    assert 'id="history-title"' in body
    assert "Panadería Sol → Panadería Sol y Luna" in body
    assert "hq@example.org" in body
