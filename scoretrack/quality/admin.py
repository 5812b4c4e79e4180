from __future__ import annotations

from django.contrib import admin

from scoretrack.lib.admin import RecordAdmin
from scoretrack.quality import models


@admin.register(models.Approval)
class ApprovalAdmin(RecordAdmin):
    """Periods are approved and reopened on their pages (/quality/approvals/), where
    the steps are checked and kept; here their states are read, and corrected only
    by a superuser."""

    list_display = ["country", "period", "state", "approved_at", "approved_by"]
    list_filter = ["state"]
    search_fields = ["period", "country__name", "country__code"]
    readonly_fields = [
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
        "reopened_at",
        "reopened_by",
    ]
