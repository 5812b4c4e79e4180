"""URLs of the KPI pages: `kpis:select` and `kpis:grid`, under an enterprise."""

from __future__ import annotations

from django.urls import include, path

from scoretrack.lib.crud import inline_urls
from scoretrack.outcomes import kpi_views

app_name = "kpis"

urlpatterns = [
    path("enterprises/<uuid:pk>/kpis/", kpi_views.grid, name="grid"),
    path("enterprises/<uuid:pk>/kpis/select/", kpi_views.select, name="select"),
    # selections-add, -show, -edit, -delete at enterprises/<pk>/selections/...
    path("enterprises/", include(inline_urls(kpi_views.SELECTIONS))),
]
