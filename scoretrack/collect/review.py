"""The review queue at /collect/review/: submissions a form could not accept wait here
with their reason; a country team (its country's) or HQ corrects and accepts them,
or rejects them with a note. Each decision is in the submission's history. And the
page where a user gets its collect password (for ODK Collect / KoboCollect)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any
from uuid import UUID

from defusedxml import ElementTree as SafeET
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from scoretrack.accounts.scoping import access_for
from scoretrack.collect import imports, pipeline, stash
from scoretrack.collect.models import CollectKey, Submission, reason_in
from scoretrack.lib import crud
from scoretrack.lib.crud import Column
from scoretrack.lib.forms import FilterForm


def may_review(user: Any) -> bool:
    """Country teams and HQ review; others see their own submissions only."""
    access = access_for(user)
    return access.is_global or bool(access.countries)


def reads_submissions(user: Any) -> bool:
    return not access_for(user).aggregates_only


class SubmissionFilter(FilterForm):
    search_fields = ("instance_id", "form_id", "user__email", "reason")
    lookups = {"state": "state", "channel": "channel"}

    state = forms.ChoiceField(
        label=gettext_lazy("State"),
        choices=[("", gettext_lazy("Any")), *Submission.State.choices],
        required=False,
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"),
        choices=[("", gettext_lazy("Any")), *Submission.Channel.choices],
        required=False,
    )


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    if not reads_submissions(request.user):
        raise PermissionDenied
    return crud.list_page(
        request,
        queryset=Submission.objects.select_related("user", "country"),
        filter_form=SubmissionFilter,
        columns=[
            Column(gettext_lazy("Received"), "received_at", sort="received_at"),
            Column(gettext_lazy("Form"), "form_id", sort="form_id"),
            Column(gettext_lazy("State"), "get_state_display", sort="state"),
            Column(gettext_lazy("Sent by"), "user.email", sort="user__email"),
            Column(gettext_lazy("Country"), "country.name", sort="country__name"),
            Column(gettext_lazy("Channel"), "get_channel_display", sort="channel"),
            Column(gettext_lazy("Reason"), "reason_shown"),
        ],
        detail="collect:review-detail",
        title=gettext_lazy("Field submissions"),
        noun=ngettext_lazy("%(shown)s submission", "%(shown)s submissions", "count"),
    )


def leaves(root: ET.Element) -> list[tuple[str, ET.Element]]:
    """The instance's values a reviewer may correct: every leaf but the meta block
    (its instanceID is the submission's identity), with its path."""
    found: list[tuple[str, ET.Element]] = []

    def walk(element: ET.Element, path: str) -> None:
        children = list(element)
        if not children:
            found.append((path, element))
            return
        counts: dict[str, int] = {}
        for child in children:
            name = pipeline.local(child.tag)
            counts[name] = counts.get(name, 0) + 1
        seen: dict[str, int] = {}
        for child in children:
            name = pipeline.local(child.tag)
            if name == "meta":
                continue
            seen[name] = seen.get(name, 0) + 1
            step = f"{name}[{seen[name]}]" if counts[name] > 1 else name
            walk(child, f"{path}/{step}")

    walk(root, "")
    return found


def _root(submission: Submission) -> ET.Element | None:
    try:
        return SafeET.fromstring(submission.current_xml.encode())
    except Exception:  # unreadable: it can only be rejected
        return None


def _history(submission: Submission) -> list[dict[str, Any]]:
    rows = submission.history.select_related("history_user", "reviewer").order_by("history_date")
    return [
        {
            "when": row.history_date,
            "by": row.history_user.email if row.history_user else "",
            "state": Submission.State(row.state).label,
            "reason": reason_in(row.reasons, row.reason),
            "note": row.review_note,
        }
        for row in rows
    ]


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: UUID) -> HttpResponse:
    submission = crud.get_visible(Submission.objects.select_related("user"), request.user, pk)
    root = _root(submission)
    open_ = submission.state in (Submission.State.HAS_ISSUES, Submission.State.RECEIVED)
    context = {
        "submission": submission,
        "fields": [
            {"name": f"v{i}", "path": path, "value": el.text or ""}
            for i, (path, el) in enumerate(leaves(root) if root is not None else [])
        ],
        "can_review": may_review(request.user) and open_,
        "can_correct": root is not None,
        "attachments": submission.attachments.defer("data"),
        "history": _history(submission),
    }
    return render(request, "collect/review/detail.html", context)


