"""The trainer pages: list with the status filter, detail with milestones, create, edit."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.lib.current_user import acting_as
from scoretrack.trainers.models import Milestone, Trainer

LIST = reverse("trainers:trainer-list")
CREATE = reverse("trainers:trainer-create")
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def careers(world: SimpleNamespace, admin: Any) -> SimpleNamespace:
    """Ana trained then certified; Luis trained then withdrawn; Rosa has no milestone."""
    with acting_as(admin):
        for trainer, kind, day in [
            (world.ana, "trained", "2015-05-01"),
            (world.ana, "certified", "2016-01-15"),
            (world.luis, "trained", "2015-05-01"),
            (world.luis, "withdrawn", "2017-02-01"),
        ]:
            Milestone.objects.create(trainer=trainer, milestone=kind, date=day)
    return world


def names(response: Any) -> list[str]:
    return [row.obj.name for row in response.context["rows"]]


def detail(trainer: Trainer) -> str:
    return reverse("trainers:trainer-detail", args=[trainer.pk])


def test_the_list_shows_each_trainer_with_its_status(
    admin_client: Client, careers: SimpleNamespace
) -> None:
    response = admin_client.get(LIST)
    assert response.status_code == 200
    statuses = {row.obj.name: row.cells[-1][1] for row in response.context["rows"]}
    assert statuses == {
        "Ana Quispe": "Certified",
        "Luis Mamani": "Withdrawn",
        "Rosa Paz": "Candidate",
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=quispe", ["Ana Quispe"]),
        ("country=PE", ["Rosa Paz"]),
        ("sex=male", ["Luis Mamani"]),
        ("sex=female&country=BO", ["Ana Quispe"]),
        ("status=certified", ["Ana Quispe"]),
        ("status=withdrawn", ["Luis Mamani"]),
        ("status=candidate", ["Rosa Paz"]),
        ("status=expert", []),
    ],
)
def test_search_and_filters_narrow_the_list(
    admin_client: Client, careers: SimpleNamespace, query: str, expected: list[str]
) -> None:
    assert names(admin_client.get(f"{LIST}?{query}")) == expected


def test_an_unknown_status_is_a_field_error(admin_client: Client, careers: SimpleNamespace) -> None:
    response = admin_client.get(LIST, {"status": "retired"})
    assert response.status_code == 200
    assert "Select a valid choice. retired is not one of the available choices." in (
        response.content.decode()
    )


def test_the_list_does_not_query_per_row(
    admin_client: Client, careers: SimpleNamespace, admin: Any, django_assert_max_num_queries: Any
) -> None:
    with acting_as(admin):
        for n in range(20):
            trainer = Trainer.objects.create(
                key=f"X{n}",
                name=f"Trainer {n}",
                sex="male",
                country=careers.bo,
                organisation=careers.cainco,
            )
            Milestone.objects.create(trainer=trainer, milestone="trained", date="2018-01-01")
    with django_assert_max_num_queries(6):
        response = admin_client.get(LIST)
    assert len(response.context["rows"]) == 23


def test_the_detail_shows_status_milestones_and_deliveries(
    admin_client: Client, careers: SimpleNamespace
) -> None:
    response = admin_client.get(detail(careers.ana))
    body = response.content.decode()
    assert response.status_code == 200
    for text in [
        "Ana Quispe",
        "Certified",
        "Trained (training of trainers)",
        "BO-2016-01",
        'id="milestones"',
    ]:
        assert text in body, text


def test_unknown_trainers_and_anonymous_visitors(
    careers: SimpleNamespace, admin_client: Client
) -> None:
    unknown = "/trainers/00000000-0000-4000-8000-000000000000/"
    assert admin_client.get(unknown).status_code == 404
    assert admin_client.get(unknown + "edit/").status_code == 404
    for url in [LIST, CREATE, detail(careers.ana)]:
        response = Client().get(url)
        assert (response.status_code, response.url.startswith("/login/")) == (302, True)


def test_wrong_methods_are_refused(admin_client: Client, careers: SimpleNamespace) -> None:
    assert admin_client.post(LIST).status_code == 405
    assert admin_client.post(detail(careers.ana)).status_code == 405
    assert admin_client.patch(CREATE).status_code == 405


def test_creating_a_trainer(admin_client: Client, world: SimpleNamespace, admin: Any) -> None:
    data = {
        "key": "T3",
        "name": "Marta Flores",
        "sex": "female",
        "country": world.bo.pk,
        "organisation": world.cainco.pk,
        "email": "marta@example.org",
    }
    response = admin_client.post(CREATE, data)
    marta = Trainer.objects.get(key="T3")
    assert response.url == detail(marta)
    assert (marta.name, marta.sex, marta.organisation, marta.email, marta.created_by) == (
        "Marta Flores",
        "female",
        world.cainco,
        "marta@example.org",
        admin,
    )


def test_a_duplicate_key_or_an_organisation_of_another_country_is_refused(
    admin_client: Client, world: SimpleNamespace
) -> None:
    data = {
        "key": "T1",
        "name": "Other",
        "sex": "male",
        "country": world.bo.pk,
        "organisation": world.senati.pk,
    }
    response = admin_client.post(CREATE, data)
    errors = response.context["form"].errors
    assert errors["__all__"] == ["Trainer with this Country and Key already exists."]
    assert errors["organisation"] == ["That choice is not in Bolivia."]
    assert Trainer.objects.filter(key="T1").count() == 2


def test_editing_a_trainer(admin_client: Client, world: SimpleNamespace) -> None:
    url = reverse("trainers:trainer-edit", args=[world.luis.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "key": "T2",
        "name": "Luis Mamani Q.",
        "sex": "male",
        "country": world.bo.pk,
        "email": "",
    }
    assert admin_client.post(url, data).status_code == 302
    world.luis.refresh_from_db()
    assert world.luis.name == "Luis Mamani Q."


def test_adding_a_milestone_inline(
    admin_client: Client, careers: SimpleNamespace, admin: Any
) -> None:
    add = reverse("trainers:milestones-add", args=[careers.ana.pk])
    data = {"milestone": "expert", "date": "2018-09-01", "module": careers.m2.pk}
    response = admin_client.post(add, data, **HTMX)
    assert response.status_code == 200
    assert "Expert / master trainer" in response.content.decode()
    expert = Milestone.objects.get(trainer=careers.ana, milestone="expert")
    assert (str(expert.date), expert.module, expert.created_by) == ("2018-09-01", careers.m2, admin)
    # The same milestone on the same date again is a form error, not a 500.
    response = admin_client.post(add, data, **HTMX)
    assert "Trainer milestone with this Trainer, Milestone and Date already exists." in (
        response.content.decode()
    )
    assert Milestone.objects.filter(trainer=careers.ana).count() == 3
