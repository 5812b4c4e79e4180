"""The record pages in a real browser: htmx rows, dependent choices, live search, 360 px."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot
from scoretrack.lib.tests.pages import build_world
from scoretrack.training.models import Enrolment


@pytest.fixture
def world(hq: Any) -> SimpleNamespace:
    return build_world(hq)


def sign_in(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill("hq@example.org")
    page.get_by_label("Password").fill("pw-hq-123456")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")


def test_enrolments_are_added_edited_and_removed_in_place(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    url = f"{live_server.url}/deliveries/{world.d_bo.pk}/"
    page.goto(url)
    section = page.locator("#enrolments")
    section.get_by_role("link", name="Add an enrolment").click()
    section.get_by_role("combobox", name="Enterprise", exact=True).select_option(
        label="Textiles Andina"
    )
    section.get_by_label("Fee", exact=True).fill("690")
    section.get_by_label("Currency").fill("BOB")
    section.get_by_role("button", name="Save").click()
    row = section.locator("tbody tr", has_text="Textiles Andina")
    row.wait_for()
    assert "100.00" in row.inner_text()
    assert page.url == url  # no page load: the section was swapped in place

    row.get_by_role("link", name="Edit").click()
    section.get_by_label("Status").select_option(label="Completed")
    section.get_by_role("button", name="Save").click()
    section.locator("tbody tr", has_text="Completed").wait_for()

    page.on("dialog", lambda dialog: dialog.accept())
    section.locator("tbody tr", has_text="Textiles Andina").get_by_role(
        "button", name="Remove"
    ).click()
    section.locator("tbody tr", has_text="Textiles Andina").wait_for(state="detached")
    screenshot(page, "delivery-desktop")


def test_a_form_error_shows_at_its_field_in_place(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    # Participants are people of the firms enrolled in the delivery.
    Enrolment.objects.get_or_create(delivery=world.d_bo, enterprise=world.sol)
    page.goto(f"{live_server.url}/deliveries/{world.d_bo.pk}/")
    section = page.locator("#participants")
    section.get_by_role("link", name="Add a participant").click()
    section.get_by_role("combobox", name="Enterprise", exact=True).select_option(
        label="Panadería Sol"
    )
    section.get_by_label("Sex").select_option(label="Female")
    section.get_by_label("Role").select_option(label="Worker")
    section.get_by_label("Satisfaction").fill("7")
    section.get_by_role("button", name="Save").click()
    error = section.locator("#id_satisfaction_error")
    error.wait_for()
    assert "less than or equal to 5" in error.inner_text()
    assert section.get_by_label("Satisfaction").get_attribute("aria-invalid") == "true"


def test_the_region_choices_follow_the_chosen_country(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/enterprises/new/")
    page.get_by_label("Country").select_option(label="Peru")
    region = page.get_by_label("Region")
    page.wait_for_function(
        "() => [...document.querySelectorAll('#id_region option')].some(o => o.text === 'Lima')"
    )
    options = region.locator("option").all_inner_texts()
    assert "Lima" in options and "La Paz" not in options


def test_the_list_narrows_as_you_type(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/enterprises/")
    page.get_by_role("searchbox", name="Search").fill("inca")
    page.wait_for_function("() => !document.querySelector('#results').innerText.includes('Sol')")
    assert "Inca Foods" in page.locator("#results").inner_text()
    assert "q=inca" in page.url


@pytest.mark.parametrize("path", ["/deliveries/{d}/", "/enterprises/new/", "/deliveries/"])
def test_the_pages_fit_a_360_px_screen(
    phone: Any, live_server: Any, world: SimpleNamespace, path: str
) -> None:
    sign_in(phone, live_server)
    phone.goto(live_server.url + path.format(d=world.d_bo.pk))
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(phone, "phone" + path.replace("/", "-").replace("{d}", "delivery").rstrip("-"))
