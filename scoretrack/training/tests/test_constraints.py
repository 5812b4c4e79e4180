"""What must hold for deliveries, enrolments, participants and visits."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scoretrack.enterprises.models import Enterprise
from scoretrack.reference.models import CountryProgramme, Module
from scoretrack.trainers.models import Milestone, Trainer
from scoretrack.training.models import ConsultingVisit, Delivery, Enrolment, Participant


@pytest.fixture
def delivery(db: object) -> Delivery:
    peru = CountryProgramme.objects.create(code="PE", name="Peru")
    m1 = Module.objects.create(code="M1", name="Workplace Cooperation", core=True)
    return Delivery.objects.create(
        key="D1", country=peru, module=m1, start_date=dt.date(2015, 3, 2)
    )


@pytest.fixture
def firm(delivery: Delivery) -> Enterprise:
    return Enterprise.objects.create(key="E1", name="Textiles SA", country=delivery.country)


@pytest.fixture
def enrolled(delivery: Delivery, firm: Enterprise) -> Enterprise:
    """The firm, enrolled in the delivery: participants are people of enrolled firms."""
    Enrolment.objects.create(delivery=delivery, enterprise=firm)
    return firm


def test_delivery_keys_are_unique_per_country(delivery: Delivery) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.create(
            key="D1",
            country=delivery.country,
            module=delivery.module,
            start_date=dt.date(2016, 1, 1),
        )


def test_a_delivery_cannot_end_before_it_starts(delivery: Delivery) -> None:
    delivery.end_date = dt.date(2015, 3, 1)
    with pytest.raises(ValidationError, match="The end date is before the start date"):
        delivery.save()  # the model's rule
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database's
        Delivery.objects.filter(pk=delivery.pk).update(end_date=dt.date(2015, 3, 1))


def test_an_enterprise_is_enrolled_once_per_delivery(delivery: Delivery, firm: Enterprise) -> None:
    Enrolment.objects.create(delivery=delivery, enterprise=firm)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(delivery=delivery, enterprise=firm)


def test_a_fee_is_non_negative_and_has_a_currency(delivery: Delivery, firm: Enterprise) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(delivery=delivery, enterprise=firm, fee=-5, currency="PEN")
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(delivery=delivery, enterprise=firm, fee=5)


@pytest.mark.parametrize("rating", [0, 6])
def test_satisfaction_is_rated_1_to_5(
    delivery: Delivery, enrolled: Enterprise, rating: int
) -> None:
    firm = enrolled
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            delivery=delivery, enterprise=firm, sex="female", role="worker", satisfaction=rating
        )


def test_a_named_person_attends_a_delivery_once_but_anonymous_rows_repeat(
    delivery: Delivery, enrolled: Enterprise
) -> None:
    firm = enrolled
    for _ in range(2):
        Participant.objects.create(delivery=delivery, enterprise=firm, sex="male", role="worker")
    Participant.objects.create(
        delivery=delivery, enterprise=firm, sex="male", role="manager", person="P1"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(
            delivery=delivery, enterprise=firm, sex="male", role="manager", person="P1"
        )
    assert Participant.objects.count() == 3


def test_an_unknown_sex_or_role_is_refused(delivery: Delivery, enrolled: Enterprise) -> None:
    firm = enrolled
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(delivery=delivery, enterprise=firm, sex="x", role="worker")
    with pytest.raises(IntegrityError), transaction.atomic():
        Participant.objects.create(delivery=delivery, enterprise=firm, sex="male", role="boss")


def test_a_visit_lasts_between_0_and_24_hours(delivery: Delivery, firm: Enterprise) -> None:
    trainer = Trainer.objects.create(key="T1", name="Ana", sex="female", country=delivery.country)
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsultingVisit.objects.create(
            enterprise=firm, trainer=trainer, date=dt.date(2015, 4, 1), hours=25
        )


def test_a_trainer_status_is_derived_from_milestones(delivery: Delivery) -> None:
    trainer = Trainer.objects.create(key="T1", name="Ana", sex="female", country=delivery.country)
    assert trainer.status() == "candidate"
    Milestone.objects.create(trainer=trainer, milestone="trained", date=dt.date(2014, 1, 1))
    Milestone.objects.create(trainer=trainer, milestone="certified", date=dt.date(2015, 1, 1))
    assert trainer.status() == "certified"
    Milestone.objects.create(trainer=trainer, milestone="withdrawn", date=dt.date(2016, 1, 1))
    assert trainer.status() == "withdrawn"
