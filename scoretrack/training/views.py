"""Delivery pages: list, detail with enrolments, participants and visits inline,
create, edit, delete."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from scoretrack.accounts.scoping import may_write
from scoretrack.lib import crud
from scoretrack.lib.crud import Column
from scoretrack.training.forms import (
    DeliveryFilter,
    DeliveryForm,
    EnrolmentForm,
    ParticipantForm,
    VisitForm,
)
from scoretrack.training.models import Delivery, Enrolment


def _inline(
    name: str, title: str, add_label: str, form_class: type, columns: tuple, related: tuple
) -> crud.Inline:
    return crud.Inline(
        name=name,
        title=title,
        add_label=add_label,
        namespace="training",
        detail="delivery-detail",
        parent_model=Delivery,
        form_class=form_class,
        parent_field="delivery",
        columns=columns,
        select_related=("delivery__country", *related),
    )


ENROLMENTS = _inline(
    "enrolments",
    _("Enrolments"),
    _("Add an enrolment"),
    EnrolmentForm,
    (
        Column(_("Enterprise"), "enterprise.name"),
        Column(_("Status"), "get_status_display"),
        Column(_("Fee"), "fee", num=True, currency="currency"),
        Column(_("Currency"), "currency"),
        Column(_("Fee in USD"), "fee_usd", num=True, decimals=2),
    ),
    ("enterprise",),
)
PARTICIPANTS = _inline(
    "participants",
    _("Participants"),
    _("Add a participant"),
    ParticipantForm,
    (
        Column(_("Name"), "name"),
        Column(_("Enterprise"), "enterprise.name"),
        Column(_("Sex"), "get_sex_display"),
        Column(_("Role"), "get_role_display"),
        Column(_("EIT member"), "eit_member"),
        Column(_("Satisfaction"), "satisfaction", num=True),
    ),
    ("enterprise",),
)
VISITS = _inline(
    "visits",
    _("Consulting visits"),
    _("Add a consulting visit"),
    VisitForm,
    (
        Column(_("Date"), "date"),
        Column(_("Enterprise"), "enterprise.name"),
        Column(_("Trainer"), "trainer.name"),
        Column(_("Hours"), "hours", num=True),
        Column(_("Note"), "note"),
    ),
    ("enterprise", "trainer"),
)


def _detail_url(delivery: Delivery) -> str:
    return reverse("training:delivery-detail", args=[delivery.pk])


def _enrolment_count(user: Any) -> Coalesce:
    """The enrolments of each delivery that the user may read (one subquery)."""
    enrolments = (
        Enrolment.objects.visible_to(user)
        .filter(delivery=OuterRef("pk"))
        .values("delivery")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(enrolments), 0)


@login_required
@require_GET
def delivery_list(request: HttpRequest) -> HttpResponse:
    queryset = Delivery.objects.select_related("country", "module", "organiser").annotate(
        enrolment_count=_enrolment_count(request.user)
    )
    return crud.list_page(
        request,
        queryset=queryset,
        filter_form=DeliveryFilter,
        columns=[
            Column(_("Key"), "key", sort="key"),
            Column(_("Country"), "country.name", sort="country__name"),
            Column(_("Module"), "module.code", sort="module__code"),
            Column(_("Organiser"), "organiser.name", sort="organiser__name"),
            Column(_("Start"), "start_date", sort="start_date"),
            Column(_("Independence"), "get_independence_display", sort="independence"),
            Column(_("Enterprises"), "enrolment_count", num=True, sort="enrolment_count"),
        ],
        detail="training:delivery-detail",
        create="training:delivery-create",
        title=_("Deliveries"),
        noun=ngettext_lazy("%(shown)s delivery", "%(shown)s deliveries", "count"),
    )


@login_required
@require_GET
def delivery_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    queryset = Delivery.objects.select_related("country", "module", "organiser")
    delivery = crud.get_visible(queryset, request.user, pk)
    context = {
        "delivery": delivery,
        "can_edit": may_write(request.user, delivery),
        "trainers": delivery.trainers.visible_to(request.user),
        "enrolments": ENROLMENTS.table(request, delivery),
        "participants": PARTICIPANTS.table(request, delivery),
        "visits": VISITS.table(request, delivery),
    }
    return render(request, "training/delivery_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def delivery_create(request: HttpRequest) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=DeliveryForm,
        title=_("New delivery"),
        success=_detail_url,
        cancel=reverse("training:delivery-list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    delivery = crud.get_visible(Delivery.objects.select_related("module"), request.user, pk)
    return crud.edit_page(
        request,
        form_class=DeliveryForm,
        instance=delivery,
        title=_("Edit %(record)s") % {"record": delivery},
        success=_detail_url,
        cancel=_detail_url(delivery),
    )


@login_required
@require_http_methods(["GET", "POST"])
def delivery_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    delivery = crud.get_visible(Delivery.objects.select_related("module"), request.user, pk)
    return crud.delete_page(
        request,
        instance=delivery,
        success=reverse("training:delivery-list"),
        cancel=_detail_url(delivery),
    )
