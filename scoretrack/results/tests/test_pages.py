"""The results pages: the chain (diagram, editing) and the tracking table with its
downloads, for each role."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.test import Client

from scoretrack.reports.tests.conftest import client_for
from scoretrack.results.models import ResultLevel

pytestmark = pytest.mark.django_db

QUARTERS_2014 = "?country=BO&period=quarter&from=2014&to=2014"


def test_the_chain_page_draws_the_programmes_chain(admin_client: Client, tracked: Any) -> None:
    html = admin_client.get("/results/").content.decode()
    assert "Results chain of the programme" in html
    svg = html[html.index("<svg") : html.index("</svg>")]
    # Impact drawn above the output, one arrow between the two bands.
    assert svg.index("Productive, decent SMEs") < svg.index("SMEs trained")
    assert svg.count('marker-end="url(#arrow)"') == 1
    assert "smes_trained, staff_trained" in svg
    assert "Firms release staff" in html and "Participant lists" in html


def test_a_country_without_a_chain_follows_the_programmes(
    admin_client: Client, tracked: Any
) -> None:
    html = admin_client.get("/results/?country=BO").content.decode()
    assert "no results chain of its own" in html
    assert admin_client.get("/results/?country=XX").status_code == 404


def test_a_country_team_writes_its_countrys_chain_and_not_the_programmes(tracked: Any) -> None:
    from scoretrack.reference.models import CountryProgramme

    bolivia = CountryProgramme.objects.get(code="BO")
    team = client_for("country_team", country=bolivia)
    response = team.post(
        "/results/levels/new/",
        {
            "key": "BO-OC",
            "country": bolivia.pk,
            "level": "outcome",
            "position": 1,
            "statement": "Bolivian partners sell SCORE",
            "indicators": "cost_recovery_pct, smes_sold",
        },
    )
    assert response.status_code == 200
    assert "Not indicator codes of the registry: smes_sold." in response.content.decode()
    response = team.post(
        "/results/levels/new/",
        {
            "key": "BO-OC",
            "country": bolivia.pk,
            "level": "outcome",
            "position": 1,
            "statement": "Bolivian partners sell SCORE",
            "indicators": "cost_recovery_pct",
        },
    )
    assert response.status_code == 302
    assert ResultLevel.objects.get(key="BO-OC").country == bolivia
    programme_level = ResultLevel.objects.get(key="OP1")
    assert team.get(f"/results/levels/{programme_level.pk}/edit/").status_code == 403


def test_the_tracking_page_shows_targets_actuals_and_marks(
    admin_client: Client, tracked: Any
) -> None:
    html = admin_client.get("/results/tracking/" + QUARTERS_2014).content.decode()
    assert "2014 Q1" in html and "2014 Q4" in html
    assert 'href="/indicators/#smes_trained"' in html
    assert "3.3 Σ" in html
    assert "on track" in html and "behind" in html
    # A country team and HQ follow a cell to the records behind it.
    assert 'href="/enterprises/?country=BO&amp;from=2014-01-01&amp;to=2014-03-31"' in html
    assert 'href="/deliveries/?country=BO&amp;from=2014-01-01&amp;to=2014-03-31"' in html


def test_a_viewer_gets_no_links_to_records(tracked: Any) -> None:
    html = client_for("viewer").get("/results/tracking/" + QUARTERS_2014).content.decode()
    assert 'href="/enterprises/' not in html
    assert 'href="/indicators/#smes_trained"' in html


def test_the_csv_download_has_one_line_per_indicator_and_period(
    admin_client: Client, tracked: Any
) -> None:
    response = admin_client.get("/results/tracking/" + QUARTERS_2014 + "&format=csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "Level",
        "Result",
        "Indicator",
        "Code",
        "Period",
        "Baseline",
        "Target",
        "Cumulative target",
        "Actual",
        "Share of target (%)",
        "Status",
    ]
    smes = [row[3:] for row in rows[1:] if row[3] == "smes_trained"]
    assert [[*row[1:6], row[7]] for row in smes] == [
        ["2014 Q1", "1", "1.0", "no", "1", "on track"],
        ["2014 Q2", "1", "2.0", "no", "1", "behind"],
        ["2014 Q3", "1", "3.3", "yes", "3", "on track"],
        ["2014 Q4", "1", "2.0", "no", "1", "behind"],
    ]
    assert len(rows) == 1 + 2 * 4


def test_the_xlsx_and_pdf_downloads(admin_client: Client, tracked: Any, printed: list) -> None:
    from openpyxl import load_workbook

    response = admin_client.get("/results/tracking/" + QUARTERS_2014 + "&format=xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][3:9] == ["smes_trained", "2014 Q1", 1, 1, "no", 1]
    response = admin_client.get("/results/tracking/" + QUARTERS_2014 + "&format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "3.3 Σ" in printed[0]


def test_a_partner_sees_the_figures_of_its_own_deliveries(tracked: Any) -> None:
    partner = client_for("partner", organisation=tracked.npc)
    response = partner.get("/results/tracking/" + QUARTERS_2014 + "&format=csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    smes = [(row[4], row[8]) for row in rows[1:] if row[3] == "smes_trained"]
    # NPC organised D1 (Q1, firm A) and D3 (Q3, firm A); Q3's target counts from the start.
    assert smes == [("2014 Q1", "1"), ("2014 Q2", "0"), ("2014 Q3", "1"), ("2014 Q4", "0")]


def test_bad_input_is_a_400_naming_the_parameter(admin_client: Client, tracked: Any) -> None:
    response = admin_client.get("/results/tracking/?period=week")
    assert response.status_code == 400
    assert "period: period is one of phase, year, half, quarter" in response.content.decode()
    response = admin_client.get("/results/tracking/?from=2015&to=2014")
    assert response.status_code == 400
    assert "to: &#x27;to&#x27; is before &#x27;from&#x27;" in response.content.decode()
    assert admin_client.post("/results/tracking/").status_code == 405
