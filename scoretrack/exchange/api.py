"""`/api/v1/<sheet>`: one resource per sheet of the exchange format.

Items carry the sheet's columns (references by key, code or name, as in the
workbook) plus `id` and `version`, in JSON types. Reads go through the same
SOURCES as the export, writes through the importer (`records_import`): one
code path for parsing, references, checks, scope and history.

No `from __future__ import annotations` here: the routes and schemas are built
in a loop from SHEETS, and django-ninja reads their annotations at runtime, so
they must be the objects themselves, not strings naming local variables.
"""

import base64
import binascii
import datetime as dt
import functools
import json
import uuid
from decimal import Decimal
from typing import Any, Literal

from django.db import transaction
from django.db.models import (
    Aggregate,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import BaseModel, create_model

from scoretrack.accounts.scoping import may_write, may_write_kind
from scoretrack.exchange.exporter import LISTS, SOURCES
from scoretrack.exchange.importer import EXISTS
from scoretrack.exchange.schema import SHEETS, SHEETS_BY_NAME, Column, Sheet
from scoretrack.exchange.services import RecordsResult, records_import
from scoretrack.lib.api_query import parameter_problems
from scoretrack.lib.api_types import JsonBool, JsonDate, JsonInt, JsonMonth, JsonText
from scoretrack.lib.models import claim_version
from scoretrack.web.deletion import DeletionRefused, record_delete

MAX_LIMIT = 500
SCOPE_REASON = "outside your scope"


class ApiProblem(Exception):
    """A refused request: its status, message and the fields at fault."""

    def __init__(self, status: int, error: str, detail: list[dict[str, Any]]) -> None:
        super().__init__(error)
        self.status, self.error, self.detail = status, error, detail


class Page(BaseModel):
    """A list's page. Items are built as dicts, so the response models are plain
    pydantic ones: ninja's Schema would wrap every item in its ORM attribute getter
    (half the time of a 100-item page)."""

    next: str | None = Field(description="The cursor of the next page; null on the last")


# --- types: a column's JSON type, out and in ------------------------------------------


def _month(value: Any) -> Any:
    return f"{value:%Y-%m}" if isinstance(value, dt.date) else value


def _out_type(column: Column) -> Any:
    kind = column.type.name
    if kind == "list":
        return list[str]
    base: Any = {"date": dt.date, "bool": bool, "int": int, "decimal": float}.get(kind, str)
    return base if column.required else base | None


def _in_type(column: Column) -> Any:
    kind = column.type.name
    if kind == "list":
        return list[JsonText]
    if kind == "enum":
        return Literal[column.type.choices]
    if kind == "month":
        return JsonMonth
    types = {"date": JsonDate, "bool": JsonBool, "int": JsonInt, "decimal": Decimal}
    return types.get(kind, JsonText)


def _describe(column: Column) -> str:
    text = column.type.allowed
    return f"{text}; {column.help}" if column.help else text


def _out_schema(sheet: Sheet) -> type[BaseModel]:
    fields: dict[str, Any] = {
        "id": (uuid.UUID, ...),
        "version": (str, Field(description="Send it back with an update (409 when stale)")),
    }
    for column in sheet.columns:
        fields[column.name] = (_out_type(column), Field(description=_describe(column)))
    return create_model(f"{_title(sheet)}Item", __base__=BaseModel, **fields)


def _in_schema(sheet: Sheet, *, partial: bool, versioned: bool) -> type[Schema]:
    fields: dict[str, Any] = {}
    if versioned:
        fields["version"] = (JsonText, Field(description="The version read (409 when stale)"))
    for column in sheet.columns:
        required = column.required and not partial
        kind = _in_type(column)
        default = ... if required else None
        fields[column.name] = (
            kind if required else kind | None,
            Field(default, description=_describe(column)),
        )
    suffix = "Patch" if partial else ("Update" if versioned else "Create")
    return create_model(f"{_title(sheet)}{suffix}", __base__=Schema, **fields)


def _filter_columns(sheet: Sheet) -> list[Column]:
    """The main columns a list filters on: references (by key, code or name, as
    region, sector and cluster), enums, booleans, keys, codes."""
    return [
        c
        for c in sheet.columns
        if c.type.name != "list"
        and (
            c.ref
            or _by_name(sheet, c)
            or c.type.name in {"enum", "bool"}
            or c.name in {"key", "code"}
        )
    ]


def _by_name(sheet: Sheet, column: Column) -> bool:
    """A text column holding another record's name (region, sector, cluster)."""
    return column.type.name == "text" and "__" in _path(sheet, column.name)


def _filter_schema(sheet: Sheet) -> type[Schema]:
    fields: dict[str, Any] = {
        "limit": (int, Field(100, ge=1, le=MAX_LIMIT, description="Items per page")),
        "cursor": (JsonText | None, Field(None, description="`next` of the previous page")),
        "updated_since": (
            dt.datetime | None,
            Field(None, description="Only records changed at or after (ISO datetime)"),
        ),
    }
    for column in _filter_columns(sheet):
        kind = bool if column.type.name == "bool" else _in_type(column)
        fields[column.name] = (kind | None, Field(None, description=_describe(column)))
    if _country_path(sheet):
        fields["country"] = (JsonText | None, Field(None, description="The country's code"))
    return create_model(f"{_title(sheet)}Filters", __base__=Schema, **fields)


def _country_path(sheet: Sheet) -> str | None:
    """For a sheet without a country column, the path to its records' country code."""
    return None if "country" in sheet.column_names else SOURCES[sheet.name].country


def _title(sheet: Sheet) -> str:
    return "".join(part.title() for part in sheet.name.split("_"))


# --- reading ----------------------------------------------------------------------------


def _path(sheet: Sheet, column: str) -> str:
    return SOURCES[sheet.name].paths.get(column, column)


def _records(sheet: Sheet, user: Any) -> QuerySet:
    return SOURCES[sheet.name].model.objects.visible_to(user)


def _rows(sheet: Sheet, user: Any) -> QuerySet:
    """The sheet's rows the user may read, as the values an item is made of."""
    return _selection(sheet.name).visible_to(user)


@functools.cache
def _selection(name: str) -> QuerySet:
    """The columns of a sheet's items, selected once (never evaluated, only cloned):
    a request then only adds its filters, which halves the ORM's work on a detail."""
    sheet = SHEETS_BY_NAME[name]
    queryset = SOURCES[name].model.objects.all()
    names = ["id", "updated_at", *(_path(sheet, c.name) for c in _plain(sheet))]
    if name in LISTS:
        queryset = queryset.annotate(linked_keys=_linked_keys(sheet))
        names.append("linked_keys")
    return queryset.values(*names)


def _plain(sheet: Sheet) -> list[Column]:
    return [c for c in sheet.columns if c.type.name != "list"]


def _items(sheet: Sheet, rows: QuerySet, limit: int | None = None) -> list[dict[str, Any]]:
    """The items of the rows (`_rows`; the first `limit` of them), in one query."""
    plain = [(c, _path(sheet, c.name), c.type.name == "month") for c in _plain(sheet)]
    listed = LISTS[sheet.name][0] if sheet.name in LISTS else None
    items = []
    for row in rows[:limit] if limit is not None else rows:
        item: dict[str, Any] = {"id": row["id"], "version": _version(row["updated_at"])}
        for column, path, month in plain:
            value = row[path]
            value = _month(value) if month else value
            item[column.name] = None if value == "" and not column.required else value
        if listed:
            item[listed] = _key_list(row["linked_keys"])
        items.append(item)
    return items


class _Keys(Aggregate):
    """The keys of a record's links, as one value of its row: on PostgreSQL an array
    in the database's order of the keys (as the export lists them), on SQLite a JSON
    array, sorted by `_key_list` (SQLite's BINARY order is Python's)."""

    function = "json_group_array"
    output_field = TextField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        template = "ARRAY_AGG(%(expressions)s ORDER BY %(expressions)s)"
        return self.as_sql(compiler, connection, template=template, **extra)


def _linked_keys(sheet: Sheet) -> Subquery:
    """One sheet's list column (LISTS: the link model, its owner and key paths)."""
    _column, through, owner, key = LISTS[sheet.name]
    links = through.objects.filter(**{owner: OuterRef("pk")}).order_by().values(owner)
    return Subquery(links.annotate(keys=_Keys(key)).values("keys"))


def _key_list(value: Any) -> list[str]:
    if value is None:
        return []
    return sorted(json.loads(value)) if isinstance(value, str) else list(value)


def _version(updated_at: dt.datetime) -> str:
    return updated_at.isoformat()


def _encode_cursor(item: dict[str, Any], updated_at: str) -> str:
    return base64.urlsafe_b64encode(f"{updated_at}|{item['id']}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[dt.datetime, uuid.UUID]:
    try:
        stamp, pk = base64.urlsafe_b64decode(cursor.encode()).decode().split("|")
        return _utc(dt.datetime.fromisoformat(stamp), "cursor"), uuid.UUID(pk)
    except (ValueError, binascii.Error, UnicodeError):
        raise ApiProblem(400, "invalid input", [_field("cursor", "not a cursor")]) from None


def _utc(moment: dt.datetime, name: str) -> dt.datetime:
    """In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO text may carry."""
    try:
        return (
            timezone.make_aware(moment, dt.UTC) if timezone.is_naive(moment) else moment
        ).astimezone(dt.UTC)
    except (OverflowError, ValueError):
        raise ApiProblem(400, "invalid input", [_field(name, "out of range")]) from None


def _field(name: str | None, message: str) -> dict[str, Any]:
    return {"field": name, "message": message}


def _filtered(sheet: Sheet, queryset: QuerySet, filters: Any) -> QuerySet:
    wanted = filters.dict()
    for column in _filter_columns(sheet):
        value = wanted.get(column.name)
        if value is not None:
            queryset = queryset.filter(**{_path(sheet, column.name): value})
    path = _country_path(sheet)
    if path and filters.country is not None:
        queryset = queryset.filter(**{path: filters.country})
    if filters.updated_since is not None:
        queryset = queryset.filter(updated_at__gte=_utc(filters.updated_since, "updated_since"))
    if filters.cursor:
        stamp, pk = _decode_cursor(filters.cursor)
        after = Q(updated_at__gt=stamp) | Q(updated_at=stamp, id__gt=pk)
        queryset = queryset.filter(after)
    return queryset.order_by("updated_at", "id")


def _refuse_unknown_parameters(request: HttpRequest, filters_schema: type[Schema]) -> None:
    problems = parameter_problems(request.GET, filters_schema.model_fields, noun="filter")
    if problems:
        raise ApiProblem(400, "invalid input", problems)


@functools.cache
def _lookups(name: str) -> tuple[tuple[str, str, Any, str], ...]:
    """For each filter naming another record: the parameter, what it names, and
    that record's model and the field holding the key, code or name."""
    sheet = SHEETS_BY_NAME[name]
    found = [
        (c.name, c.ref or c.name, _path(sheet, c.name))
        for c in _filter_columns(sheet)
        if c.ref or _by_name(sheet, c)
    ]
    if _country_path(sheet):
        found.append(("country", "country", _country_path(sheet)))
    lookups = []
    for parameter, what, path in found:
        model, *hops, field = [SOURCES[name].model, *path.split("__")]
        for hop in hops:
            model = model._meta.get_field(hop).related_model
        lookups.append((parameter, what, model, field))
    return tuple(lookups)


def _refuse_unknown_values(sheet: Sheet, user: Any, filters: Any) -> None:
    """A 400 naming each reference filter whose value names no record the user
    can see (as for an import: one the user cannot see does not exist).

    Asked only for an empty page: a page with items proves its values exist.
    One small query per reference filter given, none for the others."""
    problems = []
    for parameter, what, model, field in _lookups(sheet.name):
        value = getattr(filters, parameter)
        if value is None:
            continue
        if not model.objects.visible_to(user).filter(**{field: value}).exists():
            problems.append(_field(parameter, f"unknown {what} '{value}'"))
    if problems:
        raise ApiProblem(400, "invalid input", problems)


def _one(sheet: Sheet, user: Any, pk: uuid.UUID) -> dict[str, Any]:
    items = _items(sheet, _rows(sheet, user).filter(pk=pk))
    if not items:
        raise HttpError(404, "not found")
    return items[0]


# --- writing ----------------------------------------------------------------------------


def _cells(sheet: Sheet, data: dict[str, Any]) -> dict[str, Any]:
    """An item's columns as workbook cells, parsed again by the importer (which
    refuses text no database stores, NUL and the like, as in a workbook)."""
    row = {}
    for column in sheet.columns:
        value = data.get(column.name)
        if isinstance(value, list):
            value = ";".join(value)
        row[column.name] = value
    return row


def _outcome(result: RecordsResult) -> uuid.UUID:
    """The id written, or the request's error: 409 for a taken identity, 403 out of scope."""
    problems = result.report.problems
    if not problems and result.ids:
        return result.ids[0]
    detail = [_field(p.column or None, p.reason) for p in problems]
    if any(p.reason == EXISTS for p in problems):
        raise ApiProblem(409, "conflict", detail)
    if any(p.reason.startswith(SCOPE_REASON) for p in problems):
        raise ApiProblem(403, "forbidden", detail)
    raise ApiProblem(400, "invalid input", detail)


def _stored(sheet: Sheet, user: Any, pk: uuid.UUID) -> Any:
    """The record to change: 404 when the user cannot read it, 403 when only read."""
    record = _records(sheet, user).filter(pk=pk).first()
    if record is None:
        raise HttpError(404, "not found")
    if not may_write(user, record):
        raise HttpError(403, "your role may not change this record")
    return record


def _update(sheet: Sheet, user: Any, pk: uuid.UUID, data: dict[str, Any], merge: bool) -> Any:
    record = _stored(sheet, user, pk)
    with transaction.atomic():
        # The version is claimed first, in the writing transaction: of concurrent
        # updates carrying one version exactly one gets past here.
        if not claim_version(type(record), record.pk, data.get("version") or ""):
            version = _one(sheet, user, pk)["version"]
            detail = [_field("version", f"the record changed since: version is {version}")]
            raise ApiProblem(409, "stale version", detail)
        current = _one(sheet, user, pk)
        if merge:
            given = {name: value for name, value in data.items() if name in data["_set"]}
            data = {**current, **given}
        result = records_import(
            sheet=sheet.name, rows=[_cells(sheet, data)], user=user, target_id=record.pk
        )
        return _one(sheet, user, _outcome(result))


def _delete(sheet: Sheet, user: Any, pk: uuid.UUID, cascade: bool) -> None:
    """Refused (409, listing them) while others depend on it, unless `cascade`: then
    they go with it as one deletion set, which /deleted/ restores whole."""
    record = _stored(sheet, user, pk)
    try:
        record_delete(acting_user=user, record=record, cascade=cascade)
    except DeletionRefused as exc:
        if exc.kind == "forbidden":
            raise ApiProblem(403, "forbidden", [_field(None, str(exc))]) from None
        if exc.kind == "locked":
            raise ApiProblem(409, "locked", [_field(None, str(exc))]) from None
        hint = "; ?cascade=true deletes them too" if exc.kind == "in use" else ""
        raise ApiProblem(409, "in use", [_field(None, f"{exc}{hint}")]) from None


# --- the routes -------------------------------------------------------------------------


def resource(sheet: Sheet) -> Router:
    """The router of one sheet: list, detail, create, update (PUT, PATCH), delete."""
    router = Router(tags=[sheet.name])
    item = _out_schema(sheet)
    filters_schema = _filter_schema(sheet)
    create_schema = _in_schema(sheet, partial=False, versioned=False)
    update_schema = _in_schema(sheet, partial=False, versioned=True)
    patch_schema = _in_schema(sheet, partial=True, versioned=True)
    page = create_model(f"{_title(sheet)}Page", __base__=Page, items=(list[item], ...))
    errors = dict.fromkeys((400, 401, 403, 404, 409, 413, 429), ErrorOut)
    identity = ", ".join(sheet.identity) if sheet.identity else "content"

    @router.get(
        "",
        operation_id=f"list_{sheet.name}",
        response={200: page, **errors},
        summary=f"List {sheet.name}",
    )
    def list_records(request: HttpRequest, filters: Query[filters_schema]) -> Any:
        """Oldest change first, `limit` at a time; follow `next` until it is null.

        An unknown filter, or a reference filter's value that names no record
        (an unknown country, key, code or name), is a 400 naming it."""
        _refuse_unknown_parameters(request, filters_schema)
        queryset = _filtered(sheet, _rows(sheet, request.user), filters)
        records = _items(sheet, queryset, filters.limit + 1)
        if not records:
            _refuse_unknown_values(sheet, request.user, filters)
        more = len(records) > filters.limit
        records = records[: filters.limit]
        last = records[-1] if records else None
        cursor = _encode_cursor(last, last["version"]) if more and last else None
        return {"items": records, "next": cursor}

    @router.get(
        "/{id}",
        operation_id=f"get_{sheet.name}",
        response={200: item, **errors},
        summary=f"One of {sheet.name}",
    )
    def detail(request: HttpRequest, id: uuid.UUID) -> Any:
        return _one(sheet, request.user, id)

    @router.post(
        "",
        operation_id=f"create_{sheet.name}",
        response={201: item, **errors},
        summary=f"Create one of {sheet.name}",
    )
    def create(request: HttpRequest, payload: create_schema) -> Any:
        if not may_write_kind(request.user, SOURCES[sheet.name].model):
            raise HttpError(403, "your role may not create these records")
        row = _cells(sheet, payload.dict())
        result = records_import(sheet=sheet.name, rows=[row], user=request.user, create_only=True)
        return Status(201, _one(sheet, request.user, _outcome(result)))

    create.__doc__ = f"409 when a record with the same {identity} exists."

    @router.put(
        "/{id}",
        operation_id=f"replace_{sheet.name}",
        response={200: item, **errors},
        summary=f"Replace one of {sheet.name}",
    )
    def replace(request: HttpRequest, id: uuid.UUID, payload: update_schema) -> Any:
        return _update(sheet, request.user, id, payload.dict(), merge=False)

    @router.patch(
        "/{id}",
        operation_id=f"change_{sheet.name}",
        response={200: item, **errors},
        summary=f"Change one of {sheet.name}",
    )
    def change(request: HttpRequest, id: uuid.UUID, payload: patch_schema) -> Any:
        data = {**payload.dict(), "_set": payload.model_fields_set}
        return _update(sheet, request.user, id, data, merge=True)

    @router.delete(
        "/{id}",
        operation_id=f"delete_{sheet.name}",
        response={204: None, **errors},
        summary=f"Delete one of {sheet.name}",
    )
    def delete(request: HttpRequest, id: uuid.UUID, cascade: bool = False) -> Any:
        """409 while other records depend on it (listed); with `cascade=true` they are
        deleted with it, as one change that one restore at /deleted/ brings back."""
        _delete(sheet, request.user, id, cascade)
        return Status(204, None)

    return router


class ErrorDetail(Schema):
    field: str | None
    message: str


class ErrorOut(Schema):
    error: str
    detail: list[ErrorDetail]


def add_resources(api: Any) -> None:
    """Mount every sheet's resource and the handler of their refusals on `api`."""
    for sheet in SHEETS:
        api.add_router(f"/v1/{sheet.name}", resource(sheet))

    @api.exception_handler(ApiProblem)
    def refused(request: HttpRequest, exc: ApiProblem) -> HttpResponse:
        body = {"error": exc.error, "detail": exc.detail}
        return api.create_response(request, body, status=exc.status)
