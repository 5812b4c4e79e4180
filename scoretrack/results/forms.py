"""The form of a result of the chain."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from scoretrack.reference.catalogue_forms import CatalogueForm
from scoretrack.results.models import ResultLevel


class ResultLevelForm(CatalogueForm):
    constraint_fields = {
        "result_level_key_unique_per_country": (
            "key",
            gettext_lazy("This country's chain has a result with this key already."),
        ),
        "result_level_key_unique_programme": (
            "key",
            gettext_lazy("The programme's chain has a result with this key already."),
        ),
    }

    class Meta:
        model = ResultLevel
        fields = [
            "key",
            "country",
            "level",
            "position",
            "statement",
            "indicators",
            "assumptions",
            "verification",
        ]
        labels = {
            "verification": gettext_lazy("Means of verification"),
            "indicators": gettext_lazy("Indicators"),
        }
        widgets = {
            "assumptions": forms.Textarea(attrs={"rows": 3}),
            "verification": forms.Textarea(attrs={"rows": 3}),
        }
