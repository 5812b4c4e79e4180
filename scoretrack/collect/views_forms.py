"""The forms' downloads: /collect/forms/ lists the field forms the user may submit,
each as XLSForm (.xlsx, to load into KoboToolbox or ODK Central) and XForm (.xml),
with its CSVs holding only what the user may see."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from scoretrack.collect.forms import FieldForm, forms_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _form(request: HttpRequest, form_id: str) -> FieldForm:
    """The form, when the user may submit it (404 for a form it is not offered)."""
    for form in forms_for(request.user):
        if form.form_id == form_id:
            return form
    raise Http404("no such form for you")


def _download(content: bytes | str, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"  # the media are the user's own
    return response


@login_required
@require_GET
def form_list(request: HttpRequest) -> HttpResponse:
    forms = forms_for(request.user)
    if not forms:
        raise PermissionDenied
    entries = [{"form": form, "version": form.version(), "files": form.files} for form in forms]
    return render(request, "collect/forms/list.html", {"entries": entries})


@login_required
@require_GET
def form_xlsform(request: HttpRequest, form_id: str) -> HttpResponse:
    form = _form(request, form_id)
    return _download(form.xlsform(request.user), XLSX, f"{form_id}.xlsx")


@login_required
@require_GET
def form_xform(request: HttpRequest, form_id: str) -> HttpResponse:
    form = _form(request, form_id)
    return _download(form.xform(request.user), "text/xml; charset=utf-8", f"{form_id}.xml")


@login_required
@require_GET
def form_media(request: HttpRequest, form_id: str, name: str) -> HttpResponse:
    form = _form(request, form_id)
    if name not in form.files:
        raise Http404("no such file")
    return _download(form.media(request.user)[name], "text/csv; charset=utf-8", name)
