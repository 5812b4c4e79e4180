from __future__ import annotations

from django.urls import path

from scoretrack.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.index, name="index"),
    path("programme/", views.programme, name="programme"),
    path("country/", views.country_pick, name="country-pick"),
    path("country/<str:code>/", views.country, name="country"),
]
