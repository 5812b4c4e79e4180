"""Forms of the enterprise pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from scoretrack.enterprises.models import Enterprise
from scoretrack.enterprises.services import enterprise_set_lead_buyers
from scoretrack.lib.forms import FilterForm, RecordForm, YesNoUnknownFilter
from scoretrack.reference.forms import country_choice
from scoretrack.reference.models import Organisation, OrganisationType, Sector


class EnterpriseFilter(FilterForm):
    search_fields = ("name", "key")
    lookups = {"country": "country", "sector": "sector", "women_owned": "women_owned"}

    country = country_choice()
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.all(), required=False, empty_label=gettext_lazy("All sectors")
    )
    women_owned = YesNoUnknownFilter(label=gettext_lazy("Women-owned"))


class EnterpriseForm(RecordForm):
    country_bound = ("region", "cluster")

    lead_buyers = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.filter(type=OrganisationType.LEAD_BUYER),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=gettext_lazy("The lead buyers this enterprise supplies"),
    )

    class Meta:
        model = Enterprise
        fields = [
            "key",
            "name",
            "country",
            "region",
            "sector",
            "cluster",
            "workforce_female",
            "workforce_male",
            "women_owned",
            "unionised",
            "collective_agreement",
        ]
        labels = {
            "workforce_female": gettext_lazy("Women employed"),
            "workforce_male": gettext_lazy("Men employed"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.initial["lead_buyers"] = list(
                self.instance.buyer_links.values_list("lead_buyer_id", flat=True)
            )

    def save(self, commit: bool = True) -> Enterprise:
        enterprise = super().save()
        enterprise_set_lead_buyers(
            enterprise=enterprise, lead_buyers=self.cleaned_data["lead_buyers"]
        )
        return enterprise
