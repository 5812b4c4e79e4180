"""Log in and out in a real browser."""

from __future__ import annotations

from typing import Any

from e2e.conftest import screenshot


def test_a_user_logs_in_and_sees_the_dashboard(signed_in: Any, live_server: Any) -> None:
    page = signed_in
    assert page.get_by_role("heading", name="Programme dashboard").is_visible()
    screenshot(page, "home-desktop")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/login/")


def test_a_wrong_password_says_so_at_the_form(page: Any, live_server: Any, hq: Any) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("E-mail").fill("hq@example.org")
    page.get_by_label("Password").fill("wrong")
    page.get_by_role("button", name="Log in").click()
    assert page.get_by_role("alert").is_visible()
    assert "/login/" in page.url
