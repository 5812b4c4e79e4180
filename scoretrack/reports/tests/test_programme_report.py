"""The programme report: tables 1-2, figures 4, 6-9, 13 and the outcome figures."""

from __future__ import annotations

from typing import Any

import pytest

from scoretrack.indicators.disclosure import Hidden

URL = "/reports/programme/?phase=II"


def section(response: Any, slug: str) -> Any:
    return next(s for s in response.context["sections"] if s.slug == slug)


def series(chart: Any) -> list[tuple[str, list[Any]]]:
    return [(s.name, list(s.values)) for s in chart.series]


@pytest.mark.django_db
def test_table_1_counts_active_partners_by_type_per_country(admin_client, programme):
    table = section(admin_client.get(URL), "table-1-partners").table
    assert table.header == ["Partner type", "Bolivia", "Peru", "Programme"]
    assert table.rows == [
        ["Employer organisation", 1, 0, 1],
        ["Industry / sectoral association", 1, 1, 2],
        ["Total active partners", 2, 1, 3],
    ]


@pytest.mark.django_db
def test_table_2_gives_cost_recovery_per_country_and_year_and_marks_met_targets(
    admin_client, programme
):
    table = section(admin_client.get(URL), "table-2-cost-recovery").table
    assert table.header == ["Country", "2014", "2015", "Phase II", "Target"]
    assert table.rows == [["Bolivia", 40, 60, 50, 55], ["Peru", 100, None, 100, 50]]
    assert table.marked == {(0, 2), (1, 1), (1, 3)}
    assert "✓" in admin_client.get(URL).content.decode()


@pytest.mark.django_db
def test_figure_4_gives_contributions_by_country(admin_client, programme):
    chart = section(admin_client.get(URL), "figure-4-contributions").chart
    assert chart.categories == ["Bolivia", "Peru"]
    assert series(chart) == [("USD", [1000, 200])]


@pytest.mark.django_db
def test_figures_6_and_8_count_smes_and_trainers_per_country_and_phase(admin_client, programme):
    response = admin_client.get(URL)
    smes = section(response, "figure-6-smes").chart
    assert smes.categories == ["Bolivia", "Peru"]
    assert series(smes) == [("Phase I", [1, 0]), ("Phase II", [2, 1])]
    trainers = section(response, "figure-8-trainers").chart
    assert trainers.categories == ["Bolivia"]
    assert series(trainers) == [("Phase I", [1]), ("Phase II", [2])]
    assert "Bolivia · Phase II: 2</title>" in trainers.svg


@pytest.mark.django_db
def test_figure_7_gives_the_share_taking_more_than_one_module(admin_client, programme):
    chart = section(admin_client.get(URL), "figure-7-more-than-one-module").chart
    # Bolivia: A of A, B; Peru: D took only M1.
    assert chart.categories == ["Bolivia", "Peru"]
    assert series(chart) == [("Took more than one module", [50, 0])]


@pytest.mark.django_db
def test_figure_9_gives_constituents_by_group_with_the_share_of_women(admin_client, programme):
    table = section(admin_client.get(URL), "constituents").table
    assert table.rows == [["Government", 4, 75], ["Employers", 2, 0], ["All groups", 6, 50]]


@pytest.mark.django_db
def test_figure_13_and_outcomes_come_from_assessments_and_plans(admin_client, programme):
    make = programme.make
    # A had 5S before; B adopted it: 50 % before, 50 % new.
    make.assessment(programme.A, "baseline", "2014-03-01", kaizen=True)
    make.assessment(programme.A, "progress", "2015-03-01", kaizen=True)
    make.assessment(programme.B, "baseline", "2014-03-01", kaizen=False)
    make.assessment(programme.B, "progress", "2015-03-01", kaizen=True)
    make.initiative(
        programme.A, "Toilets", gender_related=True, saving_usd=100, started_on="2014-06-01"
    )
    make.initiative(programme.B, "5S", saving_usd=0, started_on="2015-06-01")
    response = admin_client.get(URL)
    practices = section(response, "figure-13-practices").chart
    assert practices.categories == ["kaizen"]
    assert series(practices) == [
        ("In place before training", [50]),
        ("Newly implemented", [50]),
    ]
    outcomes = section(response, "outcomes").table
    assert outcomes.rows[1:] == [
        ["Enterprises with an initiative recording cost savings", 50],
        ["Gender-related initiatives per improvement plan", 0.5],
    ]


@pytest.mark.django_db
def test_it_renders_for_an_empty_database(admin_client, django_assert_max_num_queries):
    # The key figures (11 and their targets), the picker's partners, sectors and
    # lead buyers (3) among them.
    with django_assert_max_num_queries(45):
        response = admin_client.get("/reports/programme/")
    assert response.status_code == 200


@pytest.mark.django_db
def test_its_queries_do_not_grow_with_the_records(
    admin_client, programme, django_assert_max_num_queries
):
    # Fixed per figure; per phase in figures 6 and 8, per year in table 2,
    # per country in table 1 (a short list of country programmes); the key figures
    # and their targets, figure 3, the sizes of change and the picker's lists; the
    # first request's refresh keeps the KPI and module tallies (a fixed number of
    # statements per chunk of enterprises and their compaction: six more) and the
    # attendance tally (two per chunk and its compaction's three: five more).
    with django_assert_max_num_queries(76):  # PostgreSQL: one more than SQLite
        admin_client.get(URL)


@pytest.mark.django_db
def test_a_donor_may_read_the_report(donor_client, programme):
    assert donor_client.get(URL).status_code == 200


@pytest.mark.django_db
def test_a_lead_buyer_may_read_both_reports_of_its_suppliers(programme):
    from scoretrack.enterprises.models import LeadBuyerLink
    from scoretrack.reports.tests.conftest import client_for

    buyer = programme.make.org("LB", "lead_buyer", country=None)
    LeadBuyerLink.objects.create(enterprise=programme.A, lead_buyer=buyer)
    client = client_for("lead_buyer", organisation=buyer)
    country = client.get("/reports/country/BO/?phase=II")
    assert country.status_code == 200
    # One supplier is fewer than five firms: the registry suppresses its firm figures.
    assert {f.code: f.value for f in country.context["facts"]}["smes_trained"] == Hidden("few")
    assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_the_reports_only_answer_get(admin_client, programme):
    assert admin_client.post(URL).status_code == 405
    assert admin_client.post("/reports/country/BO/").status_code == 405
