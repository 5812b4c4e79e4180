"""Disclosure counts made ahead of the donors: the worker's warm-up after a change.

The counts behind disclosure control (indicators/protection.py) are kept per
version of the data and per aggregate scope; after any write the first lead
buyer or viewer to open a report would wait for all of them. When idle, the
worker (`scoretrack worker`) makes them instead: for one user of each aggregate
scope, the programme report and every country profile, all time. A report for
another period reads mostly the same counts (each table holds every period).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings

from scoretrack.lib import derived

logger = logging.getLogger(__name__)


def aggregate_users() -> list[Any]:
    """One active user of each aggregate scope (every viewer shares one; each lead
    buyer's users theirs), in a stable order."""
    from scoretrack.accounts.models import User
    from scoretrack.accounts.scoping import access_for
    from scoretrack.indicators.protection import scope_of

    found: dict[tuple[Any, ...], Any] = {}
    users = (
        User.objects.filter(is_active=True, roles__role__in=["viewer", "lead_buyer"])
        .distinct()
        .order_by("email")
    )
    for user in users:
        if access_for(user).aggregates_only:
            found.setdefault(scope_of(user), user)
    return list(found.values())


def plan() -> list[tuple[Any, str | None, str | None]]:
    """The report pages to make, as (user, country, phase): for one user of each
    aggregate scope, the programme report and every country profile, for all time
    and for each phase. Empty when the counts are not kept."""
    from scoretrack.reference.models import CountryProgramme, Phase

    if not settings.DISCLOSURE_CACHE_SECONDS:
        return []
    phases = [None, *Phase.objects.order_by("start_date").values_list("name", flat=True)]
    pages: list[tuple[Any, str | None, str | None]] = []
    for user in aggregate_users():
        countries = CountryProgramme.objects.visible_to(user, purpose="aggregates")
        codes = [None, *countries.order_by("code").values_list("code", flat=True)]
        pages += [(user, code, phase) for phase in phases for code in codes]
    return pages


def make(user: Any, country: str | None, phase: str | None) -> None:
    """Ask every figure of one report page as `user` (its counts are then kept)."""
    from scoretrack.reports.country import country_profile
    from scoretrack.reports.figures import Figures
    from scoretrack.reports.programme import programme_report

    with derived.refreshed_once():
        figures = Figures.for_request(user, country=country, phase=phase, year=None)
        if country is None:
            programme_report(figures)
        else:
            country_profile(figures)


def warm() -> int:
    """Make every page of the plan now; how many."""
    pages = plan()
    for page in pages:
        make(*page)
    return len(pages)
