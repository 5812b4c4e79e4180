"""Each role's home in a real browser (issue 18): the country team recommends and HQ
approves a certification from their queues; the lead buyer and the donor land on
their dashboards with charts; every home at desktop and phone width (360 px), where
the navigation collapses behind a menu button that works without JavaScript."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot
from e2e.test_flows import AXE, axe_violations
from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.lib.current_user import acting_as
from scoretrack.reference.models import Organisation
from scoretrack.trainers.models import Milestone
from scoretrack.training.models import Enrolment, Participant

PASSWORD = "pw-role-123456"
ROLES = ["global", "country", "partner", "trainer", "enterprise", "lead_buyer", "viewer"]
SUPPLIERS = 6  # more than the 5 firms a lead buyer's or donor's figure may rest on


@pytest.fixture
def homes(hq: Any) -> SimpleNamespace:
    """The pages' world (lib/tests/pages.py) with six suppliers of Acme trained in
    Bolivia's delivery, Ana trained, and one user per role."""
    from scoretrack.lib.tests.pages import build_world

    w = build_world(hq)
    with acting_as(hq):
        Milestone.objects.create(trainer=w.ana, milestone="trained", date=dt.date(2015, 5, 1))
        for n in range(SUPPLIERS):
            firm = Enterprise.objects.create(key=f"S{n}", name=f"Supplier {n}", country=w.bo)
            LeadBuyerLink.objects.create(enterprise=firm, lead_buyer=w.buyer)
            Enrolment.objects.create(delivery=w.d_bo, enterprise=firm)
            Participant.objects.create(
                delivery=w.d_bo, enterprise=firm, sex="female" if n % 2 else "male", role="worker"
            )
    hq.set_password(PASSWORD)
    hq.save()
    w.users = {"global": hq}
    for role, email, scope in (
        ("country", "bo@example.org", {"role": "country_team", "country": w.bo}),
        ("partner", "cainco@example.org", {"role": "partner", "organisation": w.cainco}),
        ("trainer", "ana@example.org", {"role": "trainer", "trainer": w.ana}),
        ("enterprise", "andina@example.org", {"role": "enterprise", "enterprise": w.andina}),
        ("lead_buyer", "acme@example.org", {"role": "lead_buyer", "organisation": w.buyer}),
        ("viewer", "donor@example.org", {"role": "viewer"}),
    ):
        w.users[role] = User.objects.create_user(email=email, password=PASSWORD)
        RoleAssignment.objects.create(user=w.users[role], **scope)
    assert Organisation.objects.filter(pk=w.buyer.pk, type="lead_buyer").exists()
    return w


def log_in(page: Any, live_server: Any, user: User) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def log_out(page: Any) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/login/**")


def test_the_country_team_recommends_and_hq_approves_from_their_queues(
    page: Any, live_server: Any, homes: SimpleNamespace
) -> None:
    log_in(page, live_server, homes.users["country"])
    queue = page.locator("#to-recommend")
    queue.get_by_role("link", name="Ana Quispe").wait_for()
    queue.get_by_role("button", name="Recommend Ana Quispe").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_text("Certification step recorded.").wait_for()
    assert page.locator("#to-recommend").get_by_text("Ana Quispe").count() == 0
    log_out(page)

    log_in(page, live_server, homes.users["global"])
    queue = page.locator("#to-approve")
    queue.get_by_role("button", name="Approve Ana Quispe").click()
    page.get_by_text("Certification step recorded.").wait_for()
    assert page.locator("#to-approve").get_by_text("Ana Quispe").count() == 0
    page.goto(f"{live_server.url}/trainers/{homes.ana.pk}/")
    assert page.locator("dl.facts").get_by_text("Certified", exact=True).count() == 1


@pytest.mark.parametrize("role", ["lead_buyer", "viewer"])
def test_aggregates_only_roles_land_on_their_dashboard_with_charts(
    page: Any, live_server: Any, homes: SimpleNamespace, role: str
) -> None:
    log_in(page, live_server, homes.users[role])
    tile = page.locator('.tile[data-code="smes_trained"] strong')
    # Bolivia's delivery: the six suppliers (and no other firm attended it).
    assert tile.inner_text() == str(SUPPLIERS)
    chart = page.locator("figure.chart").first
    chart.locator("svg").wait_for()
    assert chart.locator("rect").count() >= 1
    assert page.get_by_role("link", name="Supplier 0").count() == 0
    nav = page.get_by_role("navigation", name="Main")
    assert nav.get_by_role("link", name="Enterprises").count() == 0
    assert nav.get_by_role("link", name="Costs").count() == 0


@pytest.mark.parametrize("role", ROLES)
def test_every_home_at_desktop_and_phone_width(
    browser: Any, live_server: Any, homes: SimpleNamespace, role: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `make install` (npm ci installs axe-core)")
    desktop = browser.new_context(viewport={"width": 1280, "height": 900})
    page = desktop.new_page()
    log_in(page, live_server, homes.users[role])
    assert page.locator("h1").inner_text()
    assert page.get_by_role("navigation", name="Main").is_visible()
    assert not page.locator(".menu-button").is_visible()
    screenshot(page, f"home-{role}-desktop")
    assert axe_violations(page) == []
    desktop.close()

    # No JavaScript at all: the menu button is a checkbox's label.
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, java_script_enabled=False
    )
    page = phone.new_page()
    log_in(page, live_server, homes.users[role])
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    screenshot(page, f"home-{role}-phone")
    page.locator(".menu-button").click()
    assert nav.is_visible()
    assert nav.get_by_role("link", name="Home").is_visible()
    screenshot(page, f"home-{role}-phone-menu")
    phone.close()
