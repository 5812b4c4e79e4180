"""Hidden figures on the report pages, their downloads and the definitions page.

A tiny programme, worked out by hand (threshold 5):
Phases: I = 2013, II = 2014.
Bolivia (BO): suppliers S1-S8 of the lead buyer LB, all trained in phase I (one
  participant each, 2013-05-01); S1-S3 trained again in phase II (2014-03-01).
  S1-S4 are women-owned: 50 % in phase I.
  smes_trained: all time 8, phase I 8, phase II 3 (fewer than 5: hidden). Phase
  I is hidden too: all time minus phase I would be the phase II rows of S1-S3
  (for staff trained, their 3 participants), and the phases' hidden parts
  together rest on 3 firms, so the smallest shown, phase I, goes as well.
Peru (PE): firms P1-P6 trained in phase I (2013-06-01), none in phase II.
  smes_trained: phase I 6, phase II 0 (a real zero: no SMEs, nothing to hide).
Figure 6 of the programme report (SMEs per country and phase):
  admin: Bolivia 8 | 3, Peru 6 | 0; a donor: Bolivia hidden | hidden, Peru 6 | 0
  (Peru's phase I differs from all time by no firm, from all countries' phase I
  by Bolivia's 8).
"""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from scoretrack.indicators.disclosure import Hidden
from scoretrack.indicators.tests.conftest import Make
from scoretrack.lib.charts import Series
from scoretrack.lib.tables import csv_response
from scoretrack.reports.figures import as_dict, chart_section
from scoretrack.reports.tests.conftest import client_for

FEW = "fewer than 5 enterprises"
DIFFERENCING = "hidden so that a hidden figure cannot be worked out from it"
RULE = 'href="/indicators/#disclosure"'
FIGURE_6 = "/reports/programme/?format={fmt}&table=figure-6-smes"


@pytest.fixture
def suppliers(db: Any) -> SimpleNamespace:
    make = Make()
    make.country("BO").__class__.objects.filter(code="BO").update(name="Bolivia")
    make.country("PE").__class__.objects.filter(code="PE").update(name="Peru")
    make.phase("I", "2013-01-01", "2013-12-31")
    make.phase("II", "2014-01-01", "2014-12-31")
    buyer = make.org("LB", "lead_buyer", country=None)
    first = make.delivery("BO-I", "M1", "2013-05-01")
    again = make.delivery("BO-II", "M2", "2014-03-01")
    for i in range(1, 9):
        firm = make.enterprise(f"S{i}", buyers=(buyer,), women_owned=i <= 4)
        make.participant(first, firm)
        if i <= 3:
            make.participant(again, firm)
    peru = make.delivery("PE-I", "M1", "2013-06-01", country="PE")
    for i in range(1, 7):
        make.participant(peru, make.enterprise(f"P{i}", country="PE"))
    return SimpleNamespace(make=make, buyer=buyer)


@pytest.fixture
def buyer_client(suppliers: SimpleNamespace) -> Client:
    return client_for("lead_buyer", organisation=suppliers.buyer)


def facts(response: Any) -> dict[str, Any]:
    return {fact.code: fact.value for fact in response.context["facts"]}


def section(response: Any, slug: str) -> Any:
    return next(s for s in response.context["sections"] if s.slug == slug)


def test_a_lead_buyer_sees_its_suppliers_all_time_and_why_a_phase_is_hidden(buyer_client):
    all_time = buyer_client.get("/reports/country/BO/")
    assert facts(all_time)["smes_trained"] == 8
    gender = section(all_time, "gender")
    assert gender.table.header == ["Gender indicator", "Phase I", "Phase II"]
    women_owned = gender.table.rows[2]
    assert women_owned == [
        "Percentage of female-owned enterprises trained",
        Hidden("differencing"),
        Hidden("few"),
    ]
    page = all_time.content.decode()
    assert "– hidden: " + FEW in page
    assert "– " + DIFFERENCING in page
    assert RULE in page

    phase = buyer_client.get("/reports/country/BO/?phase=II")
    assert facts(phase)["smes_trained"] == Hidden("few")
    page = phase.content.decode()
    # The box shows a dash with its marker, and under the box why.
    assert '<strong>–</strong></a><sup class="hidden-mark">' in page
    assert "– hidden: " + FEW in page
    assert RULE in page


