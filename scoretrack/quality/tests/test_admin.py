"""The admin shows approvals but changes none: approving and reopening are steps with
their checks and history (quality/services.py), taken on the approval pages only."""

from __future__ import annotations

from types import SimpleNamespace

from django.test import Client

from scoretrack.quality.models import Approval

BASE = "/admin/quality/approval/"


def test_a_superuser_sees_an_approval_in_the_admin_but_cannot_change_it(
    world: SimpleNamespace, approved: Approval, admin_client: Client
) -> None:
    page = admin_client.get(f"{BASE}{approved.pk}/change/")
    assert page.status_code == 200
    assert 'name="state"' not in page.content.decode()  # shown as text, no field
    response = admin_client.post(
        f"{BASE}{approved.pk}/change/",
        {
            "country": world.BO.pk,
            "period": "2015Q2",
            "start": "2015-04-01",
            "end": "2015-06-30",
            "state": "open",
        },
    )
    assert response.status_code == 403
    approved.refresh_from_db()
    assert approved.state == "approved"


def test_the_admin_neither_adds_nor_deletes_approvals(
    world: SimpleNamespace, approved: Approval, admin_client: Client
) -> None:
    assert admin_client.get(f"{BASE}add/").status_code == 403
    data = {
        "country": world.BO.pk,
        "period": "2015Q3",
        "start": "2015-07-01",
        "end": "2015-09-30",
        "state": "approved",
    }
    assert admin_client.post(f"{BASE}add/", data).status_code == 403
    assert admin_client.post(f"{BASE}{approved.pk}/delete/", {"post": "yes"}).status_code == 403
    bulk = {"action": "delete_selected", "_selected_action": [approved.pk], "post": "yes"}
    admin_client.post(BASE, bulk)
    assert list(Approval.objects.values_list("period", "state")) == [("2015Q2", "approved")]


def test_an_approval_is_not_reverted_to_an_earlier_state_through_its_history(
    world: SimpleNamespace, approved: Approval, admin_client: Client
) -> None:
    # Its history: created open, then approved. Reverting to the first version
    # would reopen the period with no reason and no reopening step.
    first = approved.history.order_by("history_date").first()
    url = f"{BASE}{approved.pk}/history/{first.history_id}/"
    assert admin_client.get(url).status_code == 200
    data = {
        "country": world.BO.pk,
        "period": "2015Q2",
        "start": "2015-04-01",
        "end": "2015-06-30",
        "state": "open",
    }
    assert admin_client.post(url, data).status_code == 403
    approved.refresh_from_db()
    assert approved.state == "approved"
