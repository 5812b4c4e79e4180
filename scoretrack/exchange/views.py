"""Pages: import (upload -> check -> preview -> confirm -> import), export, template."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoretrack.exchange.exporter import workbook_export
from scoretrack.exchange.jobs import (
    MAX_ATTEMPTS,
    UploadRefused,
    import_job_create,
    import_job_progress,
    import_job_retry,
    import_job_start,
    import_job_waiting_long,
)
from scoretrack.exchange.models import ImportJob
from scoretrack.exchange.schema import SHEETS
from scoretrack.exchange.services import ImportReport
from scoretrack.exchange.template import template_workbook
from scoretrack.reference.models import CountryProgramme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SizeLimitHandler(FileUploadHandler):
    """Stop reading an upload as soon as it passes the limit, Content-Length or not."""

    def __init__(self, request: Any = None) -> None:
        super().__init__(request)
        self.received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.received += len(raw_data)
        if self.received > settings.IMPORT_MAX_BYTES:
            self.request.upload_too_big = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def _too_big(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > settings.IMPORT_MAX_BYTES + 64 * 1024  # room for the form's other fields


@csrf_exempt  # checked below, once the size limit guards the upload
@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if _too_big(request):
            return _too_big_form(request)
        request.upload_handlers.insert(0, SizeLimitHandler(request))
    return _import_upload(request)


def _too_big_form(request: HttpRequest) -> HttpResponse:
    size = number_format(settings.IMPORT_MAX_BYTES, force_grouping=True)
    error = _("the file is larger than the %(size)s bytes allowed") % {"size": size}
    return _import_form(request, error, status=413)


@csrf_protect
def _import_upload(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _import_form(request)
    upload = request.FILES.get("file")
    if getattr(request, "upload_too_big", False):
        return _too_big_form(request)
    if upload is None:
        return _import_form(request, "choose a file to upload (at most the size allowed)", 400)
    try:
        job = import_job_create(user=request.user, upload=upload)
    except UploadRefused as exc:
        return _import_form(request, str(exc), status=400)
    import_job_start(job=job, commit=False)
    return redirect("exchange:import-job", job_id=job.id)


def _import_form(request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
    context = {"error": error, "max_bytes": settings.IMPORT_MAX_BYTES}
    return render(request, "exchange/import.html", context, status=status)


@login_required
@require_GET
def import_job(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    report = ImportReport.from_dict(job.report) if job.report else None
    context = {
        "job": job,
        "report": report,
        "progress": import_job_progress(job),
        "waiting_long": import_job_waiting_long(job),
        "max_attempts": MAX_ATTEMPTS,
        "rows": sum(c.created + c.updated + c.unchanged for c in report.counts.values())
        if report
        else 0,
    }
    template = "exchange/job.html#status" if request.htmx else "exchange/job.html"
    return render(request, template, context)


@login_required
@require_POST
def import_confirm(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    report = ImportReport.from_dict(job.report) if job.report else None
    if job.running or job.state == ImportJob.State.DONE:
        return redirect("exchange:import-job", job_id=job.id)  # a second click: under way
    checked = report is not None and report.ok and job.state == ImportJob.State.CHECKED
    if not (checked or (report is not None and report.ok and job.commit and job.retryable)):
        return HttpResponse("This file cannot be imported: upload it again.", status=409)
    import_job_start(job=job, commit=True)
    return redirect("exchange:import-job", job_id=job.id)


@login_required
@require_POST
def import_retry(request: HttpRequest, job_id: str) -> HttpResponse:
    """Run a failed step (check or import) again on the upload still kept."""
    job = get_object_or_404(ImportJob, pk=job_id, user=request.user)
    if job.running:
        return redirect("exchange:import-job", job_id=job.id)
    if not job.retryable:
        return HttpResponse("Only a failed job whose file is kept can be retried.", status=409)
    import_job_retry(job=job)
    return redirect("exchange:import-job", job_id=job.id)


@login_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponse:
    countries = CountryProgramme.objects.visible_to(request.user).order_by("name")
    fmt = request.GET.get("format")
    if fmt not in ("xlsx", "zip"):
        return render(request, "exchange/export.html", {"countries": countries, "sheets": SHEETS})
    country = request.GET.get("country") or None
    if country and not countries.filter(code=country).exists():
        return HttpResponse("Unknown country programme.", status=400)
    names = [s.name for s in SHEETS if s.name in request.GET.getlist("sheet")] or None
    out = io.BytesIO()
    workbook_export(target=out, user=request.user, fmt=fmt, country=country, sheets=names)
    out.seek(0)
    filename = f"scoretrack-{(country or 'all').lower()}.{fmt}"
    content_type = XLSX if fmt == "xlsx" else "application/zip"
    return FileResponse(out, as_attachment=True, filename=filename, content_type=content_type)


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    return FileResponse(
        io.BytesIO(template_workbook()),
        as_attachment=True,
        filename="scoretrack-template.xlsx",
        content_type=XLSX,
    )
