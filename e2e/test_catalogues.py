"""HQ keeps the catalogues in the browser: a new sector and a new target, listed."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot
from e2e.test_flows import AXE, axe_violations
from scoretrack.lib.tests.pages import build_world


@pytest.fixture
def world(hq: Any) -> SimpleNamespace:
    return build_world(hq)


def test_hq_creates_a_sector_and_a_target_and_sees_them_listed(
    signed_in: Any, live_server: Any, world: SimpleNamespace, phone: Any
) -> None:
    page = signed_in
    page.goto(f"{live_server.url}/catalogues/")
    sectors = page.get_by_role("row", name="Sectors")
    assert sectors.get_by_role("cell").first.inner_text() == "2"
    sectors.get_by_role("link", name="New sector").click()
    page.get_by_label("Name").fill("Leather goods")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="Leather goods").wait_for()
    page.get_by_role("link", name="Sectors").click()
    assert page.locator("table.data tbody th").all_inner_texts() == [
        "Food",
        "Leather goods",
        "Textiles",
    ]

    page.goto(f"{live_server.url}/catalogues/targets/new/")
    page.get_by_label("Indicator").select_option("smes_trained")
    page.get_by_label("Country").select_option(label="Bolivia")
    page.get_by_label("Year").fill("2016")
    page.get_by_label("Value").fill("120")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("heading", name="smes_trained Bolivia 2016").wait_for()
    page.goto(f"{live_server.url}/catalogues/targets/")
    row = page.locator("table.data tbody tr")
    assert row.count() == 1
    cells = row.locator("th, td").all_inner_texts()
    assert cells == ["smes_trained", "Bolivia", "2016", "Total", "no", "120"]
    screenshot(page, "desktop-catalogue-targets")

    page.goto(f"{live_server.url}/catalogues/")
    assert page.get_by_role("row", name="Sectors").get_by_role("cell").first.inner_text() == "3"
    assert page.get_by_role("row", name="Targets").get_by_role("cell").first.inner_text() == "1"
    screenshot(page, "desktop-catalogues")
    assert AXE.exists(), "run `make install` (npm ci installs axe-core)"
    assert axe_violations(page) == []
    page.goto(f"{live_server.url}/catalogues/modules/{world.m1.pk}/edit/")
    assert axe_violations(page) == []

    # At phone width the index and a list stay usable: nothing wider than the screen.
    phone.context.add_cookies(page.context.cookies())
    for path, name in (("/catalogues/", "phone-catalogues"), ("/catalogues/sectors/", None)):
        phone.goto(f"{live_server.url}{path}")
        width = phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, path
        if name:
            screenshot(phone, name)
    phone.get_by_role("link", name="Leather goods").click()
    phone.get_by_role("heading", name="Leather goods").wait_for()
    screenshot(phone, "phone-catalogue-sector")
