"""Enrolments, participants and visits managed inline on the delivery page (htmx)."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.test import Client
from django.urls import reverse

from scoretrack.lib.current_user import acting_as
from scoretrack.training.models import ConsultingVisit, Enrolment, Participant

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(world_delivery: Any, kind: str, action: str, row: Any = None) -> str:
    args = [world_delivery.pk] if row is None else [world_delivery.pk, row.pk]
    return reverse(f"training:{kind}-{action}", args=args)


def test_the_add_form_is_a_fragment_for_htmx_and_a_page_without_it(
    admin_client: Client, world: SimpleNamespace
) -> None:
    fragment = admin_client.get(url(world.d_bo, "enrolments", "add"), **HTMX).content.decode()
    assert "<html" not in fragment and 'name="enterprise"' in fragment
    # Only the delivery's country's enterprises are offered.
    assert "Textiles Andina" in fragment and "Inca Foods" not in fragment
    page = admin_client.get(url(world.d_bo, "enrolments", "add")).content.decode()
    assert "<html" in page and "Enrolments of BO-2016-01" in page


def test_adding_an_enrolment_converts_its_fee_and_returns_the_section(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    data = {"enterprise": world.andina.pk, "status": "enrolled", "fee": "690", "currency": "BOB"}
    response = admin_client.post(url(world.d_bo, "enrolments", "add"), data, **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith('<section id="enrolments"') and "Textiles Andina" in body
    enrolment = Enrolment.objects.get(delivery=world.d_bo)
    assert (enrolment.enterprise, enrolment.fee, enrolment.fee_usd) == (
        world.andina,
        Decimal("690.00"),
        Decimal("100.00"),
    )
    assert enrolment.created_by == admin


def test_without_javascript_adding_goes_back_to_the_delivery(
    admin_client: Client, world: SimpleNamespace
) -> None:
    data = {"enterprise": world.sol.pk, "status": "enrolled"}
    response = admin_client.post(url(world.d_bo, "enrolments", "add"), data)
    assert response.status_code == 302
    assert response.url.endswith(f"/deliveries/{world.d_bo.pk}/#enrolments")
    assert Enrolment.objects.get(delivery=world.d_bo).enterprise == world.sol


def test_an_enterprise_of_another_country_cannot_be_enrolled(
    admin_client: Client, world: SimpleNamespace
) -> None:
    data = {"enterprise": world.inca.pk, "status": "enrolled"}
    response = admin_client.post(url(world.d_bo, "enrolments", "add"), data, **HTMX)
    assert response.status_code == 200
    assert "That choice is not in Bolivia." in response.content.decode()
    assert not Enrolment.objects.exists()


def test_enrolling_the_same_enterprise_twice_is_a_form_error(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
    data = {"enterprise": world.andina.pk, "status": "enrolled"}
    response = admin_client.post(url(world.d_bo, "enrolments", "add"), data, **HTMX)
    assert response.status_code == 200
    assert "Enrolment with this Delivery and Enterprise already exists." in (
        response.content.decode()
    )
    assert Enrolment.objects.count() == 1


def test_a_negative_fee_or_a_fee_without_currency_is_refused(
    admin_client: Client, world: SimpleNamespace
) -> None:
    add = url(world.d_bo, "enrolments", "add")
    negative = {"enterprise": world.andina.pk, "status": "enrolled", "fee": "-5", "currency": "BOB"}
    response = admin_client.post(add, negative, **HTMX)
    assert "Ensure this value is greater than or equal to 0." in response.content.decode()
    no_currency = {"enterprise": world.andina.pk, "status": "enrolled", "fee": "5"}
    response = admin_client.post(add, no_currency, **HTMX)
    assert "Give the currency the fee was paid in." in response.content.decode()
    assert not Enrolment.objects.exists()


def test_a_fee_without_a_rate_asks_for_the_usd_value(
    admin_client: Client, world: SimpleNamespace
) -> None:
    data = {"enterprise": world.inca.pk, "status": "enrolled", "fee": "300", "currency": "PEN"}
    response = admin_client.post(url(world.d_pe, "enrolments", "add"), data, **HTMX)
    assert response.status_code == 200
    assert "no exchange rate for PEN on or before 2016-06-01" in response.content.decode()
    data["fee_usd"] = "90"
    admin_client.post(url(world.d_pe, "enrolments", "add"), data, **HTMX)
    assert Enrolment.objects.get().fee_usd == Decimal("90.00")


def test_editing_a_row_returns_the_updated_row(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        enrolment = Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
    edit = url(world.d_bo, "enrolments", "edit", enrolment)
    form = admin_client.get(edit, **HTMX).content.decode()
    assert form.lstrip().startswith(f'<tr id="row-{enrolment.pk}" class="editing"')
    data = {"enterprise": world.andina.pk, "status": "completed"}
    row = admin_client.post(edit, data, **HTMX).content.decode()
    assert row.lstrip().startswith(f'<tr id="row-{enrolment.pk}">') and "Completed" in row
    enrolment.refresh_from_db()
    assert enrolment.status == "completed"
    shown = admin_client.get(url(world.d_bo, "enrolments", "show", enrolment), **HTMX)
    assert "Completed" in shown.content.decode()
    # Without htmx a row alone is no page: back to the delivery.
    plain = admin_client.get(url(world.d_bo, "enrolments", "show", enrolment))
    assert plain.url == f"/deliveries/{world.d_bo.pk}/#enrolments"


def test_removing_a_row_keeps_it_in_the_history(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        enrolment = Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
    delete = url(world.d_bo, "enrolments", "delete", enrolment)
    assert admin_client.get(delete).status_code == 405
    response = admin_client.post(delete, **HTMX)
    assert (response.status_code, response.content) == (200, b"")
    assert not Enrolment.objects.exists()
    assert Enrolment.history.get(history_type="-").history_user == admin


def test_a_row_of_another_delivery_is_not_found(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    with acting_as(admin):
        enrolment = Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
    assert admin_client.get(url(world.d_bo2, "enrolments", "edit", enrolment)).status_code == 404
    assert admin_client.post(url(world.d_bo2, "enrolments", "delete", enrolment)).status_code == 404
    assert Enrolment.objects.count() == 1


def test_adding_participants_checks_the_satisfaction_scale(
    admin_client: Client, world: SimpleNamespace, admin: Any
) -> None:
    Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)  # rows of enrolled firms
    add = url(world.d_bo, "participants", "add")
    data = {
        "enterprise": world.andina.pk,
        "name": "Eva Choque",
        "sex": "female",
        "role": "worker",
        "eit_member": "on",
        "satisfaction": "7",
    }
    response = admin_client.post(add, data, **HTMX)
    assert "Ensure this value is less than or equal to 5." in response.content.decode()
    assert not Participant.objects.exists()
    data["satisfaction"] = "5"
    admin_client.post(add, data, **HTMX)
    eva = Participant.objects.get()
    assert (eva.name, eva.sex, eva.role, eva.eit_member, eva.satisfaction) == (
        "Eva Choque",
        "female",
        "worker",
        True,
        5,
    )
    assert eva.created_by == admin


def test_the_same_person_twice_in_a_delivery_is_a_form_error(
    admin_client: Client, world: SimpleNamespace
) -> None:
    Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)  # rows of enrolled firms
    add = url(world.d_bo, "participants", "add")
    data = {"enterprise": world.andina.pk, "person": "P-7", "sex": "male", "role": "manager"}
    admin_client.post(add, data, **HTMX)
    response = admin_client.post(add, data, **HTMX)
    assert "Participant with this Delivery, Enterprise and Person already exists." in (
        response.content.decode()
    )
    assert Participant.objects.count() == 1


def test_adding_a_visit_and_refusing_the_same_visit_twice(
    admin_client: Client, world: SimpleNamespace
) -> None:
    Enrolment.objects.create(delivery=world.d_bo, enterprise=world.sol)  # rows of enrolled firms
    add = url(world.d_bo, "visits", "add")
    data = {
        "enterprise": world.sol.pk,
        "trainer": world.ana.pk,
        "date": "2016-04-10",
        "hours": "2",
        "note": "Suggestion scheme",
    }
    admin_client.post(add, data, **HTMX)
    visit = ConsultingVisit.objects.get()
    assert (visit.delivery, visit.trainer, visit.hours) == (world.d_bo, world.ana, Decimal("2"))
    response = admin_client.post(add, data, **HTMX)
    assert "already exists" in response.content.decode()
    data["trainer"] = world.rosa.pk
    response = admin_client.post(add, data, **HTMX)
    assert "That choice is not in Bolivia." in response.content.decode()
    assert ConsultingVisit.objects.count() == 1


def test_the_detail_lists_the_rows_without_a_query_per_row(
    admin_client: Client, world: SimpleNamespace, admin: Any, django_assert_max_num_queries: Any
) -> None:
    with acting_as(admin):
        for enterprise in (world.andina, world.sol):
            Enrolment.objects.create(delivery=world.d_bo, enterprise=enterprise)
            for n in range(3):
                Participant.objects.create(
                    delivery=world.d_bo,
                    enterprise=enterprise,
                    sex="female",
                    role="worker",
                    name=f"P{n}",
                )
            ConsultingVisit.objects.create(
                delivery=world.d_bo, enterprise=enterprise, trainer=world.ana, date="2016-05-01"
            )
    # session + user, delivery, trainers, enrolments, participants, visits
    with django_assert_max_num_queries(8):
        response = admin_client.get(reverse("training:delivery-detail", args=[world.d_bo.pk]))
    assert len(response.context["participants"]["rows"]) == 6
