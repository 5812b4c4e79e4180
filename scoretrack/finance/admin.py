from __future__ import annotations

from django.contrib import admin

from scoretrack.finance import models
from scoretrack.lib.admin import RecordAdmin


@admin.register(models.ExchangeRate)
class ExchangeRateAdmin(RecordAdmin):
    list_display = ["currency", "date", "per_usd"]
    list_filter = ["currency"]
    search_fields = ["currency"]


@admin.register(models.DirectCost)
class DirectCostAdmin(RecordAdmin):
    list_display = ["country", "date", "category", "amount", "currency", "usd"]
    list_filter = ["country", "currency", "category"]
    search_fields = ["category", "delivery__key"]
    list_select_related = ["country"]
    autocomplete_fields = ["delivery"]
    date_hierarchy = "date"


@admin.register(models.Contribution)
class ContributionAdmin(RecordAdmin):
    list_display = [
        "country",
        "date",
        "organisation",
        "source",
        "kind",
        "amount",
        "currency",
        "usd",
    ]
    list_filter = ["country", "source", "kind"]
    search_fields = ["organisation__name", "organisation__key"]
    list_select_related = ["country", "organisation"]
    autocomplete_fields = ["organisation", "delivery"]
    date_hierarchy = "date"
