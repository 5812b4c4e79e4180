"""The field forms in the browser, offline (`/collect/fill/`).

The page carries the form's XForm (the same one ODK Collect downloads,
`FieldForm.xform(user)`) and renders it with ODK Web Forms (the npm bundle built
from `collect/js/` into `collect/static/collect/build/` at install); its attached
CSVs (`FieldForm.media(user)`: the user's own enterprises and deliveries) come from
`media/<name>`. A service worker (`sw.js`, scope `/collect/fill/`) keeps the page,
its scripts and the media, so that a form opens and fills with no connection. The
browser keeps each submission in its outbox (IndexedDB) until `submission` has
answered 201 (accepted) or 202 (kept for review with its reason): that endpoint
hands the instance to `pipeline.receive(..., channel="browser")`, as the OpenRosa
server does for a phone.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

BUILD = Path(__file__).parent / "static" / "collect" / "build"
# A submission's instance and attachments together (photos are not asked by these forms).
MAX_SUBMISSION_BYTES = 10 * 1024 * 1024


def _forms() -> Any:
    # Imported when used: the forms and the pipeline import the record kinds' apps.
    from scoretrack.collect import forms

    return forms


TRANSLATION = re.compile(r"<translation\b[^>]*>")
LANG = re.compile(r"""\blang=(["'])(.*?)\1""")
DEFAULT = re.compile(r"""\s+default=(["'])true\(\)\1""")


def in_language(xform: str, language: str) -> str:
    """The XForm with its translation in `language` (labelled "Español (es)" as
    pyxform writes `label::Español (es)`) made the default, so that the engine opens
    it in the page's language; unchanged when it has none."""
    code = language.lower().replace("_", "-")

    def speaks(tag: str) -> bool:
        found = LANG.search(tag)
        label = found.group(2).lower().replace("_", "-") if found else ""
        return label.endswith(f"({code})")

    tags = TRANSLATION.findall(xform)
    if not any(speaks(tag) for tag in tags):
        return xform

    def mark(match: re.Match) -> str:
        tag = DEFAULT.sub("", match.group(0))
        return tag[:-1].rstrip("/") + ' default="true()">' if speaks(tag) else tag

    return TRANSLATION.sub(mark, xform)


def _form_for(user: Any, form_id: str) -> Any:
    """The field form `form_id` if this user may submit it, else 404."""
    for form in _forms().forms_for(user):
        if form.form_id == form_id:
            return form
    raise Http404(_("No field form “%(form)s” for you.") % {"form": form_id})


@login_required
@require_GET
def index(request: Any) -> HttpResponse:
    """The forms this user may fill in the browser."""
    return render(request, "collect/fill/index.html", {"forms": _forms().forms_for(request.user)})


@login_required
@require_GET
@never_cache
def fill(request: Any, form_id: str) -> HttpResponse:
    form = _form_for(request.user, form_id)
    media = form.media(request.user)
    config = {
        "form_id": form.form_id,
        "title": str(form.title),
        "xform": in_language(form.xform(request.user), get_language() or "en"),
        "media": sorted(media),
        "media_url": reverse("collect:fill", args=[form.form_id]) + "media/",
        "submit_url": reverse("collect:fill-submission"),
        "worker_url": reverse("collect:fill-worker"),
        "worker_scope": reverse("collect:fill-index"),
        # The other pages a user may open offline: the list of forms.
        "also_cache": [reverse("collect:fill-index")],
        "strings": {
            "nothing_waiting": _("Nothing is waiting to be sent."),
            # The JavaScript picks the form for one, and the other for any other count.
            "waiting_one": ngettext(
                "%(count)s submission waiting to be sent",
                "%(count)s submissions waiting to be sent",
                1,
            ),
            "waiting_many": ngettext(
                "%(count)s submission waiting to be sent",
                "%(count)s submissions waiting to be sent",
                2,
            ),
            "not_sent": _("not sent yet: %(reason)s"),
            "log_in_again": _("log in again to send it"),
            "sent": _("Sent: %(title)s."),
            "queued_for_review": _("%(title)s: queued for review: %(reason)s"),
            "repeat_menu": _("More actions on this repeat"),
        },
    }
    return render(
        request,
        "collect/fill/form.html",
        {"form": form, "config": config, "bundle": static("collect/build/fill.js")},
    )


@login_required
@require_GET
def media(request: Any, form_id: str, name: str) -> HttpResponse:
    """One attached file of the form, for this user (its own enterprises and deliveries)."""
    form = _form_for(request.user, form_id)
    files = form.media(request.user)
    if name not in files:
        raise Http404(
            _("The form “%(form)s” has no file “%(name)s”.") % {"form": form_id, "name": name}
        )
    content_type = "text/csv" if name.endswith(".csv") else "application/octet-stream"
    response = HttpResponse(files[name], content_type=f"{content_type}; charset=utf-8")
    response["Cache-Control"] = "private, no-cache"
    return response


@require_GET
def worker(request: Any) -> FileResponse:
    """The service worker, from the bundle's build, at a URL whose folder is its scope."""
    path = BUILD / "sw.js"
    if not path.exists():
        raise Http404(_("The browser forms are not built: run `make install` (npm run build)."))
    response = FileResponse(path.open("rb"), content_type="text/javascript; charset=utf-8")
    # Browsers look for a new worker at each visit; no cache between.
    response["Cache-Control"] = "no-cache"
    return response


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@require_POST
def submission(request: Any) -> JsonResponse:
    """A submission from the browser's outbox: multipart, the instance as
    `xml_submission_file` (as ODK Collect sends it), other files its attachments.
    201 when its records are written, 202 when it is kept for review (with the
    reason); any other answer leaves it in the browser's outbox."""
    if not request.user.is_authenticated:
        return _error(403, _("log in again to send it"))
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_SUBMISSION_BYTES:
        return _error(413, _("The submission is larger than 10 MB."))
    instance = request.FILES.get("xml_submission_file")
    if instance is None:
        return _error(400, _("The submission has no instance (xml_submission_file)."))
    attachments = {
        name: upload.read()
        for name, upload in request.FILES.items()
        if name != "xml_submission_file"
    }
    from scoretrack.collect import pipeline

    # What cannot be read is kept for review too (202, with why): never lost.
    received = pipeline.receive(request.user, instance.read(), attachments, channel="browser")
    body = {
        "state": received.state,
        "instance_id": getattr(received, "instance_id", ""),
        # in the sender's language (a Submission keeps it in every one)
        "reason": getattr(received, "reason_shown", None) or getattr(received, "reason", ""),
    }
    return JsonResponse(body, status=201 if received.state == "approved" else 202)
