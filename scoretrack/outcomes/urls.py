from __future__ import annotations

from django.urls import path

from scoretrack.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path(
        "enterprises/<uuid:pk>/assessments/new/",
        views.assessment_create,
        name="assessment-create",
    ),
    path("assessments/<uuid:pk>/edit/", views.assessment_edit, name="assessment-edit"),
    path("assessments/<uuid:pk>/delete/", views.assessment_delete, name="assessment-delete"),
    path(
        "enterprises/<uuid:pk>/initiatives/new/",
        views.initiative_create,
        name="initiative-create",
    ),
    path("initiatives/<uuid:pk>/edit/", views.initiative_edit, name="initiative-edit"),
    path("initiatives/<uuid:pk>/delete/", views.initiative_delete, name="initiative-delete"),
    path("enterprises/<uuid:pk>/surveys/", views.survey_list, name="survey-list"),
    path("enterprises/<uuid:pk>/surveys/new/", views.survey_create, name="survey-create"),
    path("surveys/<uuid:pk>/edit/", views.survey_edit, name="survey-edit"),
    path("surveys/<uuid:pk>/delete/", views.survey_delete, name="survey-delete"),
]
