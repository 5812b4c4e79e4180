"""The trainer's daily task in a real browser: a baseline and a progress assessment of
an enterprise it is assigned to, seen side by side on the enterprise page and in the
country profile's practice figure, and a month of its KPIs; at desktop and phone
(360 px) width."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot
from e2e.test_flows import AXE, axe_violations
from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import build_world
from scoretrack.outcomes.models import Practice
from scoretrack.training.models import Enrolment

EMAIL, PASSWORD = "ana@example.org", "pw-ana-123456"


@pytest.fixture
def world(hq: Any) -> SimpleNamespace:
    """Ana trains delivery BO-2016-01, in which Textiles Andina is enrolled."""
    w = build_world(hq)
    with acting_as(hq):
        Enrolment.objects.create(delivery=w.d_bo, enterprise=w.andina, status="enrolled")
        Practice.objects.create(code="P1", name="Kaizen 5S", module=w.m1)
        Practice.objects.create(code="P2", name="Quality policy", module=w.m2)
    user = User.objects.create_user(email=EMAIL, password=PASSWORD)
    RoleAssignment.objects.create(user=user, role="trainer", trainer=w.ana)
    return w


def log_in(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/login/" not in url)


def record(page: Any, kind: str, date: str, answers: dict[str, str], note: str = "") -> None:
    page.locator("#assessments").get_by_role("link", name="Record an assessment").click()
    page.get_by_label("Kind").select_option(label=kind)
    page.get_by_label("Date").fill(date)
    for practice, answer in answers.items():
        block = page.locator(".practice-answer", has_text=practice)
        block.get_by_label(answer, exact=True).check()
        if note:
            block.get_by_label("Note").fill(note)
    page.get_by_role("button", name="Save").click()
    page.locator("#assessments tbody tr", has_text=date).wait_for()


def practice_rows(page: Any, live_server: Any) -> list[list[str]]:
    page.goto(f"{live_server.url}/reports/country/BO/")
    section = page.locator("#figure-13-practices")
    rows = section.locator("tbody tr")
    # The figures' table, folded under the chart (its text, though not shown).
    return sorted(
        [cell.strip() for cell in row.locator("th, td").all_text_contents()] for row in rows.all()
    )


def test_a_trainer_records_a_baseline_and_a_progress_assessment(
    page: Any, phone: Any, live_server: Any, world: SimpleNamespace
) -> None:
    log_in(page, live_server)
    assert practice_rows(page, live_server) == []

    page.goto(f"{live_server.url}/enterprises/{world.andina.pk}/")
    record(page, "Baseline", "2024-01-10", {"Kaizen 5S": "Yes", "Quality policy": "No"})
    page.get_by_role("link", name="Record an assessment").click()
    # Ana is the assessor, already chosen; a practice left unanswered is pointed at.
    assert page.get_by_label("Assessor").locator("option:checked").inner_text() == "Ana Quispe"
    page.get_by_label("Kind").select_option(label="Progress")
    page.get_by_label("Date").fill("2024-06-05")
    page.locator(".practice-answer", has_text="Kaizen 5S").get_by_label("Yes").check()
    page.get_by_role("button", name="Save").click()
    error = page.locator(".practice-answer", has_text="Quality policy").locator(".errorlist")
    assert error.inner_text() == "Answer yes, no or not assessed."
    page.get_by_role("link", name="Cancel").click()
    record(
        page,
        "Progress",
        "2024-06-05",
        {"Kaizen 5S": "Yes", "Quality policy": "Yes"},
        note="Seen on the visit",
    )

    table = page.locator("#practices + .table-wrap table")
    assert table.locator("thead th").all_inner_texts() == [
        "Practice",
        "Baseline, 2024-01-10",
        "Progress, 2024-06-05",
        "Change",
    ]
    rows = [r.locator("th, td").all_inner_texts() for r in table.locator("tbody tr").all()]
    assert rows == [
        ["Kaizen 5S", "yes", "yes\nSeen on the visit", "in place before"],
        ["Quality policy", "no", "yes\nSeen on the visit", "newly implemented"],
    ]
    page.locator("#assessments").scroll_into_view_if_needed()
    screenshot(page, "trainer-assessments-desktop")
    if AXE.exists():
        page.reload()  # without the "Saved" message (base.html's, a list item with no list)
        assert axe_violations(page) == []
        page.get_by_role("link", name="Record an assessment").click()
        assert axe_violations(page) == []

    # The country profile's practice figure: Andina alone, 5S in place before, the
    # quality policy newly implemented.
    assert practice_rows(page, live_server) == [
        ["Kaizen 5S", "100%", "0%"],
        ["Quality policy", "0%", "100%"],
    ]
    page.locator("#figure-13-practices").scroll_into_view_if_needed()
    screenshot(page, "trainer-country-practices-desktop")

    log_in(phone, live_server)
    phone.goto(f"{live_server.url}/enterprises/{world.andina.pk}/#assessments")
    screenshot(phone, "trainer-assessments-phone")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    phone.goto(f"{live_server.url}/enterprises/{world.andina.pk}/assessments/new/")
    screenshot(phone, "trainer-assessment-form-phone")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_a_trainer_enters_a_month_of_kpis_for_its_enterprise(
    page: Any, live_server: Any, world: SimpleNamespace, hq: Any
) -> None:
    """Andina chose absenteeism (baseline 12 days, target 6) three months ago; Ana
    enters last month's 9 days in its grid and sees it on the enterprise page."""
    import datetime as dt

    from e2e.test_enterprise_flow import months_back
    from scoretrack.outcomes.models import Kpi, KpiObservation, KpiSelection

    today = dt.date.today()
    with acting_as(hq):
        kpi = Kpi.objects.create(code="absent", name="Absenteeism", unit="days", better="lower")
        KpiSelection.objects.create(
            enterprise=world.andina,
            kpi=kpi,
            selected_on=months_back(today, 3),
            baseline=12,
            target=6,
        )
    last = months_back(today, 1)
    log_in(page, live_server)
    page.goto(f"{live_server.url}/enterprises/{world.andina.pk}/kpis/")
    page.get_by_label(f"Absenteeism, {last.strftime('%B %Y')}", exact=True).fill("9")
    page.get_by_role("button", name="Save all").click()
    page.get_by_text("The KPI values are saved.").wait_for()
    saved = KpiObservation.objects.get(enterprise=world.andina, kpi=kpi)
    assert (saved.month, saved.value) == (last, 9)

    page.goto(f"{live_server.url}/enterprises/{world.andina.pk}/")
    row = page.locator("#selected-kpis tbody tr", has_text="Absenteeism")
    assert row.locator("td.num").all_inner_texts() == ["12", "9", "6"]
    screenshot(page, "trainer-kpis-desktop")
