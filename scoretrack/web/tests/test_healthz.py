from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client


@pytest.mark.django_db
def test_healthz_reports_the_database_state() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["database"]["vendor"] == connection.vendor


@pytest.mark.django_db
def test_livez_answers_a_constant_without_the_database(django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = Client().get("/livez")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})
    assert "no-cache" in response["Cache-Control"]
    assert Client().post("/livez").status_code == 405


@pytest.mark.django_db
def test_healthz_refuses_post() -> None:
    assert Client().post("/healthz").status_code == 405


@pytest.mark.django_db
def test_home_asks_for_login_then_shows_the_dashboard(admin_client: Client) -> None:
    assert Client().get("/").status_code == 302
    response = admin_client.get("/")
    assert response.status_code == 200
    assert b"Programme dashboard" in response.content
