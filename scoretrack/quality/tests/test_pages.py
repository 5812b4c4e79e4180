"""The approval and violation pages, per role: a country team approves only its
country, partners mark a period ready, HQ reopens; approving with open violations
asks for a confirmation."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from scoretrack.quality.models import Approval, RuleViolation
from scoretrack.quality.periods import Period
from scoretrack.quality.runs import quality_run
from scoretrack.quality.services import ApprovalRefused, approval_approve
from scoretrack.quality.tests.conftest import client_of
from scoretrack.training.models import Delivery

URL = "/quality/approvals/BO/2015Q2/"


def state(country: object, period: str) -> str:
    found = Approval.objects.filter(country=country, period=period).first()
    return found.state if found else "open"


def test_a_country_team_sees_and_approves_only_its_country(world: SimpleNamespace) -> None:
    client = client_of(world.users["country"])
    page = client.get("/quality/approvals/", {"year": 2015}).content.decode()
    assert "Bolivia" in page and "Peru" not in page
    assert f'href="{URL}"' in page
    assert client.get("/quality/approvals/PE/2015Q2/").status_code == 404
    with pytest.raises(ApprovalRefused, match="may not approve"):
        approval_approve(
            acting_user=world.users["country"], country=world.PE, period=Period.parse("2015Q2")
        )
    assert client.post(URL, {"step": "approve"}).status_code == 302
    assert state(world.BO, "2015Q2") == "approved"
    page = client.get("/quality/approvals/", {"year": 2015}).content.decode()
    assert "Approved" in page


def test_a_partner_submits_and_the_country_team_finds_it_on_its_home(
    world: SimpleNamespace,
) -> None:
    partner = client_of(world.users["partner"])
    page = partner.get(URL).content.decode()
    assert "Submit as ready" in page and "Approve and lock" not in page
    assert partner.post(URL, {"step": "approve"}).status_code == 200
    assert state(world.BO, "2015Q2") == "open"
    assert partner.post(URL, {"step": "submit"}).status_code == 302
    assert state(world.BO, "2015Q2") == "submitted"
    home = client_of(world.users["country"]).get("/").content.decode()
    assert "Periods to approve" in home
    assert f'<a href="{URL}">Bolivia 2015 Q2</a>' in home
    # Trainers and enterprises have no part in it.
    assert client_of(world.users["trainer"]).get(URL).status_code == 403


def test_approving_with_open_violations_asks_for_a_confirmation(world: SimpleNamespace) -> None:
    Delivery.objects.create(
        key="D-EMPTY",
        country=world.BO,
        module=world.D_BO.module,
        start_date=dt.date(2015, 5, 4),
        end_date=dt.date(2015, 5, 8),
    )
    quality_run()
    client = client_of(world.users["country"])
    page = client.get(URL).content.decode()
    assert "1 open violation" in page
    assert "Delivery D-EMPTY ended on 2015-05-08 with no participant" in page
    response = client.post(URL, {"step": "approve"})
    assert response.status_code == 200
    assert "1 open violations of the data-quality rules: approve all the same?" in (
        response.content.decode()
    )
    assert state(world.BO, "2015Q2") == "open"
    assert client.post(URL, {"step": "approve", "confirmed": "yes"}).status_code == 302
    assert state(world.BO, "2015Q2") == "approved"


def test_hq_reopens_with_a_reason_on_the_page(world: SimpleNamespace) -> None:
    approval_approve(
        acting_user=world.users["country"], country=world.BO, period=Period.parse("2015Q2")
    )
    team = client_of(world.users["country"])
    assert "Reopen" not in team.get(URL).content.decode()
    hq = client_of(world.users["global"])
    assert hq.post(URL, {"step": "reopen", "reason": ""}, follow=True).status_code == 200
    assert state(world.BO, "2015Q2") == "approved"
    hq.post(URL, {"step": "reopen", "reason": "fees corrected"})
    assert state(world.BO, "2015Q2") == "open"
    assert "fees corrected" in hq.get(URL).content.decode()


def test_a_future_period_cannot_be_approved(world: SimpleNamespace) -> None:
    future = dt.date.today().year + 1
    with pytest.raises(ApprovalRefused, match="has not started"):
        approval_approve(
            acting_user=world.users["global"], country=world.BO, period=Period(future, "year")
        )


def test_the_violations_page_lists_the_countrys_open_violations_with_links(
    world: SimpleNamespace,
) -> None:
    empty = {}
    for key, country in (("D-X-BO", world.BO), ("D-X-PE", world.PE)):
        empty[key] = Delivery.objects.create(
            key=key,
            country=country,
            module=world.D_BO.module,
            start_date=dt.date(2015, 5, 4),
            end_date=dt.date(2015, 5, 8),
        )
    team = client_of(world.users["country"])
    assert "D-X-BO" not in team.get("/quality/violations/").content.decode()
    response = team.post("/quality/run/")  # the tests' task backend runs it at once
    assert response.status_code == 302
    page = team.get("/quality/violations/").content.decode()
    assert f'<a href="/deliveries/{empty["D-X-BO"].pk}/">' in page
    assert "D-X-PE" not in page  # Peru's, and not even looked for by Bolivia's run
    assert RuleViolation.objects.count() == 1
    assert client_of(world.users["partner"]).get("/quality/violations/").status_code == 403
    assert team.get("/quality/run/").status_code == 405


def test_the_navigation_shows_review_to_those_who_review(world: SimpleNamespace) -> None:
    team = client_of(world.users["country"]).get("/").content.decode()
    assert 'href="/quality/approvals/"' in team and 'href="/quality/violations/"' in team
    trainer = client_of(world.users["trainer"]).get("/").content.decode()
    assert 'href="/quality/approvals/"' not in trainer
