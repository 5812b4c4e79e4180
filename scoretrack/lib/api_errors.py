"""The API's 405 in the API's error shape.

django-ninja answers a method a path does not take with a bare
HttpResponseNotAllowed, before any exception handler runs; this turns it into
`{"error", "detail"}` JSON, keeping its Allow header.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

API_PREFIX = "/api/"


class ApiMethodNotAllowedMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        json_already = response.get("Content-Type", "").startswith("application/json")
        if response.status_code == 405 and request.path.startswith(API_PREFIX) and not json_already:
            allowed = response.get("Allow", "")
            body = {
                "error": "method not allowed",
                "detail": [{"field": None, "message": f"allowed: {allowed}"}],
            }
            replaced = HttpResponse(json.dumps(body), status=405, content_type="application/json")
            replaced["Allow"] = allowed
            return replaced
        return response
