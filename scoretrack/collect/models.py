"""Field submissions (from ODK Collect, KoboCollect, the browser form or a CSV of
Kobo / ODK Central) and the per-user secret phones authenticate with.

A submission is kept whatever becomes of it: its raw XML and attachments stay, its
state says where it is (received, has issues, approved, rejected; the states of ODK
Central), and its history (django-simple-history) records every review decision.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from scoretrack.lib.models import ScopedQuerySet

# The Digest realm: part of the HA1 a phone's secret is stored as, so it never changes.
REALM = "scoretrack"


class Submission(models.Model):
    class State(models.TextChoices):
        RECEIVED = "received", _("Received")
        HAS_ISSUES = "has_issues", _("Has issues")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    class Channel(models.TextChoices):
        OPENROSA = "openrosa", _("ODK Collect / KoboCollect")
        BROWSER = "browser", _("Browser form")
        CSV = "csv", _("CSV of Kobo or ODK Central")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    instance_id = models.CharField(_("instance ID"), max_length=255, unique=True)
    form_id = models.CharField(_("form"), max_length=100, blank=True)
    form_version = models.CharField(_("form version"), max_length=100, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
        verbose_name=_("sent by"),
    )
    # The country programme of its sender, so that country teams review their own.
    country = models.ForeignKey(
        "reference.CountryProgramme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("country programme"),
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.RECEIVED
    )
    reason = models.TextField(_("reason"), blank=True)
    # The reason in each interface language ({"es": "..."}), said when it was found,
    # so that each reader sees it in its own; `reason` holds it in LANGUAGE_CODE.
    reasons = models.JSONField(_("reason in each language"), default=dict, blank=True)
    review_note = models.TextField(_("review note"), blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("reviewer"),
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    xml = models.TextField(_("raw XML"))
    # The instance as a reviewer corrected it (the raw XML above is never changed).
    corrected_xml = models.TextField(_("corrected XML"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    # What it wrote: [{"model": "training.Participant", "id": "..."}, ...]
    records = models.JSONField(_("records written"), default=list, blank=True)
    history = HistoricalRecords(excluded_fields=["xml", "corrected_xml"])

    objects = ScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at"]
        indexes = [models.Index(fields=["state", "-received_at"], name="submission_state_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["received", "has_issues", "approved", "rejected"]),
                name="submission_state_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.form_id} {self.instance_id}"

    @property
    def reason_shown(self) -> str:
        """The reason in the active language (the reviewer's page, the phone's answer)."""
        return reason_in(self.reasons, self.reason)

    @property
    def current_xml(self) -> str:
        return self.corrected_xml or self.xml


def reason_in(reasons: dict[str, str] | None, fallback: str) -> str:
    """A reason kept in every language, in the active one."""
    return (reasons or {}).get(get_language() or "", "") or fallback


class SubmissionAttachment(models.Model):
    """A file sent with a submission (a photo, a signature), kept with it."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["submission", "name"], name="attachment_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


def digest_ha1(username: str, password: str) -> str:
    """RFC 7616 HA1 for MD5: what the server must know to check a Digest response."""
    return hashlib.md5(f"{username}:{REALM}:{password}".encode()).hexdigest()


class CollectKey(models.Model):
    """A user's collect password, generated on a page and shown once.

    HTTP Digest needs the server to know MD5(username:realm:password), which a
    Django password hash cannot give: so phones get their own password, stored only
    as that HA1 (it opens the OpenRosa endpoints and nothing else; a new one
    replaces it). The same password works with Basic over HTTPS, and the key's
    token gives a per-user URL (`/collect/key/<token>/`) as ODK Central's app users
    have; only its SHA-256 is stored.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="collect_key"
    )
    ha1 = models.CharField(max_length=32)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return str(self.user)

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @classmethod
    def issue(cls, user: Any) -> tuple[str, str]:
        """A new password and URL token for `user` (replacing any earlier ones)."""
        password = secrets.token_urlsafe(12)
        token = secrets.token_urlsafe(24)
        cls.objects.update_or_create(
            user=user,
            defaults={
                "ha1": digest_ha1(user.get_username(), password),
                "token_hash": cls.hash_token(token),
            },
        )
        return password, token
