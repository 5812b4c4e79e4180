"""Forms of the trainer pages and their milestones."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy

from scoretrack.accounts.scoping import access_for, organisations_to_write
from scoretrack.lib.forms import FilterForm, RecordForm
from scoretrack.lib.models import Sex
from scoretrack.reference.forms import country_choice, organisation_choice
from scoretrack.reference.models import Organisation
from scoretrack.trainers.models import CERTIFICATION_KINDS, Milestone, MilestoneKind, Trainer
from scoretrack.trainers.queries import STATUSES


class TrainerFilter(FilterForm):
    search_fields = ("name", "key", "email", "country__name", "organisation__name")
    lookups = {
        "country": "country",
        "sex": "sex",
        "status": "status_code",
        "organisation": "organisation",
    }

    country = country_choice()
    sex = forms.ChoiceField(choices=[("", gettext_lazy("Any")), *Sex.choices], required=False)
    status = forms.ChoiceField(choices=[("", gettext_lazy("Any")), *STATUSES], required=False)
    organisation = organisation_choice(
        Organisation.objects.filter(trainers__isnull=False).distinct(),
        gettext_lazy("Organisation"),
    )
    # With dates: the trainers with a milestone (of the kind chosen) dated in them,
    # as the trainer figures count them.
    milestone = forms.ChoiceField(
        label=gettext_lazy("Milestone"),
        choices=[("", gettext_lazy("Any")), *MilestoneKind.choices],
        required=False,
    )
    period = "milestones"
    period_with = ("milestone",)
    period_labels = (gettext_lazy("Milestone from"), gettext_lazy("Milestone until"))

    def in_period(self, start: Any, end: Any) -> Q:
        dated = Q(trainer=OuterRef("pk"))
        if start is not None:
            dated &= Q(date__gte=start)
        if end is not None:
            dated &= Q(date__lte=end)
        if self.cleaned_data.get("milestone"):
            dated &= Q(milestone=self.cleaned_data["milestone"])
        return Q(Exists(Milestone.objects.visible_to(self.user).filter(dated)))


class TrainerForm(RecordForm):
    country_bound = ("organisation",)
    global_ok = ("organisation",)

    class Meta:
        model = Trainer
        fields = ["key", "name", "sex", "country", "organisation", "email"]

    def limit_choices(self) -> None:
        self.fields["organisation"].queryset = organisations_to_write(self.user, Trainer)


class MilestoneForm(RecordForm):
    """A dated milestone. Recommendation and certification are not offered: they are
    the two certification steps of the trainer's page (Milestone.rules refuses them
    here for everyone but HQ, which loads past decisions)."""

    fixed_fields = ("trainer",)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not access_for(self.user).is_global:
            field = self.fields["milestone"]
            field.choices = [c for c in field.choices if c[0] not in CERTIFICATION_KINDS]

    class Meta:
        model = Milestone
        fields = ["milestone", "date", "module"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
