"""What changed in the firms: practices, KPIs, improvement plans, worker surveys."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy

from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.derived import derived_ref
from scoretrack.lib.models import (
    Choices,
    Record,
    ScopedQuerySet,
    Sex,
    TranslatedNameMixin,
    Violation,
    dates_in_order,
    not_in_future,
    sync_index,
)
from scoretrack.reference.models import CountryProgramme, Module
from scoretrack.trainers.models import Trainer


class Practice(TranslatedNameMixin, Record):
    """A management practice assessed at baseline and progress (figure 13)."""

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    module = models.ForeignKey(Module, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class AssessmentKind(Choices):
    BASELINE = "baseline", "Baseline"
    PROGRESS = "progress", "Progress"


class Assessment(Record):
    Kind = AssessmentKind

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    date = models.DateField()
    assessor = models.ForeignKey(
        Trainer, null=True, blank=True, on_delete=models.SET_NULL, related_name="assessments"
    )

    class Meta:
        ordering = ["enterprise", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kind", "date"], name="assessment_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AssessmentKind.values), name="assessment_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.enterprise} on {self.date}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from not_in_future(records, "date", gettext_lazy("an assessment"))


class PracticeAnswer(Record):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    practice = models.ForeignKey(Practice, on_delete=models.PROTECT, related_name="answers")
    in_place = models.BooleanField()
    note = models.TextField(blank=True, help_text="What the assessor saw")

    class Meta:
        indexes = [sync_index("practiceanswer_sync")]
        ordering = ["assessment", "practice"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "practice"], name="answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.practice}: {'yes' if self.in_place else 'no'}"


class KpiBetter(Choices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Kpi(TranslatedNameMixin, Record):
    """An outcome indicator of the catalogue that SMEs and trainers select per firm."""

    Better = KpiBetter

    code = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    unit = models.CharField(max_length=40)
    better = models.CharField(max_length=6, choices=Better.choices)
    module = models.ForeignKey(Module, null=True, blank=True, on_delete=models.SET_NULL)
    numerator = models.CharField(max_length=100, blank=True, help_text="e.g. defects")
    denominator = models.CharField(max_length=100, blank=True, help_text="e.g. units produced")

    class Meta:
        ordering = ["code"]
        verbose_name = "KPI"
        constraints = [
            models.CheckConstraint(
                condition=Q(better__in=KpiBetter.values), name="kpi_better_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class KpiObservation(Record):
    """One month's value of one KPI in one enterprise.

    A ratio KPI may be entered as numerator and denominator; its value is then
    their quotient.
    """

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="kpi_observations"
    )
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="observations")
    month = models.DateField(help_text="First day of the month")
    value = models.DecimalField(max_digits=20, decimal_places=6, blank=True)
    numerator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    denominator = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    source = models.CharField(max_length=100, blank=True)

    class Meta:
        indexes = [sync_index("kpiobservation_sync")]
        ordering = ["enterprise", "kpi", "month"]
        verbose_name = "KPI observation"
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "kpi", "month"], name="observation_unique"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="observation_month_first_day"),
            models.CheckConstraint(
                condition=Q(denominator__isnull=True) | Q(denominator__gt=0),
                name="observation_denominator_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.code} {self.month:%Y-%m} = {self.value}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from not_in_future(records, "month", gettext_lazy("a KPI value"))

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.value is None and self.numerator is not None and self.denominator:
            self.value = self.value_of(self.numerator, self.denominator)
        super().save(*args, **kwargs)

    @staticmethod
    def value_of(numerator: Any, denominator: Any) -> Decimal:
        """A ratio KPI's value from its numerator and denominator (every path's rule)."""
        return (Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.000001"))


COMPLETED_BEFORE_START = gettext_lazy("The completion date is before the start date (%(date)s).")


class KpiFrequency(Choices):
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"


class KpiSelection(Record):
    """A KPI an enterprise chose from the catalogue with its trainer: its baseline,
    its target and how often the firm reports it."""

    Frequency = KpiFrequency

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="kpi_selections"
    )
    kpi = models.ForeignKey(Kpi, on_delete=models.PROTECT, related_name="selections")
    selected_on = models.DateField()
    baseline = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    target = models.DecimalField(max_digits=20, decimal_places=6, null=True, blank=True)
    frequency = models.CharField(
        max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY
    )

    class Meta:
        indexes = [sync_index("kpiselection_sync")]
        ordering = ["enterprise", "kpi"]
        verbose_name = "KPI selection"
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "kpi"], name="kpi_selection_unique"),
            models.CheckConstraint(
                condition=Q(frequency__in=KpiFrequency.values), name="kpi_selection_frequency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kpi} of {self.enterprise}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from not_in_future(records, "selected_on", gettext_lazy("a KPI selection"))


class InitiativeStatus(Choices):
    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


class Initiative(Record):
    """An initiative of the enterprise improvement team's plan."""

    Status = InitiativeStatus

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="initiatives")
    title = models.CharField(max_length=200)
    module = models.ForeignKey(Module, null=True, blank=True, on_delete=models.SET_NULL)
    category = models.CharField(max_length=100, blank=True)
    gender_related = models.BooleanField(default=False)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLANNED)
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    cost_usd = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    saving_usd = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["enterprise", "title"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "title"], name="initiative_unique"),
            models.CheckConstraint(
                condition=Q(status__in=InitiativeStatus.values), name="initiative_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(completed_on__gte=F("started_on")),
                name="initiative_completed_after_start",
            ),
            models.CheckConstraint(
                condition=Q(cost_usd__isnull=True) | Q(cost_usd__gte=0),
                name="initiative_cost_non_negative",
            ),
        ]
        # Covers the improvement-plan figures (initiatives started in a period).
        indexes = [
            sync_index("initiative_sync"),
            models.Index(
                fields=["started_on", "enterprise", "saving_usd", "gender_related"],
                name="initiative_figures",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from dates_in_order(records, "completed_on", "started_on", COMPLETED_BEFORE_START)


class WorkerSurveyAnswerWave(Choices):
    BEFORE = "before", "Before"
    AFTER = "after", "After"


class WorkerSurveyAnswer(Record):
    """One answer of one anonymous respondent in a before/after worker survey."""

    Wave = WorkerSurveyAnswerWave

    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.CASCADE, related_name="survey_answers"
    )
    wave = models.CharField(max_length=6, choices=Wave.choices)
    date = models.DateField()
    respondent = models.CharField(
        max_length=50, help_text="Anonymous id within the enterprise and wave"
    )
    sex = models.CharField(max_length=12, choices=Sex.choices, blank=True)
    question = models.CharField(max_length=100)
    answer = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        indexes = [sync_index("workersurveyanswer_sync")]
        ordering = ["enterprise", "wave", "respondent", "question"]
        verbose_name = "worker survey answer"
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "wave", "respondent", "question"], name="survey_answer_unique"
            ),
            models.CheckConstraint(
                condition=Q(wave__in=WorkerSurveyAnswerWave.values), name="survey_wave_valid"
            ),
            models.CheckConstraint(
                condition=Q(answer__gte=1, answer__lte=5), name="survey_answer_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.respondent} {self.question} = {self.answer}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from not_in_future(records, "date", gettext_lazy("a survey answer"))


# --- derived rows: what the outcome figures read (kept up to date by outcomes/derived.py) --


class DerivedQuerySet(ScopedQuerySet):
    """Derived rows are read through `visible_to` like records (rules by enterprise)."""


class PracticeStep(models.Model):
    """One progress answer of an (enterprise, practice), dated after its earliest
    baseline answer, with that baseline's answer (`before`) and the date of the next
    such progress answer (`next_date`, null for the latest).

    A function of the assessments and their answers, rebuilt per enterprise by
    `lib.derived.refresh`; never written by hand. The latest progress answer
    in a period [start, end] is the row with start <= date <= end and no next_date
    up to end, so a practice figure is one filtered count, with no per-pair search.
    """

    enterprise = derived_ref(Enterprise, index=True)
    practice = derived_ref(Practice)
    date = models.DateField()
    before = models.BooleanField()
    after = models.BooleanField()
    next_date = models.DateField(null=True)
    # The enterprise's country when the step was built: the tally's key, so that a
    # firm's steps leave the tally of the country they were counted in.
    country = derived_ref(CountryProgramme, null=True)

    objects = DerivedQuerySet.as_manager()

    class Meta:
        # Covering the practice figures' filter (latest step in a period) and columns,
        # so that they read the index alone, never the table. The second, in
        # practice order, serves all time (no date bound): SQLite then counts each
        # practice's latest steps in index order instead of sorting a million rows.
        indexes = [
            models.Index(
                fields=["next_date", "date", "practice", "before", "after", "enterprise"],
                name="practicestep_latest",
            ),
            models.Index(
                fields=["next_date", "practice", "date", "before", "after", "enterprise"],
                name="practicestep_latest_practice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.practice_id} {self.date}"


class PracticeTally(models.Model):
    """The practice steps summed across enterprises: per country, practice (null:
    any practice) and fixed period of the step's date (`kind` all, phase, year,
    half, quarter; `period_key` '', the phase's id, 2016, 20161 for a half or a
    quarter; a phase's dates as they were when counted): `firms` with a step dated
    in the period, and of the latest steps in it (no next step up to its end), the
    `pairs`, those in place at baseline (`had`) and those newly in place (`gained`).

    So that a whole-programme practice figure and its disclosure counts read a few
    thousand rows instead of every step. Kept by `lib.derived.refresh` with the
    steps: a rebuilt enterprise's old steps are taken away and its new ones added
    (rows of one key are summed after each refresh); never written by hand.
    """

    country = derived_ref(CountryProgramme, index=True)
    practice = derived_ref(Practice, null=True)
    kind = models.CharField(max_length=8)
    period_key = models.CharField(max_length=40)
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)
    firms = models.BigIntegerField()
    had = models.BigIntegerField()
    gained = models.BigIntegerField()
    pairs = models.BigIntegerField()

    objects = DerivedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "period_key", "country", "practice"], name="tally_period")
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.practice_id} {self.kind} {self.period_key}"


