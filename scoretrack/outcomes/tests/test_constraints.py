"""What must hold for assessments, KPI observations, initiatives and surveys."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from scoretrack.enterprises.models import Enterprise
from scoretrack.events.models import Event, EventParticipation
from scoretrack.outcomes.models import Initiative, Kpi, KpiObservation, WorkerSurveyAnswer
from scoretrack.reference.models import CountryProgramme


@pytest.fixture
def firm(db: object) -> Enterprise:
    ghana = CountryProgramme.objects.create(code="GH", name="Ghana")
    return Enterprise.objects.create(key="E1", name="Cocoa Ltd", country=ghana)


@pytest.fixture
def defect_rate(db: object) -> Kpi:
    return Kpi.objects.create(
        code="defect_rate",
        name="Defect rate",
        unit="ratio",
        better="lower",
        numerator="defects",
        denominator="units produced",
    )


def test_a_ratio_kpi_value_is_its_numerator_over_denominator(
    firm: Enterprise, defect_rate: Kpi
) -> None:
    obs = KpiObservation.objects.create(
        enterprise=firm, kpi=defect_rate, month=dt.date(2016, 1, 1), numerator=3, denominator=400
    )
    obs.refresh_from_db()
    assert obs.value == Decimal("0.0075")


def test_a_kpi_month_is_the_first_of_the_month_and_unique(
    firm: Enterprise, defect_rate: Kpi
) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiObservation.objects.create(
            enterprise=firm, kpi=defect_rate, month=dt.date(2016, 1, 15), value=1
        )
    KpiObservation.objects.create(
        enterprise=firm, kpi=defect_rate, month=dt.date(2016, 1, 1), value=1
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiObservation.objects.create(
            enterprise=firm, kpi=defect_rate, month=dt.date(2016, 1, 1), value=2
        )


def test_an_initiative_cannot_complete_before_it_starts(firm: Enterprise) -> None:
    initiative = Initiative(
        enterprise=firm,
        title="5S in the warehouse",
        started_on=dt.date(2016, 5, 1),
        completed_on=dt.date(2016, 4, 1),
    )
    with pytest.raises(ValidationError, match="The completion date is before the start date"):
        initiative.save()  # the model's rule
    with pytest.raises(IntegrityError), transaction.atomic():  # and the database's
        Initiative.objects.bulk_create([initiative])


def test_a_survey_answer_is_1_to_5(firm: Enterprise) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkerSurveyAnswer.objects.create(
            enterprise=firm,
            wave="before",
            date=dt.date(2016, 1, 1),
            respondent="r1",
            question="q1",
            answer=9,
        )


def test_event_participation_is_one_row_per_group(firm: Enterprise) -> None:
    event = Event.objects.create(
        key="EV1", country=firm.country, kind="workshop", date=dt.date(2016, 2, 2)
    )
    EventParticipation.objects.create(event=event, group="government", female=3, male=4)
    with pytest.raises(IntegrityError), transaction.atomic():
        EventParticipation.objects.create(event=event, group="government", female=1, male=1)
