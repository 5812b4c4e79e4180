from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scoretrack.lib.admin import NEWEST_FIRST, KeySearch, RecordAdmin, RecordInline, fixed_choices
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
class ParticipantAdmin(KeySearch, RecordAdmin):
    # Hundreds of thousands of rows: read on indexes only (lib/admin.py).
    list_display = [
        "__str__",
        "delivery",
        "enterprise",
        "sex",
        "role",
        "eit_member",
        "satisfaction",
        "updated_at",
    ]
    ordering = NEWEST_FIRST
    sortable_by = ["updated_at"]
    list_filter = [
        "sex",
        "role",
        "eit_member",
        fixed_choices("satisfaction", range(1, 6), _("satisfaction")),
        "delivery__country",
    ]
    search_fields = ["delivery__key"]  # the search box; KeySearch answers it
    key_search = {"delivery": "key", "enterprise": "key"}
    search_help_text = _("A delivery's or an enterprise's key, exactly.")
    list_select_related = ["delivery__module", "enterprise"]
    autocomplete_fields = ["delivery", "enterprise"]


@admin.register(models.ConsultingVisit)
class ConsultingVisitAdmin(KeySearch, RecordAdmin):
    list_display = ["enterprise", "trainer", "date", "hours", "updated_at"]
    ordering = NEWEST_FIRST
    sortable_by = ["updated_at"]
    list_filter = ["enterprise__country"]
    search_fields = ["enterprise__key"]  # the search box; KeySearch answers it
    key_search = {"enterprise": "key", "trainer": "key"}
    search_help_text = _("An enterprise's or a trainer's key, exactly.")
    list_select_related = ["enterprise", "trainer"]
    autocomplete_fields = ["enterprise", "trainer", "delivery"]