class KpiPoint(models.Model):
    """One KPI observation with its series' context: the first value of the
    (enterprise, KPI) series, the observation's rank in it (1 = first month) and the
    previous and next observed months (null at the ends).

    Rebuilt per enterprise by `lib.derived.refresh`; never written by hand.
    The series' state at a period's end is the row with month <= end and no next
    month up to end.
    """

    enterprise = derived_ref(Enterprise, index=True)
    kpi = derived_ref(Kpi)
    month = models.DateField()
    value = models.DecimalField(max_digits=20, decimal_places=6)
    first_value = models.DecimalField(max_digits=20, decimal_places=6)
    rank = models.PositiveIntegerField()
    prev_month = models.DateField(null=True)
    next_month = models.DateField(null=True)
    # The enterprise's country when the point was built: the KPI tally's key, so
    # that a firm's points leave the tally of the country they were counted in.
    country = derived_ref(CountryProgramme, null=True)

    objects = DerivedQuerySet.as_manager()

    class Meta:
        # Covering indexes (the figures read them alone, never the table): the
        # series' state at a period's end, and one KPI's months in a period.
        indexes = [
            models.Index(
                fields=["next_month", "month", "rank", "kpi", "value", "first_value", "enterprise"],
                name="kpipoint_latest",
            ),
            models.Index(
                fields=["kpi", "month", "prev_month", "next_month", "value", "enterprise"],
                name="kpipoint_kpi_month",
            ),
            # The sixth observation of each series: the series long enough for a
            # KPI's change, counted by disclosure control (indicators/populations.py).
            models.Index(
                fields=["kpi", "month", "enterprise"],
                condition=Q(rank=6),
                name="kpipoint_sixth",
            ),
            # One KPI's points of a country (its enterprises' at the refresh): the
            # employment changes disclosure control counts per country and period.
            models.Index(
                fields=["kpi", "country", "month", "prev_month", "enterprise"],
                name="kpipoint_kpi_country",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.kpi_id} {self.month}"


class KpiTally(models.Model):
    """The KPI points summed across enterprises: per country, KPI and fixed period
    (`kind` all or phase, `period_key` '' or the phase's id, the phase's dates and
    the KPI's better direction as they were when counted). Of the series' states at
    the period's end (the point with no next month up to it): the `series` observed
    in six months or more and those `improved` (latest value better than the first,
    in the KPI's better direction); of the points dated in the period: how many
    (`points`) and the net change of the value (`gain`: the latest point's value
    minus the first's, for series with both ends in the period).

    So that whole-programme KPI figures (kpi_improved_pct, jobs_created) read a few
    hundred rows instead of every KPI point. Kept by `lib.derived.refresh` with the
    points (an enterprise's old contribution taken away, its new one added, one row
    per key after each refresh); never written by hand.
    """

    country = derived_ref(CountryProgramme, index=True)
    kpi = derived_ref(Kpi)
    # The KPI's better direction when counted: a change of it makes the tally stale.
    better = models.CharField(max_length=6)
    kind = models.CharField(max_length=8)
    period_key = models.CharField(max_length=40)
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)
    series = models.BigIntegerField()
    improved = models.BigIntegerField()
    points = models.BigIntegerField()
    gain = models.DecimalField(max_digits=28, decimal_places=6)

    objects = DerivedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "period_key", "country", "kpi"], name="kpitally_period")
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.kpi_id} {self.kind} {self.period_key}"


