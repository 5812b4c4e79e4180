"""A report's PDF is printed once per built report and kept beside it (issue 21): read
back while the report is, printed again when the records change or the report is
recomputed."""

from __future__ import annotations

import pytest

from scoretrack.lib import freshness

PDF = "/reports/country/BO/?phase=II&format=pdf"


@pytest.mark.django_db
def test_a_second_download_reads_the_kept_pdf(admin_client, programme, printed, caching):
    first = admin_client.get(PDF)
    second = admin_client.get(PDF)
    assert len(printed) == 1
    assert second.content == first.content
    assert second.content.startswith(b"%PDF")
    assert second["Content-Type"] == "application/pdf"
    assert 'filename="country-profile-bo-phase-ii.pdf"' in second["Content-Disposition"]


@pytest.mark.django_db
def test_the_page_then_its_pdf_prints_once(admin_client, programme, printed, caching):
    admin_client.get("/reports/programme/?phase=II")
    admin_client.get("/reports/programme/?phase=II&format=pdf")
    admin_client.get("/reports/programme/?phase=II&format=pdf")
    assert len(printed) == 1


@pytest.mark.django_db
def test_other_filters_and_other_users_get_their_own_pdf(
    admin_client, donor_client, programme, printed, caching
):
    admin_client.get(PDF)
    admin_client.get("/reports/country/BO/?year=2015&format=pdf")
    donor_client.get(PDF)
    assert len(printed) == 3
    assert "Phase II" in printed[0] and "2015" in printed[1]


@pytest.mark.django_db
def test_new_records_print_it_again(admin_client, programme, printed, caching):
    admin_client.get(PDF)
    freshness.bump()  # what any save, delete or import does once committed
    admin_client.get(PDF)
    admin_client.get(PDF)
    assert len(printed) == 2


@pytest.mark.django_db
def test_a_recomputed_report_prints_it_again(admin_client, programme, printed, caching):
    admin_client.get(PDF)
    admin_client.get("/reports/country/BO/?phase=II&fresh=1")  # a new build
    admin_client.get(PDF)
    admin_client.get(PDF)
    assert len(printed) == 2


@pytest.mark.django_db
def test_without_the_report_cache_every_download_is_printed(admin_client, programme, printed):
    admin_client.get(PDF)
    admin_client.get(PDF)
    assert len(printed) == 2
