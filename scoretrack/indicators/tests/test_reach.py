"""Reach: SMEs, staff, deliveries. Expected figures worked out by hand from `world`.

Phases: I = 2019, II = 2020-2021.
Enterprises (women_owned / unionised / collective_agreement; workforce f+m):
  A  BO Textiles, supplies HM   yes / yes  / no    10 + 20
  B  BO Food                    no  / ?    / ?      5 + ?
  C  BO Textiles                ?   / no   / yes    ? + ?
  D  PE Food                    yes / ?    / no     1 + 1
Deliveries: d1 M1 BO 2019-05-01 NPC programme;  d2 M2 BO 2020-03-01 NPC supported;
            d3 M1 BO 2020-06-01 CAF independent; d4 M1 PE 2020-07-01 programme;
            d5 M3 BO 2022-02-01 CAF programme.
Participants (sex role [eit] satisfaction):
  d1: A a1 female manager eit 5;  A a2 male worker eit 3
  d2: A a1 female manager 4 (same person again); A a3 male worker 5;
      B female worker -;  B undisclosed worker 4
  d3: B male manager eit 5;  C female worker 2
  d4: D female worker -
  d5: C female worker eit -
"""

from __future__ import annotations

from typing import Any

import pytest

from scoretrack.indicators.tests.conftest import Make

pytestmark = pytest.mark.django_db
# SME figures read the attendance rows: a look at their refresh queue, then the count.
SME_QUERIES = 2


@pytest.fixture
def world(make: Make) -> dict[str, Any]:
    make.phase("I", "2019-01-01", "2019-12-31")
    make.phase("II", "2020-01-01", "2021-12-31")
    npc = make.org("NPC")
    caf = make.org("CAF", type="industry_association")
    hm = make.org("HM", type="lead_buyer", country=None)
    a = make.enterprise(
        "A",
        sector="Textiles",
        buyers=(hm,),
        women_owned=True,
        unionised=True,
        collective_agreement=False,
        workforce_female=10,
        workforce_male=20,
    )
    b = make.enterprise("B", sector="Food", women_owned=False, workforce_female=5)
    c = make.enterprise("C", sector="Textiles", unionised=False, collective_agreement=True)
    d = make.enterprise(
        "D",
        country="PE",
        sector="Food",
        women_owned=True,
        collective_agreement=False,
        workforce_female=1,
        workforce_male=1,
    )
    d1 = make.delivery("d1", "M1", "2019-05-01", organiser=npc)
    d2 = make.delivery("d2", "M2", "2020-03-01", organiser=npc, independence="supported")
    d3 = make.delivery("d3", "M1", "2020-06-01", organiser=caf, independence="independent")
    d4 = make.delivery("d4", "M1", "2020-07-01", country="PE")
    d5 = make.delivery("d5", "M3", "2022-02-01", organiser=caf)
    make.participant(d1, a, "female", "manager", person="a1", eit_member=True, satisfaction=5)
    make.participant(d1, a, "male", "worker", person="a2", eit_member=True, satisfaction=3)
    make.participant(d2, a, "female", "manager", person="a1", satisfaction=4)
    make.participant(d2, a, "male", "worker", person="a3", satisfaction=5)
    make.participant(d2, b, "female", "worker")
    make.participant(d2, b, "undisclosed", "worker", satisfaction=4)
    make.participant(d3, b, "male", "manager", eit_member=True, satisfaction=5)
    make.participant(d3, c, "female", "worker", satisfaction=2)
    make.participant(d4, d, "female", "worker")
    make.participant(d5, c, "female", "worker", eit_member=True)
    return {"a": a}


# --- smes_trained ------------------------------------------------------------------


def test_smes_trained_counts_each_enterprise_once_per_period(ask, world):
    assert ask("smes_trained", phase="II") == 4
    assert ask("smes_trained", phase="I") == 1
    assert ask("smes_trained") == 4


def test_smes_trained_by_module_counts_an_sme_in_each_of_its_modules(ask, world):
    assert ask("smes_trained", phase="II", by="module") == {"M1": 3, "M2": 2}


def test_smes_trained_by_country_sector_and_year(ask, world):
    assert ask("smes_trained", phase="II", by="country") == {"BO": 3, "PE": 1}
    assert ask("smes_trained", phase="II", by="sector") == {"Food": 2, "Textiles": 2}
    assert ask("smes_trained", by="year") == {"2019": 1, "2020": 4, "2022": 1}


