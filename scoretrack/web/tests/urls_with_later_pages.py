"""The URL map with stand-ins for pages other branches of issue 18 add (catalogues,
events), so the navigation's links to them can be tested before they are merged."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import include, path

from scoretrack.urls import urlpatterns as main


def _stand_in(request: object) -> HttpResponse:
    return HttpResponse("stand-in")


urlpatterns = [
    path("catalogues/", include(([path("", _stand_in, name="index")], "catalogues"))),
    path("events/", include(([path("", _stand_in, name="event-list")], "events"))),
    *main,
]
