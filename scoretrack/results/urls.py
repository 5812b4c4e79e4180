from __future__ import annotations

from django.urls import path

from scoretrack.results import views

app_name = "results"

urlpatterns = [
    path("", views.chain, name="chain"),
    path("tracking/", views.tracking, name="tracking"),
    path("levels/new/", views.level_create, name="level-create"),
    path("levels/<uuid:pk>/", views.level_detail, name="level-detail"),
    path("levels/<uuid:pk>/edit/", views.level_edit, name="level-edit"),
    path("levels/<uuid:pk>/delete/", views.level_delete, name="level-delete"),
]
