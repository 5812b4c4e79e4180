"""Import one sheet of a workbook: parse, resolve, match, then write in bulk.

Rows are handled in chunks so that a big sheet streams through in bounded
memory: each chunk's references are fetched in a few queries, its existing
records matched in one, and its writes done with bulk inserts/updates that also
write the change history (django-simple-history) and the author stamps.
"""

from __future__ import annotations

import datetime as dt
import itertools
import secrets
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from decimal import Decimal
from itertools import islice
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from scoretrack.accounts.scoping import may_write_kind, writable
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.exchange.references import KINDS, Resolver, Target, pick
from scoretrack.exchange.schema import ESCAPE, CellError, Column, Sheet
from scoretrack.finance.models import ExchangeRate, MissingRate
from scoretrack.lib import bulk, hooks
from scoretrack.lib.cells import visible
from scoretrack.lib.db_errors import is_busy, unique_columns
from scoretrack.lib.kinds import kind_named, sheet_kinds
from scoretrack.outcomes.models import Assessment, KpiObservation
from scoretrack.reference.models import Cluster, Region, Sector
from scoretrack.training.models import Delivery

CHUNK = 2000
MAX_PROBLEMS = 1000  # reported in full; beyond that only counted
# The reason given when a row would create a record whose identity another holds
# (the API's create and update say 409 for it; a workbook updates that record).
EXISTS = "a record with the same identity exists already"
# The reason given when that identity was taken by another transaction while
# this import ran (it was free when the import looked).
TAKEN_MEANWHILE = "another import or user created this record at the same time; import again"


@dataclass
class Problem:
    sheet: str
    row: int | None
    column: str
    value: str
    reason: str

    def line(self) -> str:
        shown = f" (value {self.value!r})" if self.value else ""
        return f"{self.sheet}:{self.row or ''}:{self.column}: {self.reason}{shown}"


@dataclass
class SheetCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def summary(self) -> str:
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"


