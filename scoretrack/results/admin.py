from __future__ import annotations

from django.contrib import admin

from scoretrack.lib.admin import RecordAdmin
from scoretrack.results import models


@admin.register(models.ResultLevel)
class ResultLevelAdmin(RecordAdmin):
    list_display = ["key", "country", "level", "position", "statement"]
    list_filter = ["level"]
    search_fields = ["key", "statement"]
