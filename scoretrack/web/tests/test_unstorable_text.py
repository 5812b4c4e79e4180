"""Text no database can store (NUL, other control characters, unpaired
surrogates) is refused where the request comes in: a 400 naming the parameter,
the same on SQLite and PostgreSQL (where NUL reached the driver: a 500)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from django.test import Client

from scoretrack.enterprises.models import Enterprise


def refused(message: str, field: str | None) -> dict[str, Any]:
    return {"error": "invalid input", "detail": [{"field": field, "message": message}]}


NUL = "holds a character that cannot be stored (NUL)"


def test_a_nul_in_an_api_query_parameter_is_a_400_naming_it(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/indicators/values?code=smes_trained&country=G%00H")
    assert response.status_code == 400
    assert response.json() == refused(NUL, "country")


def test_a_nul_in_a_report_filter_is_a_400_page_naming_it(admin_client: Client) -> None:
    response = admin_client.get("/reports/country/GH/?phase=%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "<h1>This request cannot be accepted</h1>" in page
    assert (
        "<li>parameter &quot;phase&quot; holds a character that cannot be stored (NUL)</li>" in page
    )


def test_a_nul_in_an_export_parameter_is_a_400_page_naming_it(admin_client: Client) -> None:
    response = admin_client.get("/exchange/export/?format=zip&country=%00")
    assert response.status_code == 400
    assert (
        "<li>parameter &quot;country&quot; holds a character that cannot be stored (NUL)</li>"
        in response.content.decode()
    )


def test_a_nul_in_the_address_is_a_400(admin_client: Client) -> None:
    response = admin_client.get("/reports/country/G%00H/")
    assert response.status_code == 400
    assert (
        "<li>the address holds a character that cannot be stored (NUL)</li>"
        in response.content.decode()
    )


def test_a_control_character_and_a_bad_parameter_name_in_the_api(admin_client: Client) -> None:
    response = admin_client.get("/api/v1/enterprises?name=%1B&x%00y=1")
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "name", "message": "holds a character that cannot be stored (U+001B)"},
        {
            "field": None,
            "message": "a parameter's name holds a character that cannot be stored (NUL)",
        },
    ]


def test_a_control_character_in_a_form_field_is_refused_and_nothing_saved(
    world: SimpleNamespace,
) -> None:
    client = Client()
    client.force_login(world.users["global"])
    data = {"key": "E-NEW", "name": "Bell\x07SA", "country": world.BO.pk}
    response = client.post("/enterprises/new/", data)
    assert response.status_code == 400
    assert (
        "<li>parameter &quot;name&quot; holds a character that cannot be stored (U+0007)</li>"
        in response.content.decode()
    )
    assert not Enterprise.objects.filter(key="E-NEW").exists()


def test_the_refusal_page_speaks_the_users_language(world: SimpleNamespace) -> None:
    user = world.users["global"]
    user.language = "es"
    user.save()
    client = Client()
    client.force_login(user)
    page = client.get("/reports/country/GH/?phase=%00").content.decode()
    assert (
        "<li>el parámetro &quot;phase&quot; contiene un carácter que no se puede guardar "
        "(NUL)</li>" in page
    )


def test_unstorable_text_in_an_api_body_is_a_400_naming_the_field(
    world: SimpleNamespace,
) -> None:
    client = Client()
    client.force_login(world.users["global"])
    body = '{"key": "E-NEW", "name": "A\\u0000B", "country": "BO", "sector": "\\ud800"}'
    response = client.post("/api/v1/enterprises", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == [
        {"field": "name", "message": NUL},
        {"field": "sector", "message": "holds a character that cannot be stored (U+D800)"},
    ]
    assert not Enterprise.objects.filter(key="E-NEW").exists()


def test_tabs_and_line_breaks_are_text(world: SimpleNamespace) -> None:
    client = Client()
    client.force_login(world.users["global"])
    body = {"key": "E-NEW", "name": "Flores\tSA\r\nBogota", "country": "BO"}
    response = client.post("/api/v1/enterprises", body, content_type="application/json")
    assert response.status_code == 201
    assert Enterprise.objects.get(key="E-NEW").name == "Flores\tSA\r\nBogota"
