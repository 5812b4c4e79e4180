from __future__ import annotations

from django.contrib import admin

from scoretrack.events import models
from scoretrack.lib.admin import RecordAdmin, RecordInline


class ParticipationInline(RecordInline):
    model = models.EventParticipation
    fields = ["group", "female", "male"]


@admin.register(models.Event)
class EventAdmin(RecordAdmin):
    list_display = ["title", "key", "country", "kind", "date"]
    list_filter = ["kind", "country"]
    search_fields = ["title", "key"]
    list_select_related = ["country"]
    date_hierarchy = "date"
    inlines = [ParticipationInline]


@admin.register(models.EventParticipation)
class EventParticipationAdmin(RecordAdmin):
    list_display = ["event", "group", "female", "male"]
    list_filter = ["group"]
    list_select_related = ["event"]
