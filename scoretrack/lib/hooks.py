"""What lib needs from the apps, handed to it at start-up: lib knows no app.

The scoping rules live in `scoretrack.accounts.scoping`; the generic pages,
forms and the `visible_to` queryset method of `lib` call them through these
hooks, which `AccountsConfig.ready()` installs. Until then every hook refuses
(a missing rule must never read as "allowed").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class Scoping:
    """The one scoping method and the write checks (see accounts/scoping.py)."""

    # (queryset, user, purpose) -> the rows the user may see for that purpose
    scope: Callable[[QuerySet, Any, str], QuerySet]
    # (user, record) -> may the user create, change or delete it (as it is now)
    may_write: Callable[[Any, Model], bool]
    # (user, model) -> may the user create records of this kind at all
    may_write_kind: Callable[[Any, type[Model]], bool]
    # (user, model) -> the country programmes records of this kind may be written in
    countries_to_write: Callable[[Any, type[Model]], QuerySet] | None = None


_scoping: Scoping | None = None


def install_scoping(scoping: Scoping) -> None:
    global _scoping
    _scoping = scoping


def scoping() -> Scoping:
    if _scoping is None:
        raise ImproperlyConfigured(
            "No scoping rules installed: scoretrack.accounts must be in INSTALLED_APPS "
            "(its ready() installs them)."
        )
    return _scoping


def scope(queryset: QuerySet, user: Any, purpose: str = "records") -> QuerySet:
    return scoping().scope(queryset, user, purpose)


def may_write(user: Any, instance: Model) -> bool:
    return scoping().may_write(user, instance)


def may_write_kind(user: Any, model: type[Model]) -> bool:
    return scoping().may_write_kind(user, model)


def countries_to_write(user: Any, model: type[Model]) -> QuerySet:
    rule = scoping().countries_to_write
    if rule is None:
        raise ImproperlyConfigured("No countries_to_write rule installed (scoretrack.accounts).")
    return rule(user, model)


# --- locks: records dated in a period approved for their country (scoretrack.quality) ---

# (model, records) -> the violations (lib.models.Violation) of the records of the
# batch dated in a locked period, by position; records may be model instances or
# any objects with the model's attnames. None installed: nothing is locked.
_locks: Callable[[type[Model], Any], Any] | None = None


def install_locks(locks: Callable[[type[Model], Any], Any]) -> None:
    global _locks
    _locks = locks


def locked(model: type[Model], records: Any) -> list[Any]:
    """The lock violations of a batch of `model`'s records (see `install_locks`)."""
    if _locks is None or not records:
        return []
    return list(_locks(model, records))
