from __future__ import annotations

from django.contrib import admin

from scoretrack.enterprises import models
from scoretrack.lib.admin import ExactKeyFirst, RecordAdmin, RecordInline


class LeadBuyerInline(RecordInline):
    model = models.LeadBuyerLink
    autocomplete_fields = ["lead_buyer"]


@admin.register(models.Enterprise)
class EnterpriseAdmin(ExactKeyFirst, RecordAdmin):
    list_display = ["name", "key", "country", "sector", "women_owned", "unionised"]
    # Sorted on indexes only: (name, id) and key (lib/admin.py).
    ordering = ["name", "id"]
    sortable_by = ["name", "key"]
    list_filter = ["country", "sector", "women_owned", "unionised", "collective_agreement"]
    search_fields = ["name", "key"]  # a key exactly: through its index (ExactKeyFirst)
    list_select_related = ["country", "sector"]
    autocomplete_fields = ["region", "sector", "cluster"]
    inlines = [LeadBuyerInline]


@admin.register(models.LeadBuyerLink)
class LeadBuyerLinkAdmin(RecordAdmin):
    list_display = ["enterprise", "lead_buyer"]
    search_fields = ["enterprise__name", "lead_buyer__name"]
    list_select_related = ["enterprise", "lead_buyer"]
    autocomplete_fields = ["enterprise", "lead_buyer"]
