"""Deleting a record with what depends on it, as one change that one restore undoes.

Django's deletion collector finds the records that would go with a record
(CASCADE), those that would only lose their link to it (SET_NULL), and those that
forbid its deletion (PROTECT, RESTRICT). `record_delete` refuses while anything
depends on it, unless asked to `cascade`; then the record and its dependents go as
one `DeletionSet`: every history row written carries the set's id, the unlinks are
saves (so they have history too), and rows without history are kept by value.
`deletion_set_restore` brings all of it back, links included.

A record's own many-to-many links (a delivery's trainers) are part of it: they go
and come back with it, but do not make it "in use".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Field, Model
from django.db.models.deletion import Collector, ProtectedError, RestrictedError
from django.utils import timezone

from scoretrack.accounts.scoping import writable
from scoretrack.lib import crud, hooks
from scoretrack.lib.current_user import acting_as
from scoretrack.web.audit import Deleted, RestoreError, bring_back, check_references
from scoretrack.web.models import DeletionSet

EXAMPLES = 3


def counted(model: type[Model], n: int) -> str:
    """A count with its kind: "1 enrolment", "3 enrolments", "2 trainer links" (the rows
    of a many-to-many field)."""
    meta = model._meta
    if meta.auto_created:  # the rows of a many-to-many field: links to its target
        target = next(
            f.related_model
            for f in meta.concrete_fields
            if f.is_relation and f.related_model is not meta.auto_created
        )
        return f"{n} {target._meta.verbose_name} link{'' if n == 1 else 's'}"
    return f"{n} {meta.verbose_name if n == 1 else meta.verbose_name_plural}"


def listed(parts: Sequence[Any]) -> str:
    """Parts as a sentence lists them: "a", "a and b", "a, b and c"."""
    texts = [str(part) for part in parts]
    return " and ".join(texts) if len(texts) < 3 else f"{', '.join(texts[:-1])} and {texts[-1]}"


def _has_history(model: type[Model]) -> bool:
    return getattr(model._meta, "simple_history_manager_attribute", None) is not None


@dataclass(frozen=True)
class Dependent:
    """Records of one kind that deleting a record touches. `effect`: "deleted" (they
    go with it), "unlinked" (they stay without their link to it) or "blocking" (they
    refer to it and never go with it)."""

    model: type[Model]
    effect: str
    objects: tuple[Model, ...]

    @property
    def count(self) -> int:
        return len(self.objects)

    @property
    def label(self) -> str:
        return counted(self.model, self.count).partition(" ")[2]

    @property
    def examples(self) -> list[str]:
        return [str(obj) for obj in self.objects[:EXAMPLES]]

    def __str__(self) -> str:
        return counted(self.model, self.count)


class DeletionRefused(crud.DeletionRefused):
    """The record may not be deleted. `kind`: "blocked" (records that never go with
    it refer to it), "in use" (others would go or be unlinked; `cascade` allows it)
    or "forbidden" (the user may not delete or unlink some of them)."""

    def __init__(self, message: str, dependents: list[Dependent], *, kind: str) -> None:
        super().__init__(message)
        self.dependents = dependents
        self.kind = kind


class _Collector(Collector):
    """Django's deletion collector made to list: every dependent is fetched (no fast
    delete), and protected ones are gathered instead of raised."""

    def __init__(self, using: str) -> None:
        super().__init__(using)
        self.protected: set[Model] = set()

    def can_fast_delete(self, objs: Any, from_field: Any = None) -> bool:
        return False

    def collect(self, objs: Any, *args: Any, **kwargs: Any) -> None:
        try:
            super().collect(objs, *args, **kwargs)
        except ProtectedError as exc:
            self.protected.update(exc.protected_objects)
        except RestrictedError as exc:
            self.protected.update(exc.restricted_objects)


def _parent_first(models: Iterable[type[Model]]) -> list[type[Model]]:
    """Each model after the models it refers to (ties by name)."""
    pending = sorted(set(models), key=lambda m: str(m._meta.verbose_name).lower())
    ordered: list[type[Model]] = []
    while pending:
        ready = next(
            (m for m in pending if not ({*_parents(m)} & {*pending} - {m})),
            pending[0],
        )
        pending.remove(ready)
        ordered.append(ready)
    return ordered


def _parents(model: type[Model]) -> list[type[Model]]:
    return [f.related_model for f in model._meta.concrete_fields if f.is_relation]


def _by_model(objects: Iterable[Model], effect: str) -> list[Dependent]:
    groups: dict[type[Model], dict[Any, Model]] = {}
    for obj in objects:
        groups.setdefault(type(obj), {})[obj.pk] = obj
    return [
        Dependent(model, effect, tuple(sorted(groups[model].values(), key=lambda o: str(o.pk))))
        for model in _parent_first(groups)
    ]


@dataclass
class Plan:
    """What deleting `record` would do, and what of it `user` may not do."""

    record: Model
    collector: _Collector
    deleted: list[Dependent]  # what goes with it, parent first
    unlinked: list[Dependent]  # what stays without its link to it
    unlinks: list[tuple[Field, Any, list[Model]]]  # (field, new value, records)
    blocking: list[Dependent]
    forbidden: list[Dependent]

    @property
    def alone(self) -> bool:
        """Nothing but the record's own row goes."""
        return sum(len(objs) for objs in self.collector.data.values()) == 1 and not self.unlinks

    @property
    def refusal(self) -> str:
        """Why it may not be deleted at all, even with its dependents ("" if it may)."""
        error = self.error(cascade=True)
        return str(error) if error else ""

    @property
    def fingerprint(self) -> str:
        """Changes whenever what would go or be unlinked does (a confirmation's check)."""
        return ";".join(
            f"{d.effect}:{d.model._meta.label}:{d.count}" for d in self.deleted + self.unlinked
        )

    def error(self, *, cascade: bool) -> DeletionRefused | None:
        if self.blocking:
            message = (
                f"it is used by {listed(self.blocking)} (never deleted with it); "
                "delete or move them first"
            )
            return DeletionRefused(message, self.blocking, kind="blocked")
        if not cascade and (self.deleted or self.unlinked):
            parts = [f"{listed(self.deleted)} would be deleted with it"] if self.deleted else []
            if self.unlinked:
                parts.append(f"{listed(self.unlinked)} would be unlinked from it")
            return DeletionRefused("; ".join(parts), self.deleted + self.unlinked, kind="in use")
        if self.forbidden:
            parts = [
                f"{verb} {listed([d for d in self.forbidden if d.effect == effect])}"
                for effect, verb in (("deleted", "delete"), ("unlinked", "unlink"))
                if any(d.effect == effect for d in self.forbidden)
            ]
            message = f"your role may not {' or '.join(parts)}"
            return DeletionRefused(message, self.forbidden, kind="forbidden")
        return None


