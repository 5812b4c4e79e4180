from __future__ import annotations

from django.urls import path

from scoretrack.finance import views

app_name = "finance"

urlpatterns = [
    path("costs/", views.cost_list, name="cost-list"),
    path("costs/new/", views.cost_create, name="cost-create"),
    path("costs/<uuid:pk>/edit/", views.cost_edit, name="cost-edit"),
    path("costs/<uuid:pk>/delete/", views.cost_delete, name="cost-delete"),
    path("contributions/", views.contribution_list, name="contribution-list"),
    path("contributions/new/", views.contribution_create, name="contribution-create"),
    path("contributions/<uuid:pk>/edit/", views.contribution_edit, name="contribution-edit"),
    path(
        "contributions/<uuid:pk>/delete/",
        views.contribution_delete,
        name="contribution-delete",
    ),
]
