"""Trainer pages: list, detail with milestones inline, create, edit."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoretrack.accounts.scoping import access_for, may_write
from scoretrack.lib import crud
from scoretrack.lib.crud import Column
from scoretrack.trainers.forms import MilestoneForm, TrainerFilter, TrainerForm
from scoretrack.trainers.models import Trainer
from scoretrack.trainers.queries import status_label, with_status
from scoretrack.trainers.services import trainer_certify, trainer_recommend
from scoretrack.training.models import Delivery

MILESTONES = crud.Inline(
    name="milestones",
    title=_("Milestones"),
    namespace="trainers",
    detail="trainer-detail",
    parent_model=Trainer,
    form_class=MilestoneForm,
    parent_field="trainer",
    columns=(
        Column(_("Milestone"), "get_milestone_display"),
        Column(_("Date"), "date"),
        Column(_("Module"), "module.code"),
    ),
    select_related=("module",),
    add_label=_("Add a milestone"),
)


class _Status(Column):
    def value(self, obj: Trainer) -> str:
        return status_label(obj.status_code)


def _detail_url(trainer: Trainer) -> str:
    return reverse("trainers:trainer-detail", args=[trainer.pk])


@login_required
@require_GET
def trainer_list(request: HttpRequest) -> HttpResponse:
    return crud.list_page(
        request,
        queryset=with_status(Trainer.objects.select_related("country", "organisation")),
        filter_form=TrainerFilter,
        columns=[
            Column(_("Name"), "name", sort="name"),
            Column(_("Key"), "key", sort="key"),
            Column(_("Country"), "country.name", sort="country__name"),
            Column(_("Sex"), "get_sex_display", sort="sex"),
            Column(_("Organisation"), "organisation.name", sort="organisation__name"),
            _Status(_("Status"), "status_code", sort="status_code"),
        ],
        detail="trainers:trainer-detail",
        create="trainers:trainer-create",
        title=_("Trainers"),
        noun=ngettext_lazy("%(shown)s trainer", "%(shown)s trainers", "count"),
    )


@login_required
@require_GET
def trainer_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    queryset = with_status(Trainer.objects.select_related("country", "organisation"))
    trainer = crud.get_visible(queryset, request.user, pk)
    deliveries = (
        Delivery.objects.visible_to(request.user)
        .filter(trainers=trainer)
        .select_related("module", "country")
    )
    context = {
        "trainer": trainer,
        "can_edit": may_write(request.user, trainer),
        "status": status_label(trainer.status_code),
        "certification": certification_step(request.user, trainer),
        "milestones": MILESTONES.table(request, trainer),
        "deliveries": deliveries,
    }
    return render(request, "trainers/trainer_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def trainer_create(request: HttpRequest) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=TrainerForm,
        title=_("New trainer"),
        success=_detail_url,
        cancel=reverse("trainers:trainer-list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def trainer_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    trainer = crud.get_visible(Trainer.objects.all(), request.user, pk)
    return crud.edit_page(
        request,
        form_class=TrainerForm,
        instance=trainer,
        title=_("Edit %(record)s") % {"record": trainer},
        success=_detail_url,
        cancel=_detail_url(trainer),
    )


def certification_step(user: Any, trainer: Trainer) -> str:
    """The certification step this user may take for the trainer now, if any."""
    access = access_for(user)
    if trainer.status_code == "trained" and (
        access.is_global or trainer.country_id in access.countries
    ):
        return "recommend"
    if trainer.status_code == "recommended" and access.is_global:
        return "approve"
    return ""


@login_required
@require_POST
def trainer_certification(request: HttpRequest, pk: UUID) -> HttpResponse:
    """The country team recommends a trained trainer; a global admin approves."""
    trainer = crud.get_visible(Trainer.objects.all(), request.user, pk)
    step = {"recommend": trainer_recommend, "approve": trainer_certify}.get(
        request.POST.get("step", "")
    )
    if step is None:
        messages.error(request, _("Unknown certification step."))
    else:
        try:
            step(trainer=trainer, user=request.user, date=timezone.localdate())
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Certification step recorded."))
    back = request.POST.get("next", "")  # a home's queue sends its people back there
    if back and url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        return redirect(back)
    return redirect("trainers:trainer-detail", pk=trainer.pk)


@login_required
@require_http_methods(["GET", "POST"])
def trainer_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    trainer = crud.get_visible(Trainer.objects.all(), request.user, pk)
    return crud.delete_page(
        request,
        instance=trainer,
        success=reverse("trainers:trainer-list"),
        cancel=_detail_url(trainer),
    )
