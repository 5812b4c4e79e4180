"""Results pages: the chain (its diagram and its results, each editable) and the
indicator tracking table, as HTML, PDF, xlsx and CSV."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from scoretrack.accounts.scoping import access_for
from scoretrack.lib import crud
from scoretrack.lib.hooks import may_write, may_write_kind
from scoretrack.lib.tables import csv_response, xlsx_response
from scoretrack.reference.models import CountryProgramme
from scoretrack.reports.cache import cached
from scoretrack.reports.pdf import pdf_response
from scoretrack.results import downloads
from scoretrack.results.diagram import draw_chain
from scoretrack.results.forms import ResultLevelForm
from scoretrack.results.models import ResultLevel
from scoretrack.results.tracking import PERIOD_KINDS, SEXES, Ask, chain_of, tracking_table


def _detail_url(level: ResultLevel) -> str:
    return reverse("results:level-detail", args=[level.pk])


def _chain_url(level: ResultLevel) -> str:
    suffix = f"?country={level.country.code}" if level.country_id else ""
    return reverse("results:chain") + suffix


def _countries(user: Any) -> dict[str, str]:
    rows = CountryProgramme.objects.visible_to(user).order_by("name").values_list("code", "name")
    return dict(rows)


def _country(request: HttpRequest, countries: dict[str, str]) -> str | None:
    code = (request.GET.get("country") or "").upper() or None
    if code is not None and code not in countries:
        raise Http404("No such country programme")
    return code


@login_required
@require_GET
def chain(request: HttpRequest) -> HttpResponse:
    """The chain of the programme or of a country, drawn, with its results listed."""
    countries = _countries(request.user)
    code = _country(request, countries)
    levels, whose = chain_of(request.user, code)
    name = countries.get(whose, "") if whose else _("the programme")
    title = _("Results chain of %(whose)s") % {"whose": name}
    context = {
        "title": title,
        "svg": draw_chain(levels, title),
        "levels": levels,
        "countries": countries,
        "code": code,
        "follows_programme": code is not None and whose is None,
        "can_create": may_write_kind(request.user, ResultLevel),
        "may_write": {level.pk for level in levels if may_write(request.user, level)},
    }
    return render(request, "results/chain.html", context)


@login_required
@require_GET
def level_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    level = crud.get_visible(ResultLevel.objects.select_related("country"), request.user, pk)
    context = {
        "level": level,
        "chain_url": _chain_url(level),
        "can_edit": may_write(request.user, level),
    }
    return render(request, "results/level_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def level_create(request: HttpRequest) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=ResultLevelForm,
        title=_("New result"),
        success=_detail_url,
        cancel=reverse("results:chain"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def level_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    level = crud.get_visible(ResultLevel.objects.all(), request.user, pk)
    return crud.edit_page(
        request,
        form_class=ResultLevelForm,
        instance=level,
        title=_("Edit %(record)s") % {"record": level},
        success=_detail_url,
        cancel=_detail_url(level),
    )


@login_required
@require_http_methods(["GET", "POST"])
def level_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    level = crud.get_visible(ResultLevel.objects.select_related("country"), request.user, pk)
    return crud.delete_page(
        request, instance=level, success=_chain_url(level), cancel=_detail_url(level)
    )


def _year(request: HttpRequest, name: str) -> int | None:
    text = request.GET.get(name) or ""
    if not text:
        return None
    if not text.isdigit() or not 2000 <= int(text) <= 2100:
        raise ValidationError({name: [f"not a year from 2000 to 2100: '{text}'"]})
    return int(text)


def _ask(request: HttpRequest, country: str | None) -> Ask:
    get = request.GET
    first, last = _year(request, "from"), _year(request, "to")
    if first and last and first > last:
        raise ValidationError({"to": ["'to' is before 'from'"]})
    return Ask(
        country=country,
        period=get.get("period") or "year",
        first_year=first,
        last_year=last,
        partner=get.get("partner") or None,
        sector=get.get("sector") or None,
        lead_buyer=get.get("lead_buyer") or None,
        sex=get.get("sex") or None,
    )


@login_required
@require_GET
def tracking(request: HttpRequest) -> HttpResponse:
    """The indicator tracking table; `?format=xlsx|csv|pdf` downloads it."""
    countries = _countries(request.user)
    code = _country(request, countries)
    try:
        ask = _ask(request, code)
        # Kept like the reports (reports/cache.py: per reading scope, language, filters
        # and data version), and made ahead of readers by the worker (reports/warm.py).
        table, as_of = cached(request, "tracking", lambda: tracking_table(request.user, ask))
    except ValidationError as error:
        messages = [f"{name}: {'; '.join(texts)}" for name, texts in error.message_dict.items()]
        return render(request, "reports/bad_request.html", {"errors": messages}, status=400)
    fmt = request.GET.get("format", "html")
    if fmt in ("xlsx", "csv"):
        flat = downloads.as_table(table)
        return xlsx_response(flat) if fmt == "xlsx" else csv_response(flat)
    records = not access_for(request.user).aggregates_only
    context = {
        "table": table,
        "rows": downloads.shown_rows(table, records),
        "countries": countries,
        "code": code,
        "country_name": countries.get(code or "", ""),
        "width": 3 * len(table.periods) + 2,
        "period_kinds": PERIOD_KINDS,
        "sexes": SEXES,
        "as_of": as_of,
        "pdf_name": f"tracking-table-{code or 'programme'}-{table.ask.period}",
    }
    if fmt == "pdf":
        return pdf_response(request, "results/tracking.html", context)
    return render(request, "results/tracking.html", context)
