"""Forms of the trainer pages and their milestones."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from scoretrack.lib.forms import FilterForm, RecordForm
from scoretrack.lib.models import Sex
from scoretrack.reference.forms import country_choice
from scoretrack.trainers.models import Milestone, Trainer
from scoretrack.trainers.queries import STATUSES


class TrainerFilter(FilterForm):
    search_fields = ("name", "key", "email")
    lookups = {"country": "country", "sex": "sex", "status": "status_code"}

    country = country_choice()
    sex = forms.ChoiceField(choices=[("", gettext_lazy("Any")), *Sex.choices], required=False)
    status = forms.ChoiceField(choices=[("", gettext_lazy("Any")), *STATUSES], required=False)


class TrainerForm(RecordForm):
    country_bound = ("organisation",)
    global_ok = ("organisation",)

    class Meta:
        model = Trainer
        fields = ["key", "name", "sex", "country", "organisation", "email"]


class MilestoneForm(RecordForm):
    fixed_fields = ("trainer",)

    class Meta:
        model = Milestone
        fields = ["milestone", "date", "module"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
