"""Form bases of the web pages: scoped choices, country-bound choices, accessible errors."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Model, Q, QuerySet, UniqueConstraint
from django.forms.utils import pretty_name
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.lib.cells import UNSTORABLE
from scoretrack.lib.hooks import countries_to_write, may_write
from scoretrack.lib.models import claim_version, version_of

OUTSIDE_SCOPE = gettext_lazy(
    "You may not save this record with these values: it would be outside the records "
    "your role manages."
)


def localized_label(record: Any) -> str:
    """A catalogue choice (module, practice, KPI) in the page language, as the record
    labels itself (`TranslatedNameMixin.choice_label`: a module puts its code first)."""
    return record.choice_label()


def translate_model_texts(field: forms.Field) -> None:
    """A label or help text taken from a field or its name, in the page language."""
    if type(field.label) is str:
        field.label = _(field.label)
    if type(field.help_text) is str and field.help_text:
        field.help_text = _(field.help_text)


class AccessibleMixin:
    """Links each field's errors and help text to its input (aria-describedby)."""

    def full_clean(self) -> None:
        super().full_clean()  # type: ignore[misc]
        for name in self.errors:  # type: ignore[attr-defined]
            if name not in self.fields:  # type: ignore[attr-defined]
                continue
            bound = self[name]  # type: ignore[index]
            described = [f"{bound.auto_id}_error"]
            if bound.help_text:
                described.append(f"{bound.auto_id}_helptext")
            bound.field.widget.attrs["aria-describedby"] = " ".join(described)
            bound.field.widget.attrs["aria-invalid"] = "true"


def refuse_unstorable(value: Any) -> None:
    """Text fields refuse what the importer refuses (lib/cells.py UNSTORABLE);
    NUL is left to Django's own check, which says it first."""
    found = UNSTORABLE.search(str(value).replace("\x00", ""))
    if found is not None:
        raise ValidationError(
            _("Remove the invisible character %(char)s: it cannot be stored."),
            code="unstorable",
            params={"char": f"U+{ord(found.group()):04X}"},
        )


class StaleVersion(Exception):
    """The record changed since the form was opened."""


STALE = gettext_lazy(
    "Someone else changed this record since you opened it. Open it again to see their "
    "changes, then make yours."
)


