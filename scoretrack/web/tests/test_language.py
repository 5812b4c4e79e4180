"""The language picker: remembered per user, safe redirects, unknown codes refused."""

from __future__ import annotations

from django.test import Client

from scoretrack.accounts.models import User


def test_a_user_picks_a_language_and_keeps_it_across_sessions(
    admin: User, admin_client: Client
) -> None:
    response = admin_client.post("/language", {"language": "es", "next": "/deleted/"})
    assert response.status_code == 302
    assert response["Location"] == "/deleted/"
    admin.refresh_from_db()
    assert admin.language == "es"
    fresh = Client()  # a new browser: no cookie, but the same user
    fresh.force_login(admin)
    page = fresh.get("/")
    assert '<html lang="es">' in page.content.decode()
    assert page["Content-Language"] == "es"


def test_an_unknown_language_is_refused_with_a_message(admin: User, admin_client: Client) -> None:
    response = admin_client.post("/language", {"language": "xx"}, follow=True)
    assert "Unknown language &#x27;xx&#x27;." in response.content.decode()
    admin.refresh_from_db()
    assert admin.language == ""


def test_the_picker_never_redirects_off_site(admin_client: Client) -> None:
    response = admin_client.post("/language", {"language": "fr", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_anonymous_visitors_get_a_cookie(db: object) -> None:
    response = Client().post("/language", {"language": "vi", "next": "/login/"})
    assert response.cookies["django_language"].value == "vi"
    page = Client(headers={"cookie": "django_language=vi"}).get("/login/")
    assert '<html lang="vi">' in page.content.decode()
