"""The delivery list counts only the enrolments its user may read.

The page world plus enrolments: BO-2016-01 (CAINCO) has Textiles Andina and
Panadería Sol; BO-2017-01 has Panadería Sol; PE-2016-01 has Inca Foods (a firm is
enrolled in deliveries of its own country: Enrolment.rules). By hand:
- Textiles Andina's own user sees BO-2016-01 only, with 1 enrolment (its own);
- the Bolivia team sees both Bolivian deliveries: BO-2016-01 with 2, BO-2017-01 with 1;
- HQ sees all: 2, 1 and 1.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.lib.current_user import acting_as
from scoretrack.training.models import Delivery, Enrolment

LIST = reverse("training:delivery-list")


@pytest.fixture
def enrolled(world: SimpleNamespace, admin: Any) -> SimpleNamespace:
    with acting_as(admin):
        for delivery, firm in (
            (world.d_bo, world.andina),
            (world.d_bo, world.sol),
            (world.d_bo2, world.sol),
            (world.d_pe, world.inca),
        ):
            Enrolment.objects.create(delivery=delivery, enterprise=firm)
    return world


def client_for(email: str, **role: Any) -> Client:
    user = User.objects.create_user(email=email, password="pw-123456-xyz")
    RoleAssignment.objects.create(user=user, **role)
    client = Client()
    client.force_login(user)
    return client


def counts(client: Client) -> dict[str, int]:
    rows = client.get(LIST).context["rows"]
    # the cells as shown: numbers as text in the page language
    return {row.obj.key: int({c.label: v for c, v in row.cells}["Enterprises"]) for row in rows}


def test_an_enterprise_user_counts_only_its_own_enrolment(enrolled: SimpleNamespace) -> None:
    client = client_for("andina@example.org", role="enterprise", enterprise=enrolled.andina)
    assert counts(client) == {"BO-2016-01": 1}


def test_a_country_team_counts_the_enterprises_of_its_country(
    enrolled: SimpleNamespace,
) -> None:
    client = client_for("bo-team@example.org", role="country_team", country=enrolled.bo)
    assert counts(client) == {"BO-2017-01": 1, "BO-2016-01": 2}


def test_hq_counts_every_enrolment(admin_client: Client, enrolled: SimpleNamespace) -> None:
    assert counts(admin_client) == {"BO-2017-01": 1, "PE-2016-01": 1, "BO-2016-01": 2}


@pytest.mark.parametrize("role", ["enterprise", "country_team"])
def test_the_scoped_count_takes_no_query_per_row(
    enrolled: SimpleNamespace, admin: Any, role: str
) -> None:
    scope = {"enterprise": enrolled.andina} if role == "enterprise" else {"country": enrolled.bo}
    client = client_for(f"{role}@example.org", role=role, **scope)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(LIST).status_code == 200
        return len(captured)

    few = queries()
    with acting_as(admin):
        for n in range(20):
            delivery = Delivery.objects.create(
                key=f"BO-X{n}", country=enrolled.bo, module=enrolled.m1, start_date="2019-01-01"
            )
            Enrolment.objects.create(delivery=delivery, enterprise=enrolled.andina)
    assert len(client.get(LIST).context["rows"]) == (21 if role == "enterprise" else 22)
    assert queries() == few
