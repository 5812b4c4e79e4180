"""Forms of the delivery pages and of the rows managed on them."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.accounts.scoping import organisations_to_write
from scoretrack.enterprises.models import LeadBuyerLink
from scoretrack.finance.models import ExchangeRate, MissingRate
from scoretrack.lib.forms import FilterForm, RecordForm, year_filter
from scoretrack.lib.models import Sex
from scoretrack.reference.forms import country_choice, lead_buyer_filter
from scoretrack.reference.models import (
    TRAINING_ORGANISERS,
    CountryProgramme,
    Module,
    Organisation,
    Sector,
)
from scoretrack.training.models import (
    ConsultingVisit,
    Delivery,
    DeliveryIndependence,
    Enrolment,
    Participant,
)

DATE = forms.DateInput(attrs={"type": "date"})


class DeliveryFilter(FilterForm):
    search_fields = ("key", "country__name", "module__code", "module__name", "organiser__name")
    lookups = {
        "country": "country",
        "module": "module",
        "organiser": "organiser",
        "independence": "independence",
        "year": "start_date__year",
    }

    country = country_choice()
    module = forms.ModelChoiceField(
        queryset=Module.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=gettext_lazy("All"),
    )
    organiser = forms.ModelChoiceField(
        queryset=Organisation.objects.filter(deliveries__isnull=False).distinct(),
        required=False,
        empty_label=gettext_lazy("All"),
    )
    independence = forms.ChoiceField(
        choices=[("", gettext_lazy("Any")), *DeliveryIndependence.choices], required=False
    )
    year = year_filter()
    # Deliveries with a participant of a firm of the sector, supplying the lead
    # buyer, of the sex (one participant meeting all those chosen), as the staff
    # figures count them.
    sector = forms.ModelChoiceField(
        label=gettext_lazy("Sector"),
        queryset=Sector.objects.all(),
        required=False,
        empty_label=gettext_lazy("All sectors"),
    )
    lead_buyer = lead_buyer_filter()
    sex = forms.ChoiceField(
        label=gettext_lazy("Participants' sex"),
        choices=[("", gettext_lazy("Any")), *Sex.choices],
        required=False,
    )
    period = "start_date"
    period_labels = (gettext_lazy("Starting from"), gettext_lazy("Starting until"))

    def filter(self, queryset: QuerySet) -> QuerySet:
        queryset = super().filter(queryset)
        if not self.is_bound or not self.is_valid():
            return queryset
        data = self.cleaned_data
        who = Q()
        if data.get("sector"):
            who &= Q(enterprise__sector=data["sector"])
        if data.get("lead_buyer"):
            links = LeadBuyerLink.objects.visible_to(self.user).filter(
                lead_buyer=data["lead_buyer"]
            )
            who &= Q(enterprise_id__in=links.values("enterprise_id"))
        if data.get("sex"):
            who &= Q(sex=data["sex"])
        if not who:
            return queryset
        attended = Participant.objects.visible_to(self.user).filter(who, delivery=OuterRef("pk"))
        return queryset.filter(Exists(attended))


class DeliveryForm(RecordForm):
    """A delivery: in a country the user may write to, organised by a training
    organisation in scope, with trainers chosen from a list filtered as one types
    (scoretrack.js, `data-filter`; without JavaScript a plain multiple select)."""

    country_bound = ("organiser", "trainers")
    global_ok = ("organiser",)
    open_until_country = ("trainers",)

    class Meta:
        model = Delivery
        fields = [
            "key",
            "country",
            "module",
            "organiser",
            "independence",
            "start_date",
            "end_date",
            "trainers",
        ]
        widgets = {
            "start_date": DATE,
            "end_date": DATE,
            "trainers": forms.SelectMultiple(
                attrs={"data-filter": gettext_lazy("Filter the trainers by name"), "size": 8}
            ),
        }

    def limit_choices(self) -> None:
        organiser = self.fields["organiser"]
        organiser.queryset = organisations_to_write(self.user, Delivery).filter(
            type__in=TRAINING_ORGANISERS
        )
        trainers = self.fields["trainers"]
        trainers.queryset = trainers.queryset.order_by("name", "key")


class DeliveryRowForm(RecordForm):
    """A row of a delivery (enrolment, participant, visit): its choices are of the
    delivery's country."""

    fixed_fields = ("delivery",)

    def chosen_country(self) -> CountryProgramme | None:
        return self.instance.delivery.country


class EnrolmentForm(DeliveryRowForm):
    country_bound = ("enterprise",)

    class Meta:
        model = Enrolment
        fields = ["enterprise", "status", "fee", "currency", "fee_usd"]
        labels = {"fee_usd": gettext_lazy("Fee in USD")}
        help_texts = {
            "fee_usd": gettext_lazy("Leave blank to convert at the stored rate of the start date")
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("fee", "fee_usd"):
            self.fields[name].validators.append(MinValueValidator(0))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        fee, currency = cleaned.get("fee"), cleaned.get("currency")
        if fee is not None and not currency:
            self.add_error("currency", _("Give the currency the fee was paid in."))
        elif fee is not None and cleaned.get("fee_usd") is None and "fee" not in self.errors:
            try:
                day = self.instance.delivery.start_date
                cleaned["fee_usd"] = ExchangeRate.objects.to_usd(fee, currency, day)
            except MissingRate as missing:
                self.add_error(
                    "fee_usd", _("%(reason)s: enter the USD value.") % {"reason": missing}
                )
        return cleaned


class EnrolledRowForm(DeliveryRowForm):
    """A participant or a visit of a delivery: of the firms enrolled in it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["enterprise"]
        field.queryset = field.queryset.filter(enrolments__delivery=self.instance.delivery_id)
        field.help_text = _("The firms enrolled in this delivery.")


class ParticipantForm(EnrolledRowForm):
    country_bound = ("enterprise",)

    class Meta:
        model = Participant
        fields = ["enterprise", "name", "person", "sex", "role", "eit_member", "satisfaction"]
        labels = {"eit_member": gettext_lazy("Member of the enterprise improvement team")}


class VisitForm(EnrolledRowForm):
    country_bound = ("enterprise", "trainer")

    class Meta:
        model = ConsultingVisit
        fields = ["enterprise", "trainer", "date", "hours", "note"]
        widgets = {"date": DATE, "note": forms.Textarea(attrs={"rows": 2})}
