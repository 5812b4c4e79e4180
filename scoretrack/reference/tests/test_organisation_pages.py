"""The organisation pages, with their agreements managed inline."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from scoretrack.lib.current_user import acting_as
from scoretrack.reference.models import Agreement, Organisation

LIST = reverse("reference:organisation-list")
CREATE = reverse("reference:organisation-create")
HTMX = {"HTTP_HX_REQUEST": "true"}


def names(response: Any) -> list[str]:
    return [row.obj.name for row in response.context["rows"]]


def detail(organisation: Organisation) -> str:
    return reverse("reference:organisation-detail", args=[organisation.pk])


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Acme Retail", "Cámara de Industria", "SENATI"]),
        ("q=cámara", ["Cámara de Industria"]),
        ("q=acme", ["Acme Retail"]),
        ("country=PE", ["SENATI"]),
        ("type=lead_buyer", ["Acme Retail"]),
    ],
)
def test_search_and_filters_narrow_the_list(
    admin_client: Client, world: SimpleNamespace, query: str, expected: list[str]
) -> None:
    response = admin_client.get(f"{LIST}?{query}")
    assert response.status_code == 200
    assert names(response) == expected


def test_the_list_does_not_query_per_row(
    admin_client: Client, world: SimpleNamespace, admin: Any, django_assert_max_num_queries: Any
) -> None:
    with acting_as(admin):
        for n in range(20):
            Organisation.objects.create(
                key=f"O{n}", name=f"Partner {n}", country=world.bo, type="private_training"
            )
    with django_assert_max_num_queries(6):
        response = admin_client.get(LIST)
    assert len(response.context["rows"]) == 23


def test_the_detail_shows_the_organisation_and_its_agreements(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        Agreement.objects.create(
            organisation=world.cainco, country=world.bo, kind="mou", signed_on="2014-06-01"
        )
    body = admin_client.get(detail(world.cainco)).content.decode()
    for text in [
        "Cámara de Industria",
        "Employer organisation",
        "Bolivia",
        "Memorandum of understanding",
        'id="agreements"',
    ]:
        assert text in body, text


def test_unknown_ids_wrong_methods_and_anonymous_visitors(
    admin_client: Client, world: SimpleNamespace
) -> None:
    unknown = "/organisations/00000000-0000-4000-8000-000000000000/"
    assert admin_client.get(unknown).status_code == 404
    assert admin_client.get(unknown + "agreements/add/").status_code == 404
    assert admin_client.post(LIST).status_code == 405
    assert admin_client.delete(detail(world.cainco)).status_code == 405
    response = Client().get(detail(world.cainco))
    assert (response.status_code, response.url.startswith("/login/")) == (302, True)


def test_creating_an_organisation(admin_client: Client, world: SimpleNamespace, admin: Any) -> None:
    data = {
        "key": "FEPC",
        "name": "Federación de Empresarios",
        "country": world.bo.pk,
        "type": "employer_organisation",
    }
    response = admin_client.post(CREATE, data)
    created = Organisation.objects.get(key="FEPC")
    assert response.url == detail(created)
    assert (created.name, created.country, created.type, created.created_by) == (
        "Federación de Empresarios",
        world.bo,
        "employer_organisation",
        admin,
    )


@pytest.mark.parametrize("country", ["bo", None])
def test_a_duplicate_key_is_a_form_error_in_a_country_and_globally(
    admin_client: Client, world: SimpleNamespace, country: str | None
) -> None:
    key = "CAINCO" if country else "ACME"
    data = {"key": key, "name": "Copy", "type": "donor"}
    if country:
        data["country"] = getattr(world, country).pk
    response = admin_client.post(CREATE, data)
    assert response.status_code == 200
    assert response.context["form"].errors["__all__"]
    assert Organisation.objects.filter(key=key).count() == 1


def test_an_unknown_type_is_a_field_error(admin_client: Client, world: SimpleNamespace) -> None:
    data = {"key": "X", "name": "X", "type": "cartel"}
    response = admin_client.post(CREATE, data)
    assert "Select a valid choice. cartel is not one of the available choices." in (
        response.content.decode()
    )
    assert not Organisation.objects.filter(key="X").exists()


def test_editing_an_organisation(admin_client: Client, world: SimpleNamespace) -> None:
    url = reverse("reference:organisation-edit", args=[world.senati.pk])
    assert admin_client.get(url).status_code == 200
    data = {
        "key": "SENATI",
        "name": "SENATI Perú",
        "country": world.pe.pk,
        "type": "government_training",
    }
    assert admin_client.post(url, data).status_code == 302
    world.senati.refresh_from_db()
    assert world.senati.name == "SENATI Perú"


def test_adding_and_editing_an_agreement_inline(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    add = reverse("reference:agreements-add", args=[world.cainco.pk])
    data = {"country": world.bo.pk, "kind": "mou", "signed_on": "2014-06-01"}
    response = admin_client.post(add, data, **HTMX)
    assert "Memorandum of understanding" in response.content.decode()
    agreement = Agreement.objects.get(organisation=world.cainco)
    assert (str(agreement.signed_on), agreement.ended_on, agreement.created_by) == (
        "2014-06-01",
        None,
        admin,
    )
    edit = reverse("reference:agreements-edit", args=[world.cainco.pk, agreement.pk])
    data["ended_on"] = "2019-12-31"
    row = admin_client.post(edit, data, **HTMX).content.decode()
    assert row.lstrip().startswith(f'<tr id="row-{agreement.pk}">')
    agreement.refresh_from_db()
    assert str(agreement.ended_on) == "2019-12-31"


def test_an_agreement_ending_before_its_signature_or_twice_the_same_is_refused(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        Agreement.objects.create(
            organisation=world.cainco, country=world.bo, kind="mou", signed_on="2014-06-01"
        )
    add = reverse("reference:agreements-add", args=[world.cainco.pk])
    data = {
        "country": world.bo.pk,
        "kind": "mou",
        "signed_on": "2015-06-01",
        "ended_on": "2015-01-01",
    }
    response = admin_client.post(add, data, **HTMX)
    assert "The end date is before the signature (2015-06-01)." in response.content.decode()
    data.update(signed_on="2014-06-01", ended_on="")
    response = admin_client.post(add, data, **HTMX)
    assert (
        "Agreement with this Organisation, Country, Kind and Signed on already exists."
        in response.content.decode()
    )
    assert Agreement.objects.count() == 1
