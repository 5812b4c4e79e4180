"""Insert new records and their history rows with one `executemany` each.

Why not `bulk_create_with_history`: for a million rows Django spends most of
its time preparing each value of each row through the field API, twice (the
record, then its history row). Here each column gets one converter, chosen
once per field: identity for text, numbers and booleans, a cached conversion
for dates, decimals and the import's single timestamp, and the field's own
`get_db_prep_save` for anything else. The rows written are the same as the
ORM's, history included (type "+", the importing user, the import's time).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models

Converter = Callable[[Any], Any]
_PASS_THROUGH = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
)


def _converter(field: models.Field) -> Converter:
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.UUIDField):
        if connection.features.has_native_uuid_field:
            return lambda value: value
        return lambda value: value.hex if isinstance(value, uuid.UUID) else value
    if isinstance(field, _PASS_THROUGH) and not isinstance(field, models.AutoField):
        return lambda value: value
    cache: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        # Dates, decimals and the import's timestamp repeat a lot: convert each once.
        if value is None:
            return None
        try:
            return cache[value]
        except KeyError:
            cache[value] = field.get_db_prep_save(value, connection)
            return cache[value]
        except TypeError:  # unhashable: no cache
            return field.get_db_prep_save(value, connection)

    return convert


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> None:
    """INSERT rows (attname -> value) into the model's table; missing columns are NULL."""
    if not rows:
        return
    fields = [
        f
        for f in model._meta.concrete_fields
        if not (isinstance(f, models.AutoField) and f.primary_key)
    ]
    converters = [(f.attname, _converter(f)) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({columns}) VALUES ({marks})"
    params = [tuple(convert(row.get(name)) for name, convert in converters) for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def insert_with_history(
    model: type[models.Model], objs: Sequence[models.Model], user_id: Any, when: dt.datetime
) -> None:
    """Insert new records and one "created" history row each."""
    names = [f.attname for f in model._meta.concrete_fields]
    rows = [{name: getattr(obj, name) for name in names} for obj in objs]
    insert(model, rows)
    history = getattr(model, "history", None)
    if history is None:
        return
    extra = {
        "history_date": when,
        "history_type": "+",
        "history_user_id": user_id,
        "history_change_reason": None,
    }
    for row in rows:
        row.update(extra)
    insert(history.model, rows)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
