"""The data version: a number that changes whenever records change.

Built reports are cached under a key holding it, so a cached figure is never
older than the data: any save or delete of a record (after its transaction
commits) and any bulk write (imports, generate) moves the version on. The
cache may lose it (a full file cache culls entries at random): it then starts
again from a number it never had, so a report kept before is never current again.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save

KEY = "scoretrack:data-version"


def data_version() -> int:
    version = cache.get(KEY)
    if version is None:
        # Not there: never set, or lost (a full file cache deletes a third of its
        # entries at random, this one among them; Redis may evict it). Started
        # again from a number no version had before (the microseconds since
        # 1970: more than every version before it, moved on by one per change),
        # never from 1, which named reports kept before a change.
        start = time.time_ns() // 1000
        cache.add(KEY, start, timeout=None)
        version = cache.get(KEY, start)
    return int(version)


def bump() -> None:
    try:
        cache.incr(KEY)
    except ValueError:  # not there (yet, or evicted): any new value invalidates
        cache.set(KEY, data_version() + 1, timeout=None)


def bump_on_commit() -> None:
    """Bump once the transaction commits; once per transaction, however many records
    it saves (each bump rewrites the cache entry: a file, with the file cache)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block and any(
        callback is bump for _, callback, _ in connection.run_on_commit
    ):
        return
    transaction.on_commit(bump)


def _changed(sender: type, instance: Any, **kwargs: Any) -> None:
    from scoretrack.lib.models import Record

    if isinstance(instance, Record):
        bump_on_commit()


def connect() -> None:
    post_save.connect(_changed, dispatch_uid="scoretrack-data-version-save")
    post_delete.connect(_changed, dispatch_uid="scoretrack-data-version-delete")
