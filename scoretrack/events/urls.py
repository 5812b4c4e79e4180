from __future__ import annotations

from django.urls import include, path

from scoretrack.events import views
from scoretrack.lib.crud import inline_urls

app_name = "events"

urlpatterns = [
    path("events/", views.event_list, name="event-list"),
    path("events/new/", views.event_create, name="event-create"),
    path("events/<uuid:pk>/", views.event_detail, name="event-detail"),
    path("events/<uuid:pk>/edit/", views.event_edit, name="event-edit"),
    path("events/<uuid:pk>/delete/", views.event_delete, name="event-delete"),
    path("events/", include(inline_urls(views.PARTICIPANTS))),
]