def deletion_plan(user: Any, record: Model) -> Plan:
    """What deleting `record` would do; with `user`, also what the user may not do."""
    collector = _Collector(router.db_for_write(type(record), instance=record))
    collector.collect([record])
    own = {
        f.remote_field.through
        for f in type(record)._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    }
    gone = {(type(obj), obj.pk) for objs in collector.data.values() for obj in objs}
    deleted = [
        obj
        for model, objs in collector.data.items()
        if model not in own
        for obj in objs
        if obj is not record
    ]
    unlinks = []
    for (field, value), querysets in collector.field_updates.items():
        objs = [o for qs in querysets for o in qs if (type(o), o.pk) not in gone]
        if objs:
            unlinks.append((field, value, sorted(objs, key=lambda o: str(o.pk))))
    unlinks.sort(key=lambda u: (str(u[0].model._meta.verbose_name).lower(), u[0].name))
    plan = Plan(
        record=record,
        collector=collector,
        deleted=_by_model(deleted, "deleted"),
        unlinked=_by_model((o for _, _, objs in unlinks for o in objs), "unlinked"),
        unlinks=unlinks,
        blocking=_by_model(collector.protected, "blocking"),
        forbidden=[],
    )
    if user is not None:
        mine = Dependent(type(record), "deleted", (record,))
        plan.forbidden = _forbidden(user, [mine, *plan.deleted, *plan.unlinked])
    return plan


def dependents_of(record: Model) -> list[Dependent]:
    """What blocks, would go with or would be unlinked from `record` on deletion."""
    plan = deletion_plan(None, record)
    return plan.blocking + plan.deleted + plan.unlinked


