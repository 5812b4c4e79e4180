from __future__ import annotations

from django.urls import path

from scoretrack.enterprises import views

app_name = "enterprises"

urlpatterns = [
    path("enterprises/", views.enterprise_list, name="enterprise-list"),
    path("enterprises/new/", views.enterprise_create, name="enterprise-create"),
    path("enterprises/<uuid:pk>/", views.enterprise_detail, name="enterprise-detail"),
    path("enterprises/<uuid:pk>/edit/", views.enterprise_edit, name="enterprise-edit"),
    path("enterprises/<uuid:pk>/delete/", views.enterprise_delete, name="enterprise-delete"),
]
