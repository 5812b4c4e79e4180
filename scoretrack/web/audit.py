"""The audit trail: who changed what and when, deleted records and their restoration."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, Model, OuterRef
from django.utils import formats, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from scoretrack.lib.current_user import acting_as
from scoretrack.lib.field_labels import HISTORY_LABELS
from scoretrack.lib.models import Record
from scoretrack.lib.numbers import format_number, is_number
from scoretrack.web.models import SET_REASON

KINDS = {
    "+": pgettext_lazy("history", "created"),
    "~": pgettext_lazy("history", "changed"),
    "-": pgettext_lazy("history", "deleted"),
}


@dataclass(frozen=True)
class Change:
    when: Any
    who: str
    kind: str
    fields: list[tuple[str, Any, Any]]  # (label, old, new), as the page shows them
    reason: str = ""  # "deletion set <id>" when it went or came back with others


def record_models() -> list[type[Record]]:
    return [
        model
        for model in apps.get_models()
        if issubclass(model, Record) and hasattr(model, "history")
    ]


def changes_of(record: Model, limit: int = 50, user: Any = None) -> list[Change]:
    """The record's history, newest first, each entry with the fields it changed,
    named and valued as the page shows them (`shown`); linked records are named
    as `user` may see them."""
    entries = list(
        record.history.select_related("history_user").order_by("-history_date")[: limit + 1]
    )
    deltas = []
    for entry, older in zip(entries, [*entries[1:], None], strict=False):
        changed = []
        if older is not None and entry.history_type == "~":
            changed = [(c.field, c.old, c.new) for c in entry.diff_against(older).changes]
        deltas.append((entry, changed))
    names = linked_names(type(record), [c for _e, changed in deltas for c in changed], user)
    changes = []
    for entry, changed in deltas:
        fields = [
            (field_label(type(record), name), *[shown(type(record), name, v, names) for v in pair])
            for name, *pair in changed
        ]
        changes.append(
            Change(
                when=entry.history_date,
                who=str(entry.history_user or _("system")),
                kind=str(KINDS.get(entry.history_type, entry.history_type)),
                fields=fields,
                reason=entry.history_change_reason or "",
            )
        )
    return changes[:limit]


def field_label(model: type[Model], name: str) -> str:
    """The field's label in the page language, as its form names it."""
    field = model._meta.get_field(name)
    return _(HISTORY_LABELS.get(name) or capfirst(str(field.verbose_name)))


def linked_names(
    model: type[Model], changed: list[tuple[str, Any, Any]], user: Any
) -> dict[tuple[type[Model], Any], str]:
    """The names of the records the changed foreign keys point to: one query per
    kind of record, through the scoping method when there is a user."""
    wanted: dict[type[Model], set[Any]] = {}
    for name, old, new in changed:
        field = model._meta.get_field(name)
        if field.many_to_one or field.one_to_one:
            ids = {value for value in (old, new) if value is not None}
            wanted.setdefault(field.related_model, set()).update(ids)
    names = {}
    for related, ids in wanted.items():
        manager = related.objects if user is not None else related._base_manager
        records = manager.visible_to(user) if hasattr(manager, "visible_to") else manager.all()
        for found in records.filter(pk__in=ids):
            names[(related, found.pk)] = localized_label(found)
    return names


def localized_label(record: Any) -> str:
    localized = getattr(record, "localized_name", None)
    return localized() if callable(localized) else str(record)


def shown(model: type[Model], name: str, value: Any, names: dict) -> str:
    """A value as the page shows it, in the page language; blank for none."""
    field = model._meta.get_field(name)
    if value is None or value == "":
        return ""
    if field.many_to_one or field.one_to_one:
        return names.get((field.related_model, value), _("(a record you cannot see)"))
    if field.choices:
        return _(str(dict(field.flatchoices).get(value, value)))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, dt.datetime):
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "DATE_FORMAT")
    if is_number(value):
        return format_number(value)
    return str(value)


@dataclass(frozen=True)
class Deleted:
    model: str
    label: str
    id: Any
    name: str
    when: Any
    who: str
    set_id: Any = None  # a deletion set: the record with what went with it
    with_it: str = ""  # "3 enrolments and 5 participants"
    unlinked: str = ""  # "2 consulting visits"


