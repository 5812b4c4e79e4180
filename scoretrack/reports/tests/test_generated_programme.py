"""The reports on a generated programme shaped like the report: they render, and their
query counts stay those of the tiny fixture (no query per record)."""

from __future__ import annotations

import pytest
from django.core.management import call_command


@pytest.fixture
def generated(db):
    call_command("generate", enterprises=150, seed=7, verbosity=0)


@pytest.mark.django_db(transaction=True)
def test_reports_render_on_a_generated_programme(
    admin_client, generated, django_assert_max_num_queries
):
    with django_assert_max_num_queries(62):
        country = admin_client.get("/reports/country/ID/?phase=II")
    assert country.status_code == 200
    facts = {fact.code: fact.value for fact in country.context["facts"]}
    assert facts["smes_trained"] > 0
    with django_assert_max_num_queries(50):
        programme = admin_client.get("/reports/programme/?phase=II")
    assert programme.status_code == 200
    assert programme.content.decode().count("<svg") >= 7
