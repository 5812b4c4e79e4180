"""handler403 and handler404: the site's pages say what happened and lead back home;
under /api/ the API's `{"error", "detail"}` JSON, as its own handlers answer.

A 404 reaches here for an unknown address and for a record out of the user's scope
(`get_visible`): the page names neither the address nor the record. A 403 keeps the
exception's words for the log only (they may name what the user may not see).
The 500 page is `handler500`, `scoretrack.lib.busy.server_error`.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from scoretrack.lib.busy import API_PREFIX


def api_error(status: int, error: str) -> JsonResponse:
    return JsonResponse({"error": error, "detail": []}, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return api_error(404, "not found")
    return render(request, "404.html", status=404)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith(API_PREFIX):
        return api_error(403, "forbidden")
    return render(request, "403.html", status=403)
