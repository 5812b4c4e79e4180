"""Approvals of a country's data per period, and the violations of the data-quality rules."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from scoretrack.lib.models import Choices, Record, ScopedQuerySet
from scoretrack.quality.periods import Period
from scoretrack.reference.models import CountryProgramme


class ApprovalState(Choices):
    OPEN = "open", _("Open")
    SUBMITTED = "submitted", _("Ready for approval")
    APPROVED = "approved", _("Approved")


class Approval(Record):
    """One country programme's data for one period (quarter, half-year or year):
    open, submitted as ready by its partners or country team, approved by the
    country team or HQ. An approved period locks every record dated in it
    (quality/locks.py) until HQ reopens it, with a reason. Its history keeps each step."""

    State = ApprovalState

    country = models.ForeignKey(
        CountryProgramme, on_delete=models.PROTECT, related_name="approvals"
    )
    period = models.CharField(max_length=6, help_text="2016Q1, 2016H1 or 2016")
    start = models.DateField()
    end = models.DateField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopened_at = models.DateTimeField(null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reopen_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["country__name", "start", "end"]
        constraints = [
            models.UniqueConstraint(fields=["country", "period"], name="approval_unique"),
            models.CheckConstraint(
                condition=Q(state__in=ApprovalState.values), name="approval_state_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["country", "state", "start", "end"], name="approval_lookup"),
        ]

    def __str__(self) -> str:
        return f"{self.country.name} {self.period_label}"

    @property
    def period_label(self) -> str:
        return Period.parse(self.period).label


class RuleViolationState(Choices):
    OPEN = "open", _("Open")
    CLEARED = "cleared", _("Cleared")


class RuleViolation(models.Model):
    """What one data-quality rule (quality/rules.py) found wrong with one record.

    Kept by the runs of the rules: a run opens what it finds, and clears what it no
    longer finds (the data was fixed); found again, a cleared violation opens again.
    `key` tells apart several findings of one rule on one record (the quarter of
    missing KPI months); `page`/`page_id` name the page where it is fixed.
    """

    State = RuleViolationState

    rule = models.CharField(max_length=40)
    record_model = models.CharField(max_length=60)
    record_id = models.UUIDField()
    key = models.CharField(max_length=40, blank=True)
    country = models.ForeignKey(
        CountryProgramme, on_delete=models.CASCADE, related_name="rule_violations"
    )
    date = models.DateField(help_text="When what it is about happened: its reporting period")
    message = models.TextField(help_text="An English template, translated when shown")
    params = models.JSONField(default=dict, blank=True)
    page = models.CharField(max_length=60)
    page_id = models.UUIDField()
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    found_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["country", "date", "rule"]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "record_model", "record_id", "key"], name="rule_violation_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["country", "state", "date"], name="rule_violation_open"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.text}"

    @property
    def text(self) -> str:
        """The message in the page language."""
        from django.utils.translation import gettext

        return gettext(self.message) % self.params


class QualityRun(models.Model):
    """One run of the data-quality rules: on demand or the worker's nightly one
    (`day` set, unique, so that several workers start one a night)."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    day = models.DateField(null=True, unique=True, help_text="The night of a nightly run")
    country = models.ForeignKey(
        CountryProgramme, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened = models.PositiveIntegerField(default=0)
    cleared = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M}: {self.opened} opened, {self.cleared} cleared"
