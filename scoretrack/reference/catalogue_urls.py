"""The catalogue pages, under `catalogues/` (see catalogue_views.py)."""

from __future__ import annotations

from django.urls import path

from scoretrack.reference.catalogue_views import CATALOGUES, catalogue_urls, index

app_name = "catalogues"

urlpatterns = [
    path("", index, name="index"),
    *(pattern for catalogue in CATALOGUES for pattern in catalogue_urls(catalogue)),
]
