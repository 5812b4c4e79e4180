"""Report pages: the country profile and the programme report, as HTML, PDF and tables.

Each page builds its sections once; `?format=pdf` prints the same sections,
`?format=xlsx&table=<slug>` (or `csv`) downloads one of them, `?format=json`
gives them all as data.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from scoretrack.indicators.disclosure import Hidden, plain
from scoretrack.lib.tables import Table, export_response
from scoretrack.reports.cache import cached
from scoretrack.reports.country import country_profile
from scoretrack.reports.figures import Figures, Section
from scoretrack.reports.pdf import pdf_response
from scoretrack.reports.programme import programme_report

FIRST_YEAR = 2009


def _period(request: HttpRequest) -> tuple[str | None, int | None]:
    """The phase or year of the query string; a year that is not a number is a 400."""
    phase = request.GET.get("phase") or None
    year = request.GET.get("year") or None
    if year is not None and not year.isdigit():
        raise ValidationError({"year": [f"not a year: '{year}'"]})
    return phase, int(year) if year else None


def _figures(request: HttpRequest, country: str | None) -> Figures:
    phase, year = _period(request)
    return Figures.for_request(
        request.user,
        country=country,
        phase=phase,
        year=year,
        approved_only=_approved_only(request),
    )


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
    if fmt == "pdf":
        return pdf_response(request, template, context, name=name)
    return render(request, template, context)


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
    return _respond(request, "reports/programme.html", context, "programme")
