"""Report pages: the country profile and the programme report, as HTML, PDF and tables.

Each page builds its sections once; `?format=pdf` prints the same sections,
`?format=xlsx&table=<slug>` (or `csv`) downloads one of them, `?format=json`
gives them all as data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from scoretrack.indicators.disclosure import Hidden, plain
from scoretrack.lib.tables import Table, export_response
from scoretrack.reports.cache import cache_key, cached
from scoretrack.reports.country import country_profile
from scoretrack.reports.figures import Figures, Section
from scoretrack.reports.pdf import pdf_response
from scoretrack.reports.programme import programme_report
from scoretrack.reports.warm import note_read

FIRST_YEAR = 2009


def _period(request: HttpRequest) -> tuple[str | None, int | None]:
    """The phase or year of the query string; a year that is not a number is a 400."""
    phase = request.GET.get("phase") or None
    year = request.GET.get("year") or None
    if year is not None and not year.isdigit():
        raise ValidationError({"year": [f"not a year: '{year}'"]})
    return phase, int(year) if year else None


def _date(request: HttpRequest, name: str) -> dt.date | None:
    """A date of the query string (YYYY-MM-DD); anything else is a 400 naming it."""
    text = request.GET.get(name) or None
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({name: [f"not a date (YYYY-MM-DD): '{text}'"]}) from None


def _figures(request: HttpRequest, country: str | None) -> Figures:
    """The report's filters: a phase, a year or (not for lead buyers and viewers) a
    date range; and the partner, sector and lead buyer, as the registry takes them."""
    phase, year = _period(request)
    return Figures.for_request(
        request.user,
        country=country,
        phase=phase,
        year=year,
        approved_only=_approved_only(request),
        partner=request.GET.get("partner") or None,
        sector=request.GET.get("sector") or None,
        lead_buyer=request.GET.get("lead_buyer") or None,
        date_from=_date(request, "from"),
        date_to=_date(request, "to"),
    )


def _choices(fig: Figures, country: str | None) -> dict[str, list[Any]]:
    """The picker's partners, sectors and lead buyers, in the user's aggregate scope
    (a country's page: its partners and the global ones)."""
    from django.db.models import Q

    from scoretrack.reference.models import Organisation, Sector

    orgs = Organisation.objects.visible_to(fig.user, purpose="aggregates").order_by("name")
    partners = orgs.exclude(type=Organisation.Type.LEAD_BUYER)
    if country is not None and fig.filters.country_id is not None:
        partners = partners.filter(Q(country_id=fig.filters.country_id) | Q(country__isnull=True))
    sectors = Sector.objects.visible_to(fig.user, purpose="aggregates").order_by("name")
    buyers = orgs.filter(type=Organisation.Type.LEAD_BUYER)
    return {
        "partner": list(dict(partners.values_list("key", "name")).items()),
        "sector": list(sectors.values_list("name", flat=True)),
        "lead_buyer": list(dict(buyers.values_list("key", "name")).items()),
    }


def _approved_only(request: HttpRequest) -> bool:
    """`data=approved`: the figures of approved data only (scoretrack.quality)."""
    data = request.GET.get("data") or "all"
    if data not in ("all", "approved"):
        raise ValidationError({"data": [f"'all' or 'approved', not '{data}'"]})
    return data == "approved"


def _respond(
    request: HttpRequest, template: str, context: dict[str, Any], name: str
) -> HttpResponse:
    """The page, its PDF, or one of its tables, as the `format` parameter asks (`name`:
    the report's cache name, under which its PDF is kept too)."""
    sections: list[Section] = context["sections"]
    fmt = request.GET.get("format", "html")
    if fmt in ("xlsx", "csv"):
        response = export_response((s.table for s in sections), request.GET.get("table"), fmt)
        if context["fig"].filters.approved_only:  # the file's name says which data it shows
            response["Content-Disposition"] = response["Content-Disposition"].replace(
                f'.{fmt}"', f'-approved-data-only.{fmt}"'
            )
        return response
    if fmt == "json":
        return JsonResponse(_as_json(context))
    context["years"] = range(dt.date.today().year, FIRST_YEAR - 1, -1)
    context["choices"] = _choices(context["fig"], context.get("code"))
    context["kept_html"] = _kept_html(request, name, context["as_of"])
    if fmt == "pdf":
        return pdf_response(request, template, context, name=name)
    return render(request, template, context)


def _kept_html(request: HttpRequest, name: str, as_of: dt.datetime) -> dict[str, Any] | None:
    """Where the rendered sections of a kept report are kept beside it (rendering its
    tables takes longer than reading the report back): the report's key and build
    time, and this page's query (its download links); None when reports are not kept."""
    seconds = getattr(settings, "REPORTS_CACHE_SECONDS", 0)
    if not seconds:
        return None
    key = f"{cache_key(request, name)}:{as_of.isoformat()}:{request.GET.urlencode()}"
    return {"seconds": seconds, "key": hashlib.sha256(key.encode()).hexdigest()}


def _as_json(context: dict[str, Any]) -> dict[str, Any]:
    """The page's JSON twin: the same sections, as tables of raw figures; a hidden
    figure is null, and `hidden` says where and why (as the API's values do)."""
    fig: Figures = context["fig"]
    return {
        "filters": fig.filters.given(),
        "computed_at": context["as_of"].isoformat(),
        "facts": [_fact_as_json(f.code, f.label, f.value) for f in context.get("facts", [])],
        "sections": [
            {
                "slug": s.slug,
                "title": s.title,
                "indicators": list(s.codes),
                "header": list(s.table.header),
                "rows": [[plain(cell) for cell in row] for row in s.table.rows],
                "hidden": _hidden_cells(s.table),
            }
            for s in context["sections"]
        ],
    }


def _fact_as_json(code: str, label: str, value: Any) -> dict[str, Any]:
    fact = {"code": code, "label": label, "value": plain(value)}
    if isinstance(value, Hidden):
        fact["hidden"] = value.as_json()
    return fact


def _hidden_cells(table: Table) -> list[dict[str, Any]]:
    return [
        {"row": i, "column": j, **cell.as_json()}
        for i, j, cell in table.withheld_cells()
        if isinstance(cell, Hidden)
    ]


def _bad_request(request: HttpRequest, error: ValidationError) -> HttpResponse:
    messages = [f"{name}: {'; '.join(texts)}" for name, texts in error.message_dict.items()]
    return render(request, "reports/bad_request.html", {"errors": messages}, status=400)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse("reports:programme"))


