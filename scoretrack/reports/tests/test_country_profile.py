"""The country profile: the report's country page, figures worked out in conftest.py."""

from __future__ import annotations

from typing import Any

import pytest

from scoretrack.indicators.disclosure import Hidden
from scoretrack.lib import derived

URL = "/reports/country/BO/?phase=II"


def facts(response: Any) -> dict[str, Any]:
    return {fact.code: fact.value for fact in response.context["facts"]}


def section(response: Any, slug: str) -> Any:
    return next(s for s in response.context["sections"] if s.slug == slug)


@pytest.mark.django_db
def test_the_activity_box_shows_the_phase_figures(admin_client, programme):
    response = admin_client.get(URL)
    assert response.status_code == 200
    assert facts(response) == {
        "smes_trained": 2,
        "smes_women_owned_pct": 50,
        "smes_more_than_one_module_pct": 50,
        "staff_trained": 4,
        "staff_trained_workers_pct": 75,
        "staff_trained_women_pct": 50,
        "trainers_trained": 2,
        "trainers_trained_women_pct": 50,
        "trainers_certified": 1,
        "trainers_certified_women_pct": 100,
        "satisfaction_good_pct": None,
    }
    html = response.content.decode()
    assert "<strong>75%</strong></a> workers / <strong>25%</strong> managers" in html


@pytest.mark.django_db
def test_each_figure_links_to_its_definition(admin_client, programme):
    html = admin_client.get(URL).content.decode()
    for code in (
        "smes_trained",
        "staff_trained_workers_pct",
        "cost_recovery_pct",
        "partners_active",
    ):
        assert f'href="/indicators/#{code}"' in html


@pytest.mark.django_db
def test_smes_per_module_compares_the_period_with_all_time(admin_client, programme):
    chart = section(admin_client.get(URL), "smes-per-module").chart
    assert chart.categories == ["M1", "M2"]
    assert [(s.name, list(s.values)) for s in chart.series] == [
        ("Phase II", [2, 1]),
        ("All time", [3, 1]),
    ]
    assert "M1 · All time: 3</title>" in chart.svg


@pytest.mark.django_db
def test_with_no_period_smes_per_module_is_one_series_of_all_time(admin_client, programme):
    chart = section(admin_client.get("/reports/country/BO/"), "smes-per-module").chart
    assert [(s.name, list(s.values)) for s in chart.series] == [("All time", [3, 1])]
    assert chart.svg.count("<rect") == 2  # two bars, no legend of one series


@pytest.mark.django_db
def test_cost_recovery_is_shown_per_year_with_the_target_and_met_years_marked(
    admin_client, programme
):
    table = section(admin_client.get(URL), "cost-recovery").table
    assert table.rows == [
        ["2014", 1000, 400, 40, 55],
        ["2015", 1000, 600, 60, 55],
        ["Whole period", 2000, 1000, 50, 55],
    ]
    assert table.marked == {(1, 3)}


@pytest.mark.django_db
def test_contributions_partners_pipeline_and_constituents(admin_client, programme):
    response = admin_client.get(URL)
    contributions = section(response, "contributions-by-source").table.rows
    assert contributions == [["Grant", 600], ["SME fees", 400]]
    partners = section(response, "partners-by-type").table.rows
    assert partners == [["Employer organisation", 1], ["Industry / sectoral association", 1]]
    pipeline = section(response, "trainer-pipeline").table.rows
    assert pipeline == [["Trained", 1, 1], ["Certified", 1, 0], ["Expert", 0, 0]]
    constituents = section(response, "constituents")
    assert constituents.table.rows == [
        ["Government", 4, 75],
        ["Employers", 2, 0],
        ["All groups", 6, 50],
    ]
    assert constituents.note == "Women: 3, men: 3."


@pytest.mark.django_db
def test_gender_indicators_are_given_for_each_phase(admin_client, programme):
    table = section(admin_client.get(URL), "gender").table
    assert table.header == ["Gender indicator", "Phase I", "Phase II"]
    assert table.rows[0] == ["Percentage of trainers trained (female)", 0, 50]
    assert table.rows[1] == ["Percentage of certified trainers (female)", None, 100]
    # Phase I: firm C's women-owned flag is unknown, so no share.
    assert table.rows[2] == ["Percentage of female-owned enterprises trained", None, 50]
    assert table.rows[3] == ["Percentage of female enterprise staff trained", 0, 50]


@pytest.mark.django_db
def test_a_year_narrows_the_figures_to_that_year(admin_client, programme):
    response = admin_client.get("/reports/country/BO/?year=2015")
    assert facts(response)["smes_trained"] == 1  # only A, in D2
    assert section(response, "cost-recovery").table.rows[0] == ["2015", 1000, 600, 60, None]


@pytest.mark.django_db
def test_the_picker_sends_the_country_to_its_profile(admin_client, programme):
    response = admin_client.get("/reports/country/?country=pe&phase=II")
    assert response.status_code == 302
    assert response["Location"] == "/reports/country/PE/?phase=II"


@pytest.mark.django_db
def test_an_unknown_country_is_404_and_a_bad_period_400(admin_client, programme):
    assert admin_client.get("/reports/country/XX/").status_code == 404
    assert admin_client.get("/reports/country/BO/?phase=IX").status_code == 400
    assert admin_client.get("/reports/country/BO/?year=soon").status_code == 400


@pytest.mark.django_db
def test_it_asks_anonymous_visitors_to_log_in(client, programme):
    assert client.get(URL).status_code == 302


@pytest.mark.django_db
def test_a_donor_sees_the_aggregates_with_small_firm_counts_suppressed(
    donor_client, programme, django_assert_max_num_queries
):
    # The registry hides figures about firms and persons resting on fewer than
    # five of them from aggregates-only users: here 2 trainers trained, too. The
    # disclosure counts are computed once per page and population (about 90 queries,
    # and one look at the attendance rows' refresh queue, brought up to date
    # beforehand); they grow with the periods and places a page asks, not with
    # the records.
    derived.refresh()
    with django_assert_max_num_queries(110):
        response = donor_client.get(URL)
    assert response.status_code == 200
    shown = facts(response)
    assert shown["smes_trained"] == Hidden("few")
    assert shown["trainers_trained"] == Hidden("few", "trainers")


@pytest.mark.django_db
def test_it_renders_for_an_empty_database(admin_client, django_assert_max_num_queries):
    from scoretrack.reference.models import CountryProgramme

    CountryProgramme.objects.create(code="BO", name="Bolivia")
    with django_assert_max_num_queries(60):
        response = admin_client.get("/reports/country/BO/")
    assert response.status_code == 200
    assert "No data for this selection." in response.content.decode()


@pytest.mark.django_db
def test_its_queries_do_not_grow_with_the_records(
    admin_client, programme, django_assert_max_num_queries
):
    # One or two queries per figure, a fixed list; a phase column per phase in table 3;
    # the first request's refresh keeps the KPI and module tallies (a fixed number of
    # statements per chunk of enterprises and their compaction: six more) and the
    # attendance tally (two per chunk and its compaction's three: five more).
    with django_assert_max_num_queries(89):  # PostgreSQL: one more than SQLite
        admin_client.get(URL)
