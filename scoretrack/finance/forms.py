"""Forms of the cost and contribution pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.accounts.scoping import organisations_to_write
from scoretrack.finance.models import (
    Contribution,
    ContributionKind,
    ContributionSource,
    DirectCost,
    ExchangeRate,
    MissingRate,
)
from scoretrack.lib.forms import FilterForm, RecordForm, year_filter
from scoretrack.reference.forms import country_choice, organisation_choice, partner_filter
from scoretrack.reference.models import Organisation, OrganisationType

DATE = forms.DateInput(attrs={"type": "date"})


class CostFilter(FilterForm):
    period = "date"
    search_fields = ("category", "delivery__key", "country__name")
    lookups = {"country": "country", "year": "date__year", "partner": "delivery__organiser"}

    country = country_choice()
    year = year_filter()
    partner = partner_filter()


class ContributionFilter(FilterForm):
    period = "date"
    search_fields = ("organisation__name", "delivery__key", "country__name")
    lookups = {
        "country": "country",
        "year": "date__year",
        "source": "source",
        "kind": "kind",
        "partner": "delivery__organiser",
        "organisation": "organisation",
        "organisation_type": "organisation__type",
    }

    country = country_choice()
    year = year_filter()
    source = forms.ChoiceField(
        choices=[("", gettext_lazy("Any")), *ContributionSource.choices], required=False
    )
    kind = forms.ChoiceField(
        choices=[("", gettext_lazy("Any")), *ContributionKind.choices], required=False
    )
    partner = partner_filter()
    organisation = organisation_choice(
        Organisation.objects.filter(contributions__isnull=False).distinct(),
        gettext_lazy("Organisation"),
    )
    organisation_type = forms.ChoiceField(
        label=gettext_lazy("Type of organisation"),
        choices=[("", gettext_lazy("All types")), *OrganisationType.choices],
        required=False,
    )


class MoneyForm(RecordForm):
    """An amount in its currency; a blank USD value is converted at the stored rate
    of the date, and a missing rate is an error at the USD field, not a 500."""

    country_bound: tuple[str, ...] = ("delivery",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A delivery's label shows its module: fetched with it, not once per option.
        self.fields["delivery"].queryset = self.fields["delivery"].queryset.select_related("module")
        for name in ("amount", "usd"):
            self.fields[name].validators.append(MinValueValidator(0))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        amount, currency, day = (cleaned.get(k) for k in ("amount", "currency", "date"))
        if cleaned.get("usd") is None and None not in (amount, day) and currency:
            try:
                cleaned["usd"] = ExchangeRate.objects.to_usd(amount, currency, day)
            except MissingRate as missing:
                self.add_error(
                    "usd",
                    _("%(reason)s: enter the USD value or record that rate.") % {"reason": missing},
                )
        return cleaned


class CostForm(MoneyForm):
    class Meta:
        model = DirectCost
        fields = ["country", "date", "delivery", "category", "amount", "currency", "usd"]
        labels = {"usd": gettext_lazy("USD")}
        widgets = {"date": DATE}


class ContributionForm(MoneyForm):
    country_bound = ("delivery", "organisation")
    global_ok = ("organisation",)

    class Meta:
        model = Contribution
        fields = [
            "country",
            "date",
            "organisation",
            "source",
            "kind",
            "delivery",
            "amount",
            "currency",
            "usd",
        ]
        labels = {"usd": gettext_lazy("USD")}
        widgets = {"date": DATE}

    def limit_choices(self) -> None:
        # A partner records the contributions of its own organisations (scoping.writable).
        organisation = self.fields["organisation"]
        organisation.queryset = organisations_to_write(self.user, Contribution)
