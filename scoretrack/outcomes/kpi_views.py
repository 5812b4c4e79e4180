"""KPI pages of an enterprise: the KPIs it selected, and its month grid of values."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from scoretrack.enterprises.models import Enterprise
from scoretrack.lib import crud
from scoretrack.lib.crud import Column
from scoretrack.lib.hooks import may_write_kind
from scoretrack.outcomes.kpi_forms import (
    OUTLIER_HELP,
    KpiGrid,
    KpiSelectionForm,
    readable,
    window,
)
from scoretrack.outcomes.models import KpiObservation, KpiSelection


class NumberColumn(Column):
    """A KPI's number as people read it (no trailing zeros, the locale's separators)."""

    def value(self, obj: Any) -> Any:
        return readable(super().value(obj))


SELECTIONS = crud.Inline(
    name="selections",
    title=gettext_lazy("Selected KPIs"),
    add_label=gettext_lazy("Select a KPI"),
    namespace="kpis",
    detail="select",
    parent_model=Enterprise,
    form_class=KpiSelectionForm,
    parent_field="enterprise",
    columns=(
        Column(gettext_lazy("KPI"), "kpi.localized_name"),
        Column(gettext_lazy("Unit"), "kpi.unit"),
        Column(gettext_lazy("Chosen on"), "selected_on"),
        NumberColumn(gettext_lazy("Baseline"), "baseline", num=True),
        NumberColumn(gettext_lazy("Target"), "target", num=True),
        Column(gettext_lazy("Reporting frequency"), "get_frequency_display"),
    ),
    select_related=("kpi",),
)


def _enterprise(request: HttpRequest, pk: UUID) -> Enterprise:
    return crud.get_visible(Enterprise.objects.select_related("country"), request.user, pk)


@login_required
@require_http_methods(["GET"])
def select(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The enterprise's selected KPIs, added, changed and removed in place."""
    enterprise = _enterprise(request, pk)
    crud.require_write(request.user, KpiSelection(enterprise=enterprise))
    context = {
        "enterprise": enterprise,
        "t": SELECTIONS.table(request, enterprise),
        "grid_url": reverse("kpis:grid", args=[enterprise.pk]),
    }
    return render(request, "kpis/select.html", context)


def _year(request: HttpRequest) -> int | None:
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= 2100:
        return int(raw)
    return None


def _grid(request: HttpRequest, enterprise: Enterprise, year: int | None) -> KpiGrid:
    today = timezone.localdate()
    months = window(year, today)
    selections = (
        KpiSelection.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .select_related("kpi")
    )
    history: dict[Any, list[KpiObservation]] = {}
    observations = KpiObservation.objects.visible_to(request.user).filter(
        enterprise=enterprise,
        kpi__in=selections.values("kpi_id"),
        month__lte=months[-1],
    )
    for obs in observations.order_by("month"):
        history.setdefault(obs.kpi_id, []).append(obs)
    return KpiGrid(
        user=request.user,
        enterprise=enterprise,
        selections=selections,
        months=months,
        history=history,
        today=today,
    )


@login_required
@require_http_methods(["GET", "POST"])
def grid(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The selected KPIs × a year's (or the last twelve) months, saved all at once."""
    enterprise = _enterprise(request, pk)
    year = _year(request)
    here = reverse("kpis:grid", args=[enterprise.pk])
    if year is not None:
        here += "?" + urlencode({"year": year})
    table = _grid(request, enterprise, year)
    if request.method == "POST":
        crud.require_write(request.user, KpiObservation(enterprise=enterprise))
        if table.bind(request.POST) and not table.changed:
            messages.info(request, _("Nothing changed."))
            return redirect(here)
        if not table.invalid and table.save():
            messages.success(request, _("The KPI values are saved."))
            return redirect(here)
    return render(request, "kpis/grid.html", _grid_context(request, enterprise, table, year, here))


def _grid_context(
    request: HttpRequest, enterprise: Enterprise, table: KpiGrid, year: int | None, here: str
) -> dict[str, Any]:
    today = timezone.localdate()
    shown_year = year if year is not None else today.year
    url = reverse("kpis:grid", args=[enterprise.pk])
    return {
        "enterprise": enterprise,
        "grid": table,
        "year": year,
        "action": here,
        "previous_url": f"{url}?year={shown_year - 1}",
        "next_url": f"{url}?year={shown_year + 1}" if shown_year < today.year else "",
        "recent_url": url,
        "previous_year": shown_year - 1,
        "next_year": shown_year + 1,
        "can_write": may_write_kind(request.user, KpiObservation),
        "can_select": may_write_kind(request.user, KpiSelection),
        "outlier_help": OUTLIER_HELP,
    }
