"""Awareness: constituents trained and NTAC meetings. Figures worked out by hand.

Phase II = 2020-2021. Events (group: women, men):
  ev1 constituent_training BO 2020-03-01  government 3, 2; trade_unions 1, 4
  ev2 workshop             BO 2021-05-01  employers 2, 2
  ev3 policy_course        PE 2020-08-01  government 5, 0
  ev4 ntac_meeting         BO 2020-02-01  government 4, 4   (not a training)
  ev5 conference           BO 2020-09-01  other 10, 10      (not a training)
  ev6 ntac_meeting         BO 2021-02-01
  ev7 ntac_meeting         PE 2019-06-01
"""

from __future__ import annotations

import pytest

from scoretrack.indicators.tests.conftest import Make

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(make: Make) -> None:
    make.phase("II", "2020-01-01", "2021-12-31")
    make.event("ev1", "constituent_training", "2020-03-01", government=(3, 2), trade_unions=(1, 4))
    make.event("ev2", "workshop", "2021-05-01", employers=(2, 2))
    make.event("ev3", "policy_course", "2020-08-01", country="PE", government=(5, 0))
    make.event("ev4", "ntac_meeting", "2020-02-01", government=(4, 4))
    make.event("ev5", "conference", "2020-09-01", other=(10, 10))
    make.event("ev6", "ntac_meeting", "2021-02-01")
    make.event("ev7", "ntac_meeting", "2019-06-01", country="PE")


def test_constituents_trained_counts_participants_of_training_events(ask, queries_of, events):
    assert queries_of("constituents_trained", 1, phase="II") == 19
    assert ask("constituents_trained", year=2020) == 15
    assert ask("constituents_trained", year=2019) == 0


def test_constituents_trained_by_group_sex_and_country(ask, queries_of, events):
    assert ask("constituents_trained", phase="II", by="group") == {
        "employers": 4,
        "government": 10,
        "trade_unions": 5,
    }
    assert queries_of("constituents_trained", 1, phase="II", by="sex") == {
        "female": 11,
        "male": 8,
    }
    assert ask("constituents_trained", phase="II", by="country") == {"BO": 14, "PE": 5}
    assert ask("constituents_trained", country="PE") == 5


def test_women_share_of_constituents_trained(ask, queries_of, events):
    assert queries_of("constituents_trained_women_pct", 1, phase="II") == pytest.approx(1100 / 19)
    assert ask("constituents_trained_women_pct", phase="II", by="group") == {
        "employers": 50.0,
        "government": 80.0,
        "trade_unions": 20.0,
    }
    assert ask("constituents_trained_women_pct", phase="II", by="country") == {
        "BO": pytest.approx(600 / 14),
        "PE": 100.0,
    }
    assert ask("constituents_trained_women_pct", year=2019) is None


def test_ntac_meetings_in_the_period(ask, queries_of, events):
    assert queries_of("ntac_meetings", 1, phase="II") == 2
    assert ask("ntac_meetings") == 3
    assert ask("ntac_meetings", by="country") == {"BO": 2, "PE": 1}
    assert ask("ntac_meetings", country="PE", phase="II") == 0