def test_smes_trained_runs_one_query_with_or_without_by(queries_of, world):
    assert queries_of("smes_trained", SME_QUERIES, phase="II") == 4
    assert queries_of("smes_trained", SME_QUERIES, phase="II", by="module") == {
        "M1": 3,
        "M2": 2,
    }


# --- filters, on smes_trained and staff_trained -------------------------------------


def test_country_filter_keeps_deliveries_of_that_country(ask, world):
    assert ask("smes_trained", country="BO", phase="II") == 3
    assert ask("smes_trained", country="PE") == 1


def test_partner_filter_keeps_deliveries_that_partner_organised(ask, world):
    assert ask("smes_trained", partner="NPC", phase="II") == 2
    assert ask("smes_trained", partner="CAF") == 2
    assert ask("staff_trained", partner="CAF") == 3


def test_sector_filter_keeps_enterprises_of_that_sector(ask, world):
    assert ask("smes_trained", sector="Textiles", phase="II") == 2
    assert ask("staff_trained", sector="Food", phase="II") == 4


def test_lead_buyer_filter_keeps_the_lead_buyers_suppliers(ask, world):
    assert ask("smes_trained", lead_buyer="HM") == 1
    assert ask("staff_trained", lead_buyer="HM") == 4


def test_year_filter_is_the_calendar_year(ask, world):
    assert ask("smes_trained", year=2019) == 1
    assert ask("smes_trained", year=2020) == 4
    assert ask("smes_trained", year=2021) == 0


def test_from_and_to_include_their_own_days(ask, world):
    assert ask("smes_trained", **{"from": "2020-06-01", "to": "2020-06-30"}) == 2
    assert ask("staff_trained", **{"from": "2020-06-01", "to": "2020-07-01"}) == 3
    assert ask("smes_trained", **{"from": "2020-07-01"}) == 2
    assert ask("smes_trained", to="2019-12-31") == 1


# --- shares of SMEs -----------------------------------------------------------------


def test_women_owned_share_leaves_out_smes_with_no_value(ask, queries_of, world):
    # A yes, B no, C unknown, D yes: 2 of 3.
    assert queries_of("smes_women_owned_pct", SME_QUERIES, phase="II") == pytest.approx(200 / 3)
    assert ask("smes_women_owned_pct", phase="II", by="country") == {"BO": 50.0, "PE": 100.0}


def test_a_share_with_no_smes_is_null(ask, world):
    assert ask("smes_women_owned_pct", year=2018) is None
    assert ask("smes_unionised_pct", year=2018) is None
    assert ask("smes_more_than_one_module_pct", year=2018) is None


def test_unionised_share_of_smes_with_a_value(ask, queries_of, world):
    # A yes, C no; B and D unknown.
    assert queries_of("smes_unionised_pct", SME_QUERIES, phase="II") == 50.0
    assert ask("smes_unionised_pct", phase="II", by="country") == {"BO": 50.0, "PE": None}


def test_collective_agreement_share_of_smes_with_a_value(ask, queries_of, world):
    # A no, C yes, D no; B unknown.
    assert queries_of("smes_collective_agreement_pct", SME_QUERIES, phase="II") == pytest.approx(
        100 / 3
    )
    assert ask("smes_collective_agreement_pct", phase="II", by="country") == {
        "BO": 50.0,
        "PE": 0.0,
    }


def test_more_than_one_module_counts_modules_of_earlier_periods(ask, queries_of, world):
    # Phase II: A (M1 in 2019 + M2), B (M2 + M1) yes; C (M3 only after the phase), D no.
    assert queries_of("smes_more_than_one_module_pct", SME_QUERIES, phase="II") == 50.0
    # Phase I: A had only M1 by the end of 2019.
    assert ask("smes_more_than_one_module_pct", phase="I") == 0.0
    # All time: C's M3 of 2022 now counts.
    assert ask("smes_more_than_one_module_pct") == 75.0


def test_more_than_one_module_counts_modules_taken_with_another_partner(ask, world):
    # CAF trained B and C in phase II; B's M2 came from NPC.
    assert ask("smes_more_than_one_module_pct", partner="CAF", phase="II") == 50.0


