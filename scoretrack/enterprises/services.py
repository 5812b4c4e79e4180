"""Writes of enterprises that touch several records."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from scoretrack.accounts.scoping import may_write_kind
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.reference.models import Organisation, OrganisationType


def lead_buyer_choices(user: Any) -> QuerySet[Organisation]:
    """The lead buyers the user may link an enterprise to or unlink it from: those
    it can read, if its role writes lead-buyer links at all."""
    if not may_write_kind(user, LeadBuyerLink):
        return Organisation.objects.none()
    return Organisation.objects.visible_to(user).filter(type=OrganisationType.LEAD_BUYER)


@transaction.atomic
def enterprise_set_lead_buyers(
    *, acting_user: Any, enterprise: Enterprise, lead_buyers: Iterable[Organisation]
) -> None:
    """Make `lead_buyers` the enterprise's lead buyers among those the acting user
    may choose (`lead_buyer_choices`); links to any other lead buyer are kept as
    they are, since the user could neither see nor untick them.

    Links are saved and deleted one by one (not with `.set()`), so each gets its
    author stamp and a history entry: a removed link can be seen and restored.
    """
    choices = lead_buyer_choices(acting_user)
    wanted = {buyer.pk for buyer in lead_buyers}
    if not may_write_kind(acting_user, LeadBuyerLink) or (
        wanted and choices.filter(pk__in=wanted).count() != len(wanted)
    ):
        raise PermissionDenied(_("Your role does not let you change these lead buyers."))
    for link in enterprise.buyer_links.filter(lead_buyer__in=choices).exclude(
        lead_buyer__in=wanted
    ):
        link.delete()
    existing = set(enterprise.buyer_links.values_list("lead_buyer_id", flat=True))
    for pk in wanted - existing:
        LeadBuyerLink(enterprise=enterprise, lead_buyer_id=pk).save()
