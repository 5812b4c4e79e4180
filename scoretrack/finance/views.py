"""Money pages: direct training costs and contributions (list, create, edit)."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from scoretrack.finance.forms import ContributionFilter, ContributionForm, CostFilter, CostForm
from scoretrack.finance.models import Contribution, DirectCost
from scoretrack.lib import crud
from scoretrack.lib.crud import Column

MONEY = [
    Column(_("Amount"), "amount", num=True, sort="amount", currency="currency"),
    Column(_("Currency"), "currency", sort="currency"),
    Column(_("USD"), "usd", num=True, sort="usd", decimals=2),
]


def _list(name: str) -> str:
    return reverse(f"finance:{name}-list")


@login_required
@require_GET
def cost_list(request: HttpRequest) -> HttpResponse:
    return crud.list_page(
        request,
        queryset=DirectCost.objects.select_related("country", "delivery"),
        filter_form=CostFilter,
        columns=[
            Column(_("Date"), "date", sort="date"),
            Column(_("Country"), "country.name", sort="country__name"),
            Column(_("Delivery"), "delivery.key", sort="delivery__key"),
            Column(_("Category"), "category", sort="category"),
            *MONEY,
        ],
        detail="finance:cost-edit",
        create="finance:cost-create",
        title=_("Direct training costs"),
        noun=ngettext_lazy("%(shown)s cost", "%(shown)s costs", "count"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cost_create(request: HttpRequest) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=CostForm,
        title=_("New direct training cost"),
        success=lambda _: _list("cost"),
        cancel=_list("cost"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cost_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    cost = crud.get_visible(DirectCost.objects.all(), request.user, pk)
    return crud.edit_page(
        request,
        form_class=CostForm,
        instance=cost,
        title=_("Edit the cost of %(record)s") % {"record": cost},
        success=lambda _: _list("cost"),
        cancel=_list("cost"),
        delete=reverse("finance:cost-delete", args=[cost.pk]),
    )


@login_required
@require_GET
def contribution_list(request: HttpRequest) -> HttpResponse:
    return crud.list_page(
        request,
        queryset=Contribution.objects.select_related("country", "organisation", "delivery"),
        filter_form=ContributionFilter,
        columns=[
            Column(_("Date"), "date", sort="date"),
            Column(_("Country"), "country.name", sort="country__name"),
            Column(_("Organisation"), "organisation.name", sort="organisation__name"),
            Column(_("Source"), "get_source_display", sort="source"),
            Column(_("Kind"), "get_kind_display", sort="kind"),
            Column(_("Delivery"), "delivery.key", sort="delivery__key"),
            *MONEY,
        ],
        detail="finance:contribution-edit",
        create="finance:contribution-create",
        title=_("Contributions"),
        noun=ngettext_lazy("%(shown)s contribution", "%(shown)s contributions", "count"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_create(request: HttpRequest) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=ContributionForm,
        title=_("New contribution"),
        success=lambda _: _list("contribution"),
        cancel=_list("contribution"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    contribution = crud.get_visible(Contribution.objects.all(), request.user, pk)
    return crud.edit_page(
        request,
        form_class=ContributionForm,
        instance=contribution,
        title=_("Edit contribution"),
        success=lambda _: _list("contribution"),
        cancel=_list("contribution"),
        delete=reverse("finance:contribution-delete", args=[contribution.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def cost_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    cost = crud.get_visible(DirectCost.objects.all(), request.user, pk)
    return crud.delete_page(
        request,
        instance=cost,
        success=_list("cost"),
        cancel=reverse("finance:cost-edit", args=[cost.pk]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def contribution_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    contribution = crud.get_visible(Contribution.objects.all(), request.user, pk)
    return crud.delete_page(
        request,
        instance=contribution,
        success=_list("contribution"),
        cancel=reverse("finance:contribution-edit", args=[contribution.pk]),
    )
