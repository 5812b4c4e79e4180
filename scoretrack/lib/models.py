"""The base of every domain record: UUID, stamps, author, change history, scoping."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Self

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext
from simple_history.models import HistoricalRecords

from scoretrack.lib import hooks
from scoretrack.lib.current_user import get_current_user


class ScopedQuerySet(models.QuerySet):
    """Every user-visible query goes through `visible_to` (the one scoping method).

    `purpose="records"` (the default) gives the rows the user may read;
    `purpose="aggregates"` the rows that may be counted into the figures the user
    sees (lead buyers: their suppliers; donors: everything). The rules live in
    `scoretrack.accounts.scoping`, reached through `lib.hooks`.
    """

    def visible_to(self, user: Any, *, purpose: str = "records") -> Self:
        if user is None or not getattr(user, "is_authenticated", False):
            return self.none()
        return hooks.scope(self, user, purpose)  # type: ignore[return-value]


def _history_user(instance: Any = None, request: Any = None, **kwargs: Any) -> Any:
    user = get_current_user()
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    return user


@dataclass(frozen=True)
class Violation:
    """A broken rule of one record of a batch: its position, the field at fault
    ("" for the record as a whole) and why, in words a user can act on."""

    position: int
    field: str
    reason: str


def violations_error(violations: Iterable[Violation]) -> ValidationError | None:
    """The violations of one record as a ValidationError keyed by field."""
    errors: dict[str, list[str]] = {}
    for violation in violations:
        errors.setdefault(violation.field or NON_FIELD_ERRORS, []).append(violation.reason)
    return ValidationError(errors) if errors else None


class Record(models.Model):
    """Abstract base: stable UUID, created/updated stamps and authors, history.

    Every rule about one record lives on its model, in `rules`: written once for a
    batch (a few queries whatever its size), so that the importer checks thousands
    of rows with it and a page or a service one record (`clean` and `save` ask it).
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(inherit=True, get_user=_history_user)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The last guard of every single write (pages, services, restores): the
        # bulk paths ask `rules` and the locks for their batches themselves.
        error = violations_error([*type(self).rules([self]), *self.locks()])
        if error is not None:
            raise error
        user = get_current_user()
        if user is not None:
            if self._state.adding and self.created_by_id is None:
                self.created_by = user
            self.updated_by = user
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "updated_by", "updated_at"}
        super().save(*args, **kwargs)

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        """The broken rules of `records` (model instances or any objects with the
        model's field attnames), by position in the batch. Subclasses add theirs."""
        return iter(())

    def clean(self) -> None:
        super().clean()
        error = violations_error([*type(self).rules([self]), *self.locks()])
        if error is not None:
            raise error

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        error = violations_error(hooks.locked(type(self), [self]))
        if error is not None:
            raise error
        return super().delete(*args, **kwargs)

    def locks(self) -> list[Violation]:
        """Why this write is refused by an approved period (scoretrack.quality): the
        record as it will be and, for a change, as it is stored, each dated in a
        period approved for its country is locked until HQ reopens the period."""
        from scoretrack.lib.kinds import dated_of  # kinds import cells, which import us

        if dated_of(type(self)) is None:
            return []
        found = hooks.locked(type(self), [self])
        if not self._state.adding and found == [] and self.pk is not None:
            stored = type(self)._base_manager.filter(pk=self.pk).first()
            if stored is not None:
                found = hooks.locked(type(self), [stored])
        return found


class Choices(models.TextChoices):
    """TextChoices whose values are the workbook's codes."""

    @classmethod
    def codes(cls) -> list[str]:
        return [str(value) for value in cls.values]


class Sex(Choices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    UNDISCLOSED = "undisclosed", "Undisclosed"


CURRENCY_HELP = "ISO 4217 code, e.g. USD, CNY, COP"


class TranslatedNameMixin(models.Model):
    """Catalogue names translatable as data: {"es": "Cooperación en el lugar de trabajo"}."""

    name_translations = models.JSONField(
        default=dict,
        blank=True,
        help_text='Name per language code, e.g. {"es": "…", "fr": "…"}; blank = the name',
    )

    class Meta:
        abstract = True

    def localized_name(self, language: str | None = None) -> str:
        from django.utils.translation import get_language

        language = (language or get_language() or "en").lower()
        translations = self.name_translations or {}
        for code in (language, language.split("-")[0]):
            if translations.get(code):
                return str(translations[code])
        return str(self.name)  # type: ignore[attr-defined]

    def choice_label(self) -> str:
        """The record as a choice in a form, in the page language."""
        return self.localized_name()


def sync_index(name: str) -> models.Index:
    """The API's keyset order (updated_at, id): its list pages and `updated_since`
    read this index instead of sorting the table on every page."""
    return models.Index(fields=["updated_at", "id"], name=name)


# --- helpers of the rules ------------------------------------------------------------


def ids_of(records: Sequence[Any], attname: str) -> set[Any]:
    """The non-empty values of one attribute over a batch."""
    return {value for record in records if (value := getattr(record, attname, None)) is not None}


def not_in_future(records: Sequence[Any], field: str, what: Any) -> Iterator[Violation]:
    """A record of something that happened cannot be dated after today (`what`: the
    record's name, translated lazily: the reason is said in the active language)."""
    today = timezone.localdate()
    for position, record in enumerate(records):
        day = getattr(record, field, None)
        if isinstance(day, dt.date) and day > today:
            yield Violation(
                position,
                field,
                gettext("%(what)s cannot be dated after today (%(today)s)")
                % {"what": what, "today": today.isoformat()},
            )


# --- versions: of concurrent updates carrying the same version, exactly one wins -------


def version_of(record: models.Model) -> str:
    """A record's version as the API and the pages hand it out: its last change."""
    return record.updated_at.isoformat()  # type: ignore[attr-defined]


def claim_version(model: type[models.Model], pk: Any, version: str) -> bool:
    """Inside the writing transaction, before anything else: is `version` still the
    record's? The row is locked by a no-op update that matches only that version,
    so a concurrent update with the same version waits for this one to commit, then
    matches nothing (PostgreSQL re-reads the row; SQLite serialises the writers)."""
    try:
        stamp = dt.datetime.fromisoformat(version)
    except (TypeError, ValueError):
        return False
    claimed = model._base_manager.filter(pk=pk, updated_at=stamp).update(updated_at=F("updated_at"))
    return claimed == 1


def dates_in_order(
    records: Sequence[Any], later: str, earlier: str, message: Any
) -> Iterator[Violation]:
    """`later` is not before `earlier`; `message` names the earlier date as %(date)s."""
    for position, record in enumerate(records):
        end, start = getattr(record, later, None), getattr(record, earlier, None)
        if end and start and end < start:
            yield Violation(position, later, str(message) % {"date": start.isoformat()})
