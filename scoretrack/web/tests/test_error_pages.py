"""Error pages in the site's frame: 403, 404 and 500 say what happened and lead back
home; the API keeps its JSON errors; browsers find a favicon."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from scoretrack.lib.busy import server_error
from scoretrack.web import errors

STYLESHEET = '<link rel="stylesheet" href="/static/css/scoretrack.css">'
HOME_LINK = 'href="/"'
NAV = '<nav aria-label="Main">'


def logged_in(world: SimpleNamespace, role: str) -> Client:
    client = Client()
    client.force_login(world.users[role])
    return client


def test_an_unknown_address_is_the_styled_404_for_an_anonymous_user(db: Any) -> None:
    response = Client().get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>This page does not exist</h1>" in page
    assert '<html lang="en">' in page
    assert STYLESHEET in page
    assert HOME_LINK in page
    assert NAV not in page  # the frame's navigation is for users who are logged in


def test_an_unknown_address_is_the_styled_404_with_the_navigation_for_a_user(
    world: SimpleNamespace,
) -> None:
    response = logged_in(world, "partner").get("/enterprises/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>This page does not exist</h1>" in page
    assert NAV in page
    assert STYLESHEET in page
    assert HOME_LINK in page


def test_a_record_out_of_scope_is_the_404_without_its_name(world: SimpleNamespace) -> None:
    response = logged_in(world, "partner").get(f"/enterprises/{world.E_PE1.pk}/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "<h1>This page does not exist</h1>" in page
    assert world.E_PE1.name not in page  # (its address shows: the user typed it)


def test_the_404_is_in_the_users_language(world: SimpleNamespace) -> None:
    response = logged_in(world, "partner").get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="fr">' in page
    assert "<h1>Cette page n'existe pas</h1>" in page


def test_a_page_the_role_may_not_use_is_the_styled_403(world: SimpleNamespace) -> None:
    # The deleted records are for global admins only (test_access_matrix's EXEMPT).
    response = logged_in(world, "country").get("/deleted/")
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You do not have access to this page</h1>" in page
    assert NAV in page
    assert STYLESHEET in page
    assert HOME_LINK in page
    assert "only global admins" not in page  # the exception's own words stay in the log
    assert 'href="/login/?next=/deleted/"' in page


def test_the_403_offers_an_anonymous_user_to_log_in(db: Any) -> None:
    request = RequestFactory().get("/deleted/")
    request.user = AnonymousUser()
    response = errors.permission_denied(request, PermissionDenied("secret reason"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "<h1>You do not have access to this page</h1>" in page
    assert ">Log in</a>" in page
    assert "secret reason" not in page


def test_the_500_page_renders_without_the_database_or_the_user(
    db: Any, django_assert_num_queries: Any
) -> None:
    def unreadable() -> Any:
        raise OperationalError("no such table: django_session")

    request = RequestFactory().get("/enterprises/")
    request.user = SimpleLazyObject(unreadable)
    with django_assert_num_queries(0):
        response = server_error(request)
    page = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in page
    assert STYLESHEET in page
    assert HOME_LINK in page
    assert NAV not in page


def test_the_500_page_is_in_the_requests_language(db: Any) -> None:
    request = RequestFactory().get("/enterprises/")
    with translation.override("es"):
        page = server_error(request).content.decode()
    assert '<html lang="es">' in page
    assert "<h1>Algo salió mal de nuestro lado</h1>" in page


def test_an_error_in_a_view_is_the_styled_500(
    world: SimpleNamespace, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("a bug")

    monkeypatch.setattr("scoretrack.web.views.render", broken)
    client = logged_in(world, "global")
    client.raise_request_exception = False
    response = client.get("/")
    assert response.status_code == 500
    assert "<h1>Something went wrong on our side</h1>" in response.content.decode()


def test_an_unknown_api_address_is_still_json(world: SimpleNamespace) -> None:
    response = logged_in(world, "global").get("/api/v1/unknown")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "not found"


def test_an_unknown_api_address_is_json_for_an_anonymous_user_too(db: Any) -> None:
    response = Client().get("/api/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"] == "not found"


def test_favicon_ico_leads_to_a_static_icon_that_is_served(db: Any) -> None:
    response = Client().get("/favicon.ico")
    assert response.status_code in (301, 302)
    assert response["Location"].startswith("/static/")
    icon = Client().get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"] in ("image/png", "image/x-icon", "image/vnd.microsoft.icon")


def test_every_page_links_its_icons(db: Any) -> None:
    page = Client().get("/login/").content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    assert '<link rel="icon" href="/static/favicon-32.png" sizes="32x32" type="image/png">' in page
    svg = Client().get("/static/favicon.svg")
    assert svg.status_code == 200
    assert b"<svg" in b"".join(svg.streaming_content)
