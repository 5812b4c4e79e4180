"""An approved period is locked against every write path: pages, workbook import,
the API, deletion and restore; HQ's reopening unlocks it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError

from scoretrack.events.models import Event
from scoretrack.exchange.services import workbook_import
from scoretrack.exchange.tests.conftest import write_xlsx
from scoretrack.finance.models import DirectCost
from scoretrack.quality.models import Approval
from scoretrack.quality.periods import Period
from scoretrack.quality.services import ApprovalRefused, approval_reopen
from scoretrack.quality.tests.conftest import client_of
from scoretrack.training.models import Participant
from scoretrack.web.deletion import DeletionRefused, record_delete

LOCKED = "Bolivia 2015 Q2 was approved on {day} by bo@x.org; ask HQ to reopen it"


def locked(approval: Approval) -> str:
    return LOCKED.format(day=approval.approved_at.date().isoformat())


def test_a_page_form_cannot_create_a_record_in_an_approved_period(
    world: SimpleNamespace, approved: Approval
) -> None:
    client = client_of(world.users["country"])
    data = {"key": "EV-NEW", "country": world.BO.pk, "kind": "workshop", "date": "2015-05-10"}
    response = client.post("/events/new/", data)
    assert response.status_code == 200
    assert locked(approved) in response.content.decode()
    assert not Event.objects.filter(key="EV-NEW").exists()
    # The same event in July (Q3, open) is created.
    response = client.post("/events/new/", {**data, "date": "2015-07-10"})
    assert response.status_code == 302
    assert Event.objects.filter(key="EV-NEW", date=dt.date(2015, 7, 10)).exists()


def test_a_page_form_cannot_move_a_record_out_of_an_approved_period(
    world: SimpleNamespace, approved: Approval
) -> None:
    client = client_of(world.users["country"])
    page = client.get(f"/events/{world.EV_BO.pk}/edit/").content.decode()
    version = page.split('name="version" value="')[1].split('"')[0]
    data = {
        "key": "EV-BO",
        "country": world.BO.pk,
        "kind": "workshop",
        "date": "2015-08-01",
        "version": version,
    }
    response = client.post(f"/events/{world.EV_BO.pk}/edit/", data)
    assert response.status_code == 200
    assert locked(approved) in response.content.decode()
    world.EV_BO.refresh_from_db()
    assert world.EV_BO.date == dt.date(2015, 6, 1)


def test_a_workbook_import_is_refused_the_rows_of_an_approved_period(
    world: SimpleNamespace, approved: Approval, tmp_path: Path
) -> None:
    book = write_xlsx(
        tmp_path / "book.xlsx",
        {
            "events": [
                ["key", "country", "kind", "date"],
                ["EV-BO", "BO", "conference", "2015-06-01"],  # a change in Bolivia Q2
                ["EV-PE", "PE", "conference", "2015-06-01"],  # Peru is not approved
            ]
        },
    )
    report = workbook_import(source=book, user=world.users["global"])
    assert [p.line() for p in report.problems] == [
        f"events:2:date: {locked(approved)} (value '2015-06-01')"
    ]
    assert not report.committed
    assert set(Event.objects.values_list("kind", flat=True)) == {"workshop"}


def test_an_api_write_and_delete_in_an_approved_period_is_refused(
    world: SimpleNamespace, approved: Approval
) -> None:
    client = client_of(world.users["global"])
    body = {"country": "BO", "date": "2015-04-02", "amount": 7, "currency": "USD"}
    response = client.post("/api/v1/costs", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == [{"field": "date", "message": locked(approved)}]
    response = client.delete(f"/api/v1/costs/{world.COST_BO.pk}")
    assert response.status_code == 409
    assert response.json() == {
        "error": "locked",
        "detail": [{"field": None, "message": locked(approved)}],
    }
    assert DirectCost.objects.count() == 2
    # Peru's cost of the same day is deleted.
    assert client.delete(f"/api/v1/costs/{world.COST_PE.pk}").status_code == 204


def test_a_record_of_an_approved_period_is_not_deleted_with_a_parent(
    world: SimpleNamespace, approved: Approval
) -> None:
    # The Bolivian participant is dated by its delivery's start: deleting it is refused.
    participant = world.participants["E-BO1"]
    with pytest.raises(ValidationError, match="ask HQ to reopen it"):
        participant.delete()
    with pytest.raises(DeletionRefused) as refused:
        record_delete(acting_user=world.users["global"], record=world.D_BO, cascade=True)
    assert refused.value.kind == "locked"
    assert Participant.objects.filter(pk=participant.pk).exists()


def test_a_deleted_record_is_not_restored_into_an_approved_period(
    world: SimpleNamespace,
) -> None:
    from scoretrack.quality.services import approval_approve

    client = client_of(world.users["global"])
    client.delete(f"/api/v1/costs/{world.COST_BO.pk}")
    approval_approve(
        acting_user=world.users["country"], country=world.BO, period=Period.parse("2015")
    )
    response = client.post(
        "/deleted/restore",
        {"model": "finance.DirectCost", "id": str(world.COST_BO.pk)},
        follow=True,
    )
    day = dt.date.today().isoformat()
    assert (
        f"Not restored: Bolivia 2015 was approved on {day} by bo@x.org; ask HQ to reopen it"
        in response.content.decode()
    )
    assert not DirectCost.objects.filter(pk=world.COST_BO.pk).exists()


def test_hq_reopens_the_period_and_writes_are_accepted_again(
    world: SimpleNamespace, approved: Approval
) -> None:
    period = Period.parse("2015Q2")
    with pytest.raises(ApprovalRefused, match="Only HQ may reopen"):
        approval_reopen(
            acting_user=world.users["country"], country=world.BO, period=period, reason="typo"
        )
    with pytest.raises(ApprovalRefused, match="Say why"):
        approval_reopen(
            acting_user=world.users["global"], country=world.BO, period=period, reason=" "
        )
    approval_reopen(
        acting_user=world.users["global"], country=world.BO, period=period, reason="wrong fee"
    )
    world.EV_BO.kind = "conference"
    world.EV_BO.save()
    assert Event.objects.get(pk=world.EV_BO.pk).kind == "conference"
    approval = Approval.objects.get(country=world.BO, period="2015Q2")
    assert (approval.state, approval.reopen_reason) == ("open", "wrong fee")
    assert [h.state for h in approval.history.order_by("history_date")] == [
        "open",  # created by the approval, then approved in the same transaction
        "approved",
        "open",
    ]
