"""Money: costs, contributions, cost recovery. Figures worked out by hand.

Phase II = 2020-2021. dN is a delivery NPC organised.
Direct costs (USD): BO 2020-02-01 1000 (dN);  BO 2020-09-01 500.50;
                    BO 2021-01-15 2000;       PE 2020-03-01 400.
Contributions (USD): BO 2020-03-01 300 sme_fee cash NPC (dN);
                     BO 2020-10-01 200.25 lead_buyer cash HM;
                     BO 2021-02-01 500 grant in_kind GIZ;
                     PE 2020-04-01 100 public_budget cash PEA;
                     BO 2019-05-01 50 sme_fee cash NPC.
"""

from __future__ import annotations

import pytest

from scoretrack.indicators.tests.conftest import Make

pytestmark = pytest.mark.django_db


@pytest.fixture
def money(make: Make) -> None:
    make.phase("II", "2020-01-01", "2021-12-31")
    npc = make.org("NPC")
    hm = make.org("HM", type="lead_buyer", country=None)
    giz = make.org("GIZ", type="donor", country=None)
    pea = make.org("PEA", type="government_training", country="PE")
    dn = make.delivery("dN", organiser=npc)
    make.cost("2020-02-01", "1000", delivery=dn)
    make.cost("2020-09-01", "500.50")
    make.cost("2021-01-15", "2000")
    make.cost("2020-03-01", "400", country="PE")
    make.contribution("2020-03-01", "300", npc, delivery=dn)
    make.contribution("2020-10-01", "200.25", hm, source="lead_buyer")
    make.contribution("2021-02-01", "500", giz, source="grant", kind="in_kind")
    make.contribution("2020-04-01", "100", pea, source="public_budget", country="PE")
    make.contribution("2019-05-01", "50", npc)


def test_direct_costs_sum_the_usd_values_of_the_period(ask, queries_of, money):
    assert queries_of("direct_costs_usd", 1, phase="II") == 3900.5
    assert ask("direct_costs_usd", year=2019) == 0
    assert ask("direct_costs_usd", phase="II", by="country") == {"BO": 3500.5, "PE": 400}
    assert ask("direct_costs_usd", by="year") == {"2020": 1900.5, "2021": 2000}


def test_direct_costs_of_a_partners_deliveries(ask, money):
    assert ask("direct_costs_usd", partner="NPC") == 1000


def test_contributions_sum_and_disaggregations(ask, queries_of, money):
    assert queries_of("contributions_usd", 1, phase="II") == 1100.25
    assert ask("contributions_usd") == 1150.25
    assert ask("contributions_usd", phase="II", by="source") == {
        "grant": 500,
        "lead_buyer": 200.25,
        "public_budget": 100,
        "sme_fee": 300,
    }
    assert ask("contributions_usd", phase="II", by="kind") == {"cash": 600.25, "in_kind": 500}
    assert ask("contributions_usd", phase="II", by="country") == {"BO": 1000.25, "PE": 100}
    assert ask("contributions_usd", by="year") == {"2019": 50, "2020": 600.25, "2021": 500}


def test_contributions_of_a_partner_and_of_a_lead_buyer(ask, money):
    assert ask("contributions_usd", partner="NPC", phase="II") == 300
    assert ask("contributions_usd", lead_buyer="HM") == 200.25


def test_cost_recovery_divides_contributions_by_costs(ask, queries_of, money):
    # 1100.25 / 3900.5
    assert queries_of("cost_recovery_pct", 2, phase="II") == pytest.approx(28.2079220612742)
    assert ask("cost_recovery_pct", partner="NPC", phase="II") == 30.0
    assert ask("cost_recovery_pct", phase="II", by="country") == {
        "BO": pytest.approx(28.5744893586630),  # 1000.25 / 3500.5
        "PE": 25.0,
    }


def test_cost_recovery_is_null_without_costs(ask, queries_of, money):
    assert ask("cost_recovery_pct", year=2019) is None
    # 2019 had a contribution and no cost; 2020: 600.25 / 1900.5.
    assert queries_of("cost_recovery_pct", 2, by="year") == {
        "2019": None,
        "2020": pytest.approx(31.5837937384899),
        "2021": 25.0,
    }
