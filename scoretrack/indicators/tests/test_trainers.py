"""Trainers and partners. Expected figures worked out by hand from the fixtures.

Phases: I = 2019, II = 2020-2021.
Trainers and their milestones:
  T1 female BO (of NPC): trained 2019-03-01 and 2020-02-01, certified 2020-05-01
  T2 male BO:            trained 2020-04-01, certified 2021-01-10, expert 2022-01-01
  T3 undisclosed BO:     trained 2020-05-01
  T4 female PE:          trained 2020-06-01, certified 2020-09-01
"""

from __future__ import annotations

from typing import Any

import pytest

from scoretrack.indicators.tests.conftest import Make

pytestmark = pytest.mark.django_db


@pytest.fixture
def phases(make: Make) -> None:
    make.phase("I", "2019-01-01", "2019-12-31")
    make.phase("II", "2020-01-01", "2021-12-31")


@pytest.fixture
def trainers(make: Make, phases: None) -> None:
    npc = make.org("NPC")
    t1 = make.trainer("T1", "female", organisation=npc)
    t2 = make.trainer("T2", "male")
    t3 = make.trainer("T3", "undisclosed")
    t4 = make.trainer("T4", "female", country="PE")
    make.milestone(t1, "trained", "2019-03-01")
    make.milestone(t1, "trained", "2020-02-01")
    make.milestone(t1, "certified", "2020-05-01")
    make.milestone(t2, "trained", "2020-04-01")
    make.milestone(t2, "certified", "2021-01-10")
    make.milestone(t2, "expert", "2022-01-01")
    make.milestone(t3, "trained", "2020-05-01")
    make.milestone(t4, "trained", "2020-06-01")
    make.milestone(t4, "certified", "2020-09-01")


def test_trainers_trained_counts_a_trainer_trained_twice_once(ask, queries_of, trainers):
    assert queries_of("trainers_trained", 1) == 4
    assert ask("trainers_trained", phase="II") == 4
    assert ask("trainers_trained", phase="I") == 1


def test_trainers_trained_by_sex_and_country(ask, trainers):
    assert ask("trainers_trained", phase="II", by="sex") == {
        "female": 2,
        "male": 1,
        "undisclosed": 1,
    }
    assert ask("trainers_trained", phase="II", by="country") == {"BO": 3, "PE": 1}
    assert ask("trainers_trained", country="PE") == 1


def test_partner_filter_keeps_trainers_of_that_organisation(ask, trainers):
    assert ask("trainers_trained", partner="NPC") == 1


def test_women_share_of_trainers_trained_leaves_undisclosed_out(ask, queries_of, trainers):
    # T1, T4 women; T2 a man; T3 undisclosed: 2 of 3.
    assert queries_of("trainers_trained_women_pct", 1, phase="II") == pytest.approx(200 / 3)
    assert ask("trainers_trained_women_pct", phase="II", by="country") == {
        "BO": 50.0,
        "PE": 100.0,
    }
    assert ask("trainers_trained_women_pct", year=2018) is None


def test_trainers_certified_by_their_milestones_date(ask, queries_of, trainers):
    assert queries_of("trainers_certified", 1, phase="II") == 3
    assert ask("trainers_certified", year=2020) == 2
    assert ask("trainers_certified", year=2020, by="sex") == {"female": 2}
    assert ask("trainers_certified", phase="II", by="country") == {"BO": 2, "PE": 1}


def test_women_share_of_trainers_certified(ask, queries_of, trainers):
    assert queries_of("trainers_certified_women_pct", 1, year=2020) == 100.0
    assert ask("trainers_certified_women_pct", phase="II") == pytest.approx(200 / 3)
    assert ask("trainers_certified_women_pct", phase="I") is None


def test_trainers_expert(ask, queries_of, trainers):
    assert queries_of("trainers_expert", 1) == 1
    assert ask("trainers_expert", phase="II") == 0
    assert ask("trainers_expert", by="sex") == {"male": 1}
    assert ask("trainers_expert", by="country") == {"BO": 1}


# --- partners_active ----------------------------------------------------------------


@pytest.fixture
def agreements(make: Make, phases: None) -> None:
    """NPC: 2018 and 2020, open. CAF: 2019-06-01 to 2020-06-30. UNI: from 2022.
    GIZ (global donor): 2020, open, in BO. PEA (PE): 2019 to 2099."""
    npc = make.org("NPC")
    make.agreement(npc, "2018-01-01")
    make.agreement(npc, "2020-01-01")
    make.agreement(make.org("CAF", type="industry_association"), "2019-06-01", "2020-06-30")
    make.agreement(make.org("UNI", type="trade_union"), "2022-01-01")
    make.agreement(make.org("GIZ", type="donor", country=None), "2020-01-01")
    pea = make.org("PEA", type="government_training", country="PE")
    make.agreement(pea, "2019-01-01", "2099-12-31", country="PE")


def test_an_agreement_ended_before_the_periods_end_is_not_active(ask, queries_of, agreements):
    # Phase II ends 2021-12-31: CAF ended 2020-06-30, UNI signed after; NPC counts once.
    assert queries_of("partners_active", 1, phase="II") == 3
    # Phase I ends 2019-12-31: NPC, CAF, PEA; GIZ signed later.
    assert ask("partners_active", phase="I") == 3


def test_an_agreement_ending_on_the_periods_last_day_is_active(ask, agreements):
    assert ask("partners_active", **{"from": "2020-01-01", "to": "2020-06-30"}) == 4
    assert ask("partners_active", **{"from": "2020-01-01", "to": "2020-07-01"}) == 3


def test_partners_active_without_a_period_are_those_active_today(ask, agreements):
    assert ask("partners_active") == 4


def test_partners_active_by_type_and_country(ask, agreements):
    assert ask("partners_active", phase="II", by="type") == {
        "donor": 1,
        "employer_organisation": 1,
        "government_training": 1,
    }
    assert ask("partners_active", phase="II", by="country") == {"BO": 2, "PE": 1}
    assert ask("partners_active", phase="II", country="BO") == 2
    assert ask("partners_active", phase="I", partner="CAF") == 1


# --- lead_buyers_sponsoring ----------------------------------------------------------


@pytest.fixture
def sponsors(make: Make, phases: None) -> dict[str, Any]:
    hm = make.org("HM", type="lead_buyer", country=None)
    zara = make.org("ZARA", type="lead_buyer", country=None)
    make.contribution("2020-05-01", "1000", hm, source="lead_buyer")
    make.contribution("2020-08-01", "500", hm, source="lead_buyer")
    make.contribution("2021-03-01", "200", zara, source="lead_buyer", country="PE")
    make.contribution("2020-01-01", "50", make.org("NPC"), source="sme_fee")
    return {"hm": hm}


def test_lead_buyers_sponsoring_counts_distinct_lead_buyers(ask, queries_of, sponsors):
    # NPC's contribution is not a lead buyer's; HM's two count once.
    assert queries_of("lead_buyers_sponsoring", 1, phase="II") == 2
    assert ask("lead_buyers_sponsoring", year=2020) == 1
    assert ask("lead_buyers_sponsoring", year=2019) == 0
    assert ask("lead_buyers_sponsoring", phase="II", by="country") == {"BO": 1, "PE": 1}
    assert ask("lead_buyers_sponsoring", phase="II", lead_buyer="ZARA") == 1
