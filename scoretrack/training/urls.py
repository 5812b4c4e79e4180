from __future__ import annotations

from django.urls import include, path

from scoretrack.lib.crud import inline_urls
from scoretrack.training import views

app_name = "training"

urlpatterns = [
    path("deliveries/", views.delivery_list, name="delivery-list"),
    path("deliveries/new/", views.delivery_create, name="delivery-create"),
    path("deliveries/<uuid:pk>/", views.delivery_detail, name="delivery-detail"),
    path("deliveries/<uuid:pk>/edit/", views.delivery_edit, name="delivery-edit"),
    path("deliveries/<uuid:pk>/delete/", views.delivery_delete, name="delivery-delete"),
    path("deliveries/", include(inline_urls(views.ENROLMENTS))),
    path("deliveries/", include(inline_urls(views.PARTICIPANTS))),
    path("deliveries/", include(inline_urls(views.VISITS))),
]
