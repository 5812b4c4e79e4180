from __future__ import annotations

from django.urls import include, path

from scoretrack.lib.crud import inline_urls
from scoretrack.trainers import views

app_name = "trainers"

urlpatterns = [
    path("trainers/", views.trainer_list, name="trainer-list"),
    path("trainers/new/", views.trainer_create, name="trainer-create"),
    path("trainers/<uuid:pk>/", views.trainer_detail, name="trainer-detail"),
    path("trainers/<uuid:pk>/edit/", views.trainer_edit, name="trainer-edit"),
    path("trainers/<uuid:pk>/delete/", views.trainer_delete, name="trainer-delete"),
    path(
        "trainers/<uuid:pk>/certification/",
        views.trainer_certification,
        name="trainer-certification",
    ),
    path("trainers/", include(inline_urls(views.MILESTONES))),
]