class KpiSeriesTally(models.Model):
    """The firms whose KPI series first count in a month, summed across enterprises:
    per country of the enterprise, KPI (null: any KPI) and month. `sixth`: the
    firms whose series reach their sixth observation that month (with a null KPI:
    the first of their series to); `changed`: those whose series are first
    compared that month (an observation six months or more after the series'
    first, a first value not 0: from then on, at every later end, the series'
    latest point is a KPI change).

    So that the firms counted by disclosure control up to a period's end (the KPI
    series and KPI changes populations, indicators/populations.py) are a sum of the
    rows up to that end: a few thousand rows, whatever the number of KPI points.
    Kept by `lib.derived.refresh` with the points (an enterprise's old contribution
    taken away, its new one added, one row per key after each refresh); never
    written by hand.
    """

    country = derived_ref(CountryProgramme, null=True)
    kpi = derived_ref(Kpi, null=True)
    month = models.DateField()
    sixth = models.BigIntegerField()
    changed = models.BigIntegerField()

    objects = DerivedQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["kpi", "country", "month"], name="kpiseriestally_key")]

    def __str__(self) -> str:
        return f"{self.country_id} {self.kpi_id} {self.month}"


class OutcomeQueue(models.Model):
    """Enterprises whose derived rows are out of date: database triggers on
    assessments, practice answers and KPI observations append them (whatever the
    write path: forms, API, imports, COPY, cascades), `derived.refresh` takes them."""

    enterprise_id = models.UUIDField(db_index=True)

    def __str__(self) -> str:
        return str(self.enterprise_id)
