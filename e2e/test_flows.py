"""The main flows of issue 8 in a real browser: record an SME's training and see the
country profile change, fix a workbook's bad cell, read the charts, download a
PDF, switch the language; accessibility (axe-core) and phone screenshots."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest

from e2e.conftest import screenshot
from scoretrack.lib.tests.pages import build_world
from scoretrack.reference.models import Phase

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def world(hq: Any) -> SimpleNamespace:
    w = build_world(hq)
    Phase.objects.create(name="II", start_date=dt.date(2014, 1, 1), end_date=dt.date(2017, 12, 31))
    return w


def smes_trained(page: Any, live_server: Any) -> str:
    page.goto(f"{live_server.url}/reports/country/BO/?phase=II")
    box = page.locator(".facts-box li").first
    return box.locator("strong").first.inner_text()


def test_recording_an_smes_training_changes_the_country_profile(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    assert smes_trained(page, live_server) == "0"

    page.goto(f"{live_server.url}/enterprises/new/")
    page.get_by_label("Key").fill("E9")
    page.locator("#id_name").fill("Cerámica Illimani")
    page.get_by_label("Country").select_option(label="Bolivia")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Cerámica Illimani").wait_for()

    page.goto(f"{live_server.url}/deliveries/{world.d_bo.pk}/")
    enrolments = page.locator("#enrolments")
    enrolments.get_by_role("link", name="Add an enrolment").click()
    enrolments.get_by_role("combobox", name="Enterprise", exact=True).select_option(
        label="Cerámica Illimani"
    )
    enrolments.get_by_role("button", name="Save").click()
    enrolments.locator("tbody tr", has_text="Cerámica Illimani").wait_for()

    participants = page.locator("#participants")
    for sex, role in (("Female", "Worker"), ("Male", "Manager")):
        participants.get_by_role("link", name="Add a participant").click()
        participants.get_by_role("combobox", name="Enterprise", exact=True).select_option(
            label="Cerámica Illimani"
        )
        participants.get_by_label("Sex").select_option(label=sex)
        participants.get_by_label("Role").select_option(label=role)
        participants.get_by_label("Satisfaction").fill("5")
        participants.get_by_role("button", name="Save").click()
        participants.locator("tbody tr", has_text=role).wait_for()

    visits = page.locator("#visits")
    visits.get_by_role("link", name="Add a consulting visit").click()
    visits.get_by_role("combobox", name="Enterprise", exact=True).select_option(
        label="Cerámica Illimani"
    )
    visits.get_by_role("combobox", name="Trainer").select_option(label="Ana Quispe")
    visits.get_by_label("Date").fill("2016-04-12")
    visits.get_by_role("button", name="Save").click()
    visits.locator("tbody tr", has_text="2016").wait_for()

    assert smes_trained(page, live_server) == "1"
    screenshot(page, "country-profile-desktop")


def workbook(path: Path, enterprise_country: str) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "enterprises"
    sheet.append(["key", "name", "country", "women_owned"])
    sheet.append(["W1", "Tejidos Warmi", "BO", "yes"])
    sheet.append(["W2", "Quinua Real", enterprise_country, "no"])
    book.save(path)
    return path


def test_a_bad_cell_is_reported_then_the_fixed_file_imports(
    signed_in: Any, live_server: Any, world: SimpleNamespace, tmp_path: Path
) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/exchange/import/")
    page.set_input_files("#file", str(workbook(tmp_path / "bad.xlsx", "XX")))
    page.get_by_role("button", name="Check the file").click()
    alert = page.get_by_role("alert")
    alert.wait_for()
    errors = page.locator("table", has_text="Reason").inner_text()
    assert "enterprises" in errors and "country" in errors and "XX" in errors
    screenshot(page, "import-error-desktop")

    page.goto(f"{live_server.url}/exchange/import/")
    page.set_input_files("#file", str(workbook(tmp_path / "good.xlsx", "BO")))
    page.get_by_role("button", name="Check the file").click()
    page.get_by_role("button", name="Import 2 rows").click()
    page.get_by_text("Imported 2 rows").wait_for()
    page.goto(f"{live_server.url}/enterprises/?q=Quinua")
    assert "Quinua Real" in page.locator("#results").inner_text()


def test_the_dashboard_draws_its_charts_and_downloads_a_pdf(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    from scoretrack.training.models import Enrolment, Participant

    Enrolment.objects.create(delivery=world.d_bo, enterprise=world.andina)
    Participant.objects.create(
        delivery=world.d_bo, enterprise=world.andina, sex="female", role="worker", satisfaction=5
    )
    page = signed_in
    page.goto(f"{live_server.url}/reports/programme/?phase=II")
    html = page.content()
    assert html.count("<svg") >= 2  # SMEs and % more than one module, per country
    screenshot(page, "programme-report-desktop")
    page.goto(f"{live_server.url}/reports/country/BO/?phase=II")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download PDF").click()
        assert page.locator("#busy-status").inner_text() == "Preparing the PDF…"
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    page.locator("#busy-status").wait_for(state="hidden")  # cleared once the file came


def test_switching_the_language_translates_the_page(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    english = page.locator("header").inner_text()
    page.get_by_label("Language").select_option("es")
    page.wait_for_function("() => document.documentElement.lang === 'es'")
    spanish = page.locator("header").inner_text()
    assert spanish != english
    assert "Log out" not in spanish
    page.goto(f"{live_server.url}/enterprises/")
    assert page.evaluate("() => document.documentElement.lang") == "es"  # remembered


MAIN_PAGES = [
    "/",
    "/enterprises/",
    "/enterprises/new/",
    "/deliveries/",
    "/deliveries/{d}/",
    "/trainers/",
    "/organisations/",
    "/costs/",
    "/reports/programme/?phase=II",
    "/reports/country/BO/?phase=II",
    "/exchange/import/",
    "/exchange/export/",
    "/indicators/",
    "/no-such-page/",  # the 404 page, in the site's frame
]


def page_name(path: str) -> str:
    return path.split("?")[0].strip("/").replace("/", "-").replace("{d}", "delivery") or "home"


def axe_violations(page: Any) -> list[str]:
    page.evaluate(AXE.read_text())
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_main_pages_have_no_serious_accessibility_violation(
    signed_in: Any, live_server: Any, world: SimpleNamespace, path: str
) -> None:
    if not AXE.exists():
        pytest.fail(f"{AXE} missing: run `make install` (npm ci installs axe-core)")
    page = signed_in
    page.goto(live_server.url + path.format(d=world.d_bo.pk))
    screenshot(page, f"desktop-{page_name(path)}")
    assert axe_violations(page) == []


def test_the_login_page_is_accessible(page: Any, live_server: Any, hq: Any) -> None:
    page.goto(f"{live_server.url}/login/")
    assert axe_violations(page) == []


@pytest.mark.parametrize("path", MAIN_PAGES)
def test_main_pages_fit_a_phone(
    phone: Any, live_server: Any, world: SimpleNamespace, path: str
) -> None:
    phone.goto(f"{live_server.url}/login/")
    phone.get_by_label("E-mail").fill("hq@example.org")
    phone.get_by_label("Password").fill("pw-hq-123456")
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(f"{live_server.url}/")
    phone.goto(live_server.url + path.format(d=world.d_bo.pk))
    screenshot(phone, f"phone-{page_name(path)}")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360


def test_every_field_is_reachable_by_keyboard(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/enterprises/new/")
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("() => document.activeElement.id || document.activeElement.name"))
    for field in ("id_key", "id_name", "id_country", "id_region", "id_sector"):
        assert field in reached


def test_choosing_a_year_clears_the_phase(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/reports/country/BO/?phase=II")
    page.get_by_label("or year").select_option("2016")
    assert page.locator("#pick-phase").input_value() == ""
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/reports/country/BO/?*year=2016*")
    assert page.get_by_role("heading", level=1).inner_text() == "Bolivia: 2016"