def _reviewable(request: HttpRequest, pk: UUID) -> Submission:
    if not may_review(request.user):
        raise PermissionDenied
    return crud.get_visible(Submission.objects.all(), request.user, pk)


@login_required
@require_POST
def review_accept(request: HttpRequest, pk: UUID) -> HttpResponse:
    submission = _reviewable(request, pk)
    root = _root(submission)
    if root is None:
        messages.error(request, _("This submission's XML cannot be read: it can only be rejected."))
        return redirect("collect:review-detail", pk=pk)
    for i, (_path, element) in enumerate(leaves(root)):
        element.text = request.POST.get(f"v{i}", element.text or "")
    xml = ET.tostring(root, encoding="unicode")
    try:
        accepted = pipeline.submission_accept(
            submission=submission,
            reviewer=request.user,
            xml=xml,
            note=request.POST.get("note", "").strip(),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("collect:review-detail", pk=pk)
    if accepted:
        messages.success(request, _("Accepted: its records are written."))
    else:
        messages.error(request, _("Still refused: %s") % submission.reason_shown)
    return redirect("collect:review-detail", pk=pk)


@login_required
@require_POST
def review_reject(request: HttpRequest, pk: UUID) -> HttpResponse:
    submission = _reviewable(request, pk)
    try:
        pipeline.submission_reject(
            submission=submission, reviewer=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Rejected; the submission is kept with your note."))
    return redirect("collect:review-detail", pk=pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: UUID, name: str) -> HttpResponse:
    submission = crud.get_visible(Submission.objects.all(), request.user, pk)
    found = get_object_or_404(submission.attachments, name=name)
    response = HttpResponse(
        bytes(found.data), content_type=found.content_type or "application/octet-stream"
    )
    response["Content-Disposition"] = "attachment"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def collect_key(request: HttpRequest) -> HttpResponse:
    """The user's collect password for ODK Collect / KoboCollect, shown once."""
    context: dict[str, Any] = {
        "server": request.build_absolute_uri(reverse("collect:formlist")).removesuffix("formList"),
        "has_key": CollectKey.objects.filter(user=request.user).exists(),
        "username": request.user.get_username(),
    }
    if request.method == "POST":
        password, token = CollectKey.issue(request.user)
        context.update(
            has_key=True,
            password=password,
            key_url=request.build_absolute_uri(
                reverse("collect:key-formlist", args=[token])
            ).removesuffix("formList"),
        )
    return render(request, "collect/review/key.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def csv_import(request: HttpRequest) -> HttpResponse:
    """Submissions exported by KoboToolbox or ODK Central (a CSV and its repeats' CSVs,
    Central's .zip, Kobo's .xlsx), received like a phone's: first checked (what would
    become of each submission, nothing written; the files kept aside under a token of
    this session), then imported as checked, or imported at once."""
    offered = pipeline.forms_module().forms_for(request.user)
    context: dict[str, Any] = {"forms": offered, "chosen": request.POST.get("form", "")}
    if request.method == "POST":
        if request.POST.get("token"):
            upload = stash.take(request, request.POST["token"])
        else:
            upload = _uploaded(request, offered, context)
        if upload is not None:
            form = next((f for f in offered if f.form_id == upload.form_id), None)
            checking = not request.POST.get("commit")
            try:
                if form is None:
                    raise imports.CsvRefused(_("Choose one of your forms."))
                context["summary"] = imports.import_csv(
                    request.user,
                    form,
                    upload.main,
                    upload.repeats,
                    name=upload.name,
                    dry_run=checking,
                )
            except imports.CsvRefused as error:
                context["error"] = _("Nothing was received: %s") % error
            else:
                if checking:
                    context["token"] = stash.keep(request, upload)
                context["chosen"] = upload.form_id
        elif "error" not in context:
            context["error"] = _(
                "This check has expired or was already imported: send the file again."
            )
    return render(request, "collect/review/import.html", context)


def _uploaded(request: HttpRequest, offered: list[Any], context: dict[str, Any]) -> Any:
    form_id = request.POST.get("form", "")
    main = request.FILES.get("file")
    if not any(f.form_id == form_id for f in offered):
        context["error"] = _("Choose one of your forms.")
    elif main is None:
        context["error"] = _("Choose the file of the submissions.")
    else:
        repeats = {f.name: f.read() for f in request.FILES.getlist("repeats")}
        return stash.Upload(form_id, main.name, main.read(), repeats)
    return None
