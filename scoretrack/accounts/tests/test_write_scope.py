"""Who may write what: the role's kinds of record, within the records it may read."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from scoretrack.accounts.scoping import may_write, may_write_kind
from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.current_user import acting_as
from scoretrack.reference.models import Module, Region
from scoretrack.training.models import ConsultingVisit, Delivery


@pytest.mark.parametrize(
    ("role", "name", "allowed"),
    [
        ("global", "E_PE1", True),
        ("country", "E_BO2", True),
        ("country", "E_PE1", False),
        ("partner", "E_BO1", True),
        ("partner", "E_BO2", False),
        ("enterprise", "E_BO1", True),
        ("enterprise", "E_BO2", False),
        ("trainer", "E_BO1", False),  # trainers read the firm but don't edit its facts
        ("lead_buyer", "E_BO1", False),
        ("viewer", "E_BO1", False),
        ("nobody", "E_BO1", False),
    ],
)
def test_who_may_edit_an_enterprise(
    world: SimpleNamespace, role: str, name: str, allowed: bool
) -> None:
    assert may_write(world.users[role], getattr(world, name)) is allowed


def test_a_trainer_records_visits_for_its_firms_only(world: SimpleNamespace) -> None:
    trainer = world.users["trainer"]
    assert may_write(trainer, world.VISIT) is True
    visit = ConsultingVisit(enterprise=world.E_PE1, trainer=world.T_BO, date=world.D_PE.start_date)
    assert may_write(trainer, visit) is False


def test_only_hq_writes_catalogues_and_teams_their_regions(world: SimpleNamespace) -> None:
    team = world.users["country"]
    assert may_write_kind(team, Module) is False
    assert may_write(team, Module.objects.get(code="M1")) is False
    assert may_write_kind(world.users["global"], Module) is True


def test_a_partner_may_register_a_new_sme_before_enrolling_it(world: SimpleNamespace) -> None:
    partner = world.users["partner"]
    firm = Enterprise(key="NEW", name="Nueva", country=world.BO)
    assert may_write(partner, firm) is True
    with acting_as(partner):
        firm.save()
    assert may_write(partner, firm) is True
    assert may_write(world.users["enterprise"], firm) is False


def test_a_partner_cannot_create_a_delivery_for_another_organiser(world: SimpleNamespace) -> None:
    delivery = Delivery.objects.create(
        key="X",
        country=world.BO,
        module=world.D_BO.module,
        organiser=None,
        start_date=world.D_BO.start_date,
    )
    assert may_write(world.users["partner"], delivery) is False
    assert may_write(world.users["country"], delivery) is True


def test_a_partner_cannot_enrol_a_stranger_sme_into_its_delivery(world: SimpleNamespace) -> None:
    from scoretrack.training.models import Enrolment

    partner = world.users["partner"]
    assert may_write(partner, Enrolment(delivery=world.D_BO, enterprise=world.E_BO2)) is False
    assert may_write(partner, world.enrolments["E-BO1"]) is True


def test_region_writes_follow_the_country(world: SimpleNamespace) -> None:
    team = world.users["country"]
    assert may_write(team, Region(country=world.BO, name="Oruro")) is True
    assert may_write(team, Region(country=world.PE, name="Cusco")) is False


def test_a_batch_is_checked_in_a_query_per_parent_kind(
    world: SimpleNamespace, django_assert_num_queries: Any
) -> None:
    from scoretrack.accounts.scoping import access_for, writable
    from scoretrack.training.models import Enrolment

    partner = world.users["partner"]
    access_for(partner)  # the role assignments are read once per user object
    batch = [
        Enrolment(delivery=world.D_BO, enterprise=world.E_BO1),  # its delivery, its SME
        Enrolment(delivery=world.D_BO, enterprise=world.E_BO2),  # a stranger SME
        Enrolment(delivery=world.D_PE, enterprise=world.E_BO1),  # another's delivery
    ]
    with django_assert_num_queries(2):  # visible deliveries, visible enterprises
        assert writable(partner, Enrolment, batch, adding=[True, True, True]) == [
            True,
            False,
            False,
        ]
