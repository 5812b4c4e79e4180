"""The definitions page that figures link to, with an anchor per code."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_it_lists_every_definition_with_an_anchor(admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        response = admin_client.get("/indicators/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="smes_trained"' in page
    assert 'id="gender_initiatives_per_plan"' in page
    assert "Distinct enterprises with a classroom participant" in page


def test_it_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/indicators/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]
