"""Forms of the organisation pages and their agreements."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
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


def organisation_choice(queryset: QuerySet, label: Any) -> forms.ModelChoiceField:
    """A list filter on one organisation of `queryset` (blank: all)."""
    return forms.ModelChoiceField(
        label=label, queryset=queryset, required=False, empty_label=gettext_lazy("All")
    )


def partner_filter() -> forms.ModelChoiceField:
    """The organiser of a delivery (the figures' partner filter)."""
    partners = Organisation.objects.filter(deliveries__isnull=False).distinct()
    return organisation_choice(partners, gettext_lazy("Partner"))


def lead_buyer_filter() -> forms.ModelChoiceField:
    lead_buyers = Organisation.objects.filter(type="lead_buyer")
    return organisation_choice(lead_buyers, gettext_lazy("Lead buyer"))


class OrganisationFilter(FilterForm):
    search_fields = ("name", "key", "country__name")
    lookups = {"country": "country", "type": "type"}

    country = country_choice()
    type = forms.ChoiceField(
        choices=[("", gettext_lazy("All types")), *OrganisationType.choices], required=False
    )
    # The partners active on a day (as partners_active counts them): an agreement
    # signed by then and not ended before it, in the country chosen here.
    active_on = forms.DateField(
        label=gettext_lazy("Active partner on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    active_in = country_choice(label=gettext_lazy("Active partner in"))

    def filter(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter(queryset)
        if not self.is_bound or not self.is_valid():
            return queryset
        day, country = self.cleaned_data.get("active_on"), self.cleaned_data.get("active_in")
        if day is None and country is None:
            return queryset
        active = Q(organisation=OuterRef("pk"))
        if day is not None:
            active &= Q(signed_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gte=day))
        if country is not None:
            active &= Q(country=country)
        return queryset.filter(Exists(Agreement.objects.visible_to(self.user).filter(active)))


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
