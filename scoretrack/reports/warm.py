"""Reports made ahead of their readers: the worker's warm-up after a change.

After any write (an import, a page's save) the data version moves on and every
kept report is out of date; at a server's start nothing is kept. The first
person to open a report would wait for all its figures (seconds on a large
programme), and a lead buyer or viewer for the disclosure counts as well
(indicators/protection.py). When idle, the worker (`scoretrack worker`) makes
them instead, through the report views themselves, so that what it keeps is
exactly what a reader's request would find (`reports/cache.py`):

- for one user of each scope that reads reports — the global admins, each
  country team, each lead buyer and the viewers (`reports.cache.reader_key`:
  every user of a scope reads the same kept report) —
- the programme report and every country profile it may see (a country team:
  its own countries'), for all time and for each phase, in the site's language
  and each language its users chose;
- and, after those, the pages its readers opened lately with another period
  or filters (a year, a partner: `note_read`, the `READ_KEPT` most recent of
  the last `READ_DAYS` days), so that a page people read is made again after
  each change too (any year of any country, all filters, would be too many);
- first the pages (the report and its rendered sections), then the default
  indicator tracking table (`/results/tracking/`, by year) of the programme and of
  each of those countries, then the reports' PDFs (kept beside them,
  `cache.cached_pdf`).

With the report cache off (REPORTS_CACHE_SECONDS=0) only the disclosure counts
are kept: the aggregates-only scopes' pages are made for them, and no PDF nor
tracking table.

When the plan's pages are made, and again when all of it is, the worker says so in
the shared cache (`mark`, read by `is_warm`: the benchmarks wait on it, and any
worker) and in its log. The mark lasts as long as the first page made is kept, so an
idle worker makes the plan again, for the same data, before its pages expire.
"""

from __future__ import annotations

import logging
import time
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

logger = logging.getLogger(__name__)
READER_ROLES = ("global_admin", "country_team", "viewer", "lead_buyer")
MARK = "reports:warmed"
STAGES = ("pages", "all")  # the plan's HTML pages; everything (their PDFs too)
READ = "reports:read"  # the pages readers opened lately (`note_read`)
READ_KEPT = 100  # how many of them the warm-up makes again, the most recent first
READ_DAYS = 14  # ... read in how many days
READ_AGAIN_SECONDS = 3600  # a page read again sooner is not noted again
WARMING = "scoretrack_warming"  # set on the warm-up's own requests
# The query of a report page the warm-up can ask again: its period and filters.
READ_QUERY = ("phase", "year", "from", "to", "partner", "sector", "lead_buyer", "data")


class Page(NamedTuple):
    """One report page to make: as `user`, in `language`, of a country (None: the
    programme report) and a phase (None: all time), as HTML or PDF, with the rest of
    its query (`query`: a year, filters); or (`kind` "tracking") the tracking table
    of a country (None: the programme's)."""

    user: Any
    language: str
    country: str | None
    phase: str | None
    format: str = "html"
    kind: str = "report"
    query: tuple[tuple[str, str], ...] = ()


def note_read(request: Any, country: str | None) -> None:
    """Remember that a reader of a shared scope (`reports.cache.reader_key`) opened
    this report page (HTML or PDF), with its period and filters, for the warm-up's
    plan. Not a page asked fresh (`fresh=1`) nor one of a user's own report.

    A hint, kept in the shared cache: two processes noting at the same moment may
    lose one of the two notes (the page is then noted at its next read)."""
    from scoretrack.reports.cache import reader_key

    if not (settings.DISCLOSURE_CACHE_SECONDS or settings.REPORTS_CACHE_SECONDS):
        return
    fmt = request.GET.get("format") or "html"
    if getattr(request, WARMING, False) or request.GET.get("fresh") or fmt not in ("html", "pdf"):
        return  # the warm-up's own requests are its plan already
    key = reader_key(request.user)
    if key.startswith("user:"):
        return
    query = tuple(
        sorted((name, value) for name, value in request.GET.items() if name in READ_QUERY and value)
    )
    entry = (key, translation.get_language() or settings.LANGUAGE_CODE, country, query, fmt)
    now = clock()
    read: dict[tuple[Any, ...], float] = cache.get(READ) or {}
    if now - read.get(entry, 0.0) < READ_AGAIN_SECONDS:
        return
    read[entry] = now
    recent = sorted(read.items(), key=lambda item: item[1], reverse=True)[:READ_KEPT]
    cache.set(READ, {e: t for e, t in recent if now - t < READ_DAYS * 86400}, READ_DAYS * 86400)


def clock() -> float:
    """Now, as the notes of pages read count it (seconds since the epoch)."""
    return time.time()


def _read_pages(readers: dict[str, tuple[Any, list[str | None]]]) -> list[Page]:
    """The pages readers opened lately (`note_read`), the most recent first, as
    pages of the plan: for a scope that still reads reports (`readers`: its user and
    the countries it may see), of a country it may still see."""
    read: dict[tuple[Any, ...], float] = cache.get(READ) or {}
    pages = []
    for (key, language, country, query, fmt), _when in sorted(
        read.items(), key=lambda item: item[1], reverse=True
    ):
        if key not in readers or country not in readers[key][1]:
            continue
        if fmt == "pdf" and not settings.REPORTS_CACHE_SECONDS:
            continue
        phase = dict(query).get("phase")
        rest = tuple((name, value) for name, value in query if name != "phase")
        pages.append(Page(readers[key][0], language, country, phase, fmt, query=rest))
    return pages