def test_more_than_one_module_by_country(ask, world):
    assert ask("smes_more_than_one_module_pct", phase="II", by="country") == {
        "BO": pytest.approx(200 / 3),
        "PE": 0.0,
    }


def test_workforce_counts_each_trained_sme_once(ask, queries_of, world):
    # A 30 (twice in d2, once counted), B 5, C nothing, D 2.
    assert queries_of("workforce_represented", SME_QUERIES, phase="II") == 37
    assert ask("workforce_represented", phase="II", by="sex") == {"female": 16, "male": 21}
    assert ask("workforce_represented", phase="II", by="country") == {"BO": 35, "PE": 2}
    assert ask("workforce_represented", year=2018) == 0


# --- staff --------------------------------------------------------------------------


def test_a_person_in_two_modules_counts_twice_in_staff_trained(ask, queries_of, world):
    # a1 attended d1 (M1) and d2 (M2): 2 + 7 + 1 participations.
    assert queries_of("staff_trained", 1) == 10
    assert ask("staff_trained", lead_buyer="HM", by="module") == {"M1": 2, "M2": 2}


def test_staff_trained_by_sex_role_module_and_country(ask, world):
    assert ask("staff_trained", phase="II") == 7
    assert ask("staff_trained", phase="II", by="sex") == {
        "female": 4,
        "male": 2,
        "undisclosed": 1,
    }
    assert ask("staff_trained", phase="II", by="role") == {"manager": 2, "worker": 5}
    assert ask("staff_trained", phase="II", by="module") == {"M1": 3, "M2": 4}
    assert ask("staff_trained", phase="II", by="country") == {"BO": 6, "PE": 1}


def test_women_share_of_staff_leaves_undisclosed_out(ask, queries_of, world):
    # 4 women, 2 men, 1 undisclosed: 4 / 6, not 4 / 7.
    assert queries_of("staff_trained_women_pct", 1, phase="II") == pytest.approx(200 / 3)
    assert ask("staff_trained_women_pct", phase="II", by="role") == {
        "manager": 50.0,
        "worker": 75.0,
    }
    assert ask("staff_trained_women_pct", phase="II", by="country") == {"BO": 60.0, "PE": 100.0}


def test_women_share_is_null_when_every_sex_is_undisclosed(ask, make, world):
    lone = make.delivery("d9", "M1", "2023-01-10")
    make.participant(lone, world["a"], "undisclosed", "worker")
    assert ask("staff_trained", year=2023) == 1
    assert ask("staff_trained_women_pct", year=2023) is None


def test_workers_share_of_staff(ask, queries_of, world):
    assert queries_of("staff_trained_workers_pct", 1, phase="II") == pytest.approx(500 / 7)
    assert ask("staff_trained_workers_pct", phase="II", by="sex") == {
        "female": 75.0,
        "male": 50.0,
        "undisclosed": 100.0,
    }
    assert ask("staff_trained_workers_pct", phase="II", by="country") == {
        "BO": pytest.approx(200 / 3),
        "PE": 100.0,
    }


def test_satisfaction_share_is_over_rated_participations_only(ask, queries_of, world):
    # Rated in phase II: 4, 5, 4, 5, 2 -> 4 of 5 are good or very good.
    assert queries_of("satisfaction_good_pct", 1, phase="II") == 80.0
    assert ask("satisfaction_good_pct", phase="II", by="module") == {"M1": 50.0, "M2": 100.0}
    # Nobody rated D's delivery in PE.
    assert ask("satisfaction_good_pct", phase="II", by="country") == {"BO": 80.0, "PE": None}


def test_eit_mixed_looks_at_eit_members_up_to_the_periods_end(ask, queries_of, world):
    # Phase II: A's EIT (2019) has a woman and a man; B's only a man; C, D none recorded.
    assert queries_of("eit_mixed_pct", SME_QUERIES, phase="II") == 50.0
    assert ask("eit_mixed_pct", phase="I") == 100.0
    # All time: C's EIT member of 2022 (a woman) is now recorded.
    assert ask("eit_mixed_pct") == pytest.approx(100 / 3)
    assert ask("eit_mixed_pct", phase="II", by="country") == {"BO": 50.0, "PE": None}


