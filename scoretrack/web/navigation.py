"""The main navigation: each role sees the pages it may use, decided by the same
permission functions those pages use (`accounts.scoping`), not a table of roles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from scoretrack.accounts.scoping import access_for, may_write_kind
from scoretrack.collect.review import may_review
from scoretrack.events.models import Event
from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.quality.services import may_review_any
from scoretrack.quality.views import may_see_approvals
from scoretrack.reference.models import Module
from scoretrack.training.models import Delivery


def _has_role(user: Any) -> bool:
    return bool(access_for(user).roles)


def _reads_records(user: Any) -> bool:
    """Record lists show something: not to lead buyers and viewers (aggregates only)."""
    return not access_for(user).aggregates_only


def _writes(model: type) -> Callable[[Any], bool]:
    return lambda user: may_write_kind(user, model)


def _collects(user: Any) -> bool:
    """The field forms: for the roles that may submit one of them."""
    from scoretrack.collect.forms import forms_for

    return bool(forms_for(user))


@dataclass(frozen=True)
class Link:
    name: str  # the URL's name
    label: str | Promise
    shown: Callable[[Any], bool]


LINKS = (
    Link("home", _("Home"), lambda user: True),
    Link("enterprises:enterprise-list", _("Enterprises"), _reads_records),
    Link("training:delivery-list", _("Deliveries"), _reads_records),
    Link("trainers:trainer-list", _("Trainers"), _reads_records),
    Link("reference:organisation-list", _("Organisations"), _reads_records),
    # Money: its pages list what their writers keep (costs and contributions are read
    # by country teams and partners, the roles that write them).
    Link("finance:cost-list", _("Costs"), _writes(DirectCost)),
    Link("finance:contribution-list", _("Contributions"), _writes(Contribution)),
    Link("events:event-list", _("Events"), _writes(Event)),
    Link("collect:forms", _("Field forms"), _collects),
    Link("reports:programme", _("Reports"), _has_role),
    Link("results:tracking", _("Results"), _has_role),
    # Review: approving a country's periods, and what the data-quality rules found.
    Link("quality:approvals", _("Approval"), may_see_approvals),
    Link("quality:violations", _("Data quality"), may_review_any),
    # Field collection's review queue, for those who review (country teams and HQ).
    Link("collect:review", _("Submissions"), may_review),
    # The workbook exchange is for those who run deliveries; trainers and enterprises
    # enter their data on their own pages (assessments, the KPI grid).
    Link("exchange:import", _("Import"), _writes(Delivery)),
    Link("exchange:export", _("Export"), _writes(Delivery)),
    # Catalogues are HQ's: no role writes them but a global admin.
    Link("catalogues:index", _("Catalogues"), _writes(Module)),
    Link("admin:index", _("Admin"), lambda user: user.is_staff),
)


def links_for(user: Any, path: str = "") -> list[dict[str, Any]]:
    """The links this user sees: label, url, and whether it is the current page."""
    shown = []
    for link in LINKS:
        if not link.shown(user):
            continue
        url = reverse(link.name)
        current = path == url if url == "/" else path.startswith(url)
        shown.append({"label": link.label, "url": url, "current": current})
    return shown
