"""A list page in a real browser: sort by a column, search several words, download."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot
from scoretrack.lib.tests.pages import build_world


@pytest.fixture
def world(hq: Any) -> SimpleNamespace:
    return build_world(hq)


def first_cells(page: Any) -> list[str]:
    return [text.strip() for text in page.locator("#results tbody th").all_inner_texts()]


def test_an_enterprise_list_is_sorted_searched_and_downloaded(
    signed_in: Any, live_server: Any, world: SimpleNamespace
) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/enterprises/")
    assert "3 enterprises" in page.locator("#results .lead").inner_text()

    header = page.locator("#results thead th", has_text="Name")
    header.get_by_role("link").click()
    page.wait_for_url("**sort=name**")
    assert header.get_attribute("aria-sort") == "ascending"
    assert first_cells(page) == ["Inca Foods", "Panadería Sol", "Textiles Andina"]
    header.get_by_role("link").click()
    page.wait_for_url("**sort=-name**")
    assert page.locator("#results thead th", has_text="Name").get_attribute("aria-sort") == (
        "descending"
    )
    assert first_cells(page) == ["Textiles Andina", "Panadería Sol", "Inca Foods"]

    # Two words, each found in another field (the sector, the country); the sort kept.
    page.get_by_role("searchbox", name="Search").fill("food bolivia")
    page.locator("#results .lead", has_text="1 enterprise").wait_for()
    assert first_cells(page) == ["Panadería Sol"]
    assert "q=food%20bolivia" in page.url and "sort=-name" in page.url
    screenshot(page, "list-sorted-searched-desktop")

    with page.expect_download() as started:
        page.get_by_role("link", name="CSV").click()
    download = started.value
    assert download.suggested_filename == "enterprises.csv"
    with open(download.path(), encoding="utf-8-sig") as file:
        rows = list(csv.reader(io.StringIO(file.read())))
    assert rows == [
        ["Name", "Key", "Country", "Region", "Sector", "Workforce", "Women-owned"],
        ["Panadería Sol", "E2", "Bolivia", "", "Food", "", "no"],
    ]


def test_a_list_at_phone_width_keeps_its_sort_and_downloads(
    browser: Any, live_server: Any, world: SimpleNamespace
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    phone = context.new_page()
    phone.goto(f"{live_server.url}/login/")
    phone.get_by_label("E-mail").fill("hq@example.org")
    phone.get_by_label("Password").fill("pw-hq-123456")
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(f"{live_server.url}/")
    phone.goto(f"{live_server.url}/deliveries/?sort=-key")
    assert first_cells(phone) == ["PE-2016-01", "BO-2017-01", "BO-2016-01"]
    assert phone.get_by_role("link", name="Excel (xlsx)").is_visible()
    screenshot(phone, "list-phone")
    context.close()
