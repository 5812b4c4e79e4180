"""End-to-end tests in Debian's Chromium, driven by Playwright for Python.

No browser is downloaded: Playwright launches /usr/bin/chromium (`CHROMIUM`
overrides it). `make test` installs Debian's chromium when it can; where it is
missing the tests skip with a message, except when E2E_REQUIRED is set (CI), where
they fail instead.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM, used by
# the tests to set up data, must be allowed to run beside it.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
# A service worker's own requests seen (and routed) by the context: without it
# `context.set_offline` leaves them on the network (microsoft/playwright#2311), and
# a test of the browser forms offline would be served by the server, not the worker.
os.environ.setdefault("PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS", "1")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = Path(
    os.environ.get("E2E_SCREENSHOTS", Path(__file__).parent.parent / "e2e-screenshots")
)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium_missing() -> str | None:
    if shutil.which(CHROMIUM) or Path(CHROMIUM).exists():
        return None
    return (
        f"Chromium not found at {CHROMIUM}: install Debian's package "
        "(`apt-get install chromium`, which `make test` does when run as root) "
        "or set CHROMIUM to a Chromium binary"
    )


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    missing = _chromium_missing()
    if missing:
        if os.environ.get("E2E_REQUIRED"):
            pytest.fail(missing)
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def hq(transactional_db: Any) -> Any:
    from scoretrack.accounts.models import User

    return User.objects.create_superuser(email="hq@example.org", password="pw-hq-123456")


@pytest.fixture
def signed_in(page: Any, live_server: Any, hq: Any) -> Any:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill("hq@example.org")
    page.get_by_label("Password").fill("pw-hq-123456")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/")
    return page


def _disconnected(route: Any) -> None:
    route.abort("internetdisconnected")


def set_offline(context: Any, offline: bool) -> None:
    """The connection lost (or back) for the pages and their service workers alike:
    `set_offline` for the pages, every request routed to a network error for the
    workers (which `set_offline` does not reach)."""
    if offline:
        context.route("**/*", _disconnected)
    else:  # the network back before the pages hear of it (their `online` event)
        context.unroute("**/*", _disconnected)
    context.set_offline(offline)


def screenshot(page: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
