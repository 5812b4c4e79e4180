"""Writes of enterprises that touch several records."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.reference.models import Organisation


@transaction.atomic
def enterprise_set_lead_buyers(
    *, enterprise: Enterprise, lead_buyers: Iterable[Organisation]
) -> None:
    """Make `lead_buyers` the enterprise's lead buyers.

    Links are saved and deleted one by one (not with `.set()`), so each gets its
    author stamp and a history entry: a removed link can be seen and restored.
    """
    wanted = {buyer.pk for buyer in lead_buyers}
    for link in enterprise.buyer_links.exclude(lead_buyer__in=wanted):
        link.delete()
    existing = set(enterprise.buyer_links.values_list("lead_buyer_id", flat=True))
    for pk in wanted - existing:
        LeadBuyerLink(enterprise=enterprise, lead_buyer_id=pk).save()
