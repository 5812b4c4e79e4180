"""Every figure of the registry appears on a report page; the key figures against
their targets; the report filters (partner, sector, lead buyer, a date range).

Records: the `programme` fixture (conftest), and here:
- D1 (BO, M1, 2014-03-01: firms A and B) is organised by partner X;
- firm A is in the Textiles sector; firm B supplies the lead buyer HM;
- two NTAC meetings in Bolivia in Phase II (2014-09-01, 2015-09-01), one in 2013;
  a programme target of 3 NTAC meetings for Phase II.
"""

from __future__ import annotations

import re
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.indicators.registry import REGISTRY
from scoretrack.reference.models import Organisation, Sector, Target
from scoretrack.training.models import Delivery

PROGRAMME = "/reports/programme/"
COUNTRY = "/reports/country/BO/"


@pytest.fixture
def filtered(programme: SimpleNamespace) -> SimpleNamespace:
    make = programme.make
    x = Organisation.objects.get(key="X")
    Delivery.objects.filter(key="D1").update(organiser=x)
    Enterprise.objects.filter(key="A").update(sector=Sector.objects.create(name="Textiles"))
    hm = make.org("HM", type="lead_buyer", country=None)
    LeadBuyerLink.objects.create(enterprise=programme.B, lead_buyer=hm)
    make.event("N0", "ntac_meeting", "2013-09-01")
    make.event("N1", "ntac_meeting", "2014-09-01")
    make.event("N2", "ntac_meeting", "2015-09-01")
    Target.objects.create(
        indicator="ntac_meetings", country=None, phase=programme.phase2, value=Decimal(3)
    )
    return programme


def shown_codes(html: str) -> set[str]:
    return set(re.findall(r'data-indicator="([a-z0-9_]+)"', html))


def section(response: Any, slug: str) -> Any:
    return next(s for s in response.context["sections"] if s.slug == slug)


def key_figures(response: Any) -> dict[str, Any]:
    """The key figures table as code: (value, target)."""
    table = section(response, "key-figures").table
    return {code: (row[1], row[2]) for code, row in zip(table.codes, table.rows, strict=True)}


@pytest.mark.django_db
def test_every_indicator_of_the_registry_appears_on_a_report_page(admin_client, filtered):
    """Each code is rendered by the programme report or the country profile, on the
    element of a figure (a section's definition links, the country's facts box)."""
    seen = set()
    for url in (PROGRAMME, COUNTRY):
        response = admin_client.get(url, {"phase": "II"})
        assert response.status_code == 200
        seen |= shown_codes(response.content.decode())
    assert sorted(set(REGISTRY) - seen) == []
    assert seen <= set(REGISTRY)


@pytest.mark.django_db
def test_key_figures_stand_against_their_targets(admin_client, filtered):
    """Phase II, programme: SMEs A, B (BO) and D (PE) = 3; deliveries D1, D2, D3 = 3,
    none with medium or high independence (the builder's deliveries are run by the
    programme): 0%; 2 NTAC meetings against a target of 3 (not met); partners X, Y,
    Z active; no lead buyer contributed; costs 1000 + 1000 + 200."""
    response = admin_client.get(PROGRAMME, {"phase": "II"})
    found = key_figures(response)
    assert found["smes_trained"] == (3, None)
    assert found["deliveries"] == (3, None)
    assert found["deliveries_independent_pct"] == (0, None)
    assert found["ntac_meetings"] == (2, 3)
    assert found["partners_active"] == (3, None)
    assert found["lead_buyers_sponsoring"] == (0, None)
    assert found["direct_costs_usd"] == (2200, None)
    assert section(response, "key-figures").table.marked == set()


@pytest.mark.django_db
def test_the_partner_filter_changes_the_figures_it_applies_to(admin_client, filtered):
    """Partner X organised D1 only: Phase II SMEs A and B (2 of 3), one delivery,
    3 participations (of 5); NTAC meetings are not about partners: left empty."""
    response = admin_client.get(PROGRAMME, {"phase": "II", "partner": "X"})
    assert response.status_code == 200
    found = key_figures(response)
    assert found["smes_trained"] == (2, None)
    assert found["deliveries"] == (1, None)
    assert found["ntac_meetings"] == (None, None)  # and no target: the cell is filtered
    profile = admin_client.get(COUNTRY, {"phase": "II", "partner": "X"})
    facts = {fact.code: fact.value for fact in profile.context["facts"]}
    assert (facts["smes_trained"], facts["staff_trained"]) == (2, 3)
    assert "filters-left-out" in profile.content.decode()


@pytest.mark.django_db
def test_the_sector_and_lead_buyer_filters_change_the_figures(admin_client, filtered):
    """Textiles: firm A, Phase II in D1 (2 participants) and D2 (1): 1 SME, 3
    participations. HM's supplier B: 1 SME, 1 participation (D1)."""
    for params, expected in (({"sector": "Textiles"}, (1, 3)), ({"lead_buyer": "HM"}, (1, 1))):
        profile = admin_client.get(COUNTRY, {"phase": "II", **params})
        facts = {fact.code: fact.value for fact in profile.context["facts"]}
        assert (facts["smes_trained"], facts["staff_trained"]) == expected, params


@pytest.mark.django_db
def test_a_date_range_for_a_quarterly_review(admin_client, filtered):
    """2014-01-01 to 2014-06-30: D1 (March: A, B; 3 participations) and D3 (April,
    PE: D, 1). Programme: 3 SMEs; Bolivia: 2 SMEs, 3 participations."""
    dates = {"from": "2014-01-01", "to": "2014-06-30"}
    response = admin_client.get(PROGRAMME, dates)
    assert key_figures(response)["smes_trained"] == (3, None)
    profile = admin_client.get(COUNTRY, dates)
    facts = {fact.code: fact.value for fact in profile.context["facts"]}
    assert (facts["smes_trained"], facts["staff_trained"]) == (2, 3)
    assert "2014-01-01 – 2014-06-30" in profile.content.decode()
    assert 'name="from"' in profile.content.decode()


@pytest.mark.django_db
def test_a_bad_date_or_filter_is_a_400_naming_it(admin_client, filtered):
    response = admin_client.get(PROGRAMME, {"from": "2014-13-01"})
    assert response.status_code == 400
    assert "from: not a date" in response.content.decode()
    response = admin_client.get(PROGRAMME, {"partner": "NOPE"})
    assert response.status_code == 400
    assert "unknown partner" in response.content.decode()
    response = admin_client.get(PROGRAMME, {"phase": "II", "from": "2014-01-01"})
    assert response.status_code == 400


@pytest.mark.django_db
def test_viewers_keep_to_fixed_periods(donor_client, filtered):
    """The disclosure rule: no date range for aggregates-only users, and no date
    fields in their picker; the place filters they may use."""
    response = donor_client.get(PROGRAMME, {"from": "2014-01-01", "to": "2014-06-30"})
    assert response.status_code == 400
    assert "fixed period" in response.content.decode()
    page = donor_client.get(PROGRAMME, {"phase": "II"})
    assert page.status_code == 200
    assert 'name="from"' not in page.content.decode()
    assert donor_client.get(PROGRAMME, {"phase": "II", "partner": "X"}).status_code == 200
