"""Admin base: change history on every record, stamps read-only, scoped queryset."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

STAMPS = ("id", "created_at", "created_by", "updated_at", "updated_by")


class RecordAdmin(SimpleHistoryAdmin):
    readonly_fields = STAMPS
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: Any) -> Any:
        # The admin goes through the one scoping method too.
        return super().get_queryset(request).visible_to(request.user)


class RecordInline(admin.TabularInline):
    extra = 0
    show_change_link = True
