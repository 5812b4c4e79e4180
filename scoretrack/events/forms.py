"""Forms of the event pages and of an event's participants by group."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.accounts.scoping import countries_to_write
from scoretrack.events.models import Event, EventKind, EventParticipation
from scoretrack.lib.forms import FilterForm, RecordForm, year_filter
from scoretrack.reference.forms import country_choice


class EventFilter(FilterForm):
    period = "date"
    search_fields = ("key", "title")
    lookups = {"country": "country", "kind": "kind__in", "year": "date__year"}

    country = country_choice()
    # Several kinds at once: the constituents' figures count three of them.
    kind = forms.MultipleChoiceField(
        label=gettext_lazy("Kind"),
        choices=EventKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    year = year_filter()


class EventForm(RecordForm):
    class Meta:
        model = Event
        fields = ["key", "country", "kind", "date", "title"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}

    def limit_choices(self) -> None:
        country = self.fields["country"]
        country.queryset = countries_to_write(self.user, Event)
        if self.instance._state.adding and not self.is_bound:
            only = list(country.queryset[:2])
            if len(only) == 1:  # a country team's own
                self.initial.setdefault("country", only[0].pk)


class ParticipationForm(RecordForm):
    fixed_fields = ("event",)

    class Meta:
        model = EventParticipation
        fields = ["group", "female", "male"]
        labels = {"female": gettext_lazy("Women"), "male": gettext_lazy("Men")}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("female") == 0 and cleaned.get("male") == 0:
            self.add_error("female", _("Give the number of women or of men who took part."))
        return cleaned
