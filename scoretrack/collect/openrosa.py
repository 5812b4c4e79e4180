"""The OpenRosa server ODK Collect and KoboCollect speak: form list, form and media
download, manifest, submission (https://docs.getodk.org/openrosa/).

Every response carries `X-OpenRosa-Version: 1.0`; every endpoint takes a Digest (or
Basic over HTTPS) user or a collect key's URL (auth.py) and shows that user only
the forms it may submit (`forms_for`) with media scoped to it.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import reverse
from django.utils.translation import gettext as _

from scoretrack.collect import pipeline
from scoretrack.collect.auth import openrosa_auth
from scoretrack.collect.models import Submission

log = logging.getLogger(__name__)

# What a phone may send in one submission request (the header tells it to split).
ACCEPT_CONTENT_LENGTH = 10_000_000
XML = "text/xml; charset=utf-8"


def _md5(data: bytes) -> str:
    return "md5:" + hashlib.md5(data).hexdigest()


def _response(body: str = "", *, status: int = 200, content_type: str = XML) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["X-OpenRosa-Version"] = "1.0"
    return response


def message(text: str, *, status: int) -> HttpResponse:
    body = (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        '<OpenRosaResponse xmlns="http://openrosa.org/http/response">'
        f'<message nature="">{escape(text)}</message></OpenRosaResponse>'
    )
    return _response(body, status=status)


def _url(request: HttpRequest, name: str, *args: Any) -> str:
    key = request.resolver_match.kwargs.get("key") if request.resolver_match else None
    if key:
        return request.build_absolute_uri(reverse(f"collect:key-{name}", args=[key, *args]))
    return request.build_absolute_uri(reverse(f"collect:{name}", args=list(args)))


def _form(request: HttpRequest, form_id: str) -> Any | None:
    forms = pipeline.forms_module()
    user = request.collect_user  # type: ignore[attr-defined]
    return next((f for f in forms.forms_for(user) if f.form_id == form_id), None)


@openrosa_auth
def form_list(request: HttpRequest) -> HttpResponse:
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    user = request.collect_user  # type: ignore[attr-defined]
    wanted = request.GET.get("formID")
    items = []
    for form in pipeline.forms_module().forms_for(user):
        if wanted and form.form_id != wanted:
            continue
        xform = _xform(form, user)
        if xform is None:
            continue
        manifest = (
            f"<manifestUrl>{escape(_url(request, 'manifest', form.form_id))}</manifestUrl>"
            if form.media(user)
            else ""
        )
        items.append(
            "<xform>"
            f"<formID>{escape(form.form_id)}</formID>"
            f"<name>{escape(str(form.title))}</name>"
            f"<version>{escape(form.version())}</version>"
            f"<hash>{_md5(xform)}</hash>"
            f"<downloadUrl>{escape(_url(request, 'form-xml', form.form_id))}</downloadUrl>"
            f"{manifest}</xform>"
        )
    body = (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        '<xforms xmlns="http://openrosa.org/xforms/xformsList">' + "".join(items) + "</xforms>"
    )
    return _response(body)


def _xform(form: Any, user: Any) -> bytes | None:
    """The form compiled, or None when it cannot be (e.g. a catalogue it lists is
    empty): the phone gets the other forms rather than an error for all."""
    try:
        return form.xform(user).encode()
    except Exception:
        log.exception("The field form %s does not compile", form.form_id)
        return None


@openrosa_auth
def form_xml(request: HttpRequest, form_id: str) -> HttpResponse:
    form = _form(request, form_id)
    xform = _xform(form, request.collect_user) if form else None  # type: ignore[attr-defined]
    if xform is None:
        return _response(status=404, content_type="text/plain")
    return _response(xform)


@openrosa_auth
def manifest(request: HttpRequest, form_id: str) -> HttpResponse:
    form = _form(request, form_id)
    if form is None:
        return _response(status=404, content_type="text/plain")
    files = form.media(request.collect_user)  # type: ignore[attr-defined]
    items = "".join(
        "<mediaFile>"
        f"<filename>{escape(name)}</filename>"
        f"<hash>{_md5(data)}</hash>"
        f"<downloadUrl>{escape(_url(request, 'media', form_id, name))}</downloadUrl>"
        "</mediaFile>"
        for name, data in sorted(files.items())
    )
    body = (
        "<?xml version='1.0' encoding='UTF-8' ?>\n"
        '<manifest xmlns="http://openrosa.org/xforms/xformsManifest">' + items + "</manifest>"
    )
    return _response(body)


@openrosa_auth
def media(request: HttpRequest, form_id: str, name: str) -> HttpResponse:
    form = _form(request, form_id)
    files = form.media(request.collect_user) if form else {}  # type: ignore[attr-defined]
    if name not in files:
        return _response(status=404, content_type="text/plain")
    content_type = (
        "text/csv; charset=utf-8" if name.endswith(".csv") else "application/octet-stream"
    )
    response = _response(files[name], content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename={quoteattr(name)}"
    return response


@openrosa_auth
def submission(request: HttpRequest) -> HttpResponse:
    if request.method == "HEAD":
        response = _response(status=204)
        response["X-OpenRosa-Accept-Content-Length"] = str(ACCEPT_CONTENT_LENGTH)
        return response
    if request.method != "POST":
        return HttpResponseNotAllowed(["HEAD", "POST"])
    if int(request.headers.get("Content-Length") or 0) > ACCEPT_CONTENT_LENGTH:
        return message(_("The submission is too large; send it in parts."), status=413)
    main = request.FILES.get("xml_submission_file")
    if main is None:
        return message(_("The request has no xml_submission_file."), status=400)
    attachments = {}
    content_types = {}
    for field, upload in request.FILES.items():
        if field != "xml_submission_file":
            attachments[upload.name] = upload.read()
            content_types[upload.name] = upload.content_type or ""
    user = request.collect_user  # type: ignore[attr-defined]
    kept = pipeline.receive(user, main.read(), attachments, content_types=content_types)
    return _answer(kept)


def _answer(kept: Submission) -> HttpResponse:
    """201 for an accepted submission, 202 for one kept for review, the same again
    for a duplicate (which changed nothing)."""
    again = getattr(kept, "duplicate", False)
    if kept.state == Submission.State.APPROVED:
        text = _("Already received and accepted.") if again else _("Accepted. Thank you.")
        return message(text, status=201)
    if kept.state == Submission.State.REJECTED:
        text = _("Already received; rejected in review: %s") % kept.review_note
    elif again:
        text = _("Already received; waiting for review: %s") % kept.reason_shown
    else:
        text = _("Received and kept for review: %s") % kept.reason_shown
    return message(text, status=202)
