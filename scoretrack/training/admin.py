from __future__ import annotations

from django.contrib import admin

from scoretrack.lib.admin import RecordAdmin, RecordInline
from scoretrack.training import models


class EnrolmentInline(RecordInline):
    model = models.Enrolment
    autocomplete_fields = ["enterprise"]


@admin.register(models.Delivery)
class DeliveryAdmin(RecordAdmin):
    list_display = ["key", "country", "module", "organiser", "independence", "start_date"]
    list_filter = ["country", "module", "independence"]
    search_fields = ["key", "organiser__name"]
    list_select_related = ["country", "module", "organiser"]
    autocomplete_fields = ["organiser", "trainers"]
    date_hierarchy = "start_date"
    inlines = [EnrolmentInline]


@admin.register(models.Enrolment)
class EnrolmentAdmin(RecordAdmin):
    list_display = ["delivery", "enterprise", "status", "fee", "currency", "fee_usd"]
    list_filter = ["status", "delivery__country"]
    search_fields = ["delivery__key", "enterprise__name", "enterprise__key"]
    list_select_related = ["delivery__module", "enterprise"]
    autocomplete_fields = ["delivery", "enterprise"]


@admin.register(models.Participant)
class ParticipantAdmin(RecordAdmin):
    list_display = [
        "__str__",
        "delivery",
        "enterprise",
        "sex",
        "role",
        "eit_member",
        "satisfaction",
    ]
    list_filter = ["sex", "role", "eit_member", "satisfaction", "delivery__country"]
    search_fields = ["name", "person", "delivery__key", "enterprise__name"]
    list_select_related = ["delivery__module", "enterprise"]
    autocomplete_fields = ["delivery", "enterprise"]


@admin.register(models.ConsultingVisit)
class ConsultingVisitAdmin(RecordAdmin):
    list_display = ["enterprise", "trainer", "date", "hours"]
    list_filter = ["enterprise__country"]
    search_fields = ["enterprise__name", "trainer__name"]
    list_select_related = ["enterprise", "trainer"]
    autocomplete_fields = ["enterprise", "trainer", "delivery"]
    date_hierarchy = "date"
