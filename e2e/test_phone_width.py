"""At 360 px the pages fit the screen: wide tables scroll inside their own box, and
the links and buttons that act on a row stay on screen and work."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from e2e.conftest import screenshot
from scoretrack.finance.models import DirectCost
from scoretrack.lib.current_user import acting_as
from scoretrack.lib.tests.pages import build_world
from scoretrack.reference.models import Phase
from scoretrack.training.models import ConsultingVisit, Enrolment

WIDTH = 360

# Elements reaching past the screen's right edge that are not inside a box that
# scrolls on its own (a table's wrapper): the page itself would scroll sideways.
OVERFLOWING = """() => [...document.body.querySelectorAll('*')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-wrap, .chart-svg, .visually-hidden'))
  .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""


@pytest.fixture
def world(hq: Any) -> SimpleNamespace:
    w = build_world(hq)
    Phase.objects.create(name="II", start_date=dt.date(2014, 1, 1), end_date=dt.date(2017, 12, 31))
    with acting_as(hq):
        Enrolment.objects.create(
            delivery=w.d_bo, enterprise=w.andina, fee=Decimal("1234567.50"), currency="BOB"
        )
        ConsultingVisit.objects.create(
            delivery=w.d_bo,
            enterprise=w.andina,
            trainer=w.ana,
            date=dt.date(2016, 4, 2),
            hours=Decimal("3.5"),
            note="A long note about the visit that would make a table wider than a phone",
        )
        DirectCost.objects.create(
            country=w.bo,
            date=dt.date(2016, 3, 5),
            delivery=w.d_bo,
            category="venue and catering for the classroom days",
            amount=Decimal("69037494.29"),
            currency="BOB",
        )
    return w


def sign_in(phone: Any, live_server: Any) -> None:
    phone.goto(f"{live_server.url}/login/")
    phone.get_by_label("E-mail").fill("hq@example.org")
    phone.get_by_label("Password").fill("pw-hq-123456")
    phone.get_by_role("button", name="Log in").click()
    phone.wait_for_url(f"{live_server.url}/")


def on_screen(locator: Any) -> bool:
    box = locator.bounding_box()
    return box is not None and box["x"] >= 0 and box["x"] + box["width"] <= WIDTH + 1


PAGES = [
    "/enterprises/",
    "/deliveries/",
    "/costs/",
    "/contributions/",
    "/deliveries/{d}/",
    "/enterprises/{e}/",
    "/reports/country/BO/?phase=II",
    "/reports/programme/?phase=II",
]


@pytest.mark.parametrize("path", PAGES)
def test_the_page_fits_360_px_and_only_tables_scroll(
    phone: Any, live_server: Any, world: SimpleNamespace, path: str
) -> None:
    sign_in(phone, live_server)
    phone.goto(live_server.url + path.format(d=world.d_bo.pk, e=world.andina.pk))
    name = path.split("?")[0].strip("/").replace("/", "-")
    name = name.replace("{d}", "delivery").replace("{e}", "enterprise")
    screenshot(phone, f"phone-width-{name}")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
    assert phone.evaluate(OVERFLOWING) == []


@pytest.mark.parametrize("path", ["/enterprises/", "/deliveries/", "/costs/"])
def test_a_lists_row_links_are_on_screen(
    phone: Any, live_server: Any, world: SimpleNamespace, path: str
) -> None:
    sign_in(phone, live_server)
    phone.goto(live_server.url + path)
    links = phone.locator("#results tbody th[scope=row] a")
    assert links.count() >= 1
    for i in range(links.count()):
        assert on_screen(links.nth(i))


def test_a_deliverys_row_actions_are_on_screen_and_work(
    phone: Any, live_server: Any, world: SimpleNamespace
) -> None:
    sign_in(phone, live_server)
    phone.goto(f"{live_server.url}/deliveries/{world.d_bo.pk}/")
    for section in ("#enrolments", "#visits"):
        row = phone.locator(f"{section} tbody tr", has_text="Textiles Andina")
        edit = row.get_by_role("link", name="Edit")
        remove = row.get_by_role("button", name="Remove")
        assert edit.is_visible() and on_screen(edit), section
        assert remove.is_visible() and on_screen(remove), section
    phone.locator("#enrolments tbody tr", has_text="Textiles Andina").get_by_role(
        "link", name="Edit"
    ).click()
    form = phone.locator("#enrolments tr.editing")
    form.wait_for()
    save = form.get_by_role("button", name="Save")
    assert on_screen(save)
    screenshot(phone, "phone-width-delivery-editing-a-row")
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= WIDTH
