"""The outcome sections of the enterprise page: assessments (baseline and latest
progress side by side), the improvement plan and the worker surveys, each with the
actions the user's role allows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext, gettext_lazy

from scoretrack.lib.hooks import may_write_kind
from scoretrack.outcomes.models import (
    Assessment,
    AssessmentKind,
    Initiative,
    PracticeAnswer,
    WorkerSurveyAnswer,
)

register = template.Library()

WAVES = {"before": gettext_lazy("Before"), "after": gettext_lazy("After")}
SEXES = {
    "female": gettext_lazy("Women"),
    "male": gettext_lazy("Men"),
    "undisclosed": gettext_lazy("Undisclosed"),
    "": gettext_lazy("Not given"),
}


@dataclass(frozen=True)
class SideBySide:
    practice: Any
    before: PracticeAnswer | None
    after: PracticeAnswer | None

    @property
    def change(self) -> str:
        """The registry's rule (practice_in_place_before_pct, _newly_implemented_pct),
        for a practice answered at both: in place before, newly implemented, or not yet."""
        if self.before is None or self.after is None:
            return ""
        if self.before.in_place:
            return gettext("in place before")
        if self.after.in_place:
            return gettext("newly implemented")
        return gettext("not yet")


def baseline_and_progress(assessments: list[Assessment]) -> tuple[Any, Any]:
    """The earliest baseline and the latest progress assessment after it (the pair
    the practice figures compare); without a baseline, the latest progress one."""
    baselines = [a for a in assessments if a.kind == AssessmentKind.BASELINE]
    baseline = min(baselines, key=lambda a: a.date) if baselines else None
    progress = [
        a
        for a in assessments
        if a.kind == AssessmentKind.PROGRESS and (baseline is None or a.date > baseline.date)
    ]
    return baseline, max(progress, key=lambda a: a.date) if progress else None


def side_by_side(user: Any, baseline: Any, progress: Any) -> list[SideBySide]:
    pair = [a for a in (baseline, progress) if a is not None]
    answers = (
        PracticeAnswer.objects.visible_to(user)
        .filter(assessment__in=pair)
        .select_related("practice")
        .order_by("practice__code")
    )
    rows: dict[Any, dict[str, Any]] = {}
    for answer in answers:
        row = rows.setdefault(answer.practice_id, {"practice": answer.practice})
        row["before" if baseline and answer.assessment_id == baseline.pk else "after"] = answer
    return [SideBySide(r["practice"], r.get("before"), r.get("after")) for r in rows.values()]


@register.inclusion_tag("outcomes/assessments_section.html", takes_context=True)
def enterprise_assessments(context: dict[str, Any], enterprise: Any) -> dict[str, Any]:
    user = context["request"].user
    assessments = list(
        Assessment.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("assessor")
        .annotate(
            answered=Count("answers"),
            in_place=Count("answers", filter=Q(answers__in_place=True)),
        )
        .order_by("-date", "kind")
    )
    baseline, progress = baseline_and_progress(assessments)
    return {
        "request": context["request"],
        "enterprise": enterprise,
        "assessments": assessments,
        "baseline": baseline,
        "progress": progress,
        "rows": side_by_side(user, baseline, progress) if baseline or progress else [],
        "can_write": may_write_kind(user, Assessment),
    }


@register.inclusion_tag("outcomes/plan_section.html", takes_context=True)
def enterprise_plan(context: dict[str, Any], enterprise: Any) -> dict[str, Any]:
    user = context["request"].user
    return {
        "request": context["request"],
        "enterprise": enterprise,
        "initiatives": Initiative.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .select_related("module")
        .order_by("started_on", "title"),
        "can_write": may_write_kind(user, Initiative),
    }


@register.inclusion_tag("outcomes/surveys_section.html", takes_context=True)
def enterprise_surveys(context: dict[str, Any], enterprise: Any) -> dict[str, Any]:
    """Respondents, answers and the mean answer per wave and respondent sex."""
    user = context["request"].user
    groups = (
        WorkerSurveyAnswer.objects.visible_to(user)
        .filter(enterprise=enterprise)
        .values("wave", "sex")
        .annotate(
            respondents=Count("respondent", distinct=True),
            answers=Count("pk"),
            mean=Avg("answer"),
        )
        .order_by("-wave", "sex")  # before, then after
    )
    summary = [
        {
            **group,
            "wave_label": WAVES[group["wave"]],
            "sex_label": SEXES[group["sex"]],
        }
        for group in groups
    ]
    return {
        "request": context["request"],
        "enterprise": enterprise,
        "summary": summary,
        "can_write": may_write_kind(user, WorkerSurveyAnswer),
    }
