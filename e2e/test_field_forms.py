"""A trainer's day in the field, in ODK Web Forms at /collect/fill/, with no connection:
Ana opens her forms at the office, loses the connection, and in Textiles Andina fills
a day's attendance of delivery BO-2016-01, a consulting visit, a progress assessment
(every practice of the catalogue) and last month's KPIs. Each waits in the browser's
outbox, counted on the page; once the connection is back they are sent through the
real pipeline (`pipeline.receive`, the forms' `accept`) and seen on the enterprise and
delivery pages and in the registry's figures (`/api/v1/indicators/values`, the
country profile).

The day and its figures, worked out by hand, are in
`scoretrack/collect/tests/field_day.py`, shared with the same four submissions sent as
ODK Collect sends them (`test_openrosa_day.py`): both reach the same figures.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot, set_offline
from e2e.test_flows import axe_violations
from e2e.test_trainer_flow import log_in, practice_rows
from e2e.test_trainer_flow import world as world
from scoretrack.collect.models import Submission
from scoretrack.collect.tests import field_day
from scoretrack.collect.webforms import BUILD


@pytest.fixture
def field(world: SimpleNamespace, hq: Any) -> SimpleNamespace:
    if not (BUILD / "fill.js").exists():
        pytest.fail(f"{Path(BUILD) / 'fill.js'} is missing: run `make install` (npm run build)")
    return field_day.prepare(world, hq)


def question(page: Any, label: str) -> Any:
    """The question container whose label is `label` (the last one: repeats add more)."""
    return page.locator(".question-container", has=page.get_by_text(label, exact=True)).last


def pick(page: Any, label: str, option: str) -> None:
    question(page, label).get_by_text(option, exact=True).click()


def type_in(page: Any, label: str, text: str, *, enter: bool = False) -> None:
    field = question(page, label).locator("input, textarea").first
    # Typed key by key: the engine's number inputs (PrimeVue's) read keystrokes.
    field.click()
    field.press_sequentially(text)
    if enter:
        field.press("Enter")
    else:
        field.blur()


def send(page: Any) -> None:
    page.get_by_role("button", name="Send", exact=True).click()


def fill_attendance(page: Any) -> None:
    pick(page, "Delivery", "BO-2016-01 · Workplace Cooperation · 2016-03-01")
    people = [
        ("María Quispe", "Female", "Manager", "Yes", "5 (very good)"),
        ("Juan Mamani", "Male", "Worker", "Yes", "3"),
        ("Rosa Choque", "Female", "Worker", "No", "4"),
    ]
    for n, (name, sex, role, member, satisfaction) in enumerate(people):
        if n:
            page.get_by_role("button", name="Add Participant").click()
        pick(page, "Enterprise", "Textiles Andina (E1)")
        type_in(page, "Name", name)
        pick(page, "Sex", sex)
        pick(page, "Role", role)
        pick(page, "Member of the enterprise improvement team", member)
        pick(page, "Satisfaction with the training", satisfaction)


def fill_visit(
    page: Any, delivery: str = "BO-2016-01 · Workplace Cooperation · 2016-03-01"
) -> None:
    pick(page, "Enterprise", "Textiles Andina (E1)")
    pick(page, "Trainer", "Ana Quispe (T1)")
    type_in(page, "Date", "2024-06-04", enter=True)
    type_in(page, "Hours", "3")
    pick(page, "Delivery", delivery)
    type_in(page, "Note", "5S layout of the cutting room")


def fill_assessment(page: Any) -> None:
    pick(page, "Enterprise", "Textiles Andina (E1)")
    pick(page, "Kind", "Progress")
    type_in(page, "Date", "2024-06-05", enter=True)
    pick(page, "Assessor", "Ana Quispe (T1)")
    pick(page, "Kaizen 5S", "Yes")
    pick(page, "Quality policy", "Yes")


def fill_kpi_month(page: Any, month: dt.date) -> None:
    # Panadería Sol selected no KPI: the form says so at once, before any KPI is asked.
    pick(page, "Enterprise", "Panadería Sol (E2)")
    question(page, "Enterprise").get_by_text(
        "This enterprise has selected no KPI yet: choose its KPIs on its page (KPIs) before "
        "reporting a month."
    ).wait_for()
    pick(page, "Enterprise", "Textiles Andina (E1)")
    # ODK Web Forms (0.22) shows a month-year question as a date: any day of the month.
    type_in(page, "Month", f"{month:%Y-%m}-15", enter=True)
    for n, (kpi, value) in enumerate((("Absenteeism (days)", "9"), ("Defect rate (%)", "2"))):
        if n:
            page.get_by_role("button", name="Add KPI").click()
        # Only Andina's selected KPIs are offered: scrap is in the catalogue, not picked.
        offered = question(page, "KPI").locator(".text-content").all_inner_texts()
        assert offered == ["Absenteeism (days)", "Defect rate (%)"]
        pick(page, "KPI", kpi)
        type_in(page, "Value", value)


def figures(page: Any, live_server: Any, url: str = field_day.VALUES) -> dict[str, Any]:
    """The registry's figures for Bolivia, as the API gives them to this user."""
    answer = page.request.get(f"{live_server.url}{url}")
    assert answer.status == 200, answer.text()
    return answer.json()["values"]


