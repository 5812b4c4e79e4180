"""The base of every domain record: UUID, stamps, author, change history, scoping."""

from __future__ import annotations

import uuid
from typing import Any, Self

from django.conf import settings
from django.db import models
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


class Record(models.Model):
    """Abstract base: stable UUID, created/updated stamps and authors, history."""

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
        user = get_current_user()
        if user is not None:
            if self._state.adding and self.created_by_id is None:
                self.created_by = user
            self.updated_by = user
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "updated_by", "updated_at"}
        super().save(*args, **kwargs)


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
