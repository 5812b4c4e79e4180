"""The delivery pages: list, detail, create, edit (with its trainers)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.lib.current_user import acting_as
from scoretrack.training.models import Delivery, Enrolment

LIST = reverse("training:delivery-list")
CREATE = reverse("training:delivery-create")


def keys(response: Any) -> list[str]:
    return [row.obj.key for row in response.context["rows"]]


def detail(delivery: Delivery) -> str:
    return reverse("training:delivery-detail", args=[delivery.pk])


def form_data(world: SimpleNamespace, **changes: Any) -> dict[str, Any]:
    data = {
        "key": "BO-2018-01",
        "country": world.bo.pk,
        "module": world.m2.pk,
        "organiser": world.cainco.pk,
        "independence": "independent",
        "start_date": "2018-02-05",
        "end_date": "2018-02-09",
        "trainers": [world.ana.pk, world.luis.pk],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_list_shows_the_latest_deliveries_first(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.get(LIST)
    assert response.status_code == 200
    assert keys(response) == ["BO-2017-01", "PE-2016-01", "BO-2016-01"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=pe-", ["PE-2016-01"]),
        ("country=BO", ["BO-2017-01", "BO-2016-01"]),
        ("module=M1", ["PE-2016-01", "BO-2016-01"]),
        ("independence=independent", ["PE-2016-01"]),
        ("year=2016", ["PE-2016-01", "BO-2016-01"]),
        ("year=2016&country=PE", ["PE-2016-01"]),
        ("year=2015", []),
    ],
)
def test_search_and_filters_narrow_the_list(
    admin_client: Client, world: SimpleNamespace, query: str, expected: list[str]
) -> None:
    assert keys(admin_client.get(f"{LIST}?{query}")) == expected


def test_the_organiser_filter_narrows_the_list(
    admin_client: Client, world: SimpleNamespace
) -> None:
    assert keys(admin_client.get(LIST, {"organiser": world.cainco.pk})) == ["BO-2016-01"]


def test_a_year_that_is_not_a_number_is_a_field_error_and_lists_nothing(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.get(LIST, {"year": "twenty"})
    assert response.status_code == 200
    assert response.context["form"].errors["year"] == ["Enter a whole number."]
    assert keys(response) == []


def test_the_list_counts_enterprises_without_a_query_per_row(
    admin_client: Client, world: SimpleNamespace, admin: Any, django_assert_max_num_queries: Any
) -> None:
    with acting_as(admin):
        Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
        Enrolment.objects.create(delivery=world.d_bo, enterprise=world.sol)
        for n in range(20):
            Delivery.objects.create(
                key=f"BO-X{n}",
                country=world.bo,
                module=world.m1,
                organiser=world.cainco,
                start_date="2019-01-01",
            )
    # session + user, the count, the page, module, organiser, sector and lead-buyer
    # choices of the filter
    with django_assert_max_num_queries(9):
        many = admin_client.get(LIST)
    assert len(many.context["rows"]) == 23
    response = admin_client.get(LIST, {"q": "BO-2016"})
    row = response.context["rows"][0]
    assert {c.label: v for c, v in row.cells}["Enterprises"] == "2"  # as shown


def test_the_detail_shows_the_delivery_and_its_trainers(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.get(detail(world.d_bo))
    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        "BO-2016-01",
        "M1 Workplace Cooperation",
        "Cámara de Industria",
        "By the partner with support",
        "Ana Quispe",
        'id="enrolments"',
        'id="participants"',
        'id="visits"',
    ]:
        assert text in body, text
    assert "Luis Mamani" not in body


def test_an_unknown_delivery_is_not_found(admin_client: Client, world: SimpleNamespace) -> None:
    unknown = "/deliveries/00000000-0000-4000-8000-000000000000/"
    assert admin_client.get(unknown).status_code == 404
    assert admin_client.get(unknown + "edit/").status_code == 404
    assert admin_client.get(unknown + "enrolments/add/").status_code == 404


def test_anonymous_visitors_are_sent_to_the_login(world: SimpleNamespace) -> None:
    client = Client()
    for url in [LIST, CREATE, detail(world.d_bo), detail(world.d_bo) + "enrolments/add/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_wrong_methods_are_refused(admin_client: Client, world: SimpleNamespace) -> None:
    assert admin_client.post(LIST).status_code == 405
    assert admin_client.put(CREATE).status_code == 405
    assert admin_client.post(detail(world.d_bo)).status_code == 405


def test_creating_a_delivery_saves_its_values_trainers_and_author(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    response = admin_client.post(CREATE, form_data(world))
    created = Delivery.objects.get(key="BO-2018-01")
    assert response.status_code == 302
    assert response.url == detail(created)
    assert (created.country, created.module, created.organiser, created.independence) == (
        world.bo,
        world.m2,
        world.cainco,
        "independent",
    )
    assert (str(created.start_date), str(created.end_date)) == ("2018-02-05", "2018-02-09")
    assert set(created.trainers.all()) == {world.ana, world.luis}
    assert created.created_by == admin


def test_an_end_date_before_the_start_is_a_field_error(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.post(CREATE, form_data(world, end_date="2018-01-31"))
    assert response.status_code == 200
    assert response.context["form"].errors["end_date"] == [
        "The end date is before the start date (2018-02-05)."
    ]
    assert not Delivery.objects.filter(key="BO-2018-01").exists()


def test_a_duplicate_key_in_the_same_country_is_a_form_error(
    admin_client: Client, world: SimpleNamespace
) -> None:
    response = admin_client.post(CREATE, form_data(world, key="BO-2016-01"))
    assert response.status_code == 200
    assert "Delivery with this Country and Key already exists." in response.content.decode()
    assert Delivery.objects.filter(key="BO-2016-01").count() == 1


def test_a_trainer_or_organiser_of_another_country_is_refused(
    admin_client: Client, world: SimpleNamespace
) -> None:
    data = form_data(world, trainers=[world.rosa.pk], organiser=world.senati.pk)
    response = admin_client.post(CREATE, data)
    errors = response.context["form"].errors
    assert errors["trainers"] == ["That choice is not in Bolivia."]
    assert errors["organiser"] == ["That choice is not in Bolivia."]
    assert not Delivery.objects.filter(key="BO-2018-01").exists()


def test_the_organiser_and_trainer_choices_follow_the_chosen_country(
    admin_client: Client, world: SimpleNamespace
) -> None:
    body = admin_client.get(CREATE, {"_dependent": "1", "country": world.pe.pk}).content.decode()
    assert "Rosa Paz" in body and "SENATI" in body
    assert "Ana Quispe" not in body and "Cámara de Industria" not in body
    assert "Acme Retail" not in body  # a lead buyer does not organise training


def test_before_a_country_is_chosen_only_global_organisers_and_every_trainer_are_offered(
    admin_client: Client, world: SimpleNamespace
) -> None:
    form = admin_client.get(CREATE).context["form"]
    assert list(form.fields["organiser"].queryset) == []  # the global lead buyer does not organise
    assert list(form.fields["trainers"].queryset) == [world.ana, world.luis, world.rosa]


def test_editing_changes_the_values_and_trainers(
    admin_client: Client, world: SimpleNamespace
) -> None:
    url = reverse("training:delivery-edit", args=[world.d_bo.pk])
    assert admin_client.get(url).status_code == 200
    data = form_data(world, key="BO-2016-01", module=world.m1.pk, trainers=[world.luis.pk])
    response = admin_client.post(url, data)
    assert response.status_code == 302
    world.d_bo.refresh_from_db()
    assert world.d_bo.independence == "independent"
    assert list(world.d_bo.trainers.all()) == [world.luis]
