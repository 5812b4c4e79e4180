"""Site-wide pages: home, liveness and health checks."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.utils import Error as DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from scoretrack.accounts.scoping import access_for
from scoretrack.web.audit import RestoreError, deleted_records, record_restore
from scoretrack.web.deletion import deleted_sets, deletion_set_restore
from scoretrack.web.homes import home_for


@require_GET
@never_cache
def livez(request: HttpRequest) -> JsonResponse:
    """The process answers: a constant, no database (a load balancer's liveness probe,
    and the API benchmark's reference: the cost of the server and Django alone)."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return JsonResponse(
            {
                "status": "error",
                "database": {"vendor": connection.vendor, "ok": False, "error": str(exc)},
            },
            status=503,
        )
    return JsonResponse(
        {
            "status": "ok",
            "database": {
                "vendor": connection.vendor,
                "ok": True,
                "latency_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        }
    )


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: the static PNG. Not a
    permanent redirect: in production the file's name holds its content's hash."""
    return redirect(static("favicon-32.png"))


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """The first page after logging in: the user's role's own figures and work."""
    return render(request, "web/home.html", {"home": home_for(request.user)})


def _require_global(request: HttpRequest) -> None:
    if not access_for(request.user).is_global:
        raise PermissionDenied("only global admins manage deleted records")


@login_required
@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    _require_global(request)
    deleted = sorted([*deleted_sets(), *deleted_records()], key=lambda d: d.when, reverse=True)
    return render(request, "web/deleted.html", {"deleted": deleted})


@login_required
@require_POST
def restore(request: HttpRequest) -> HttpResponse:
    _require_global(request)
    try:
        if "set" in request.POST:  # a record with what was deleted with it
            deletion = deletion_set_restore(acting_user=request.user, set_id=request.POST["set"])
            record = deletion.root()
        else:
            record = record_restore(
                label=request.POST.get("model", ""),
                record_id=request.POST.get("id"),
                user=request.user,
            )
    except (RestoreError, ValueError) as exc:
        messages.error(request, _("Not restored: %(reason)s") % {"reason": exc})
    else:
        messages.success(
            request,
            _("Restored: %(kind)s %(record)s")
            % {"kind": record._meta.verbose_name, "record": record},
        )
    return redirect("deleted")


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch the page language; remembered on the user (and in a cookie)."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        messages.error(request, _("Unknown language %(code)r.") % {"code": language})
        return redirect("home")
    if request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    response = redirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=365 * 24 * 3600, samesite="Lax"
    )
    return response
