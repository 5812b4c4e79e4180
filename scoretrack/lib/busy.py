"""503 with Retry-After when the database is busy, on pages and in the API.

A write that does not get the lock within the busy timeout (SQLite), a lock
timeout, deadlock or serialization failure, or a lost connection (PostgreSQL;
`lib.db_errors.is_busy`) is answered "try again in a moment": a styled page, or
the API's `{"error", "detail"}`, never a 500 and never a 400 blaming the input.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views import defaults

from scoretrack.lib.db_errors import is_busy

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
API_PREFIX = "/api/"
API_MESSAGE = "the database is busy: try again in a few seconds"


def busy_response(request: HttpRequest, exc: BaseException) -> HttpResponse:
    logger.warning("database busy on %s %s: %s", request.method, request.path, exc)
    if request.path.startswith(API_PREFIX):
        body = {"error": "service unavailable", "detail": [{"field": None, "message": API_MESSAGE}]}
        response: HttpResponse = JsonResponse(body, status=503)
    else:
        response = HttpResponse(_page(request), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _page(request: HttpRequest) -> str:
    try:
        return render_to_string("503.html", request=request)
    except Exception:  # the page's frame reads the user: without the request, no database
        return render_to_string("503.html")


class DatabaseBusyMiddleware:
    """A view's busy-database error becomes the 503 page (the API has its own handler)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        return busy_response(request, exc) if is_busy(exc) else None


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """handler500: a busy database raised outside a view (a middleware saving the
    session, say) is a 503 too; anything else is a 500, the API's JSON under /api/.

    The page is Django's: 500.html rendered without the request, so neither the
    database nor the user (whose reading may be what failed) is asked: no navigation.
    """
    exc = sys.exc_info()[1]
    if exc is not None and is_busy(exc):
        return busy_response(request, exc)
    if request.path.startswith(API_PREFIX):
        body = {"error": "server error", "detail": []}
        return JsonResponse(body, status=500)
    return defaults.server_error(request, template_name="500.html")
