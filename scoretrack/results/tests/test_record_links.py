"""Each actual of the tracking table links to the list of the records behind it: the
list page of its kind, filtered by the cell's dates (a cumulative cell: from the
start to the period's end), country, partner, sector, lead buyer and sex. Following
a link lists exactly the records the figure counts. Lead buyers and viewers get the
definition only.

The programme of conftest.py: in Bolivia's 2014, firm A trained in Q1 (D1, NPC) and
Q3 (D3, NPC), B in Q2 (D2), C in Q4 (D5, and D0 in 2013). Here the lead buyer LB
buys from B and C.
"""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import Any

import pytest
from django.test import Client

from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.reports.tests.conftest import client_for
from scoretrack.results.downloads import shown_rows
from scoretrack.results.tracking import Ask, tracking_table

pytestmark = pytest.mark.django_db

QUARTERS = {"country": "BO", "period": "quarter", "first_year": 2014, "last_year": 2014}


def links(user: Any, **ask: Any) -> dict[str, list[str]]:
    """The record links of each indicator's cells, Q1 to Q4."""
    table = tracking_table(user, Ask(**{**QUARTERS, **ask}))
    return {r["code"]: [cell.url for cell in r["cells"]] for r in shown_rows(table, True)}


def listed(client: Client, url: str, field: str = "key") -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    return sorted(getattr(row, field) for row in page.context["page"].object_list)


def test_each_cell_links_to_its_records_for_the_cells_dates(admin: Any, tracked: Any) -> None:
    found = links(admin)
    assert found["smes_trained"] == [
        "/enterprises/?country=BO&from=2014-01-01&to=2014-03-31",
        "/enterprises/?country=BO&from=2014-04-01&to=2014-06-30",
        "/enterprises/?country=BO&to=2014-09-30",  # the cumulative target of Q3
        "/enterprises/?country=BO&from=2014-10-01&to=2014-12-31",
    ]
    assert found["staff_trained"][1] == "/deliveries/?country=BO&from=2014-04-01&to=2014-06-30"


def test_following_a_cell_lists_exactly_the_records_it_counts(
    admin: Any, admin_client: Client, tracked: Any
) -> None:
    smes, staff = (links(admin)[code] for code in ("smes_trained", "staff_trained"))
    assert [listed(admin_client, url) for url in smes] == [["A"], ["B"], ["A", "B", "C"], ["C"]]
    assert [listed(admin_client, url) for url in staff] == [["D1"], ["D2"], ["D3"], ["D5"]]


def test_the_links_keep_the_partner_sex_and_lead_buyer_filters(
    admin: Any, admin_client: Client, tracked: Any
) -> None:
    npc = tracked.npc.pk
    by_partner = links(admin, partner="NPC")
    assert by_partner["smes_trained"][0] == (
        f"/enterprises/?country=BO&from=2014-01-01&to=2014-03-31&partner={npc}"
    )
    assert [listed(admin_client, url) for url in by_partner["smes_trained"]] == [
        ["A"],
        [],
        ["A"],
        [],
    ]
    assert [listed(admin_client, url) for url in by_partner["staff_trained"]] == [
        ["D1"],
        [],
        ["D3"],
        [],
    ]
    women = links(admin, sex="female")["staff_trained"]
    assert women[1] == "/deliveries/?country=BO&from=2014-04-01&to=2014-06-30&sex=female"
    assert [listed(admin_client, url) for url in women] == [["D1"], ["D2"], [], []]

    buyer = tracked.make.org("LB", "lead_buyer", country=None)
    for key in ("B", "C"):
        LeadBuyerLink.objects.create(enterprise=Enterprise.objects.get(key=key), lead_buyer=buyer)
    by_buyer = links(admin, lead_buyer="LB")
    assert by_buyer["smes_trained"][3].endswith(f"&lead_buyer={buyer.pk}")
    assert [listed(admin_client, url) for url in by_buyer["smes_trained"]] == [[], ["B"], [], ["C"]]
    assert [listed(admin_client, url) for url in by_buyer["staff_trained"]] == [
        [],
        ["D2"],
        [],
        ["D5"],
    ]


