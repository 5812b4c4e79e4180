from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from scoretrack.lib.admin import NEWEST_FIRST, KeySearch, RecordAdmin, RecordInline
from scoretrack.outcomes import models


@admin.register(models.Practice)
class PracticeAdmin(RecordAdmin):
    list_display = ["code", "name", "module"]
    search_fields = ["code", "name"]


class PracticeAnswerInline(RecordInline):
    model = models.PracticeAnswer
    fields = ["practice", "in_place"]


@admin.register(models.Assessment)
class AssessmentAdmin(RecordAdmin):
    list_display = ["enterprise", "kind", "date", "assessor"]
    list_filter = ["kind", "enterprise__country"]
    search_fields = ["enterprise__name", "enterprise__key"]
    list_select_related = ["enterprise", "assessor"]
    autocomplete_fields = ["enterprise", "assessor"]
    inlines = [PracticeAnswerInline]


@admin.register(models.Kpi)
class KpiAdmin(RecordAdmin):
    list_display = ["code", "name", "unit", "better", "module"]
    list_filter = ["better", "module"]
    search_fields = ["code", "name"]


@admin.register(models.KpiObservation)
class KpiObservationAdmin(KeySearch, RecordAdmin):
    # Millions of rows: read on indexes only (lib/admin.py).
    list_display = [
        "enterprise",
        "kpi",
        "month",
        "value",
        "numerator",
        "denominator",
        "updated_at",
    ]
    ordering = NEWEST_FIRST
    sortable_by = ["updated_at"]
    list_filter = ["kpi", "enterprise__country"]
    search_fields = ["enterprise__key"]  # the search box; KeySearch answers it
    key_search = {"enterprise": "key"}
    search_help_text = _("An enterprise's key, exactly.")
    list_select_related = ["enterprise", "kpi"]
    autocomplete_fields = ["enterprise"]


@admin.register(models.KpiSelection)
class KpiSelectionAdmin(RecordAdmin):
    list_display = ["enterprise", "kpi", "selected_on", "baseline", "target", "frequency"]
    list_filter = ["kpi", "frequency", "enterprise__country"]
    search_fields = ["enterprise__name", "enterprise__key"]
    list_select_related = ["enterprise", "kpi"]
    autocomplete_fields = ["enterprise"]


@admin.register(models.Initiative)
class InitiativeAdmin(RecordAdmin):
    list_display = ["title", "enterprise", "module", "status", "gender_related", "saving_usd"]
    list_filter = ["status", "gender_related", "module"]
    search_fields = ["title", "enterprise__name"]
    list_select_related = ["enterprise", "module"]
    autocomplete_fields = ["enterprise"]


@admin.register(models.WorkerSurveyAnswer)
class WorkerSurveyAnswerAdmin(RecordAdmin):
    list_display = ["enterprise", "wave", "respondent", "sex", "question", "answer"]
    list_filter = ["wave", "sex", "question"]
    search_fields = ["enterprise__name", "respondent", "question"]
    list_select_related = ["enterprise"]
    autocomplete_fields = ["enterprise"]


@admin.register(models.PracticeAnswer)
class PracticeAnswerAdmin(RecordAdmin):
    list_display = ["assessment", "practice", "in_place"]
    list_filter = ["in_place", "practice"]
    search_fields = ["assessment__enterprise__name", "practice__code"]
    list_select_related = ["assessment__enterprise", "practice"]
    autocomplete_fields = ["assessment"]