@dataclass
class Problems:
    items: list[Problem] = field(default_factory=list)
    count: int = 0

    def add(self, sheet: str, row: int | None, column: str, value: Any, reason: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            # Shown as symbols: a report holding a NUL could not be stored (PostgreSQL).
            shown = "" if value is None else visible(str(value)[:200])
            self.items.append(Problem(visible(sheet), row, visible(column), shown, visible(reason)))


@dataclass
class Row:
    number: int
    cells: dict[str, Any]  # parsed values of the columns present in the sheet
    raw: dict[str, Any]
    ids: dict[str, Any] = field(default_factory=dict)  # resolved references
    values: dict[str, Any] = field(default_factory=dict)  # model field -> value
    defaults: dict[str, Any] = field(default_factory=dict)  # set only when created
    obj: Any = None
    extra_change: bool = False  # changed outside `values` (lead buyers, trainers...)
    refused: bool = False  # rejected after matching (a problem is reported)
    planned: Any = None  # a new record as the checks saw it (`_after`), then written


@dataclass
class Context:
    user: Any
    resolver: Resolver
    problems: Problems
    progress: Callable[[int], None] = lambda rows: None
    rates: dict[tuple[str, dt.date], Decimal] = field(default_factory=dict)
    new_id: Callable[[], uuid.UUID] = field(default_factory=lambda: time_ordered_ids())
    # The API's writes: one row that must create a record (`create_only`), or
    # that is the record `target_id` whatever its identity columns say.
    create_only: bool = False
    target_id: uuid.UUID | None = None
    # The API answers with the records its rows are: the importers keep their ids
    # (`SheetImporter.ids`). A workbook import does not, so a million-row sheet
    # holds no million ids (about 100 MB of UUIDs).
    keep_ids: bool = False


def time_ordered_ids() -> Callable[[], uuid.UUID]:
    """Ids for the records of one import, in increasing order (UUID version 7 layout).

    Random version 4 ids land all over the primary-key index (and the history
    table's index of ids); ids that grow are appended at its end, which keeps
    a million-row import from slowing down as the indexes outgrow the cache.
    The import's start time in milliseconds leads, then a counter from a
    random start.
    """
    millis = int(time.time() * 1000) & ((1 << 48) - 1)
    counter = itertools.count(secrets.randbits(60))

    def new_id() -> uuid.UUID:
        sequence = next(counter) & ((1 << 74) - 1)
        high, low = sequence >> 62, sequence & ((1 << 62) - 1)
        return uuid.UUID(int=(millis << 80) | (0x7 << 76) | (high << 64) | (0b10 << 62) | low)

    return new_id


def _listed(names: Iterable[str]) -> str:
    *rest, last = names
    return f"{', '.join(rest)} and {last}" if rest else last


def _chunks(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while chunk := list(islice(rows, size)):
        yield chunk


class NewRecord(SimpleNamespace):
    """A record about to be inserted: its column values, lighter than a model instance."""

    @property
    def pk(self) -> uuid.UUID:
        return self.id


class SheetImporter:
    """The common path; subclasses add what one sheet needs beyond it."""

    # From the sheet's kind (lib/kinds.py, declared in its app's kinds.py):
    model: type[models.Model]
    identity: tuple[str, ...] = ()  # model fields; the first one is looked up in batches
    kind: str | None = None  # the reference kind this sheet's records answer to
    loose: frozenset[str] = frozenset()  # content fields compared only when given
    content_lookup = ""  # the field content matching looks records up by
    renames: dict[str, str] = {}

    def __init__(self, sheet: Sheet, header: dict[str, int], ctx: Context) -> None:
        declared = kind_named(sheet.name)
        self.model = declared.model
        self.identity = declared.identity_fields()
        self.kind = declared.reference
        self.sheet = sheet
        self.header = header
        self.ctx = ctx
        self.counts = SheetCounts()
        self.ids: list[Any] = []  # of the records the rows are (with `ctx.keep_ids`)
        self.seen: dict[int, int] = {}  # hash of identity -> row number, for duplicates
        self.pools: dict[Any, dict[tuple[Any, ...], list[Any]]] = {}
        self.present = [c for c in sheet.columns if c.name in header]
        # Each present column: its name, position in the row, parser, and whether required.
        self._cells = [(c.name, header[c.name], c.type.parse, c.required) for c in self.present]
        self._fields = {f.attname: f for f in self.model._meta.concrete_fields}
        # What a new record holds in the columns its row does not give.
        self._defaults = {
            name: f.get_default() for name, f in self._fields.items() if not f.primary_key
        }
        self.content_names = sorted(
            self.renames.get(c.name, c.name) + ("_id" if c.ref else "")
            for c in self.present
            if c.type.name != "list" and c.name not in self.loose
        )

    # --- the pipeline ----------------------------------------------------------------

    def run(self, rows: Iterator[tuple[int, list[Any]]]) -> SheetCounts:
        for chunk in _chunks(rows, CHUNK):
            parsed = [row for row in (self.parse(n, raw) for n, raw in chunk) if row]
            self.prefetch(parsed)
            ready = [row for row in parsed if self.resolve(row) and self.build(row)]
            self.apply(ready)
            self.ctx.progress(len(chunk))
        return self.counts

    def problem(self, row: Row, column: str, reason: str) -> None:
        self.ctx.problems.add(self.sheet.name, row.number, column, row.raw.get(column), reason)
        if self.kind:
            key = row.raw.get(KINDS[self.kind][1])
            self.ctx.resolver.rejected[self.kind].add(str(key).strip())

    def parse(self, number: int, raw_row: list[Any]) -> Row | None:
        """The row's cells parsed (None: a blank row, or a cell refused, which is
        reported). Text is stripped, then loses one leading apostrophe (`unescape`);
        blank is None or no text. Called for every row: written as one loop."""
        size = len(raw_row)
        raw: dict[str, Any] = {}
        blank = True
        for name, position, _parse, _required in self._cells:
            value = raw_row[position] if position < size else None
            if isinstance(value, str):
                value = value.strip()
                if value[:1] == ESCAPE:
                    value = value[1:]
                # Stripped, then at most the apostrophe taken off: text left is not blank.
                blank = blank and not value
            elif value is not None:
                blank = False
            raw[name] = value
        if blank:
            return None
        row, ok = Row(number, {}, raw), True
        cells = row.cells
        for name, _position, parse, required in self._cells:
            value = raw[name]
            if value is None or value == "":
                if required:
                    self.problem(row, name, "required")
                    ok = False
                else:
                    cells[name] = None
                continue
            try:
                cells[name] = parse(value)
            except CellError as exc:
                self.problem(row, name, str(exc))
                ok = False
        return row if ok else None

    def prefetch(self, rows: list[Row]) -> None:
        for column in self.present:
            if column.ref:
                keys: set[str] = set()
                for row in rows:
                    value = row.cells.get(column.name)
                    keys.update(value if isinstance(value, list) else [value] if value else [])
                self.ctx.resolver.prefetch(column.ref, keys)

    def resolve(self, row: Row) -> bool:
        """Turn reference cells into ids; the row's country settles ambiguous keys.

        The country is the row's own, else that of its first reference to a
        record of one country; a reference left ambiguous is tried again with it.
        """
        country_id = None
        if "country" in row.cells:
            if self._resolve_one(row, self.sheet.column("country"), None, final=True) is False:
                return False
            country_id = row.ids["country"]
        columns = [c for c in self.present if c.ref and c.name != "country"]
        columns.sort(key=lambda c: c.type.name == "list")  # single references first
        ok, later = True, []
        for column in columns:
            outcome = self._resolve_one(row, column, country_id, final=False)
            if outcome is None:
                later.append(column)
            elif not outcome:
                ok = False
            elif country_id is None and KINDS[column.ref][2] and column.ref != "organisation":
                target = row.ids.get(f"{column.name}:target")
                country_id = target.country_id if target else None
        for column in later:
            ok = bool(self._resolve_one(row, column, country_id, final=True)) and ok
        return ok

    def _resolve_one(
        self, row: Row, column: Column, country_id: uuid.UUID | None, final: bool
    ) -> bool | None:
        """True when resolved, False when wrong, None when ambiguous and not `final`."""
        value = row.cells.get(column.name)
        if not value:
            row.ids[column.name] = [] if column.type.name == "list" else None
            return True
        found: list[uuid.UUID] = []
        for key in value if isinstance(value, list) else [value]:
            targets = pick(self.ctx.resolver.candidates(column.ref, key), country_id)
            if not targets:
                rejected = key in self.ctx.resolver.rejected[column.ref]
                why = f"{column.ref} {key!r}'s own row has errors" if rejected else ""
                self.problem(row, column.name, why or f"unknown {column.ref} {key!r}")
                return False
            if len(targets) > 1:
                if not final:
                    return None
                self.problem(
                    row,
                    column.name,
                    f"{column.ref} {key!r} exists in several country programmes: "
                    "nothing in the row says which",
                )
                return False
            found.append(targets[0].id)
            row.ids[f"{column.name}:target"] = targets[0]
        row.ids[column.name] = found if isinstance(value, list) else found[0]
        return True

    def build(self, row: Row) -> bool:
        """Fill `row.values` (model field -> value); False when the row is rejected."""
        for column in self.present:
            if column.type.name == "list":
                continue
            name = self.renames.get(column.name, column.name)
            if column.ref:
                row.values[f"{name}_id"] = row.ids[column.name]
            else:
                row.values[name] = row.cells[column.name]
        for name, value in list(row.values.items()):
            if value is None and name in self._fields:
                row.values[name] = self._blank_value(name)
        return True

    def _blank_value(self, name: str) -> Any:
        model_field = self._fields[name]
        if model_field.null:
            return None
        if model_field.has_default():
            return model_field.get_default()
        return "" if isinstance(model_field, models.CharField | models.TextField) else None

    # --- matching rows to records ----------------------------------------------------

    def identity_of(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        # A missing optional identity column (an organisation's country, a
        # target's scope) means blank, as in the identity table.
        if not self.identity:
            return None
        return tuple(
            values[name] if name in values else self._missing_value(name) for name in self.identity
        )

    def _missing_value(self, name: str) -> Any:
        """What a record holds for an identity column its sheet leaves out (a
        target's blank disaggregation is "", not None)."""
        return self._blank_value(name) if name in self._fields else None

    def match(self, rows: list[Row]) -> list[Row]:
        """Set `row.obj` to the record each row is (None: a new record)."""
        keyed = self._match_by_identity([r for r in rows if self.identity_of(r.values)])
        loose = [r for r in rows if not self.identity_of(r.values)]
        if self.ctx.target_id is not None:
            return self._match_target([*keyed, *loose], self.ctx.target_id)
        if self.ctx.create_only:
            # A new record is asked for: equal content is another record (two
            # equal costs are two costs), a taken identity is a conflict.
            return [*self._refuse_matched(keyed, lambda obj: True), *loose]
        return [*keyed, *self._match_by_content(loose)]

    def _refuse_matched(self, rows: list[Row], taken: Callable[[Any], bool]) -> list[Row]:
        kept = []
        for row in rows:
            if row.obj is not None and taken(row.obj):
                self.problem(row, self.sheet.identity[0] if self.sheet.identity else "", EXISTS)
            else:
                kept.append(row)
        return kept

    def _match_target(self, rows: list[Row], target_id: uuid.UUID) -> list[Row]:
        """The rows are the record `target_id`; its identity may change, not to another's."""
        rows = self._refuse_matched(rows, lambda obj: obj.pk != target_id)
        record = self.model.objects.visible_to(self.ctx.user).filter(pk=target_id).first()
        for row in rows:
            row.obj = record
            if record is None:
                self.problem(row, "id", "no such record")
        return [row for row in rows if row.obj is not None]

    def apply(self, rows: list[Row]) -> None:
        matched = self.match(rows)
        self.before_compare(matched)
        creates, updates, changed_fields = [], [], set()
        kept = self._admissible([row for row in matched if not row.refused])
        for row in kept:
            if row.obj is None:
                row.obj = row.planned  # built once, for the checks (`_after`)
                row.obj.id = self.ctx.new_id()
                creates.append(row)
                continue
            changed = [k for k, v in row.values.items() if getattr(row.obj, k) != v]
            for name in changed:
                setattr(row.obj, name, row.values[name])
            if changed or row.extra_change:
                updates.append(row)
                changed_fields.update(changed)
            else:
                self.counts.unchanged += 1
        created = self._write(creates, lambda objs: self._create(objs))
        updated = self._write(updates, lambda objs: self._update(objs, changed_fields))
        self.counts.created += len(created)
        self.counts.updated += len(updated)
        self.after_write(created + updated)
        if self.ctx.keep_ids:
            written = {id(row) for row in created + updated}
            refused = {id(row) for row in [*creates, *updates]} - written
            self.ids += [row.obj.pk for row in kept if id(row) not in refused]

    def _admissible(self, rows: list[Row]) -> list[Row]:
        """The rows in scope whose records keep the model's rules; each record as it
        will be written is built once for both checks."""
        if not rows:
            return rows
        after = self._after(rows)
        pairs = self._in_scope(rows, after)
        return self._within_rules([row for row, _r in pairs], [record for _row, record in pairs])

    def _in_scope(self, rows: list[Row], after: list[NewRecord]) -> list[tuple[Row, NewRecord]]:
        """The rows the importer may write (with their records); the others are
        rejected with the reason.

        A change is checked on the record as stored and with its new values, so
        that nothing is moved out of (or into) the importer's scope.
        """
        stored = [row for row in rows if row.obj is not None]
        as_stored = writable(
            self.ctx.user, self.model, [r.obj for r in stored], adding=[False] * len(stored)
        )
        refused = {id(r) for r, ok in zip(stored, as_stored, strict=True) if not ok}
        as_new = writable(self.ctx.user, self.model, after, adding=[r.obj is None for r in rows])
        kept = []
        for row, record, ok in zip(rows, after, as_new, strict=True):
            if ok and id(row) not in refused:
                kept.append((row, record))
                continue
            verb = "create" if row.obj is None else "change"
            self.problem(
                row,
                "",
                f"outside your scope: your role may not {verb} this "
                f"{self.model._meta.verbose_name}",
            )
        return kept

    def _after(self, rows: list[Row]) -> list[NewRecord]:
        """Each row's record as it will be written: stored values, then the row's."""
        names = list(self._fields)
        after = []
        for row in rows:
            if row.obj is not None:
                record = NewRecord(**{n: getattr(row.obj, n) for n in names})
                vars(record).update(row.values)
                record.id = row.obj.pk
            else:
                record = NewRecord(**{**self._defaults, **row.values, **row.defaults})
                if "id" not in vars(record):
                    record.id = None
                row.planned = record
            after.append(record)
        return after

    def _within_rules(self, rows: list[Row], after: list[NewRecord]) -> list[Row]:
        """The rows whose records keep the model's rules (`Record.rules`, asked for
        the whole chunk at once); the others are rejected with the rule's reason."""
        if not rows:
            return rows
        broken: set[int] = set()
        broken_rules = [
            *self.model.rules(after),
            *self.link_rules(rows, after),
            *self._locks(rows, after),
        ]
        for violation in broken_rules:
            row = rows[violation.position]
            self.problem(row, self._column_of(violation.field), violation.reason)
            broken.add(violation.position)
        return [row for position, row in enumerate(rows) if position not in broken]

    def link_rules(self, rows: list[Row], after: list[NewRecord]) -> Iterable[Any]:
        """Rules of what a row links to besides its fields (lead buyers, trainers)."""
        return ()

    def _locks(self, rows: list[Row], after: list[NewRecord]) -> list[Any]:
        """Rows whose record, as it will be or as it is stored, is dated in a period
        approved for its country (scoretrack.quality): locked until HQ reopens it."""
        found = {v.position: v for v in hooks.locked(self.model, after)}
        stored = [
            (position, row.obj)
            for position, row in enumerate(rows)
            if row.obj is not None and position not in found
        ]
        for violation in hooks.locked(self.model, [obj for _position, obj in stored]):
            position = stored[violation.position][0]
            found.setdefault(position, replace(violation, position=position))
        return list(found.values())

    def _column_of(self, field_name: str) -> str:
        """The sheet column a model field is read from ("" when none is)."""
        columns = {self.renames.get(c.name, c.name): c.name for c in self.sheet.columns}
        return columns.get(field_name, columns.get(field_name.removesuffix("_id"), ""))

    def before_compare(self, rows: list[Row]) -> None:
        """Set `row.extra_change` on matched rows when more than their fields changes."""

    def _match_by_identity(self, rows: list[Row]) -> list[Row]:
        if not rows:
            return rows
        kept = []
        for row in rows:
            digest = hash(self.identity_of(row.values))
            if digest in self.seen:
                self.problem(
                    row,
                    self.sheet.identity[0] if self.sheet.identity else "",
                    f"same {_listed(self.sheet.identity or ())} as row {self.seen[digest]}",
                )
                continue
            self.seen[digest] = row.number
            kept.append(row)
        first = self.identity[0]
        wanted = {row.values[first] for row in kept}
        index = {}
        for existing in self._existing(first, wanted):
            index[tuple(getattr(existing, name) for name in self.identity)] = existing
        for row in kept:
            row.obj = index.get(self.identity_of(row.values))
        return kept

    def _existing(self, first: str, wanted: set[Any]) -> Iterator[Any]:
        queryset = self.model.objects.visible_to(self.ctx.user)
        values = sorted(wanted, key=str)
        for start in range(0, len(values), 500):
            yield from queryset.filter(**{f"{first}__in": values[start : start + 500]})

    def content_filter(self) -> dict[str, Any]:
        return {}

    def _content_of(self, values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values.get(name) for name in self.content_names)

    def _match_by_content(self, rows: list[Row]) -> list[Row]:
        """Equal rows are matched one to one with equal records; the rest are new."""
        if not rows:
            return rows
        first = self.content_lookup
        wanted = sorted({row.values[first] for row in rows} - set(self.pools), key=str)
        for value in wanted:
            self.pools[value] = {}
        queryset = self.model.objects.visible_to(self.ctx.user).filter(**self.content_filter())
        for start in range(0, len(wanted), 500):
            batch = wanted[start : start + 500]
            for existing in queryset.filter(**{f"{first}__in": batch}).order_by("created_at"):
                values = {name: getattr(existing, name) for name in self.content_names}
                pool = self.pools[getattr(existing, first)]
                pool.setdefault(self._content_of(values), []).append(existing)
        for row in rows:
            pool = self.pools[row.values[first]].get(self._content_of(row.values), [])
            for position, existing in enumerate(pool):
                if all(
                    row.values.get(name) in (None, getattr(existing, name)) for name in self.loose
                ):
                    row.obj = pool.pop(position)
                    break
        return rows

    # --- writing -----------------------------------------------------------------------

    def _write(self, rows: list[Row], write: Callable[[list[Any]], None]) -> list[Row]:
        """Write in bulk; when the database refuses, retry row by row to name the row.

        A busy database (a lock not granted in time, a deadlock, a lost
        connection) is not the rows' fault: that error goes up, and the whole
        import with it (the API answers 503)."""
        if not rows:
            return []
        try:
            with transaction.atomic():
                write([row.obj for row in rows])
            return rows
        except (DatabaseError, ValidationError) as exc:
            if is_busy(exc):
                raise
        written = []
        for row in rows:
            try:
                with transaction.atomic():
                    write([row.obj])
                written.append(row)
            except (DatabaseError, ValidationError) as exc:
                if is_busy(exc):
                    raise
                self._refused(row, exc)
        return written

    def _refused(self, row: Row, exc: Exception) -> None:
        """The row's problem for the database's refusal of its record.

        The identity was looked up in this transaction and found free, so a unique
        violation on it means another transaction took it meanwhile (on PostgreSQL
        the insert waits for that one to commit, then fails)."""
        columns = unique_columns(exc)
        if columns is not None and columns == self._identity_columns():
            reason = EXISTS if self.ctx.create_only else TAKEN_MEANWHILE
            self.problem(row, self.sheet.identity[0] if self.sheet.identity else "", reason)
            return
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self.problem(row, "", f"refused by the database: {reason}")

    def _identity_columns(self) -> frozenset[str]:
        return frozenset(self.model._meta.get_field(name).column for name in self.identity)

    def _stamp(self, objs: list[Any], creating: bool) -> None:
        now = timezone.now()
        user = self._user()
        user_id = user.pk if user else None
        for obj in objs:
            if creating:
                obj.created_by_id = user_id
                obj.created_at = now
            obj.updated_by_id = user_id
            obj.updated_at = now

    def _create(self, objs: list[Any]) -> None:
        self._stamp(objs, creating=True)
        user = self._user()
        history = bulk.History(user.pk if user else None, objs[0].created_at)
        bulk.insert(self.model, objs, history=history)
        if self.kind:
            _model, key_field, _by_country = KINDS[self.kind]
            for obj in objs:
                target = Target(obj.pk, getattr(obj, "country_id", None), self.target_day(obj))
                self.ctx.resolver.add(self.kind, getattr(obj, key_field), target)

    def target_day(self, obj: Any) -> dt.date | None:
        return None

    def _update(self, objs: list[Any], fields: set[str]) -> None:
        self._stamp(objs, creating=False)
        names = [*sorted(fields), "updated_at", "updated_by_id"]
        bulk_update_with_history(objs, self.model, names, batch_size=500, default_user=self._user())

    def _user(self) -> Any:
        return self.ctx.user if getattr(self.ctx.user, "pk", None) else None

    def after_write(self, rows: list[Row]) -> None:
        """Write what hangs off the records (many-to-many links)."""

    # --- helpers for subclasses -------------------------------------------------------

    def to_usd(self, row: Row, amount: Decimal, currency: str, day: dt.date) -> Decimal | None:
        try:
            rates = ExchangeRate.objects.visible_to(self.ctx.user)
            return rates.to_usd(amount, currency, day, rates=self.ctx.rates)
        except MissingRate as missing:
            self.problem(row, "currency", f"{missing}: add it to the rates sheet or give usd")
            return None


# --- one importer per sheet -----------------------------------------------------------


class RateImporter(SheetImporter):
    def after_write(self, rows: list[Row]) -> None:
        self.ctx.rates.clear()


class TargetImporter(SheetImporter):
    def build(self, row: Row) -> bool:
        super().build(row)
        codes = _indicator_codes()
        if codes and row.values["indicator"] not in codes:
            self.problem(row, "indicator", f"unknown indicator {row.values['indicator']!r}")
            return False
        return True


def _indicator_codes() -> set[str]:
    """The codes of the indicator registry (empty if the registry is not installed)."""
    try:
        from scoretrack.indicators.registry import indicators
    except ImportError:
        return set()
    return {item.code for item in indicators()}


class EnterpriseImporter(SheetImporter):
    _names: dict[tuple[str, Any, str], uuid.UUID]

    def build(self, row: Row) -> bool:
        super().build(row)
        country = row.ids["country"]
        sector = self._named(Sector, None, row.cells.get("sector"))
        for column, model, scope in (
            ("region", Region, country),
            ("sector", Sector, None),
            ("cluster", Cluster, country),
        ):
            if column in row.values:
                del row.values[column]
                extra = {"sector_id": sector} if model is Cluster else {}
                row.values[f"{column}_id"] = self._named(
                    model, scope, row.cells.get(column), **extra
                )
        return True

    def _named(self, model: Any, country: Any, name: str | None, **extra: Any) -> Any:
        """The id of the region/sector/cluster of that name, created on first use."""
        if not name:
            return None
        if not hasattr(self, "_names"):
            self._names = {}
        key = (model.__name__, country, name.casefold())
        if key not in self._names:
            scope = {"country_id": country} if country else {}
            found = (
                model.objects.visible_to(self.ctx.user)
                .filter(name__iexact=name, **scope)
                .values_list("id", flat=True)
                .first()
            )
            if found is None:
                found = model.objects.create(name=name, **scope, **extra).pk
            self._names[key] = found
        return self._names[key]

    def link_rules(self, rows: list[Row], after: list[NewRecord]) -> Iterable[Any]:
        return Enterprise.lead_buyer_rules([row.ids.get("lead_buyers") or [] for row in rows])

    def before_compare(self, rows: list[Row]) -> None:
        matched = [row for row in rows if "lead_buyers" in row.ids and row.obj is not None]
        current: dict[uuid.UUID, set[uuid.UUID]] = {row.obj.pk: set() for row in matched}
        links = LeadBuyerLink.objects.filter(enterprise_id__in=list(current))
        for enterprise_id, buyer_id in links.values_list("enterprise_id", "lead_buyer_id"):
            current[enterprise_id].add(buyer_id)
        for row in matched:
            row.extra_change = current[row.obj.pk] != set(row.ids["lead_buyers"])
        self._refuse_links(rows, LeadBuyerLink, "lead_buyers", "lead buyers")

    def _refuse_links(self, rows: list[Row], link: type, column: str, what: str) -> None:
        """A row that changes links the user's role may not write is rejected."""
        if may_write_kind(self.ctx.user, link):
            return
        for row in rows:
            if column in row.ids and (row.extra_change or (row.obj is None and row.ids[column])):
                self.problem(row, column, f"outside your scope: your role may not change {what}")
                row.refused = True

    def after_write(self, rows: list[Row]) -> None:
        rows = [row for row in rows if "lead_buyers" in row.ids]
        if not rows:
            return
        links = LeadBuyerLink.objects.filter(enterprise__in=[row.obj.pk for row in rows])
        current: dict[uuid.UUID, dict[uuid.UUID, LeadBuyerLink]] = {}
        for link in links:
            current.setdefault(link.enterprise_id, {})[link.lead_buyer_id] = link
        new, gone = [], []
        for row in rows:
            have = current.get(row.obj.pk, {})
            want = row.ids["lead_buyers"]
            new += [
                LeadBuyerLink(enterprise_id=row.obj.pk, lead_buyer_id=b)
                for b in want
                if b not in have
            ]
            gone += [link.pk for b, link in have.items() if b not in want]
        if new:
            self._stamp(new, creating=True)
            bulk_create_with_history(new, LeadBuyerLink, default_user=self._user())
        if gone:
            for link in LeadBuyerLink.objects.filter(pk__in=gone):
                link.delete()  # one by one, so that history records the removal


class TrainerImporter(SheetImporter):
    def build(self, row: Row) -> bool:
        super().build(row)
        if row.values.get("email"):
            try:
                validate_email(row.values["email"])
            except ValidationError:
                self.problem(row, "email", "not an e-mail address")
                return False
        return True


class DeliveryImporter(SheetImporter):
    def target_day(self, obj: Any) -> dt.date | None:
        return obj.start_date

    def link_rules(self, rows: list[Row], after: list[NewRecord]) -> Iterable[Any]:
        return Delivery.trainer_rules(
            [record.country_id for record in after],
            [row.ids.get("trainers") or [] for row in rows],
        )

    def before_compare(self, rows: list[Row]) -> None:
        matched = [row for row in rows if "trainers" in row.ids and row.obj is not None]
        current: dict[uuid.UUID, set[uuid.UUID]] = {row.obj.pk: set() for row in matched}
        pairs = Delivery.trainers.through.objects.filter(delivery_id__in=list(current))
        for delivery_id, trainer_id in pairs.values_list("delivery_id", "trainer_id"):
            current[delivery_id].add(trainer_id)
        for row in matched:
            row.extra_change = current[row.obj.pk] != set(row.ids["trainers"])

    def after_write(self, rows: list[Row]) -> None:
        through = Delivery.trainers.through
        rows = [row for row in rows if "trainers" in row.ids]
        if not rows:
            return
        current: dict[uuid.UUID, set[uuid.UUID]] = {}
        pairs = through.objects.filter(delivery_id__in=[row.obj.pk for row in rows])
        for delivery_id, trainer_id in pairs.values_list("delivery_id", "trainer_id"):
            current.setdefault(delivery_id, set()).add(trainer_id)
        new = []
        for row in rows:
            have, want = current.get(row.obj.pk, set()), set(row.ids["trainers"])
            new += [through(delivery_id=row.obj.pk, trainer_id=t) for t in want - have]
            if have - want:
                through.objects.filter(delivery_id=row.obj.pk, trainer_id__in=have - want).delete()
        through.objects.bulk_create(new)


class EnrolmentImporter(SheetImporter):
    renames = {"usd": "fee_usd"}

    def build(self, row: Row) -> bool:
        super().build(row)
        fee, currency = row.cells.get("fee"), row.cells.get("currency")
        if fee is not None and not currency:
            self.problem(row, "currency", "required when a fee is given")
            return False
        if fee is not None and row.cells.get("usd") is None:
            delivery = row.ids["delivery:target"]
            usd = self.to_usd(row, fee, currency, delivery.day)
            if usd is None:
                return False
            row.values["fee_usd"] = usd
        return True


class ParticipantImporter(SheetImporter):
    content_lookup = "delivery_id"

    def identity_of(self, values: dict[str, Any]) -> tuple[Any, ...] | None:
        if not values.get("person"):
            return None  # each blank-person row is one person: matched by content
        return super().identity_of(values)

    def content_filter(self) -> dict[str, Any]:
        return {"person": ""}


class VisitImporter(SheetImporter):
    def build(self, row: Row) -> bool:
        super().build(row)
        if (row.values.get("hours") or 0) > 24:
            self.problem(row, "hours", "more than 24 hours in a day")
            return False
        return True


class MoneyImporter(SheetImporter):
    """Costs and contributions: matched by content, usd converted when not given."""

    loose = frozenset({"usd"})
    content_lookup = "country_id"

    def build(self, row: Row) -> bool:
        super().build(row)
        if row.values.get("usd") is None:
            usd = self.to_usd(row, row.cells["amount"], row.cells["currency"], row.cells["date"])
            if usd is None:
                return False
            if self.ctx.target_id is not None:
                row.values["usd"] = usd  # the API changes that record: its usd follows
            else:
                # Written on creation, but a row without usd matches a record of any usd.
                row.values.pop("usd", None)
                row.defaults["usd"] = usd
        return True


class AssessmentImporter(SheetImporter):
    """The long sheet: each row is one practice answer of one assessment."""

    _assessments: dict[tuple[Any, ...], Assessment]
    _assessors: dict[tuple[Any, ...], tuple[int, Any]]

    def build(self, row: Row) -> bool:
        if not hasattr(self, "_assessments"):
            self._assessments, self._assessors = {}, {}
        key = (row.ids["enterprise"], row.cells["kind"], row.cells["date"])
        assessor = row.ids.get("assessor")
        if "assessor" in row.cells:
            first = self._assessors.setdefault(key, (row.number, assessor))
            if first[1] != assessor:
                self.problem(row, "assessor", f"differs from row {first[0]} of this assessment")
                return False
        if key not in self._assessments:
            candidate = NewRecord(
                enterprise_id=key[0], kind=key[1], date=key[2], assessor_id=assessor
            )
            for violation in [
                *Assessment.rules([candidate]),
                *hooks.locked(Assessment, [candidate]),
            ]:
                self.problem(row, self._column_of(violation.field) or "date", violation.reason)
                return False
        assessment = self._assessment(key, assessor)
        if "assessor" in row.cells and assessment.assessor_id != assessor:
            assessment.assessor_id = assessor
            assessment.save(update_fields=["assessor"])
            row.extra_change = True
        row.values = {
            "assessment_id": assessment.pk,
            "practice_id": row.ids["practice"],
            "in_place": row.cells["in_place"],
        }
        if "note" in row.cells:
            row.values["note"] = row.cells["note"] or ""
        return True

    def _assessment(self, key: tuple[Any, ...], assessor: Any) -> Assessment:
        if key not in self._assessments:
            enterprise_id, kind, day = key
            found = (
                Assessment.objects.visible_to(self.ctx.user)
                .filter(enterprise_id=enterprise_id, kind=kind, date=day)
                .first()
            )
            if found is None:
                found = Assessment.objects.create(
                    enterprise_id=enterprise_id, kind=kind, date=day, assessor_id=assessor
                )
            self._assessments[key] = found
        return self._assessments[key]


class ObservationImporter(SheetImporter):
    def build(self, row: Row) -> bool:
        super().build(row)
        numerator, denominator = row.cells.get("numerator"), row.cells.get("denominator")
        if denominator is not None and denominator <= 0:
            self.problem(row, "denominator", "must be more than 0")
            return False
        if row.cells.get("value") is None:
            if numerator is None or denominator is None:
                self.problem(row, "value", "give a value, or a numerator and a denominator")
                return False
            row.values["value"] = KpiObservation.value_of(numerator, denominator)
        return True


def _importers() -> dict[str, type[SheetImporter]]:
    """Each sheet's importer class, named by its kind (the plain path when none is)."""
    found = {}
    for declared in sheet_kinds():
        module, name = declared.importer.rsplit(".", 1)
        assert module == __name__, f"{declared.name}: importers live in {__name__}"
        found[declared.name] = globals()[name]
    return found


IMPORTERS: dict[str, type[SheetImporter]] = _importers()


def rows_after_header(rows: Iterable[tuple[int, list[Any]]]) -> Iterator[tuple[int, list[Any]]]:
    iterator = iter(rows)
    next(iterator, None)
    return iterator
