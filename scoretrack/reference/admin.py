from __future__ import annotations

from django.contrib import admin

from scoretrack.lib.admin import RecordAdmin, RecordInline
from scoretrack.reference import models


@admin.register(models.CountryProgramme)
class CountryProgrammeAdmin(RecordAdmin):
    list_display = ["code", "name", "start_date", "currency", "status"]
    list_filter = ["status"]
    search_fields = ["code", "name"]


@admin.register(models.Phase)
class PhaseAdmin(RecordAdmin):
    list_display = ["name", "start_date", "end_date"]
    search_fields = ["name"]


@admin.register(models.Module)
class ModuleAdmin(RecordAdmin):
    list_display = ["code", "name", "core", "compulsory_first"]
    list_filter = ["core", "compulsory_first"]
    search_fields = ["code", "name"]


@admin.register(models.Sector)
class SectorAdmin(RecordAdmin):
    search_fields = ["name"]


@admin.register(models.Region)
class RegionAdmin(RecordAdmin):
    list_display = ["name", "country"]
    list_filter = ["country"]
    search_fields = ["name"]


@admin.register(models.Cluster)
class ClusterAdmin(RecordAdmin):
    list_display = ["name", "country", "sector"]
    list_filter = ["country", "sector"]
    search_fields = ["name"]


class AgreementInline(RecordInline):
    model = models.Agreement
    fields = ["country", "kind", "signed_on", "ended_on"]


@admin.register(models.Organisation)
class OrganisationAdmin(RecordAdmin):
    list_display = ["name", "key", "country", "type"]
    list_filter = ["type", "country"]
    search_fields = ["name", "key"]
    list_select_related = ["country"]
    inlines = [AgreementInline]


@admin.register(models.Agreement)
class AgreementAdmin(RecordAdmin):
    list_display = ["organisation", "country", "kind", "signed_on", "ended_on"]
    list_filter = ["kind", "country"]
    search_fields = ["organisation__name", "organisation__key"]
    list_select_related = ["organisation", "country"]
    autocomplete_fields = ["organisation"]


@admin.register(models.Target)
class TargetAdmin(RecordAdmin):
    list_display = ["indicator", "country", "phase", "year", "value"]
    list_filter = ["indicator", "country", "phase"]
    search_fields = ["indicator"]
    list_select_related = ["country", "phase"]
