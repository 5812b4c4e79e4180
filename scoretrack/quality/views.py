"""The review pages: the approvals grid (countries × periods of a year), one
period's page (its state, its open violations, the steps the user may take), the
open violations, and the button that runs the rules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoretrack.accounts.scoping import access_for
from scoretrack.quality import services
from scoretrack.quality.models import Approval, RuleViolation
from scoretrack.quality.periods import Period
from scoretrack.quality.rules import RULES
from scoretrack.quality.tasks import quality_run_task
from scoretrack.reference.models import CountryProgramme

STEPS = ("submit", "approve", "reopen")


def may_see_approvals(user: Any) -> bool:
    """HQ, country teams, and partners (who mark their countries' periods ready)."""
    access = access_for(user)
    return services.may_review_any(user) or bool(access.partner_countries)


def _countries(user: Any) -> QuerySet:
    """The country programmes whose approvals the user works on."""
    access = access_for(user)
    countries = CountryProgramme.objects.visible_to(user).order_by("name")
    if access.is_global:
        return countries
    return countries.filter(pk__in=access.countries | access.partner_countries)


def _periods(year: int) -> list[Period]:
    quarters = [Period(year, "quarter", n) for n in range(1, 5)]
    return [*quarters, Period(year, "half", 1), Period(year, "half", 2), Period(year, "year")]


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year") or str(timezone.localdate().year)
    if not raw.isdigit() or not 1900 <= int(raw) <= 2100:
        raise Http404("No such year")
    return int(raw)


@login_required
@require_GET
def approvals(request: HttpRequest) -> HttpResponse:
    if not may_see_approvals(request.user):
        raise PermissionDenied
    year = _year(request)
    periods = _periods(year)
    countries = list(_countries(request.user))
    found = {
        (a.country_id, a.period): a
        for a in Approval.objects.visible_to(request.user).filter(
            country__in=countries, period__in=[p.code for p in periods]
        )
    }
    # Open violations per country and period: one grouped query, a count per period.
    counts = {
        row["country_id"]: row
        for row in RuleViolation.objects.visible_to(request.user)
        .filter(state=RuleViolation.State.OPEN, date__year=year)
        .values("country_id")
        .annotate(
            **{p.code: Count("pk", filter=Q(date__gte=p.start, date__lte=p.end)) for p in periods}
        )
        .order_by()
    }
    rows = [
        {
            "country": country,
            "cells": [
                {
                    "period": period,
                    "approval": found.get((country.pk, period.code)),
                    "violations": counts.get(country.pk, {}).get(period.code, 0),
                }
                for period in periods
            ],
        }
        for country in countries
    ]
    context = {"year": year, "periods": periods, "rows": rows, "years": [year - 1, year + 1]}
    return render(request, "quality/approvals.html", context)


def _country(request: HttpRequest, code: str) -> CountryProgramme:
    country = _countries(request.user).filter(code=code.upper()).first()
    if country is None:
        raise Http404("No such country programme")
    return country


def _period(code: str) -> Period:
    try:
        return Period.parse(code)
    except ValueError as exc:
        raise Http404(str(exc)) from exc


@login_required
@require_http_methods(["GET", "POST"])
def approval(request: HttpRequest, code: str, period: str) -> HttpResponse:
    if not may_see_approvals(request.user):
        raise PermissionDenied
    country, chosen = _country(request, code), _period(period)
    confirm = ""
    if request.method == "POST":
        step = request.POST.get("step")
        if step not in STEPS:
            return HttpResponse(_("Unknown step."), status=400)
        try:
            _take(request, step, country, chosen)
        except services.ApprovalRefused as exc:
            if not exc.confirm:
                messages.error(request, str(exc))
            confirm = str(exc) if exc.confirm else ""
        else:
            return HttpResponseRedirect(request.path)
    record = (
        Approval.objects.visible_to(request.user)
        .filter(country=country, period=chosen.code)
        .first()
    )
    violations = RuleViolation.objects.visible_to(request.user).filter(
        pk__in=services.open_violations(country, chosen).values("pk")
    )
    context = {
        "country": country,
        "period": chosen,
        "approval": record,
        "state": record.state if record else Approval.State.OPEN,
        "violations": [_row(v) for v in violations.order_by("date", "rule")[:200]],
        "violation_count": violations.count(),
        "confirm": confirm,
        "may_submit": services.may_submit(request.user, country),
        "may_approve": services.may_approve(request.user, country),
        "may_reopen": services.may_reopen(request.user),
        "history": record.history.select_related("history_user").order_by("-history_date")
        if record
        else [],
    }
    return render(request, "quality/approval.html", context)


def _take(request: HttpRequest, step: str, country: CountryProgramme, period: Period) -> None:
    common = {"acting_user": request.user, "country": country, "period": period}
    if step == "submit":
        services.approval_submit(**common)
        messages.success(request, _("Submitted for approval."))
    elif step == "approve":
        services.approval_approve(**common, confirmed=request.POST.get("confirmed") == "yes")
        messages.success(request, _("Approved: the period is locked."))
    else:
        services.approval_reopen(**common, reason=request.POST.get("reason", ""))
        messages.success(request, _("Reopened: the period may be changed again."))


def _row(violation: RuleViolation) -> dict[str, Any]:
    rule = RULES.get(violation.rule)
    return {
        "violation": violation,
        "rule": rule.name if rule else violation.rule,
        "text": violation.text,
        "url": reverse(violation.page, args=[violation.page_id]),
        "period": Period.containing(violation.date, "quarter"),
    }


@login_required
@require_GET
def violations(request: HttpRequest) -> HttpResponse:
    if not services.may_review_any(request.user):
        raise PermissionDenied
    found = (
        RuleViolation.objects.visible_to(request.user)
        .filter(state=RuleViolation.State.OPEN)
        .select_related("country")
    )
    countries = _countries(request.user)
    code = request.GET.get("country") or ""
    if code:
        found = found.filter(country__code=code.upper())
    rule = request.GET.get("rule") or ""
    if rule:
        found = found.filter(rule=rule)
    page = Paginator(found.order_by("country__name", "date", "rule", "pk"), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "page": page,
        "rows": [_row(v) for v in page.object_list],
        "countries": countries,
        "rules": RULES.values(),
        "country": code.upper(),
        "rule": rule,
        "last_run": _last_run(),
    }
    return render(request, "quality/violations.html", context)


def _last_run() -> Any:
    from scoretrack.quality.models import QualityRun

    # A run is the system's working state, not a record of anyone's: no scoping.
    return QualityRun.objects.filter(finished_at__isnull=False).order_by("-finished_at").first()


@login_required
@require_POST
def run(request: HttpRequest) -> HttpResponse:
    """Run the rules: HQ over every country, a country team over its own (in the worker)."""
    if not services.may_review_any(request.user):
        raise PermissionDenied
    access = access_for(request.user)
    if access.is_global:
        quality_run_task.enqueue()
    else:
        for country_id in sorted(access.countries, key=str):
            quality_run_task.enqueue(country_id=str(country_id))
    messages.success(
        request, _("The data-quality rules are running; this page shows what they find.")
    )
    return HttpResponseRedirect(reverse("quality:violations"))
