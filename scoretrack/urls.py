from django.contrib import admin
from django.urls import include, path

from scoretrack.api import api

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("indicators/", include("scoretrack.indicators.urls")),
    path("exchange/", include("scoretrack.exchange.urls")),
    path("reports/", include("scoretrack.reports.urls")),
    path("catalogues/", include("scoretrack.reference.catalogue_urls")),
    path("collect/", include("scoretrack.collect.urls")),
    path("quality/", include("scoretrack.quality.urls")),
    path("", include("scoretrack.web.urls")),
    path("", include("scoretrack.enterprises.urls")),
    path("", include("scoretrack.training.urls")),
    path("", include("scoretrack.trainers.urls")),
    path("", include("scoretrack.reference.urls")),
    path("", include("scoretrack.finance.urls")),
    path("", include("scoretrack.outcomes.urls")),
    path("", include("scoretrack.events.urls")),
    path("", include("scoretrack.outcomes.kpi_urls")),
]

handler403 = "scoretrack.web.errors.permission_denied"
handler404 = "scoretrack.web.errors.page_not_found"
# A busy database raised outside a view (a middleware saving the session) is a 503 too.
handler500 = "scoretrack.lib.busy.server_error"
