"""The project's JSON API (django-ninja), mounted at /api/; each app adds its router.

Errors always have one shape: `{"error": "...", "detail": [{"field", "message"}]}`.
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import Error as DatabaseError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, django_auth

from scoretrack.accounts.models import ApiToken
from scoretrack.exchange.api import add_resources
from scoretrack.indicators.api import router as indicators_router
from scoretrack.lib.busy import busy_response
from scoretrack.lib.db_errors import is_busy
from scoretrack.lib.throttling import CallerRateThrottle

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer st_…`: tokens are stored hashed (scoretrack token create)."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="scoretrack API",
    version="1",
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
    auth=[TokenAuth(), django_auth],
    # Per caller (the authenticated user its token or session stands for).
    throttle=[CallerRateThrottle(settings.API_THROTTLE)],
)


def error_response(
    request: HttpRequest, status: int, error: str, detail: list[dict[str, Any]] | None = None
) -> HttpResponse:
    return api.create_response(request, {"error": error, "detail": detail or []}, status=status)


def field_of(location: Any) -> str | None:
    """The parameter named by a pydantic error location, e.g. ("query", "year") → "year"."""
    names = [str(part) for part in location if isinstance(part, str)]
    if names[:1] == ["body"] and len(names) > 2:
        names = ["body", *names[2:]]  # ("body", "payload", "key"): the view's argument, not a field
    names = [name for name in names if name not in {"query", "body", "path", "form", "header"}]
    return ".".join(names) or None


@api.exception_handler(NinjaValidationError)
def invalid_input(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    detail = [
        {"field": field_of(e.get("loc", ())), "message": e.get("msg", "")} for e in exc.errors
    ]
    return error_response(request, 400, "invalid input", detail)


@api.exception_handler(DjangoValidationError)
def invalid_value(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    if hasattr(exc, "error_dict"):
        detail = [
            {"field": name, "message": message}
            for name, messages in exc.message_dict.items()
            for message in messages
        ]
    else:
        detail = [{"field": None, "message": message} for message in exc.messages]
    return error_response(request, 400, "invalid input", detail)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return error_response(request, exc.status_code, exc.message)


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not found")


@api.exception_handler(PermissionDenied)
def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, 403, "forbidden")


@api.exception_handler(RequestDataTooBig)
def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return error_response(request, 413, f"request body larger than {limit} bytes")


@api.exception_handler(DatabaseError)
def database_error(request: HttpRequest, exc: DatabaseError) -> HttpResponse:
    """A busy database is a 503 with Retry-After (lib/busy.py); any other error a 500."""
    if is_busy(exc):
        return busy_response(request, exc)
    return server_error(request, exc)


@api.exception_handler(Exception)
def server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("API error", exc_info=exc)
    return error_response(request, 500, "server error")


api.add_router("/v1/indicators", indicators_router)
add_resources(api)  # /v1/<sheet> for every sheet of the exchange format