class RecordForm(AccessibleMixin, forms.ModelForm):
    """A ModelForm of a domain record, for one user.

    - Every related choice goes through the one scoping method.
    - `country_bound` names the fields whose choices belong to the chosen country
      (a region, a trainer); `global_ok` those that may also be global (an
      organisation without a country). Their choices are narrowed to the country,
      and `clean` rejects a value of another country, naming both.
    - `open_until_country` names country-bound fields that offer every choice in
      scope until the country is chosen (a delivery's trainers), instead of none.
    - The `country` field offers only the countries the user may write the kind in
      (a country team its own); a new record of a user with one such country has
      it chosen, so the choices that follow the country are its own at once.
    - `limit_choices` narrows choices further (a form's own rules), before the
      chosen country is read from the country field's choices.
    - `fixed_fields` are set by the view (the parent of an inline row), not typed
      by the user: they are still part of constraint checks, so a duplicate row is a
      form error instead of an IntegrityError.
    """

    country_bound: tuple[str, ...] = ()
    global_ok: tuple[str, ...] = ()
    open_until_country: tuple[str, ...] = ()
    fixed_fields: tuple[str, ...] = ()

    # The version of the record the form was opened on: saving it claims that
    # version, so of two people editing the same record the second is told.
    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if self.instance._state.adding:
            del self.fields["version"]
        else:
            self.fields["version"].initial = version_of(self.instance)
        for field in self.fields.values():
            translate_model_texts(field)
            if isinstance(field, forms.CharField):
                field.validators.append(refuse_unstorable)
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
            if queryset is not None and hasattr(queryset.model, "choice_label"):
                field.label_from_instance = localized_label
        country = self.fields.get("country")
        if isinstance(country, forms.ModelChoiceField):
            country.queryset = countries_to_write(user, self._meta.model)
        self.limit_choices()
        if isinstance(country, forms.ModelChoiceField):
            self._choose_the_only_country(country)
        self.country = self.chosen_country()
        if self.country is None:
            self._await_country()
        else:
            for name in self.country_bound:
                if name in self.fields:
                    field = self.fields[name]
                    field.queryset = field.queryset.filter(self._in_country(name, self.country))
                    field.error_messages["invalid_choice"] = _(
                        "That choice is not in %(country)s."
                    ) % {"country": self.country}

    def limit_choices(self) -> None:
        """Narrow the choices beyond the scope (subclasses); the default keeps them."""

    def _choose_the_only_country(self, field: forms.ModelChoiceField) -> None:
        if self.instance._state.adding and not self.is_bound and "country" not in self.initial:
            only = list(field.queryset[:2])
            if len(only) == 1:
                self.initial["country"] = only[0].pk

    def _await_country(self) -> None:
        # Until a country is chosen, offer only what belongs to none (global
        # organisations): a list of every country's regions would mislead.
        for name in self.country_bound:
            if name in self.fields:
                field = self.fields[name]
                if name in self.open_until_country:
                    field.help_text = _("Choose the country first to list only its own.")
                    continue
                if name in self.global_ok:
                    field.queryset = field.queryset.filter(country__isnull=True)
                else:
                    field.queryset = field.queryset.none()
                field.help_text = _("Choose the country first: the choices are its own.")

    def _in_country(self, name: str, country: Model) -> Q:
        if name in self.global_ok:
            return Q(country=country) | Q(country__isnull=True)
        return Q(country=country)

    def chosen_country(self) -> Model | None:
        """The country the record belongs to: as typed, else as stored."""
        if "country" not in self.fields:
            return getattr(self.instance, "country", None)
        # As typed when bound, else the initial or stored value.
        raw = self["country"].value()
        if raw in (None, ""):
            return None
        # Only a country the field offers: the choices never follow one it refuses.
        offered = self.fields["country"].queryset
        if isinstance(raw, offered.model):
            raw = raw.pk
        try:
            key = uuid.UUID(str(raw))
        except ValueError:
            return None
        return offered.filter(pk=key).first()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        country = cleaned.get("country", self.country) if "country" in self.fields else self.country
        if country is None:
            return cleaned
        for name in self.country_bound:
            value = cleaned.get(name)
            values = list(value) if isinstance(value, QuerySet | list) else [value]
            for item in values:
                if item is None or not hasattr(item, "country_id"):
                    continue
                if item.country_id is None and name in self.global_ok:
                    continue
                if item.country_id != country.pk:
                    self.add_error(
                        name,
                        _("%(item)s is not in %(country)s.") % {"item": item, "country": country},
                    )
        return cleaned

    def full_clean(self) -> None:
        super().full_clean()
        self._explain_constraints()

    def save(self, commit: bool = True) -> Any:
        """Save, in the caller's transaction, unless the record changed since the
        form was opened (`StaleVersion`); a form posted without a version (a
        script) is not checked."""
        version = self.cleaned_data.get("version") if "version" in self.fields else None
        if version and not claim_version(type(self.instance), self.instance.pk, version):
            raise StaleVersion
        return super().save(commit)

    def _post_clean(self) -> None:
        super()._post_clean()
        # Asked with the new values, so a record cannot be moved out of (or into)
        # the records the user manages.
        if not self.errors and not may_write(self.user, self.instance):
            self.add_error(None, OUTSIDE_SCOPE)

    def _explain_constraints(self) -> None:
        """Replace Django's "Constraint “x” is violated." by what the user did wrong."""
        errors = getattr(self, "_errors", None) or {}
        if NON_FIELD_ERRORS not in errors:
            return
        meta = self._meta.model._meta
        plain = {}
        for constraint in meta.constraints:
            if isinstance(constraint, UniqueConstraint) and constraint.fields:
                labels = [capfirst(meta.get_field(name).verbose_name) for name in constraint.fields]
                together = (
                    ", ".join(labels[:-1]) + " and " + labels[-1] if len(labels) > 1 else labels[0]
                )
                explained = _("%(kind)s with this %(fields)s already exists.") % {
                    "kind": capfirst(meta.verbose_name),
                    "fields": together,
                }
            else:
                explained = _("The values break the rule “%(rule)s”.") % {
                    "rule": constraint.name.replace("_", " ")
                }
            plain[constraint.get_violation_error_message()] = explained
        messages = [plain.get(message, message) for message in errors[NON_FIELD_ERRORS]]
        errors[NON_FIELD_ERRORS] = self.error_class(messages, error_class="nonfield")

    def _get_validation_exclusions(self) -> set[str]:
        # Django leaves fields that are not on the form out of model validation;
        # the view's fixed fields are known, so unique constraints over them are checked.
        return super()._get_validation_exclusions() - set(self.fixed_fields)

    @property
    def bound_country_fields(self) -> list[forms.BoundField]:
        """The fields whose choices follow the country (re-rendered when it changes)."""
        return [self[name] for name in self.country_bound if name in self.fields]