def test_a_donor_sees_a_hidden_country_as_hidden_and_a_country_without_smes_as_0(suppliers):
    response = client_for("viewer").get("/reports/programme/")
    figure = section(response, "figure-6-smes")
    assert figure.table.rows == [
        ["Bolivia", Hidden("differencing"), Hidden("few")],
        ["Peru", 6, 0],
    ]
    svg = figure.chart.svg
    assert "Bolivia · Phase" not in svg  # no bar, not a bar of 0
    assert "Peru · Phase II: 0</title>" in svg
    assert "Peru · Phase I: 6</title>" in svg
    page = response.content.decode()
    assert "Not drawn: Bolivia · Phase II." in page
    assert "Not drawn: Bolivia · Phase I." in page
    assert "– hidden: " + FEW in page
    assert RULE in page


def test_an_admin_sees_the_real_numbers_and_no_footnote(admin_client, suppliers):
    response = admin_client.get("/reports/programme/")
    assert section(response, "figure-6-smes").table.rows == [["Bolivia", 8, 3], ["Peru", 6, 0]]
    page = response.content.decode()
    assert "hidden: " not in page
    assert RULE not in page
    country = admin_client.get("/reports/country/BO/?phase=II")
    assert facts(country)["smes_trained"] == 3
    assert "hidden: " not in country.content.decode()


def test_the_downloads_say_hidden_and_why_in_the_hidden_cell(suppliers):
    client = client_for("viewer")
    text = client.get(FIGURE_6.format(fmt="csv")).content.decode()
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["Bolivia", DIFFERENCING, "hidden: " + FEW],
        ["Peru", "6", "0"],
    ]
    book = load_workbook(io.BytesIO(client.get(FIGURE_6.format(fmt="xlsx")).content))
    rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert rows[1:] == [["Bolivia", DIFFERENCING, "hidden: " + FEW], ["Peru", 6, 0]]


def test_each_reason_has_its_own_mark_and_footnote_and_no_bar():
    section = chart_section(
        "figure",
        "SMEs",
        ["Bolivia", "Peru"],
        [Series("Phase I", [Hidden("few"), Hidden("differencing")]), Series("Phase II", [4, 0])],
        ["smes_trained"],
    )
    differencing = DIFFERENCING
    notes = [(n.mark, n.text, n.cells) for n in section.table.footnotes()]
    assert notes == [
        ("*", "hidden: " + FEW, ["Bolivia · Phase I"]),
        ("†", differencing, ["Peru · Phase I"]),
    ]
    svg = section.chart.svg
    assert "· Phase I:" not in svg
    assert "Bolivia · Phase II: 4</title>" in svg
    assert "Peru · Phase II: 0</title>" in svg
    text = csv_response(section.table).content.decode()
    assert list(csv.reader(io.StringIO(text)))[1:] == [
        ["Bolivia", "hidden: " + FEW, "4"],
        ["Peru", differencing, "0"],
    ]


def test_a_breakdown_hidden_as_a_whole_gives_hidden_groups_not_0():
    found = as_dict(Hidden("few"))
    assert list(found) == []
    assert found.get("BO", 0) == Hidden("few")
    assert as_dict({"BO": 3}).get("PE", 0) == 0


def test_the_json_twin_gives_a_hidden_cell_as_null_and_says_why(suppliers):
    data = client_for("viewer").get("/reports/programme/?format=json").json()
    figure = next(s for s in data["sections"] if s["slug"] == "figure-6-smes")
    assert figure["rows"] == [["Bolivia", None, None], ["Peru", 6, 0]]
    assert figure["hidden"] == [
        {
            "row": 0,
            "column": 1,
            "reason": "differencing",
            "who": "enterprises",
            "label": DIFFERENCING,
        },
        {"row": 0, "column": 2, "reason": "few", "who": "enterprises", "label": FEW},
    ]


def test_the_pdf_carries_the_same_footnote(suppliers, printed):
    response = client_for("viewer").get("/reports/programme/?format=pdf")
    assert response.content.startswith(b"%PDF")
    assert "– hidden: " + FEW in printed[0]
    assert "/indicators/#disclosure" in printed[0]


def test_the_definitions_page_states_the_rule_with_the_threshold_of_the_settings(
    admin_client, settings
):
    settings.DISCLOSURE_THRESHOLD = 3
    page = admin_client.get("/indicators/").content.decode()
    assert 'id="disclosure"' in page
    assert "fewer than 3 enterprises or persons" in page
    assert "Roles that may see records" in page