def _forbidden(user: Any, dependents: list[Dependent]) -> list[Dependent]:
    refused = []
    for dependent in dependents:
        allowed = _writable(user, dependent.model, dependent.objects)
        objs = tuple(o for o, ok in zip(dependent.objects, allowed, strict=True) if not ok)
        if objs:
            refused.append(Dependent(dependent.model, dependent.effect, objs))
    return refused


def _writable(user: Any, model: type[Model], objs: Sequence[Model]) -> list[bool]:
    owner = model._meta.auto_created
    if not owner:
        return writable(user, model, objs)
    # Another record's many-to-many links: changing them changes that record.
    link = next(f for f in model._meta.concrete_fields if f.related_model is owner)
    owners = owner._base_manager.in_bulk([getattr(o, link.attname) for o in objs])
    allowed = dict(zip(owners, writable(user, owner, list(owners.values())), strict=True))
    return [allowed.get(getattr(o, link.attname), False) for o in objs]


@transaction.atomic
def record_delete(*, acting_user: Any, record: Model, cascade: bool = False) -> DeletionSet | None:
    """Delete `record`. While other records depend on it, refused (DeletionRefused,
    listing them) unless `cascade`: then they go with it as one DeletionSet, which
    is returned (None when the record went alone)."""
    # Locked first: a dependent written meanwhile (it locks its parent's key) waits.
    list(type(record)._base_manager.select_for_update().filter(pk=record.pk).values("pk"))
    plan = deletion_plan(acting_user, record)
    error = plan.error(cascade=cascade) or _locked(plan)
    if error is not None:
        raise error
    with acting_as(acting_user):
        if plan.alone:
            record.delete()  # its history keeps it: restored alone at /deleted/
            return None
        return _delete_set(acting_user, plan)


def _locked(plan: Plan) -> DeletionRefused | None:
    """Refused when the record, or one that would go with it, is dated in a period
    approved for its country (scoretrack.quality): locked until HQ reopens it."""
    for model, objs in plan.collector.data.items():
        for violation in hooks.locked(model, list(objs)):
            return DeletionRefused(violation.reason, [], kind="locked")
    return None


def _delete_set(user: Any, plan: Plan) -> DeletionSet:
    record = plan.record
    deletion = DeletionSet(
        user=user if getattr(user, "is_authenticated", False) else None,
        root_model=record._meta.label,
        root_id=record.pk,
        root_name=str(record)[:300],
    )
    unlinked = []
    for field, value, objs in plan.unlinks:
        for obj in objs:  # saved one by one, so that each change has its history row
            old = getattr(obj, field.attname)
            unlinked.append(
                {"model": obj._meta.label, "id": obj.pk, "field": field.name, "value": old}
            )
            setattr(obj, field.attname, value)
            obj._change_reason = deletion.reason
            obj.save(update_fields=[field.name])
    deleted, rows = [], []
    for model in _parent_first(plan.collector.data):
        objs = sorted(plan.collector.data[model], key=lambda o: (o is not record, str(o.pk)))
        if _has_history(model):
            for obj in objs:
                obj._change_reason = deletion.reason
                deleted.append({"model": model._meta.label, "id": obj.pk})
        elif objs:
            kept = model._base_manager.filter(pk__in=[o.pk for o in objs]).order_by("pk")
            fields = [f.attname for f in model._meta.concrete_fields]
            rows += [{"model": model._meta.label, "values": v} for v in kept.values(*fields)]
    plan.collector.field_updates.clear()  # done above, with history
    plan.collector.delete()
    deletion.items = {"deleted": deleted, "rows": rows, "unlinked": unlinked}
    deletion.save()
    return deletion


# --- restoring ----------------------------------------------------------------------