class YesNoUnknownFilter(forms.ChoiceField):
    """A filter on a yes / no / unknown fact (a nullable boolean)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(
            choices=[
                ("", gettext_lazy("Any")),
                ("yes", gettext_lazy("Yes")),
                ("no", gettext_lazy("No")),
                ("unknown", gettext_lazy("Not known")),
            ],
            **kwargs,
        )


# The words of a search that are looked for (the rest are ignored): each one is a
# condition on every search field.
MAX_WORDS = 8


class FilterForm(AccessibleMixin, forms.Form):
    """The search box and filters of a list page.

    `search_fields` are the ORM paths of the fields people type (name, key, region,
    sector, partner: to-one paths, so no row is listed twice): each word of the
    search text must be found (case-insensitive, contains) in one of them, so
    "furniture Binh" finds a furniture firm in Binh Duong. `lookups` maps each
    filter field to its ORM lookup. An invalid filter shows its
    error at the field and the list is empty: ignoring it would list records the
    user did not ask for as if they matched (`?sector=nonexistent` showing all).
    """

    q = forms.CharField(
        label=gettext_lazy("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    search_fields: tuple[str, ...] = ()
    lookups: dict[str, str] = {}
    # The ORM path of the date that `from` and `to` bound (both included), or "":
    # no dates. A list whose dates are elsewhere (an enterprise's training)
    # overrides `in_period`. The tracking table links its cells with them.
    period: str = ""
    period_labels: tuple[Any, Any] = (gettext_lazy("Dated from"), gettext_lazy("Dated until"))
    period_with: tuple[str, ...] = ()  # filters `in_period` reads: applied without dates too

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)
        if self.period:
            for name, label in zip(("from", "to"), self.period_labels, strict=True):
                self.fields[name] = forms.DateField(
                    label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
        for name, field in self.fields.items():
            if field.label is None:
                field.label = pretty_name(name)
            translate_model_texts(field)
            queryset = getattr(field, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                field.queryset = queryset.visible_to(user)
                field.required = False
            if queryset is not None and hasattr(queryset.model, "choice_label"):
                field.label_from_instance = localized_label

    def filter(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if not self.is_bound:
            return queryset
        if not self.is_valid():
            return queryset.none()
        data = self.cleaned_data
        for word in (data.get("q") or "").split()[:MAX_WORDS]:
            match = Q()
            for name in self.search_fields:
                match |= Q(**{f"{name}__icontains": word})
            elsewhere = self.word_elsewhere(word)
            queryset = queryset.filter(match if elsewhere is None else match | elsewhere)
        for name, lookup in self.lookups.items():
            value = data.get(name)
            if value in (None, "", []):
                continue
            queryset = queryset.filter(self.condition(name, lookup, value))
        bounds = ("from", "to", *self.period_with)
        if self.period and any(data.get(name) for name in bounds):
            queryset = queryset.filter(self.in_period(data.get("from"), data.get("to")))
        return queryset

    def in_period(self, start: Any, end: Any) -> Q:
        """The records dated from `start` to `end` (either may be None: open)."""
        q = Q()
        if start is not None:
            q &= Q(**{f"{self.period}__gte": start})
        if end is not None:
            q &= Q(**{f"{self.period}__lte": end})
        return q

    def word_elsewhere(self, word: str) -> Q | None:
        """Where else a search word may be found, beyond `search_fields`: a list whose
        records link to many others (an enterprise's partners) matches them through
        an `Exists` over the links the user may see, so no row is listed twice.
        None by default."""
        return None

    def condition(self, name: str, lookup: str, value: Any) -> Q:
        if isinstance(self.fields[name], YesNoUnknownFilter):
            if value == "unknown":
                return Q(**{f"{lookup}__isnull": True})
            return Q(**{lookup: value == "yes"})
        if isinstance(value, Model):
            return Q(**{lookup: value.pk})
        return Q(**{lookup: value})


def year_filter() -> forms.IntegerField:
    return forms.IntegerField(
        label=gettext_lazy("Year"), required=False, min_value=2000, max_value=2100
    )
