"""Forms of the organisation pages and their agreements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from scoretrack.lib.forms import FilterForm, RecordForm
from scoretrack.reference.models import Agreement, CountryProgramme, Organisation, OrganisationType


def country_choice(**kwargs: Any) -> forms.ModelChoiceField:
    """A country filter keyed by ISO code, so list URLs read `?country=BO`."""
    return forms.ModelChoiceField(
        queryset=CountryProgramme.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All countries"),
        **kwargs,
    )


class OrganisationFilter(FilterForm):
    search_fields = ("name", "key", "country__name")
    lookups = {"country": "country", "type": "type"}

    country = country_choice()
    type = forms.ChoiceField(
        choices=[("", gettext_lazy("All types")), *OrganisationType.choices], required=False
    )


class OrganisationForm(RecordForm):
    class Meta:
        model = Organisation
        fields = ["key", "name", "country", "type"]


class AgreementForm(RecordForm):
    fixed_fields = ("organisation",)

    class Meta:
        model = Agreement
        fields = ["country", "kind", "signed_on", "ended_on"]
        widgets = {
            "signed_on": forms.DateInput(attrs={"type": "date"}),
            "ended_on": forms.DateInput(attrs={"type": "date"}),
        }
