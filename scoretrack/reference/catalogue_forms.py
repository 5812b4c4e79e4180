"""Forms of HQ's catalogue pages (catalogue_views.py): modules, practices, KPIs,
sectors, regions, clusters, phases, country programmes, targets, exchange rates.

- A catalogue name kept in several languages (`TranslatedNameMixin`) is edited in
  each language the site speaks, one field per language beside the name.
- A rule of the model that Django reports for the record as a whole (a check or
  unique constraint) is shown at the field it is about (`constraint_fields`).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import CheckConstraint, UniqueConstraint
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.accounts.scoping import countries_to_write
from scoretrack.finance.models import ExchangeRate
from scoretrack.lib.forms import FilterForm, RecordForm, refuse_unstorable
from scoretrack.outcomes.models import Kpi, Practice
from scoretrack.reference.forms import country_choice
from scoretrack.reference.models import (
    Cluster,
    CountryProgramme,
    Module,
    Phase,
    Region,
    Sector,
    Target,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def name_languages() -> list[str]:
    """The languages a catalogue name is kept in besides the name itself (English)."""
    return [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]


def translation_field(code: str) -> str:
    return "name_" + code.replace("-", "_")


class CatalogueForm(RecordForm):
    """A record form of a catalogue page.

    `constraint_fields` maps a constraint's name to the field its errors are shown
    at, with the message to show ("" keeps Django's).
    """

    constraint_fields: dict[str, tuple[str, Any]] = {}

    def _explain_constraints(self) -> None:
        errors = getattr(self, "_errors", None) or {}
        if NON_FIELD_ERRORS in errors and self.constraint_fields:
            kept = []
            for error in errors[NON_FIELD_ERRORS].as_data():
                where = self._constraint_of(error)
                if where is None or where[0] not in self.fields:
                    kept.append(error)
                    continue
                field, message = where
                errors.setdefault(field, self.error_class()).append(message or error.messages[0])
                widget = self[field].field.widget
                widget.attrs["aria-describedby"] = f"{self[field].auto_id}_error"
                widget.attrs["aria-invalid"] = "true"
            if kept:
                errors[NON_FIELD_ERRORS] = self.error_class(kept, error_class="nonfield")
            else:
                del errors[NON_FIELD_ERRORS]
        super()._explain_constraints()

    def _constraint_of(self, error: ValidationError) -> tuple[str, Any] | None:
        """The field and message of the constraint an error of the whole record reports."""
        for constraint in self._meta.model._meta.constraints:
            if constraint.name in self.constraint_fields and reports(constraint, error):
                return self.constraint_fields[constraint.name]
        return None


def reports(constraint: Any, error: ValidationError) -> bool:
    """Is `error` Django's report of a broken `constraint`?"""
    if isinstance(constraint, UniqueConstraint) and constraint.fields:
        # Unique over fields: reported as "… with this A and B already exists."
        checked = tuple((error.params or {}).get("unique_check", ()))
        return error.code == "unique_together" and checked == tuple(constraint.fields)
    if isinstance(constraint, CheckConstraint | UniqueConstraint):
        return error.messages[0] == constraint.get_violation_error_message()
    return False


class TranslatedNameForm(CatalogueForm):
    """A catalogue record whose name is kept per language: one field per language,
    placed after the name; a blank one means "shown as the name"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.name_translations or {}
        fields: dict[str, forms.Field] = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name == "name":
                for code in name_languages():
                    fields[translation_field(code)] = self._translation(code, stored)
        self.fields = fields

    def _translation(self, code: str, stored: dict[str, Any]) -> forms.CharField:
        language = dict(settings.LANGUAGES)[code]  # as the language menu names it
        field = forms.CharField(
            label=_("Name in %(language)s") % {"language": language},
            required=False,
            max_length=200,
            initial=stored.get(code, ""),
            help_text=_("Leave blank to show the name as it is."),
        )
        field.validators.append(refuse_unstorable)
        return field

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        codes = name_languages()
        # Languages the site no longer speaks are kept as they were.
        kept = {
            code: text
            for code, text in (self.instance.name_translations or {}).items()
            if code not in codes
        }
        for code in codes:
            text = (cleaned.get(translation_field(code)) or "").strip()
            if text:
                kept[code] = text
        self.instance.name_translations = kept
        return cleaned


class ModuleForm(TranslatedNameForm):
    class Meta:
        model = Module
        fields = ["code", "name", "core", "compulsory_first"]


class PracticeForm(TranslatedNameForm):
    class Meta:
        model = Practice
        fields = ["code", "name", "module"]


class KpiForm(TranslatedNameForm):
    class Meta:
        model = Kpi
        fields = ["code", "name", "unit", "better", "module", "numerator", "denominator"]


class SectorForm(CatalogueForm):
    class Meta:
        model = Sector
        fields = ["name"]


class CountryBoundForm(CatalogueForm):
    """A record of one country: offered only the countries the user may write in."""

    def limit_choices(self) -> None:
        field = self.fields["country"]
        places = countries_to_write(self.user, self._meta.model).values("pk")
        field.queryset = field.queryset.filter(pk__in=places)


ALREADY_IN_COUNTRY = gettext_lazy("This country already has one of this name.")


class RegionForm(CountryBoundForm):
    constraint_fields = {"region_unique_per_country": ("name", ALREADY_IN_COUNTRY)}

    class Meta:
        model = Region
        fields = ["country", "name"]


class ClusterForm(CountryBoundForm):
    constraint_fields = {"cluster_unique_per_country": ("name", ALREADY_IN_COUNTRY)}

    class Meta:
        model = Cluster
        fields = ["country", "name", "sector"]


class PhaseForm(CatalogueForm):
    # The end before the start is the model's rule (Phase.rules), at the end date.
    class Meta:
        model = Phase
        fields = ["name", "start_date", "end_date"]
        widgets = {"start_date": DATE, "end_date": DATE}


class CountryProgrammeForm(CatalogueForm):
    class Meta:
        model = CountryProgramme
        fields = ["code", "name", "start_date", "currency", "status"]
        widgets = {"start_date": DATE}


def indicator_choices() -> list[tuple[str, str]]:
    from scoretrack.indicators.registry import indicators

    choices = sorted((item.code, f"{item.code} — {_(item.name)}") for item in indicators())
    return [("", "---------"), *choices]


class TargetForm(CatalogueForm):
    constraint_fields = {
        "target_unique_scope": (
            "indicator",
            gettext_lazy(
                "This indicator already has a target for this country, period and group: "
                "change that one instead."
            ),
        ),
        "target_year_plausible": ("year", gettext_lazy("Give a year from 2000 to 2100.")),
        "target_half_of_a_year": ("half", gettext_lazy("A half is 1 or 2, with a year.")),
        "target_quarter_of_a_year": (
            "quarter",
            gettext_lazy("A quarter is 1 to 4, with a year and no half."),
        ),
        "target_custom_period_well_formed": (
            "end_date",
            gettext_lazy("A custom period has a first and a last day, and no phase or year."),
        ),
    }

    indicator = forms.ChoiceField(label=gettext_lazy("Indicator"), choices=indicator_choices)

    class Meta:
        model = Target
        fields = [
            "indicator",
            "country",
            "phase",
            "year",
            "half",
            "quarter",
            "start_date",
            "end_date",
            "disaggregation",
            "group",
            "cumulative",
            "value",
        ]
        help_texts = {
            "country": gettext_lazy("Blank for a global target"),
            "half": gettext_lazy("1 or 2, with a year"),
            "quarter": gettext_lazy("1 to 4, with a year"),
            "start_date": gettext_lazy("A custom reporting period: its first day"),
            "end_date": gettext_lazy("A custom reporting period: its last day"),
            "disaggregation": gettext_lazy("Blank for the total; e.g. sex"),
            "group": gettext_lazy("The disaggregation's group, e.g. female"),
            "cumulative": gettext_lazy(
                "Counted from the programme's start to the period's end, not within the period"
            ),
        }
        widgets = {"start_date": DATE, "end_date": DATE}


class ExchangeRateForm(CatalogueForm):
    constraint_fields = {
        "rate_positive": ("per_usd", gettext_lazy("A rate is a number above zero.")),
        "rate_unique": (
            "date",
            gettext_lazy("This currency already has a rate on this date: change that one."),
        ),
    }

    class Meta:
        model = ExchangeRate
        fields = ["currency", "date", "per_usd"]
        labels = {"per_usd": gettext_lazy("Units per US dollar")}
        widgets = {"date": DATE}


# --- the search boxes and filters of the lists -------------------------------------


def search_form(fields: tuple[str, ...], **filters: Any) -> type[FilterForm]:
    """A filter form searching `fields`; `filters` are extra filter fields by name,
    looked up by their own name."""
    attrs: dict[str, Any] = {
        "search_fields": fields,
        "lookups": {name: name for name in filters},
        **filters,
    }
    return type("CatalogueFilter", (FilterForm,), attrs)


def by_country() -> dict[str, forms.Field]:
    return {"country": country_choice(label=gettext_lazy("Country"))}
