"""Event pages: list, detail with its participants by group inline, create, edit,
delete."""

from __future__ import annotations

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from scoretrack.events.forms import EventFilter, EventForm, ParticipationForm
from scoretrack.events.models import Event, EventParticipation
from scoretrack.lib import crud
from scoretrack.lib.crud import Column
from scoretrack.lib.hooks import may_write

PARTICIPANTS = crud.Inline(
    name="participants",
    title=gettext_lazy("Participants by group"),
    add_label=gettext_lazy("Add a group"),
    namespace="events",
    detail="event-detail",
    parent_model=Event,
    form_class=ParticipationForm,
    parent_field="event",
    columns=(
        Column(gettext_lazy("Group"), "get_group_display"),
        Column(gettext_lazy("Women"), "female", num=True),
        Column(gettext_lazy("Men"), "male", num=True),
    ),
    select_related=("event__country",),
)


def _detail_url(event: Event) -> str:
    return reverse("events:event-detail", args=[event.pk])


@login_required
@require_GET
def event_list(request: HttpRequest) -> HttpResponse:
    return crud.list_page(
        request,
        queryset=Event.objects.select_related("country"),
        filter_form=EventFilter,
        columns=[
            Column(_("Date"), "date"),
            Column(_("Key"), "key"),
            Column(_("Country"), "country.name"),
            Column(_("Kind"), "get_kind_display"),
            Column(_("Title"), "title"),
        ],
        detail="events:event-detail",
        create="events:event-create",
        title=_("Events"),
    )


@login_required
@require_GET
def event_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    event = crud.get_visible(Event.objects.select_related("country"), request.user, pk)
    totals = (
        EventParticipation.objects.visible_to(request.user)
        .filter(event=event)
        .aggregate(women=Sum("female"), men=Sum("male"))
    )
    context = {
        "event": event,
        "can_edit": may_write(request.user, event),
        "participants": PARTICIPANTS.table(request, event),
        "totals": totals,
    }
    return render(request, "events/event_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=EventForm,
        title=_("New event"),
        success=_detail_url,
        cancel=reverse("events:event-list"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    event = crud.get_visible(Event.objects.all(), request.user, pk)
    return crud.edit_page(
        request,
        form_class=EventForm,
        instance=event,
        title=_("Edit %(record)s") % {"record": event},
        success=_detail_url,
        cancel=_detail_url(event),
    )


@login_required
@require_http_methods(["GET", "POST"])
def event_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    event = crud.get_visible(Event.objects.all(), request.user, pk)
    return crud.delete_page(
        request, instance=event, success=reverse("events:event-list"), cancel=_detail_url(event)
    )
