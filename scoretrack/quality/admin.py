from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied

from scoretrack.lib.admin import RecordAdmin
from scoretrack.quality import models


@admin.register(models.Approval)
class ApprovalAdmin(RecordAdmin):
    """Read only, for superusers too: a period is submitted, approved and reopened
    on its page (/quality/approvals/) through `quality.services`, which check the
    role, the open violations and the reopening's reason and keep each step. Nothing
    here adds, changes, deletes or reverts an approval, which would lock or unlock a
    period with none of that."""

    list_display = ["country", "period", "state", "approved_at", "approved_by"]
    list_filter = ["state"]
    search_fields = ["period", "country__name", "country__code"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def history_form_view(self, request: Any, object_id: str, version_id: str, **kw: Any) -> Any:
        # simple_history saves a posted revert with the view permission alone.
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, **kw)
