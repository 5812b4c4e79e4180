"""Forms of the outcome pages: an assessment with one answer per practice, an
initiative of the improvement plan, a worker survey answer."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.validators import MinValueValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from scoretrack.accounts.scoping import access_for
from scoretrack.lib.forms import RecordForm
from scoretrack.lib.hooks import may_write
from scoretrack.outcomes.models import (
    Assessment,
    Initiative,
    Practice,
    PracticeAnswer,
    WorkerSurveyAnswer,
)

DATE = forms.DateInput(attrs={"type": "date"})
YES, NO, NOT_ASSESSED = "yes", "no", "skip"
ANSWERS = [
    (YES, gettext_lazy("Yes")),
    (NO, gettext_lazy("No")),
    (NOT_ASSESSED, gettext_lazy("Not assessed")),
]


class EnterpriseRowForm(RecordForm):
    """A record of one enterprise, set by the page (the enterprise is not typed)."""

    fixed_fields = ("enterprise",)


class AssessmentForm(EnterpriseRowForm):
    """A baseline or progress assessment and its answer for every practice of the
    catalogue (all of them, not only those of the modules taken: a baseline is taken
    before the firm chooses modules, and figure 13 compares every practice).

    Each practice is answered yes, no or "not assessed" (no answer stored); the
    answers are written with the assessment, in the same transaction, each checked
    by the write rules of its kind.
    """

    class Meta:
        model = Assessment
        fields = ["kind", "date", "assessor"]
        widgets = {"date": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practices = list(Practice.objects.visible_to(self.user).order_by("code"))
        stored = (
            {}
            if self.instance._state.adding
            else {
                a.practice_id: a
                for a in PracticeAnswer.objects.visible_to(self.user).filter(
                    assessment=self.instance
                )
            }
        )
        self.stored_answers = stored
        for practice in self.practices:
            answer = stored.get(practice.pk)
            self.fields[self.answer_name(practice)] = forms.ChoiceField(
                label=practice.choice_label(),
                choices=ANSWERS,
                widget=forms.RadioSelect,
                initial=self._initial_answer(answer),
                error_messages={"required": _("Answer yes, no or not assessed.")},
            )
            self.fields[self.note_name(practice)] = forms.CharField(
                label=_("Note"),
                required=False,
                max_length=10_000,
                initial=answer.note if answer else "",
                widget=forms.Textarea(attrs={"rows": 1}),
            )
        assessor = self.fields["assessor"]
        assessor.required = True
        assessor.queryset = assessor.queryset.order_by("name", "key")
        own = access_for(self.user).trainers
        if self.instance._state.adding and len(own) == 1 and not self.initial.get("assessor"):
            self.initial["assessor"] = next(iter(own))

    def _initial_answer(self, answer: PracticeAnswer | None) -> str | None:
        if answer is not None:
            return YES if answer.in_place else NO
        return None if self.instance._state.adding else NOT_ASSESSED

    @staticmethod
    def answer_name(practice: Practice) -> str:
        return f"practice-{practice.pk}"

    @staticmethod
    def note_name(practice: Practice) -> str:
        return f"note-{practice.pk}"

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        """Each practice's answer and note fields, for the template."""
        return [(self[self.answer_name(p)], self[self.note_name(p)]) for p in self.practices]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        answered = [cleaned.get(self.answer_name(p)) in (YES, NO) for p in self.practices]
        if self.practices and not any(answered) and not self._errors:
            self.add_error(None, _("Answer at least one practice yes or no."))
        return cleaned

    def save(self, commit: bool = True) -> Assessment:
        """The assessment, then its answers: created, changed or removed (a practice
        now "not assessed"); in the caller's transaction (crud.save_form)."""
        assessment = super().save(commit)
        for practice in self.practices:
            choice = self.cleaned_data[self.answer_name(practice)]
            note = self.cleaned_data[self.note_name(practice)]
            answer = self.stored_answers.get(practice.pk)
            if choice == NOT_ASSESSED:
                if answer is not None:
                    self._require_write(answer)
                    answer.delete()
                continue
            if answer is None:
                answer = PracticeAnswer(assessment=assessment, practice=practice)
            elif answer.in_place == (choice == YES) and answer.note == note:
                continue
            answer.in_place, answer.note = choice == YES, note
            self._require_write(answer)
            answer.full_clean()
            answer.save()
        return assessment

    def _require_write(self, answer: PracticeAnswer) -> None:
        # Asked once the assessment is saved: a new answer's parent must be one the
        # user may write to; a refusal rolls the whole assessment back.
        if not may_write(self.user, answer):
            raise PermissionDenied(_("Your role does not let you change these answers."))


class InitiativeForm(EnterpriseRowForm):
    class Meta:
        model = Initiative
        fields = [
            "title",
            "module",
            "category",
            "gender_related",
            "status",
            "started_on",
            "completed_on",
            "cost_usd",
            "saving_usd",
        ]
        labels = {
            "gender_related": gettext_lazy("Gender-related"),
            "started_on": gettext_lazy("Started on"),
            "completed_on": gettext_lazy("Completed on"),
            "cost_usd": gettext_lazy("Cost (USD)"),
            "saving_usd": gettext_lazy("Estimated saving (USD)"),
        }
        widgets = {"started_on": DATE, "completed_on": DATE}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["cost_usd"].validators.append(MinValueValidator(0))


class SurveyAnswerForm(EnterpriseRowForm):
    class Meta:
        model = WorkerSurveyAnswer
        fields = ["wave", "date", "respondent", "sex", "question", "answer"]
        labels = {"answer": gettext_lazy("Answer (1 to 5)")}
        widgets = {"date": DATE}
