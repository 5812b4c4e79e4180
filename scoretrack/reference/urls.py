from __future__ import annotations

from django.urls import include, path

from scoretrack.lib.crud import inline_urls
from scoretrack.reference import views

app_name = "reference"

urlpatterns = [
    path("organisations/", views.organisation_list, name="organisation-list"),
    path("organisations/new/", views.organisation_create, name="organisation-create"),
    path("organisations/<uuid:pk>/", views.organisation_detail, name="organisation-detail"),
    path("organisations/<uuid:pk>/edit/", views.organisation_edit, name="organisation-edit"),
    path("organisations/<uuid:pk>/delete/", views.organisation_delete, name="organisation-delete"),
    path("organisations/", include(inline_urls(views.AGREEMENTS))),
]
