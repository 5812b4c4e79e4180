"""A short-lived cache of built reports, per user, language and filters.

The registry computes every figure live; on a large programme the outcome
figures take seconds (see benchmarks/reports.py). A report built once is kept
for REPORTS_CACHE_SECONDS (0 = off, the default in tests), the page says when
its figures were computed, and `?fresh=1` rebuilds it. The key holds the reader
(`reader_key`: the scope the figures were computed in, shared by the users who
see exactly the same records; otherwise the user), the language (labels are
translated when built) and the query string, so a cached report is never shown
to someone who may see other records, and the data version, so it is never older
than the records. The worker builds the reports people open ahead of them after
each change of the data (`reports/warm.py`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from scoretrack.lib import derived
from scoretrack.lib.freshness import data_version

T = TypeVar("T")
# Parameters that choose a rendering of the same report, not other figures.
RENDERING = {"format", "table", "fresh"}


def reader_key(user: Any) -> str:
    """Whose report it is: the scope, when it alone decides what the figures count
    (a global admin, a country team, the aggregates-only roles), so that every user
    of one scope reads the same kept report (and the one the worker built ahead);
    the user, when its own records count too (a partner sees the firms it registered).
    """
    from scoretrack.accounts.scoping import access_for
    from scoretrack.indicators.protection import scope_of

    access = access_for(user)
    if access.organisations or access.trainers or access.enterprises:
        return f"user:{user.pk}"
    return "scope:" + repr(scope_of(user))


def cache_key(request: HttpRequest, name: str) -> str:
    query = sorted((k, v) for k, v in request.GET.lists() if k not in RENDERING)
    # The data version: any change of the records makes a new key (lib/freshness).
    raw = f"{name}|{reader_key(request.user)}|{get_language()}|{query}|{data_version()}"
    return "reports:" + hashlib.sha256(raw.encode()).hexdigest()


def cached(request: HttpRequest, name: str, build: Callable[[], T]) -> tuple[T, dt.datetime]:
    """The report `build` makes, and when it was built: from the cache if it is fresh."""
    seconds = getattr(settings, "REPORTS_CACHE_SECONDS", 0)
    if not seconds:
        return _build(build), timezone.now()
    key = cache_key(request, name)
    hit: Any = None if request.GET.get("fresh") else cache.get(key)
    if hit is not None:
        return hit
    built = (_build(build), timezone.now())
    cache.set(key, built, seconds)
    return built


def cached_pdf(
    request: HttpRequest, name: str, as_of: dt.datetime, render: Callable[[], bytes]
) -> bytes:
    """The PDF of the report built at `as_of`, printed once and kept beside it.

    Its key is the report's (user, language, filters, data version) and the moment
    the report was built, so a PDF is always of the report the page shows: new
    records (a new data version) or `?fresh=1` (a new build) print it again. Laying a
    report out takes 30x its HTML; a kept PDF is read back in milliseconds.
    """
    seconds = getattr(settings, "REPORTS_CACHE_SECONDS", 0)
    if not seconds:
        return render()
    key = f"{cache_key(request, name)}:pdf:{as_of.isoformat()}"
    pdf = cache.get(key)
    if pdf is None:
        pdf = render()
        cache.set(key, pdf, seconds)
    return pdf


def _build(build: Callable[[], T]) -> T:
    # The outcome figures' derived rows are brought up to date once per report.
    with derived.refreshed_once():
        return build()