def deleted_records(limit_per_model: int = 100) -> list[Deleted]:
    """Deletions of one record alone whose record has not come back, newest first (one
    query per model); those of a deletion set are listed as the set (web/deletion.py)."""
    found: list[Deleted] = []
    for model in record_models():
        history = model.history.model
        gone = (
            history.objects.filter(history_type="-")
            .exclude(history_change_reason__startswith=SET_REASON)
            .annotate(back=Exists(model.objects.filter(pk=OuterRef("id"))))
            .filter(back=False)
            .select_related("history_user")
            .order_by("-history_date")[:limit_per_model]
        )
        for entry in gone:
            found.append(
                Deleted(
                    model=model._meta.label,
                    label=str(model._meta.verbose_name),
                    id=entry.id,
                    name=_describe(entry.instance),
                    when=entry.history_date,
                    who=str(entry.history_user or "system"),
                )
            )
    return sorted(found, key=lambda d: d.when, reverse=True)


def _describe(instance: Model) -> str:
    try:
        return str(instance)
    except ObjectDoesNotExist:  # its __str__ reads a record that is gone too
        return f"{instance._meta.verbose_name} {getattr(instance, 'key', instance.pk)}"


class RestoreError(ValueError):
    pass


def check_references(instance: Model, known: set[tuple[type[Model], str]] | None = None) -> None:
    """Refuse a record whose references are gone (`known`: records seen present)."""
    # Foreign keys are checked at commit (deferred), too late for a clear message.
    for field in instance._meta.concrete_fields:
        if not field.is_relation or field.name in {"created_by", "updated_by"}:
            continue
        value = getattr(instance, field.attname)
        related = field.related_model
        if value is None or (related, str(value)) in (known or set()):
            continue
        if not related._base_manager.filter(pk=value).exists():
            raise RestoreError(
                f"it cannot come back: the {related._meta.verbose_name} it refers to "
                f"({field.name}) is gone; restore that first"
            )
        if known is not None:
            known.add((related, str(value)))
    for field in ("created_by", "updated_by"):
        user_id = getattr(instance, f"{field}_id", None)
        if (
            user_id is not None
            and not type(instance)
            ._meta.get_field(field)
            .related_model._base_manager.filter(pk=user_id)
            .exists()
        ):
            setattr(instance, f"{field}_id", None)


def bring_back(instance: Model, reason: str | None = None) -> None:
    """Insert a deleted record again, with its id and last values (its creation
    time and author too); RestoreError when another record now has its key."""
    created = {
        f.attname: getattr(instance, f.attname)
        for f in instance._meta.concrete_fields
        if getattr(f, "auto_now_add", False) or f.name == "created_by"
    }
    if reason:
        instance._change_reason = reason  # type: ignore[attr-defined]
    try:
        with transaction.atomic():
            instance.save(force_insert=True)
    except IntegrityError as exc:
        raise RestoreError(
            f"the {instance._meta.verbose_name} {_describe(instance)} cannot come back: "
            "another record now has its key"
        ) from exc
    if created:  # the insert stamped them as new
        type(instance)._base_manager.filter(pk=instance.pk).update(**created)
        for name, value in created.items():
            setattr(instance, name, value)


def record_restore(*, label: str, record_id: Any, user: Any) -> Model:
    """Bring a deleted record back, with its id and its last values; one deleted with
    others comes back with them (its deletion set, web/deletion.py)."""
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError) as exc:
        raise RestoreError(f"unknown kind of record {label!r}") from exc
    if model not in record_models():
        raise RestoreError(f"unknown kind of record {label!r}")
    try:
        record_id = uuid.UUID(str(record_id))
    except ValueError as exc:
        raise RestoreError(f"{record_id!r} is not a record id") from exc
    entry = model.history.filter(id=record_id, history_type="-").order_by("-history_date").first()
    if entry is None:
        raise RestoreError("no deletion of this record is recorded")
    if model.objects.filter(pk=record_id).exists():
        raise RestoreError("this record exists already")
    reason = entry.history_change_reason or ""
    if reason.startswith(SET_REASON):
        from scoretrack.web.deletion import deletion_set_restore

        return deletion_set_restore(acting_user=user, set_id=reason.removeprefix(SET_REASON)).root()
    instance = entry.instance
    check_references(instance)
    try:
        with transaction.atomic(), acting_as(user):
            bring_back(instance)
    except ValidationError as exc:  # its rules no longer hold, or its period is approved
        raise RestoreError("; ".join(exc.messages)) from exc
    return instance