@pytest.fixture
def firm_e(make: Make, world: dict[str, Any]) -> None:
    """E (BO, Food) besides `world`: d6 M2 2020-08-01: a woman, EIT member; d7 M2
    2021-05-01 (the same module again): a man, EIT member; d8 M1 2022-03-01 (after
    phase II): a man, not a member."""
    e = make.enterprise("E", sector="Food")
    d6 = make.delivery("d6", "M2", "2020-08-01")
    d7 = make.delivery("d7", "M2", "2021-05-01")
    d8 = make.delivery("d8", "M1", "2022-03-01")
    make.participant(d6, e, "female", "worker", eit_member=True)
    make.participant(d7, e, "male", "manager", eit_member=True)
    make.participant(d8, e, "male", "worker")


def test_one_module_taken_twice_is_one_module(ask, queries_of, world, firm_e):
    # Phase II: A, B yes; C (M3 after the phase), D, E (M2 twice; M1 after the phase) no.
    assert queries_of("smes_more_than_one_module_pct", SME_QUERIES, phase="II") == 40.0
    assert ask("smes_more_than_one_module_pct", phase="II", by="country") == {
        "BO": 50.0,
        "PE": 0.0,
    }
    # All time: C (M1 + M3) and E (M2 + M1) now count: A, B, C, E of 5.
    assert ask("smes_more_than_one_module_pct") == 80.0


def test_eit_mixed_across_deliveries(ask, world, firm_e):
    # Phase II: recorded A, B, E; mixed A (d1) and E (a woman in d6, a man in d7).
    assert ask("eit_mixed_pct", phase="II") == pytest.approx(200 / 3)
    assert ask("eit_mixed_pct", phase="II", by="country") == {
        "BO": pytest.approx(200 / 3),
        "PE": None,
    }
    # 2020 alone: E's EIT by the end of 2020 is only the woman of d6; B's only a man.
    assert ask("eit_mixed_pct", year=2020) == pytest.approx(100 / 3)


# --- deliveries ---------------------------------------------------------------------


def test_deliveries_starting_in_the_period(ask, queries_of, world):
    assert queries_of("deliveries", 1, phase="II") == 3
    assert ask("deliveries") == 5
    assert ask("deliveries", phase="II", by="module") == {"M1": 2, "M2": 1}
    assert ask("deliveries", phase="II", by="country") == {"BO": 2, "PE": 1}
    assert ask("deliveries", phase="II", by="independence") == {
        "independent": 1,
        "programme": 1,
        "supported": 1,
    }


def test_deliveries_with_sector_or_lead_buyer_need_such_a_participant(ask, world):
    assert ask("deliveries", phase="II", sector="Textiles") == 2
    assert ask("deliveries", phase="II", lead_buyer="HM") == 1
    assert ask("deliveries", partner="CAF") == 2


def test_independent_deliveries_share(ask, queries_of, world):
    assert queries_of("deliveries_independent_pct", 1, phase="II") == pytest.approx(200 / 3)
    assert ask("deliveries_independent_pct") == 40.0
    assert ask("deliveries_independent_pct", phase="II", by="country") == {
        "BO": 100.0,
        "PE": 0.0,
    }
    assert ask("deliveries_independent_pct", year=2018) is None


def test_enrolments_count_each_enterprise_in_each_delivery_whatever_its_status(ask, make):
    """d1 (BO, M1, 2020): A enrolled, B dropped; d2 (PE, M2, 2021): C (Peruvian)
    completed; no participant anywhere (enrolments are what was sold, attended or not)."""
    from scoretrack.training.models import Enrolment

    a, b, c = make.enterprise("A"), make.enterprise("B"), make.enterprise("C", country="PE")
    d1 = make.delivery("d1", "M1", "2020-03-01")
    d2 = make.delivery("d2", "M2", "2021-05-01", country="PE")
    Enrolment.objects.create(delivery=d1, enterprise=a, status="enrolled")
    Enrolment.objects.create(delivery=d1, enterprise=b, status="dropped")
    Enrolment.objects.create(delivery=d2, enterprise=c, status="completed")
    assert ask("enrolments") == 3
    assert ask("enrolments", year=2020) == 2
    assert ask("enrolments", year=2020, by="status") == {"enrolled": 1, "dropped": 1}
    assert ask("enrolments", by="country") == {"BO": 2, "PE": 1}
    assert ask("enrolments", by="module") == {"M1": 2, "M2": 1}
    assert ask("enrolments", country="PE") == 1
