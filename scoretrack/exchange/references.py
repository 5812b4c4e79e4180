"""Resolve the keys, codes and names a workbook uses to refer to other records.

Lookups go through `visible_to(user)`: a record the importing user may not see
is, for that import, a record that does not exist. Keys are fetched in batches
per chunk of rows and cached for the import, up to `CACHED` keys per kind: the
keys used longest ago are dropped beyond that (a dropped key is fetched again
when a later row uses it), so that a sheet of a million rows referring to a
quarter of a million enterprises does not hold them all.
"""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from scoretrack.lib.kinds import sheet_kinds

BATCH = 500  # keys per `IN (...)` query, well under SQLite's variable limit
CACHED = 20_000  # keys kept per kind: several chunks' worth, under 10 MB


@dataclass(frozen=True, slots=True)
class Target:
    id: uuid.UUID
    country_id: uuid.UUID | None = None
    day: dt.date | None = None  # a delivery's start date, for fee conversion


# kind -> (model, the field holding the key, whether records belong to a country):
# the kinds declared with a `reference` name, keyed by their first identity column.
KINDS: dict[str, tuple[type[Any], str, bool]] = {
    kind.reference: (kind.model, kind.identity[0], "country" in kind.identity)
    for kind in sheet_kinds()
    if kind.reference and kind.identity
}


class Resolver:
    def __init__(self, user: Any) -> None:
        self.user = user
        self._cache: dict[str, dict[str, list[Target]]] = defaultdict(dict)
        self.rejected: dict[str, set[str]] = defaultdict(set)  # keys of rows with errors

    def prefetch(self, kind: str, keys: Iterable[str]) -> None:
        cache = self._cache[kind]
        asked = set(keys)
        for key in asked & cache.keys():
            cache[key] = cache.pop(key)  # used again: the last to be dropped
        missing = sorted(asked - cache.keys())
        model, field, by_country = KINDS[kind]
        columns = ["id", field]
        if by_country:
            columns.append("country_id")
        if kind == "delivery":
            columns.append("start_date")
        for start in range(0, len(missing), BATCH):
            batch = missing[start : start + BATCH]
            rows = model.objects.visible_to(self.user).filter(**{f"{field}__in": batch})
            for found in rows.values_list(*columns):
                cache.setdefault(found[1], []).append(Target(found[0], *found[2:]))
        # The oldest first; never a key asked for now (all of them are the newest
        # unless one call asks for more than CACHED).
        for key in list(itertools.islice(cache, max(len(cache) - CACHED, 0))):
            if key not in asked:
                del cache[key]

    def add(self, kind: str, key: str, target: Target) -> None:
        """A record this import created: known from now on, without a query."""
        cache = self._cache[kind]
        if key in cache:
            cache[key] = [*cache[key], target]

    def candidates(self, kind: str, key: str) -> list[Target]:
        if key not in self._cache[kind]:
            self.prefetch(kind, [key])
        return self._cache[kind].get(key, [])

    def country_code(self, country_id: uuid.UUID | None) -> str:
        for code, targets in self._cache["country"].items():
            if any(t.id == country_id for t in targets):
                return code
        return "?"


def pick(candidates: list[Target], country_id: uuid.UUID | None) -> list[Target]:
    """Narrow several records with one key to the row's country programme.

    A key is unique per country programme only; a global organisation (no
    country) answers for every country.
    """
    if len(candidates) <= 1 or country_id is None:
        return candidates
    same = [c for c in candidates if c.country_id == country_id]
    return same or [c for c in candidates if c.country_id is None]
