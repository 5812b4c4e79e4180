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


def listed(client: Client, url: str) -> list[str]:
    page = client.get(url)
    assert page.status_code == 200
    return sorted(row.key for row in page.context["page"].object_list)


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
