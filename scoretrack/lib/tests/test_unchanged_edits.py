"""An edit form saved as shown changes nothing: no save, no history entry, a message.

Through the generic edit page (a delivery with its trainers, a cost converted to
USD) and the inline rows of a delivery (an enrolment with a fee, a visit with a
note of two lines), each left as the page shows it.
"""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from scoretrack.finance.models import DirectCost
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import D, as_shown, world  # noqa: F401  (the page-test world)
from scoretrack.training.models import ConsultingVisit, Enrolment


@pytest.fixture
def records(world: SimpleNamespace, admin: Any) -> dict[str, tuple[Model, str]]:  # noqa: F811
    with acting_as(admin):
        cost = DirectCost.objects.create(
            country=world.bo, date=D("2016-03-01"), delivery=world.d_bo, amount=690, currency="BOB"
        )
        enrolment = Enrolment.objects.create(
            delivery=world.d_bo, enterprise=world.andina, fee=Decimal("138"), currency="BOB"
        )
        visit = ConsultingVisit.objects.create(
            enterprise=world.andina,
            trainer=world.ana,
            delivery=world.d_bo,
            date=D("2016-04-02"),
            note="5S walk-through\nfollow-up in May",
        )
    d = world.d_bo.pk
    return {
        "delivery": (world.d_bo, reverse("training:delivery-edit", args=[d])),
        "cost": (cost, reverse("finance:cost-edit", args=[cost.pk])),
        "enrolment": (enrolment, reverse("training:enrolments-edit", args=[d, enrolment.pk])),
        "visit": (visit, reverse("training:visits-edit", args=[d, visit.pk])),
    }


@pytest.mark.parametrize("kind", ["delivery", "cost", "enrolment", "visit"])
def test_saving_a_form_as_shown_writes_nothing(
    admin_client: Client, records: dict[str, tuple[Model, str]], kind: str
) -> None:
    record, url = records[kind]
    record = type(record).objects.get(pk=record.pk)
    history = type(record).history.filter(id=record.pk)
    before = (history.count(), type(record).objects.get(pk=record.pk).updated_at)
    response = admin_client.post(url, as_shown(admin_client, url))
    assert response.status_code == 302
    assert (history.count(), type(record).objects.get(pk=record.pk).updated_at) == before
    assert [str(m) for m in get_messages(response.wsgi_request)] == [
        f"Nothing changed: {record} was left as it was."
    ]


def test_a_changed_value_is_still_saved(
    admin_client: Client, records: dict[str, tuple[Model, str]]
) -> None:
    visit, url = records["visit"]
    data = {**as_shown(admin_client, url), "hours": "2.5"}
    assert admin_client.post(url, data).status_code == 302
    visit.refresh_from_db()
    assert visit.hours == Decimal("2.5")
    assert ConsultingVisit.history.filter(id=visit.pk).count() == 2
