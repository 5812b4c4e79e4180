"""Each data-quality rule fires on a hand-made case and clears once it is fixed."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.utils import timezone

from scoretrack.outcomes.models import Kpi, KpiObservation, KpiSelection
from scoretrack.quality.models import RuleViolation
from scoretrack.quality.runs import nightly_claim, quality_run
from scoretrack.training.models import Delivery, Participant


def open_violations() -> list[tuple[str, str]]:
    found = RuleViolation.objects.filter(state=RuleViolation.State.OPEN)
    return sorted((v.rule, v.text) for v in found)


@pytest.fixture
def kpi(world: SimpleNamespace) -> Kpi:
    return Kpi.objects.create(code="absenteeism", name="Absenteeism", unit="%", better="lower")


def test_the_world_breaks_no_rule(world: SimpleNamespace) -> None:
    run = quality_run()
    assert (run.opened, run.cleared) == (0, 0)
    assert open_violations() == []


def test_a_kpi_value_far_outside_the_firms_range_fires_and_clears(
    world: SimpleNamespace, kpi: Kpi
) -> None:
    # Earlier values 10, 11, 10 (median 10): 500 is more than 10 times the median.
    for month, value in ((1, "10"), (2, "11"), (3, "10"), (4, "500")):
        KpiObservation.objects.create(
            enterprise=world.E_BO1, kpi=kpi, month=dt.date(2015, month, 1), value=Decimal(value)
        )
    run = quality_run()
    assert run.opened == 1
    assert open_violations() == [
        ("kpi_outlier", "absenteeism 2015-04: 500 is far outside the firm's earlier values")
    ]
    violation = RuleViolation.objects.get()
    assert (violation.country_id, violation.date) == (world.BO.pk, dt.date(2015, 4, 1))
    assert violation.page == "kpis:grid" and violation.page_id == world.E_BO1.pk
    KpiObservation.objects.filter(month=dt.date(2015, 4, 1)).update(value=Decimal("12"))
    run = quality_run()
    assert (run.opened, run.cleared) == (0, 1)
    assert open_violations() == []
    assert RuleViolation.objects.get().state == RuleViolation.State.CLEARED


def test_more_participants_than_workers_fires_and_clears(world: SimpleNamespace) -> None:
    world.E_BO1.workforce_female = 1
    world.E_BO1.save()
    Participant.objects.create(
        delivery=world.D_BO, enterprise=world.E_BO1, sex="male", role="manager", name="Eva"
    )
    quality_run()
    assert open_violations() == [
        ("participants_above_workforce", "Textil Andina: 2 participants, but a workforce of 1")
    ]
    world.E_BO1.workforce_male = 5
    world.E_BO1.save()
    assert quality_run().cleared == 1
    assert open_violations() == []


def test_satisfaction_with_no_attendance_fires_and_clears(world: SimpleNamespace) -> None:
    rated = world.participants["E-BO2"]
    rated.satisfaction = 5
    rated.save()
    enrolment = world.enrolments["E-BO2"]
    enrolment.status = "dropped"
    enrolment.save()
    quality_run()
    assert open_violations() == [
        (
            "satisfaction_without_attendance",
            "Muebles Sur: a satisfaction rating, but the firm did not attend",
        )
    ]
    enrolment.status = "completed"
    enrolment.save()
    quality_run()
    assert open_violations() == []


def test_missing_kpi_months_fire_per_quarter_and_clear(world: SimpleNamespace, kpi: Kpi) -> None:
    this_month = timezone.localdate().replace(day=1)
    last = (this_month - dt.timedelta(days=1)).replace(day=1)
    before = (last - dt.timedelta(days=1)).replace(day=1)
    # Selected two months ago, monthly: it owes `before` and `last` (not this month).
    KpiSelection.objects.create(enterprise=world.E_PE1, kpi=kpi, selected_on=before)
    KpiObservation.objects.create(enterprise=world.E_PE1, kpi=kpi, month=before, value=3)
    quality_run()
    assert open_violations() == [("kpi_missing_months", f"absenteeism: no value for {last:%Y-%m}")]
    assert RuleViolation.objects.get().country_id == world.PE.pk
    KpiObservation.objects.create(enterprise=world.E_PE1, kpi=kpi, month=last, value=4)
    quality_run()
    assert open_violations() == []


def test_a_delivery_ended_with_no_participant_fires_clears_and_opens_again(
    world: SimpleNamespace,
) -> None:
    delivery = Delivery.objects.create(
        key="D-EMPTY",
        country=world.PE,
        module=world.D_PE.module,
        start_date=dt.date(2015, 3, 2),
        end_date=dt.date(2015, 3, 6),
    )
    quality_run()
    expected = [
        (
            "delivery_without_participants",
            "Delivery D-EMPTY ended on 2015-03-06 with no participant",
        )
    ]
    assert open_violations() == expected
    delivery.end_date = None
    delivery.save()
    quality_run()
    assert open_violations() == []
    delivery.end_date = dt.date(2015, 3, 6)
    delivery.save()
    assert quality_run().opened == 1  # found again: the same violation, open again
    assert open_violations() == expected
    assert RuleViolation.objects.count() == 1


def test_a_run_for_one_country_leaves_the_others_violations(world: SimpleNamespace) -> None:
    for key, country in (("D-X-BO", world.BO), ("D-X-PE", world.PE)):
        Delivery.objects.create(
            key=key,
            country=country,
            module=world.D_PE.module,
            start_date=dt.date(2015, 3, 2),
            end_date=dt.date(2015, 3, 6),
        )
    quality_run()
    Delivery.objects.filter(key="D-X-PE").update(end_date=None)
    Delivery.objects.filter(key="D-X-BO").update(end_date=None)
    assert quality_run(country_id=world.BO.pk).cleared == 1
    assert [v.params["key"] for v in RuleViolation.objects.filter(state="open")] == ["D-X-PE"]


def test_the_command_runs_the_rules(world: SimpleNamespace) -> None:
    Delivery.objects.create(
        key="D-EMPTY",
        country=world.PE,
        module=world.D_PE.module,
        start_date=dt.date(2015, 3, 2),
        end_date=dt.date(2015, 3, 6),
    )
    out = StringIO()
    call_command("quality", "--country", "pe", stdout=out)
    assert out.getvalue() == "1 violations opened, 0 cleared\n"


def test_one_nightly_run_is_claimed_per_night(db: None) -> None:
    early = dt.datetime(2026, 3, 4, 1, 30, tzinfo=dt.UTC)
    night = dt.datetime(2026, 3, 4, 2, 5, tzinfo=dt.UTC)
    assert nightly_claim(early) is None  # before 02:00
    first = nightly_claim(night)
    assert first is not None and first.day == dt.date(2026, 3, 4)
    assert nightly_claim(night + dt.timedelta(hours=1)) is None
    quality_run(run_id=first.pk)
    first.refresh_from_db()
    assert first.finished_at is not None
