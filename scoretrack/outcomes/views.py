"""Outcome data entry of one enterprise: assessments (one answer per practice), the
improvement plan's initiatives and worker survey answers; create, edit, delete.

Each record hangs off an enterprise the user may read (else 404); who may write is
its kind's `writers` (outcomes/kinds.py), checked by the generic pages (else 403).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from scoretrack.enterprises.models import Enterprise
from scoretrack.lib import crud
from scoretrack.lib.hooks import may_write_kind
from scoretrack.outcomes.forms import AssessmentForm, InitiativeForm, SurveyAnswerForm
from scoretrack.outcomes.models import Assessment, Initiative, WorkerSurveyAnswer


def _enterprise(request: HttpRequest, pk: UUID) -> Enterprise:
    return crud.get_visible(Enterprise.objects.select_related("country"), request.user, pk)


def _back(enterprise_id: Any, section: str) -> str:
    return reverse("enterprises:enterprise-detail", args=[enterprise_id]) + f"#{section}"


def _create(
    request: HttpRequest, pk: UUID, form_class: type, title: str, section: str, **kw: Any
) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    back = kw.pop("back", None) or _back(enterprise.pk, section)
    return crud.edit_page(
        request,
        form_class=form_class,
        instance=form_class._meta.model(enterprise=enterprise),
        title=title % {"enterprise": enterprise.name},
        success=lambda record: back,
        cancel=back,
        **kw,
    )


def _edit(
    request: HttpRequest, record: Any, form_class: type, title: str, back: str, **kw: Any
) -> HttpResponse:
    return crud.edit_page(
        request,
        form_class=form_class,
        instance=record,
        title=title % {"record": record},
        success=lambda saved: back,
        cancel=back,
        **kw,
    )


# --- assessments ----------------------------------------------------------------

ASSESSMENT_FORM = "outcomes/assessment_form.html"


def _assessment(request: HttpRequest, pk: UUID) -> Assessment:
    queryset = Assessment.objects.select_related("enterprise", "assessor")
    return crud.get_visible(queryset, request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request: HttpRequest, pk: UUID) -> HttpResponse:
    title = _("New assessment of %(enterprise)s")
    return _create(request, pk, AssessmentForm, title, "assessments", template=ASSESSMENT_FORM)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    record = _assessment(request, pk)
    back = _back(record.enterprise_id, "assessments")
    title = _("Edit %(record)s")
    return _edit(request, record, AssessmentForm, title, back, template=ASSESSMENT_FORM)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    record = _assessment(request, pk)
    back = _back(record.enterprise_id, "assessments")
    return crud.delete_page(request, instance=record, success=back, cancel=back)


# --- improvement plan ---------------------------------------------------------


def _initiative(request: HttpRequest, pk: UUID) -> Initiative:
    return crud.get_visible(Initiative.objects.select_related("enterprise"), request.user, pk)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_create(request: HttpRequest, pk: UUID) -> HttpResponse:
    title = _("New initiative of %(enterprise)s")
    return _create(request, pk, InitiativeForm, title, "improvement-plan")


@login_required
@require_http_methods(["GET", "POST"])
def initiative_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    record = _initiative(request, pk)
    back = _back(record.enterprise_id, "improvement-plan")
    return _edit(request, record, InitiativeForm, _("Edit %(record)s"), back)


@login_required
@require_http_methods(["GET", "POST"])
def initiative_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    record = _initiative(request, pk)
    back = _back(record.enterprise_id, "improvement-plan")
    return crud.delete_page(request, instance=record, success=back, cancel=back)


# --- worker surveys -------------------------------------------------------------


def _survey_list_url(enterprise_id: Any) -> str:
    return reverse("outcomes:survey-list", args=[enterprise_id])


def _answer(request: HttpRequest, pk: UUID) -> WorkerSurveyAnswer:
    queryset = WorkerSurveyAnswer.objects.select_related("enterprise")
    return crud.get_visible(queryset, request.user, pk)


@login_required
@require_GET
def survey_list(request: HttpRequest, pk: UUID) -> HttpResponse:
    enterprise = _enterprise(request, pk)
    answers = (
        WorkerSurveyAnswer.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .order_by("wave", "respondent", "question")
    )
    page = Paginator(answers, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "enterprise": enterprise,
        "page": page,
        "can_write": may_write_kind(request.user, WorkerSurveyAnswer),
    }
    return render(request, "outcomes/survey_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def survey_create(request: HttpRequest, pk: UUID) -> HttpResponse:
    title = _("New worker survey answer of %(enterprise)s")
    back = _survey_list_url(pk)
    return _create(request, pk, SurveyAnswerForm, title, "surveys", back=back)


@login_required
@require_http_methods(["GET", "POST"])
def survey_edit(request: HttpRequest, pk: UUID) -> HttpResponse:
    record = _answer(request, pk)
    back = _survey_list_url(record.enterprise_id)
    return _edit(request, record, SurveyAnswerForm, _("Edit %(record)s"), back)


@login_required
@require_http_methods(["GET", "POST"])
def survey_delete(request: HttpRequest, pk: UUID) -> HttpResponse:
    record = _answer(request, pk)
    back = _survey_list_url(record.enterprise_id)
    return crud.delete_page(request, instance=record, success=back, cancel=back)
