"""Organisation pages: list, detail with its agreements inline, create, edit."""

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
from scoretrack.lib import crud
from scoretrack.lib.crud import Column
from scoretrack.reference.forms import AgreementForm, OrganisationFilter, OrganisationForm
from scoretrack.reference.models import Organisation

AGREEMENTS = crud.Inline(
    name="agreements",
    title=_("Agreements"),
    namespace="reference",
    detail="organisation-detail",
    parent_model=Organisation,
    form_class=AgreementForm,
    parent_field="organisation",
    columns=(
        Column(_("Kind"), "get_kind_display"),
        Column(_("Country"), "country.name"),
        Column(_("Signed on"), "signed_on"),
        Column(_("Ended on"), "ended_on"),
    ),
    select_related=("country",),
    add_label=_("Add an agreement"),
)


def _detail_url(organisation: Organisation) -> str:
    return reverse("reference:organisation-detail", args=[organisation.pk])


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    return crud.list_page(
        request,
        queryset=Organisation.objects.select_related("country"),
        filter_form=OrganisationFilter,
        columns=[
            Column(_("Name"), "name", sort="name"),
            Column(_("Key"), "key", sort="key"),
            Column(_("Country"), "country.name", sort="country__name"),
            Column(_("Type"), "get_type_display", sort="type"),
        ],
        detail="reference:organisation-detail",
        create="reference:organisation-create",
        title=_("Organisations"),
        noun=ngettext_lazy("%(shown)s organisation", "%(shown)s organisations", "count"),
    )


@login_required
@require_GET
def organisation_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    queryset = Organisation.objects.select_related("country")
    organisation = crud.get_visible(queryset, request.user, pk)
    return render(
        request,
        "reference/organisation_detail.html",
        {
            "organisation": organisation,
            "can_edit": may_write(request.user, organisation),
            "agreements": AGREEMENTS.table(request, organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=OrganisationForm,
        title=_("New organisation"),
        success=_detail_url,
        cancel=reverse("reference:organisation-list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    organisation = crud.get_visible(Organisation.objects.all(), request.user, pk)
    return crud.edit_page(
        request,
        form_class=OrganisationForm,
        instance=organisation,
        title=_("Edit %(record)s") % {"record": organisation},
        success=_detail_url,
        cancel=_detail_url(organisation),
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    organisation = crud.get_visible(Organisation.objects.all(), request.user, pk)
    return crud.delete_page(
        request,
        instance=organisation,
        success=reverse("reference:organisation-list"),
        cancel=_detail_url(organisation),
    )