@login_required
@require_GET
def country_pick(request: HttpRequest) -> HttpResponse:
    """The picker's GET form names the country in the query; the profile has it in the path."""
    query = request.GET.copy()
    code = (query.pop("country", None) or [""])[0].upper()
    if not code.isalpha() or len(code) != 2:
        return HttpResponseRedirect(reverse("reports:programme"))
    suffix = f"?{query.urlencode()}" if query else ""
    return HttpResponseRedirect(reverse("reports:country", args=[code]) + suffix)


@login_required
@require_GET
def country(request: HttpRequest, code: str) -> HttpResponse:
    try:
        fig = _figures(request, code.upper())
    except ValidationError as error:
        if "country" in error.message_dict:
            raise Http404("No such country programme") from error
        return _bad_request(request, error)
    name = f"country:{code.upper()}"
    profile, as_of = cached(request, name, lambda: country_profile(fig))
    context = {
        "as_of": as_of,
        "fig": fig,
        "countries": fig.country_names(),
        "code": code.upper(),
        "country_name": fig.country_names().get(code.upper(), code.upper()),
        "pdf_name": f"country-profile-{code}-{fig.period_label()}{fig.data_suffix()}",
        "facts": profile.facts,
        "sections": profile.sections,
    }
    note_read(request, code.upper())
    return _respond(request, "reports/country.html", context, name)


@login_required
@require_GET
def programme(request: HttpRequest) -> HttpResponse:
    try:
        fig = _figures(request, None)
    except ValidationError as error:
        return _bad_request(request, error)
    sections, as_of = cached(request, "programme", lambda: programme_report(fig))
    context = {
        "as_of": as_of,
        "fig": fig,
        "countries": fig.country_names(),
        "sections": sections,
        "pdf_name": f"programme-report-{fig.period_label()}{fig.data_suffix()}",
    }
    note_read(request, None)
    return _respond(request, "reports/programme.html", context, "programme")