def deletion_set_restore(*, acting_user: Any, set_id: Any) -> DeletionSet:
    """Bring back a deletion set whole: its records parent first, with their ids and
    last values, their rows kept by value, and the links it unlinked. All or nothing."""
    try:
        set_id = uuid.UUID(str(set_id))
    except ValueError as exc:
        raise RestoreError(f"{set_id!r} is not a deletion set id") from exc
    with transaction.atomic(), acting_as(acting_user):
        deletion = DeletionSet.objects.select_for_update().filter(pk=set_id).first()
        if deletion is None:
            raise RestoreError("no such deletion set")
        if deletion.restored_at is not None:
            raise RestoreError("this deletion set was restored already")
        known: set[tuple[type[Model], str]] = set()
        try:
            _restore_records(deletion, known)
            _restore_rows(deletion, known)
            _relink(deletion)
        except ValidationError as exc:  # a record's rules no longer hold (see Record.rules)
            raise RestoreError("; ".join(exc.messages)) from exc
        deletion.restored_at = timezone.now()
        deletion.restored_by = (
            acting_user if getattr(acting_user, "is_authenticated", False) else None
        )
        deletion.save(update_fields=["restored_at", "restored_by"])
    return deletion


def _restore_records(deletion: DeletionSet, known: set[tuple[type[Model], str]]) -> None:
    items = deletion.items.get("deleted", [])
    entries = {}
    for label in {item["model"] for item in items}:
        model = apps.get_model(label)
        ids = [item["id"] for item in items if item["model"] == label]
        history = getattr(model, model._meta.simple_history_manager_attribute)
        found = history.filter(id__in=ids, history_type="-", history_change_reason=deletion.reason)
        entries.update({(label, str(entry.id)): entry for entry in found})
        if model._base_manager.filter(pk__in=ids).exists():
            raise RestoreError(f"one of its {model._meta.verbose_name_plural} exists again")
    for item in items:
        entry = entries.get((item["model"], str(item["id"])))
        if entry is None:
            raise RestoreError(f"the history of {item['model']} {item['id']} is missing")
        instance = entry.instance
        check_references(instance, known)
        bring_back(instance, reason=deletion.restore_reason)
        known.add((type(instance), str(instance.pk)))


def _restore_rows(deletion: DeletionSet, known: set[tuple[type[Model], str]]) -> None:
    for item in deletion.items.get("rows", []):
        model = apps.get_model(item["model"])
        values = dict(item["values"])
        if model._meta.pk.auto_created:  # an implicit id is the database's to give
            values.pop(model._meta.pk.attname, None)
        instance = model(**values)
        check_references(instance, known)
        bring_back(instance)


def _relink(deletion: DeletionSet) -> None:
    for item in deletion.items.get("unlinked", []):
        model = apps.get_model(item["model"])
        field = model._meta.get_field(item["field"])
        obj = model._base_manager.filter(pk=item["id"]).first()
        kind = model._meta.verbose_name
        if obj is None:
            raise RestoreError(f"the {kind} {item['id']} it unlinked is gone; restore it first")
        if getattr(obj, field.attname) is not None:
            raise RestoreError(
                f"the {kind} {obj} it unlinked is linked to another "
                f"{field.related_model._meta.verbose_name} now"
            )
        setattr(obj, field.attname, field.target_field.to_python(item["value"]))
        obj._change_reason = deletion.restore_reason
        obj.save(update_fields=[field.name])


def deleted_sets(limit: int = 100) -> list[Deleted]:
    """The deletion sets not restored, newest first, as rows of the deleted records page."""
    found = []
    for deletion in DeletionSet.objects.filter(restored_at=None).select_related("user")[:limit]:
        model = apps.get_model(deletion.root_model)
        found.append(
            Deleted(
                model=deletion.root_model,
                label=str(model._meta.verbose_name),
                id=deletion.root_id,
                name=deletion.root_name,
                when=deletion.created_at,
                who=str(deletion.user or "system"),
                set_id=deletion.id,
                with_it=listed(set_counts(deletion, "deleted") + set_counts(deletion, "rows")),
                unlinked=listed(set_counts(deletion, "unlinked")),
            )
        )
    return found


def set_counts(deletion: DeletionSet, part: str) -> list[str]:
    """The counts of one part of a set's items ("3 enrolments", …), its record left out."""
    counts: dict[str, int] = {}
    for item in deletion.items.get(part, []):
        if str(item.get("id")) != str(deletion.root_id):
            counts[item["model"]] = counts.get(item["model"], 0) + 1
    return [counted(apps.get_model(label), n) for label, n in counts.items()]


def page_delete(user: Any, record: Model, cascade: bool) -> DeletionSet | None:
    """`record_delete` as the generic pages call it (lib/crud.py's `Deletion`)."""
    return record_delete(acting_user=user, record=record, cascade=cascade)