def test_the_page_links_the_cells_for_a_country_team(tracked: Any) -> None:
    team = client_for("country_team", country=tracked.make.country("BO"))
    html = team.get("/results/tracking/?country=BO&period=quarter&from=2014&to=2014")
    assert 'href="/enterprises/?country=BO&amp;from=2014-01-01&amp;to=2014-03-31"' in (
        html.content.decode()
    )


@pytest.mark.parametrize("role", ["viewer", "lead_buyer"])
def test_aggregates_only_roles_get_the_definition_but_no_record_link(
    tracked: Any, role: str
) -> None:
    scope = {"organisation": tracked.make.org("LB", "lead_buyer", country=None)}
    client = client_for(role, **(scope if role == "lead_buyer" else {}))
    html = client.get("/results/tracking/?country=BO&period=quarter&from=2014&to=2014")
    text = html.content.decode()
    assert 'href="/indicators/#smes_trained"' in text
    assert not re.search(r'href="/(enterprises|deliveries)/\?', text)


@pytest.fixture
def others(tracked: Any) -> Any:
    """Besides the firms, in Bolivia's 2014: trainers T1 (trained Q1, certified Q3)
    and T2 (trained Q2); costs of 100 (Q1, D1 by NPC) and 50 (Q2); contributions of 5
    by NPC (Q1, partner funds) and 10 by the lead buyer LB (Q2); an NTAC meeting, a
    workshop (a constituent training) and a conference in Q1; NPC's agreement from
    February to 15 May, P2's from June: active on 31 March NPC, on 30 June P2."""
    make = tracked.make
    from scoretrack.results.models import ResultLevel
    from scoretrack.training.models import Delivery

    t1, t2 = make.trainer("T1"), make.trainer("T2", sex="male")
    make.milestone(t1, "trained", "2014-02-01")
    make.milestone(t2, "trained", "2014-05-01")
    make.milestone(t1, "certified", "2014-08-01")
    make.cost("2014-02-15", "100", delivery=Delivery.objects.get(key="D1"), category="venue")
    make.cost("2014-05-10", "50", category="food")
    make.contribution("2014-02-20", "5", tracked.npc, source="partner_funds")
    lb = make.org("LB", "lead_buyer", country=None)
    make.contribution("2014-04-10", "10", lb, source="lead_buyer")
    make.event("NTAC1", "ntac_meeting", "2014-03-01")
    make.event("WS1", "workshop", "2014-03-05", government=(1, 1))
    make.event("CONF1", "conference", "2014-03-09", government=(2, 0))
    make.agreement(tracked.npc, "2014-02-01", "2014-05-15")
    make.agreement(make.org("P2", "employer_organisation"), "2014-06-01")
    ResultLevel.objects.create(
        key="OP2",
        level="output",
        statement="Others",
        indicators="trainers_trained, direct_costs_usd, contributions_usd, "
        "lead_buyers_sponsoring, constituents_trained, ntac_meetings, partners_active",
    )
    return SimpleNamespace(lb=lb)


def test_every_kind_of_figure_links_to_the_records_it_counts(
    admin: Any, admin_client: Client, others: Any
) -> None:
    found = links(admin)
    assert found["partners_active"][0] == "/organisations/?active_in=BO&active_on=2014-03-31"
    assert found["constituents_trained"][0] == (
        "/events/?country=BO&from=2014-01-01&to=2014-03-31"
        "&kind=constituent_training&kind=workshop&kind=policy_course"
    )

    def shown(code: str, field: str) -> list[list[str]]:
        return [listed(admin_client, url, field) for url in found[code]]

    assert shown("trainers_trained", "key") == [["T1"], ["T2"], [], []]
    assert shown("direct_costs_usd", "category") == [["venue"], ["food"], [], []]
    assert shown("contributions_usd", "source") == [["partner_funds"], ["lead_buyer"], [], []]
    assert shown("lead_buyers_sponsoring", "source") == [[], ["lead_buyer"], [], []]
    assert shown("ntac_meetings", "key") == [["NTAC1"], [], [], []]
    assert shown("constituents_trained", "key") == [["WS1"], [], [], []]
    assert shown("partners_active", "key") == [["NPC"], ["P2"], ["P2"], ["P2"]]
    by_partner = links(admin, partner="NPC")
    assert listed(admin_client, by_partner["direct_costs_usd"][0], "category") == ["venue"]
    assert by_partner["partners_active"] == ["", "", "", ""]  # the list takes no partner
