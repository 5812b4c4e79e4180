"""Forms of the enterprise pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.enterprises.services import enterprise_set_lead_buyers, lead_buyer_choices
from scoretrack.lib.forms import FilterForm, RecordForm, YesNoUnknownFilter
from scoretrack.reference.forms import country_choice, lead_buyer_filter, partner_filter
from scoretrack.reference.models import Organisation, Sector


class EnterpriseFilter(FilterForm):
    search_fields = (
        "name",
        "key",
        "country__name",
        "region__name",
        "sector__name",
        "cluster__name",
    )
    lookups = {"country": "country", "sector": "sector", "women_owned": "women_owned"}

    def word_elsewhere(self, word: str) -> Q:
        """A partner: the organiser (name or key) of a delivery the firm enrolled in,
        among the enrolments the user may see."""
        from scoretrack.training.models import Enrolment

        organised = Q(delivery__organiser__name__icontains=word) | Q(
            delivery__organiser__key__icontains=word
        )
        enrolled = Enrolment.objects.visible_to(self.user).filter(
            organised, enterprise=OuterRef("pk")
        )
        return Q(Exists(enrolled))

    country = country_choice()
    sector = forms.ModelChoiceField(
        queryset=Sector.objects.all(), required=False, empty_label=gettext_lazy("All sectors")
    )
    women_owned = YesNoUnknownFilter(label=gettext_lazy("Women-owned"))
    partner = partner_filter()
    lead_buyer = lead_buyer_filter()
    # Trained in the period (as smes_trained counts them): a participant of the firm
    # attended a delivery starting in it, organised by the partner when one is chosen.
    period = "training"
    period_with = ("partner",)
    period_labels = (gettext_lazy("Trained from"), gettext_lazy("Trained until"))

    def filter(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter(queryset)
        if not self.is_bound or not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("lead_buyer"):
            links = LeadBuyerLink.objects.visible_to(self.user).filter(
                lead_buyer=data["lead_buyer"], enterprise=OuterRef("pk")
            )
            queryset = queryset.filter(Exists(links))
        return queryset

    def in_period(self, start: Any, end: Any) -> Q:
        """Firms with a participant in a delivery starting from `start` to `end`, of
        the partner when one is chosen (the same participation for both)."""
        from scoretrack.training.models import Participant

        took = Q(enterprise=OuterRef("pk"))
        if start is not None:
            took &= Q(delivery__start_date__gte=start)
        if end is not None:
            took &= Q(delivery__start_date__lte=end)
        if self.cleaned_data.get("partner"):
            took &= Q(delivery__organiser=self.cleaned_data["partner"])
        return Q(Exists(Participant.objects.visible_to(self.user).filter(took)))


class EnterpriseForm(RecordForm):
    country_bound = ("region", "cluster")

    lead_buyers = forms.ModelMultipleChoiceField(
        queryset=Organisation.objects.none(),  # the user's choices, set in __init__
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
        field = self.fields["lead_buyers"]
        field.queryset = lead_buyer_choices(self.user)
        choices = list(field.queryset)
        if not choices:
            # Nothing this user may tick or untick (an enterprise's own user; a
            # partner, who reads no lead buyer): the links are not its to change.
            del self.fields["lead_buyers"]
            return
        if not self.instance._state.adding:
            # Only the links among the choices: the others stay as they are. Set
            # when bound too, so that `has_changed()` knows an unchanged form.
            ids = {choice.pk for choice in choices}
            self.initial["lead_buyers"] = [
                pk
                for pk in self.instance.buyer_links.values_list("lead_buyer_id", flat=True)
                if pk in ids
            ]

    def save(self, commit: bool = True) -> Enterprise:
        enterprise = self.instance
        # Ticking a lead buyer changes links, not the enterprise: no history row
        # of the enterprise with nothing in it.
        if self.instance._state.adding or set(self.changed_data) - {"lead_buyers"}:
            enterprise = super().save()
        if "lead_buyers" in self.changed_data:
            enterprise_set_lead_buyers(
                acting_user=self.user,
                enterprise=enterprise,
                lead_buyers=self.cleaned_data["lead_buyers"],
            )
        return enterprise