def _readers() -> list[tuple[str, Any, set[str]]]:
    """(reader key, one active user, the languages chosen) of each scope that reads
    reports, in a stable order."""
    from django.db.models import Q

    from scoretrack.accounts.models import User
    from scoretrack.accounts.scoping import access_for
    from scoretrack.reports.cache import reader_key

    found: dict[str, tuple[Any, set[str]]] = {}
    users = (
        User.objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(roles__role__in=READER_ROLES))
        .distinct()
        .order_by("email")
    )
    for user in users:
        key = reader_key(user)
        if key.startswith("user:"):
            continue  # its own report: not worth making ahead
        if not settings.REPORTS_CACHE_SECONDS and not access_for(user).aggregates_only:
            continue  # only the disclosure counts are kept, and only these scopes ask them
        _first, languages = found.setdefault(key, (user, set()))
        if user.language:
            languages.add(user.language)
    return [(key, user, languages) for key, (user, languages) in found.items()]


def aggregate_users() -> list[Any]:
    """One active user of each aggregate scope (every viewer shares one; each lead
    buyer's users theirs), in a stable order."""
    from scoretrack.accounts.scoping import access_for

    return [user for _key, user, _ in _readers() if access_for(user).aggregates_only]


def plan() -> list[Page]:
    """The report pages to make, pages before PDFs; empty when nothing is kept."""
    from scoretrack.accounts.scoping import access_for
    from scoretrack.reference.models import CountryProgramme, Phase

    if not (settings.DISCLOSURE_CACHE_SECONDS or settings.REPORTS_CACHE_SECONDS):
        return []
    phases = [None, *Phase.objects.order_by("start_date").values_list("name", flat=True)]
    site = translation.get_supported_language_variant(settings.LANGUAGE_CODE)
    pages: list[Page] = []
    tables: list[Page] = []
    scopes: dict[str, tuple[Any, list[str | None]]] = {}
    for key, user, chosen in _readers():
        countries = CountryProgramme.objects.visible_to(user, purpose="aggregates")
        access = access_for(user)
        if access.countries and not access.is_global:  # a country team opens its own
            countries = countries.filter(pk__in=access.countries)
        codes = [None, *countries.order_by("code").values_list("code", flat=True)]
        # The tracking table's choice of countries is the user's own (results.views).
        own = set(CountryProgramme.objects.visible_to(user).values_list("code", flat=True))
        tracked = [code for code in codes if code is None or code in own]
        scopes[key] = (user, codes)
        for language in [site, *sorted(chosen - {site})]:
            pages += [Page(user, language, code, phase) for phase in phases for code in codes]
            tables += [Page(user, language, code, None, kind="tracking") for code in tracked]
    planned = set(pages)
    read = [page for page in _read_pages(scopes) if page not in planned]
    pdfs = [page._replace(format="pdf") for page in pages]
    pages += [page for page in read if page.format == "html"]
    if settings.REPORTS_CACHE_SECONDS:
        read_pdfs = [page for page in read if page.format == "pdf" and page not in pdfs]
        pages += tables + pdfs + read_pdfs
    return pages


def make(page: Page) -> HttpResponse:
    """Ask the report view for one page as its user would (its report, counts and PDF
    are then kept)."""
    from scoretrack.reports import views

    if page.kind == "tracking":
        return _tracking(page)
    path = reverse("reports:programme")
    if page.country is not None:
        path = reverse("reports:country", args=[page.country])
    # The page itself, its query as a reader's link gives it: its rendered sections
    # are kept too, under the page's address (views._kept_html).
    query = dict(page.query)
    if page.phase is not None:
        query["phase"] = page.phase
    if page.format != "html":
        query["format"] = page.format
    request = RequestFactory().get(path, query, HTTP_HOST=_host())
    request.user = page.user
    setattr(request, WARMING, True)
    with translation.override(page.language):
        request.LANGUAGE_CODE = page.language
        if page.country is None:
            return views.programme(request)
        return views.country(request, page.country)


def _tracking(page: Page) -> HttpResponse:
    """The tracking table as its link in the menu opens it (by year), or a country's."""
    from scoretrack.results import views

    query = {"country": page.country} if page.country is not None else {}
    request = RequestFactory().get(reverse("results:tracking"), query, HTTP_HOST=_host())
    request.user = page.user
    with translation.override(page.language):
        request.LANGUAGE_CODE = page.language
        return views.tracking(request)


def _host() -> str:
    """A host the site answers to (a PDF's links are made absolute with it)."""
    for host in settings.ALLOWED_HOSTS:
        host = host.lstrip(".")
        if host and host != "*":
            return host
    return "localhost"


def warm() -> int:
    """Make every page of the plan now; how many."""
    pages = plan()
    for page in pages:
        make(page)
    return len(pages)


def kept_seconds() -> int:
    """How long what the warm-up makes is kept: the shorter of the report cache and
    the disclosure counts (0: nothing kept, nothing to make)."""
    kept = [s for s in (settings.REPORTS_CACHE_SECONDS, settings.DISCLOSURE_CACHE_SECONDS) if s]
    return min(kept, default=0)


def mark(version: int, stage: str, started: float) -> None:
    """Say that the plan's `stage` of data version `version` is made, for as long as
    the first page made (at `started`, time.monotonic()) is kept."""
    left = kept_seconds() - (time.monotonic() - started)
    cache.set(f"{MARK}:{stage}", version, max(1, int(left)))


def is_warm(version: int, stage: str = "all") -> bool:
    """Whether the warm-up's `stage` (`pages`, or `all`) of this data version is made
    and still kept."""
    return cache.get(f"{MARK}:{stage}") == version
