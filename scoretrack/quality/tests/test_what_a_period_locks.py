"""Which records an approved period locks: every kind whose records happen on a day
of a country (`dated`), among them a trainer's milestones (their date, the trainer's
country) and a firm's KPI selections (the day chosen, the firm's country); the kinds
left undated are those with no period, each with its reason (quality/locks.py)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest

from scoretrack.exchange.services import workbook_import
from scoretrack.exchange.tests.conftest import write_xlsx
from scoretrack.lib.kinds import all_kinds
from scoretrack.outcomes.models import Kpi, KpiSelection
from scoretrack.quality.locks import UNDATED
from scoretrack.quality.models import Approval
from scoretrack.quality.tests.conftest import client_of
from scoretrack.quality.tests.test_locks import locked
from scoretrack.trainers.models import Milestone


@pytest.fixture
def selection(world: SimpleNamespace) -> KpiSelection:
    """E-BO1 chose the defect rate on 2015-06-01, in Bolivia's 2015 Q2."""
    kpi = Kpi.objects.create(code="defects", name="Defect rate", unit="%", better="lower")
    Kpi.objects.create(code="absence", name="Absenteeism", unit="%", better="lower")
    return KpiSelection.objects.create(
        enterprise=world.E_BO1, kpi=kpi, selected_on=dt.date(2015, 6, 1)
    )


def test_every_kind_is_dated_or_its_reason_for_not_being_is_written() -> None:
    undated = {kind.label for kind in all_kinds() if kind.dated is None}
    assert undated == set(UNDATED)
    assert "trainers.Milestone" not in undated
    assert "outcomes.KpiSelection" not in undated


def test_a_milestone_page_form_is_refused_in_an_approved_period(
    world: SimpleNamespace, approved: Approval
) -> None:
    client = client_of(world.users["country"])
    url = f"/trainers/{world.T_BO.pk}/milestones/add/"
    data = {"milestone": "expert", "date": "2015-05-10"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert locked(approved) in response.content.decode()
    assert not Milestone.objects.filter(milestone="expert").exists()
    assert client.post(url, {**data, "date": "2015-07-10"}).status_code == 302
    assert Milestone.objects.get(milestone="expert").date == dt.date(2015, 7, 10)


def test_a_kpi_selection_page_form_is_refused_in_an_approved_period(
    world: SimpleNamespace, selection: KpiSelection, approved: Approval
) -> None:
    client = client_of(world.users["country"])
    url = f"/enterprises/{world.E_BO1.pk}/selections/add/"
    absence = Kpi.objects.get(code="absence")
    data = {"kpi": absence.pk, "selected_on": "2015-04-02", "frequency": "monthly"}
    response = client.post(url, data)
    assert response.status_code == 200
    assert locked(approved) in response.content.decode()
    assert not KpiSelection.objects.filter(kpi=absence).exists()
    assert client.post(url, {**data, "selected_on": "2015-07-01"}).status_code == 302
    assert KpiSelection.objects.filter(kpi=absence).count() == 1


def test_a_workbook_import_is_refused_milestones_and_selections_of_an_approved_period(
    world: SimpleNamespace, selection: KpiSelection, approved: Approval, tmp_path: Path
) -> None:
    book = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "trainer_milestones": [
                ["trainer", "milestone", "date", "module"],
                ["T-BO", "trained", "2015-06-01", "M1"],  # a change in Bolivia Q2
                ["T-PE", "trained", "2015-06-01", "M1"],  # Peru is not approved
            ],
            "kpi_selections": [
                ["enterprise", "kpi", "selected_on", "baseline", "target", "frequency"],
                ["E-BO1", "defects", "2015-06-01", "", "3", ""],  # a new target, Q2
            ],
        },
    )
    report = workbook_import(source=book, user=world.users["global"])
    assert [p.line() for p in report.problems] == [
        f"trainer_milestones:2:date: {locked(approved)} (value '2015-06-01')",
        f"kpi_selections:2:selected_on: {locked(approved)} (value '2015-06-01')",
    ]
    assert not report.committed
    assert Milestone.objects.filter(module__isnull=False).count() == 0
    assert KpiSelection.objects.get().target is None


def test_api_writes_of_milestones_and_selections_in_an_approved_period_are_refused(
    world: SimpleNamespace, selection: KpiSelection, approved: Approval
) -> None:
    client = client_of(world.users["global"])
    body = {"enterprise": "E-BO2", "kpi": "absence", "selected_on": "2015-05-20"}
    response = client.post("/api/v1/kpi_selections", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == [{"field": "selected_on", "message": locked(approved)}]
    response = client.delete(f"/api/v1/kpi_selections/{selection.pk}")
    assert response.status_code == 409
    assert response.json()["detail"] == [{"field": None, "message": locked(approved)}]
    response = client.delete(f"/api/v1/trainer_milestones/{world.MS_BO.pk}")
    assert response.status_code == 409
    assert response.json()["detail"] == [{"field": None, "message": locked(approved)}]
    # Peru's milestone of the same day goes.
    assert client.delete(f"/api/v1/trainer_milestones/{world.MS_PE.pk}").status_code == 204
    assert list(Milestone.objects.values_list("trainer__key", flat=True)) == ["T-BO"]
    assert KpiSelection.objects.count() == 1