def table_rows(page: Any, selector: str) -> list[list[str]]:
    rows = page.locator(f"{selector} tbody tr").all()
    return [[c.strip() for c in r.locator("th, td").all_inner_texts()] for r in rows]


def test_a_day_in_the_field_with_no_connection_reaches_the_figures(
    page: Any, phone: Any, live_server: Any, field: SimpleNamespace
) -> None:
    w = field
    log_in(page, live_server)
    assert figures(page, live_server) == field_day.BEFORE
    # At the office: the list of forms, and each form opened once (the service worker
    # keeps the page, the engine and the form's media).
    page.goto(f"{live_server.url}/collect/fill/")
    forms = ["attendance", "visit", "assessment", "kpi_month"]
    for form in forms:
        page.goto(f"{live_server.url}/collect/fill/{form}/")
        page.get_by_text("Nothing is waiting to be sent.").wait_for()
        page.wait_for_function("() => navigator.serviceWorker.controller !== null")
        page.get_by_role("button", name="Send", exact=True).wait_for()
    page.goto(f"{live_server.url}/collect/fill/attendance/")
    page.get_by_role("button", name="Add Participant").wait_for()

    # In the factory: no connection. The page still reloads (the worker's copy).
    set_offline(page.context, True)
    page.reload()
    status = page.locator("#outbox-count")
    status.get_by_text("Nothing is waiting to be sent.").wait_for()
    fill_attendance(page)
    send(page)
    status.get_by_text("1 submission waiting to be sent").wait_for()
    fill = {
        "Consulting visit": fill_visit,
        "Baseline or progress assessment": fill_assessment,
        "Monthly KPI report": lambda p: fill_kpi_month(p, w.last_month),
    }
    for count, (title, filler) in enumerate(fill.items(), 2):
        page.goto(f"{live_server.url}/collect/fill/")
        page.get_by_role("link", name=title).click()
        page.get_by_role("button", name="Send", exact=True).wait_for()
        filler(page)
        send(page)
        status.get_by_text(f"{count} submissions waiting to be sent").wait_for()
    assert [item.split(",")[0] for item in page.locator("#outbox-list li").all_inner_texts()] == [
        "Attendance of a delivery",
        "Consulting visit",
        "Baseline or progress assessment",
        "Monthly KPI report",
    ]
    assert Submission.objects.count() == 0
    screenshot(page, "field-forms-offline-desktop")

    # Back online: the four are sent, oldest first, and each is written.
    set_offline(page.context, False)
    status.get_by_text("Nothing is waiting to be sent.").wait_for(timeout=30_000)
    assert page.locator("#outbox-sent li").all_inner_texts() == [
        "Sent: Monthly KPI report.",
        "Sent: Baseline or progress assessment.",
        "Sent: Consulting visit.",
        "Sent: Attendance of a delivery.",
    ]
    sent = Submission.objects.order_by("received_at")
    assert [(s.form_id, s.state, s.channel) for s in sent] == [
        ("attendance", "approved", "browser"),
        ("visit", "approved", "browser"),
        ("assessment", "approved", "browser"),
        ("kpi_month", "approved", "browser"),
    ]
    # One the server cannot accept, though the form could not tell: a visit following
    # a delivery Andina is not enrolled in. Kept for review, and the page says why.
    page.goto(f"{live_server.url}/collect/fill/visit/")
    fill_visit(page, delivery="BO-2017-01 · Quality Management · 2017-05-10")
    send(page)
    page.locator("#outbox-sent li.warning").wait_for()
    assert page.locator("#outbox-sent li").all_inner_texts() == [
        "Consulting visit: queued for review: enterprise: a visit of a delivery: the "
        "enterprise is not enrolled in this delivery (enrol it first) (E1)"
    ]
    assert Submission.objects.get(state="has_issues").form_id == "visit"
    status.get_by_text("Nothing is waiting to be sent.").wait_for()
    screenshot(page, "field-forms-sent-desktop")

    # The records, on their pages.
    page.goto(f"{live_server.url}/deliveries/{w.d_bo.pk}/")
    assert [row[:6] for row in table_rows(page, "#participants table")] == [
        ["Juan Mamani", "Textiles Andina", "Male", "Worker", "yes", "3"],
        ["María Quispe", "Textiles Andina", "Female", "Manager", "yes", "5"],
        ["Rosa Choque", "Textiles Andina", "Female", "Worker", "no", "4"],
    ]
    page.goto(f"{live_server.url}/enterprises/{w.andina.pk}/")
    assert table_rows(page, "#visits + .table-wrap table") == [
        ["June 4, 2024", "Ana Quispe", "3.00", "BO-2016-01", "5S layout of the cutting room"]
    ]
    assert table_rows(page, "#practices ~ .table-wrap table") == [
        ["Kaizen 5S", "yes", "yes", "in place before"],
        ["Quality policy", "no", "yes", "newly implemented"],
    ]
    kpis = page.locator("#selected-kpis tbody tr")
    assert kpis.filter(has_text="Absenteeism").locator("td.num").all_inner_texts()[1] == "9"
    assert kpis.filter(has_text="Defect rate").locator("td.num").all_inner_texts()[1] == "2"

    # The registry's figures, worked out by hand (the module's docstring).
    assert figures(page, live_server) == field_day.AFTER
    assert figures(page, live_server, field_day.STAFF_BY_SEX) == field_day.STAFF_BY_SEX_AFTER
    assert practice_rows(page, live_server) == [
        ["Kaizen 5S", "100%", "0%"],
        ["Quality policy", "0%", "100%"],
    ]

    # The fill page at phone width.
    log_in(phone, live_server)
    phone.goto(f"{live_server.url}/collect/fill/attendance/")
    phone.get_by_role("button", name="Add Participant").wait_for()
    screenshot(phone, "field-form-phone")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    assert axe_violations(phone) == []
    # The form's own languages (pyxform's itext translations), switched in the engine.
    phone.locator(".language-changer:visible").click()
    phone.get_by_role("option", name="Español (es)").click()
    question(phone, "Impartición").get_by_text(
        "BO-2016-01 · Workplace Cooperation · 2016-03-01"
    ).wait_for()
    # The repeat's label in Spanish (the engine's own "Add" is its words, in English).
    phone.get_by_role("button", name="Add Participante").wait_for()
