from __future__ import annotations

from django.contrib import admin

from scoretrack.lib.admin import RecordAdmin, RecordInline
from scoretrack.trainers import models


class MilestoneInline(RecordInline):
    model = models.Milestone
    fields = ["milestone", "date", "module"]


@admin.register(models.Trainer)
class TrainerAdmin(RecordAdmin):
    list_display = ["name", "key", "sex", "country", "organisation"]
    list_filter = ["country", "sex"]
    search_fields = ["name", "key", "email"]
    list_select_related = ["country", "organisation"]
    autocomplete_fields = ["organisation"]
    inlines = [MilestoneInline]


@admin.register(models.Milestone)
class MilestoneAdmin(RecordAdmin):
    list_display = ["trainer", "milestone", "date", "module"]
    list_filter = ["milestone", "trainer__country"]
    search_fields = ["trainer__name", "trainer__key"]
    list_select_related = ["trainer", "module"]
    autocomplete_fields = ["trainer"]
