"""The steps of an approval: submit (ready), approve, reopen. Each atomic, each
checked against the acting user's role and country, each kept in the history."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from scoretrack.accounts.scoping import access_for
from scoretrack.lib.current_user import acting_as
from scoretrack.quality.models import Approval, RuleViolation
from scoretrack.quality.periods import Period
from scoretrack.reference.models import CountryProgramme


class ApprovalRefused(Exception):
    """The step may not be taken; the message says why. `confirm`: it may, once the
    user confirms (approving a period with open violations)."""

    def __init__(self, message: str, *, confirm: bool = False) -> None:
        super().__init__(message)
        self.confirm = confirm


def may_approve(user: Any, country: CountryProgramme) -> bool:
    """HQ approves any country's periods, a country team its own country's."""
    access = access_for(user)
    return access.is_global or country.pk in access.countries


def may_submit(user: Any, country: CountryProgramme) -> bool:
    """Those who approve, and the partners working in the country, mark a period ready."""
    return may_approve(user, country) or country.pk in access_for(user).partner_countries


def may_reopen(user: Any) -> bool:
    return access_for(user).is_global


def may_review_any(user: Any) -> bool:
    """Sees the approvals and violations pages: HQ and country teams."""
    access = access_for(user)
    return access.is_global or bool(access.countries)


def open_violations(country: CountryProgramme, period: Period) -> QuerySet:
    return RuleViolation.objects.filter(
        country=country,
        state=RuleViolation.State.OPEN,
        date__gte=period.start,
        date__lte=period.end,
    )


def _approval(country: CountryProgramme, period: Period) -> Approval:
    approval, _created = Approval.objects.select_for_update().get_or_create(
        country=country,
        period=period.code,
        defaults={"start": period.start, "end": period.end},
    )
    return approval


@transaction.atomic
def approval_submit(*, acting_user: Any, country: CountryProgramme, period: Period) -> Approval:
    if not may_submit(acting_user, country):
        raise ApprovalRefused(_("Your role may not submit this country's data."))
    approval = _approval(country, period)
    if approval.state != Approval.State.OPEN:
        raise ApprovalRefused(_("Only an open period can be submitted."))
    approval.state = Approval.State.SUBMITTED
    approval.submitted_at, approval.submitted_by = timezone.now(), acting_user
    with acting_as(acting_user):
        approval.save()
    return approval


@transaction.atomic
def approval_approve(
    *, acting_user: Any, country: CountryProgramme, period: Period, confirmed: bool = False
) -> Approval:
    """Approve (and so lock) the period; with open violations only once `confirmed`."""
    if not may_approve(acting_user, country):
        raise ApprovalRefused(_("Your role may not approve this country's data."))
    if period.start > timezone.localdate():
        raise ApprovalRefused(_("A period that has not started cannot be approved."))
    approval = _approval(country, period)
    if approval.state == Approval.State.APPROVED:
        raise ApprovalRefused(_("This period is approved already."))
    count = open_violations(country, period).count()
    if count and not confirmed:
        raise ApprovalRefused(
            _("%(count)s open violations of the data-quality rules: approve all the same?")
            % {"count": count},
            confirm=True,
        )
    approval.state = Approval.State.APPROVED
    approval.approved_at, approval.approved_by = timezone.now(), acting_user
    with acting_as(acting_user):
        approval.save()
    return approval


@transaction.atomic
def approval_reopen(
    *, acting_user: Any, country: CountryProgramme, period: Period, reason: str
) -> Approval:
    """HQ reopens an approved period (unlocking it), saying why."""
    if not may_reopen(acting_user):
        raise ApprovalRefused(_("Only HQ may reopen an approved period."))
    if not reason.strip():
        raise ApprovalRefused(_("Say why the period is reopened."))
    approval = _approval(country, period)
    if approval.state != Approval.State.APPROVED:
        raise ApprovalRefused(_("Only an approved period can be reopened."))
    approval.state = Approval.State.OPEN
    approval.reopened_at, approval.reopened_by = timezone.now(), acting_user
    approval.reopen_reason = reason.strip()
    with acting_as(acting_user):
        approval.save()
    return approval
