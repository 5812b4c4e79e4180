"""Enterprise pages: list, detail, create, edit, delete."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from scoretrack.accounts.scoping import may_write
from scoretrack.enterprises.forms import EnterpriseFilter, EnterpriseForm
from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.lib import crud
from scoretrack.lib.crud import Column
from scoretrack.reference.models import Module
from scoretrack.training.models import ConsultingVisit, Enrolment


def _detail_url(enterprise: Enterprise) -> str:
    return reverse("enterprises:enterprise-detail", args=[enterprise.pk])


@login_required
@require_GET
def enterprise_list(request: HttpRequest) -> HttpResponse:
    return crud.list_page(
        request,
        queryset=Enterprise.objects.select_related("country", "sector", "region"),
        filter_form=EnterpriseFilter,
        columns=[
            Column(_("Name"), "name", sort="name"),
            Column(_("Key"), "key", sort="key"),
            Column(_("Country"), "country.name", sort="country__name"),
            Column(_("Region"), "region.name", sort="region__name"),
            Column(_("Sector"), "sector.name", sort="sector__name"),
            Column(_("Workforce"), "workforce", num=True),
            Column(_("Women-owned"), "women_owned", sort="women_owned"),
        ],
        detail="enterprises:enterprise-detail",
        create="enterprises:enterprise-create",
        title=_("Enterprises"),
        noun=ngettext_lazy("%(shown)s enterprise", "%(shown)s enterprises", "count"),
    )


@login_required
@require_GET
def enterprise_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    queryset = Enterprise.objects.select_related("country", "region", "sector", "cluster")
    enterprise = crud.get_visible(queryset, request.user, pk)
    user = request.user
    context = {
        "enterprise": enterprise,
        "can_edit": may_write(request.user, enterprise),
        "lead_buyers": LeadBuyerLink.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("lead_buyer"),
        "enrolments": Enrolment.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("delivery__module", "delivery__organiser")
        .order_by("-delivery__start_date"),
        "modules": Module.objects.visible_to(user)
        .filter(deliveries__enrolments__enterprise=enterprise)
        .distinct(),
        "visits": ConsultingVisit.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("trainer", "delivery"),
    }
    return render(request, "enterprises/enterprise_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_create(request: HttpRequest) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=EnterpriseForm,
        title=_("New enterprise"),
        success=_detail_url,
        cancel=reverse("enterprises:enterprise-list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    enterprise = crud.get_visible(Enterprise.objects.all(), request.user, pk)
    return crud.edit_page(
        request,
        form_class=EnterpriseForm,
        instance=enterprise,
        title=_("Edit %(record)s") % {"record": enterprise},
        success=_detail_url,
        cancel=_detail_url(enterprise),
    )


@login_required
@require_http_methods(["GET", "POST"])
def enterprise_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    enterprise = crud.get_visible(Enterprise.objects.all(), request.user, pk)
    return crud.delete_page(
        request,
        instance=enterprise,
        success=reverse("enterprises:enterprise-list"),
        cancel=_detail_url(enterprise),
    )
