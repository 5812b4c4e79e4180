"""Built reports are kept a short while per user and filters, and can be recomputed."""

from __future__ import annotations

import pytest

from scoretrack.indicators.disclosure import Hidden

URL = "/reports/country/BO/?phase=II"


def smes(response):
    return {fact.code: fact.value for fact in response.context["facts"]}["smes_trained"]


@pytest.mark.django_db
def test_a_cached_report_is_shown_until_recomputed(admin_client, programme, caching):
    assert smes(admin_client.get(URL)) == 2
    programme.make.participant(
        programme.make.delivery("D9", "M1", "2015-09-01"), programme.C, "female", "worker"
    )
    assert smes(admin_client.get(URL)) == 2  # kept
    assert "Recompute now" in admin_client.get(URL).content.decode()
    assert smes(admin_client.get(URL + "&fresh=1")) == 3
    assert smes(admin_client.get(URL)) == 3


@pytest.mark.django_db
def test_a_cached_report_is_never_shown_to_another_user(
    admin_client, donor_client, programme, caching
):
    assert smes(admin_client.get(URL)) == 2
    assert smes(donor_client.get(URL)) == Hidden("few")  # the donor's own, hidden, figures


@pytest.mark.django_db
def test_other_filters_are_other_reports(admin_client, programme, caching):
    assert smes(admin_client.get(URL)) == 2
    assert smes(admin_client.get("/reports/country/BO/?year=2015")) == 1
