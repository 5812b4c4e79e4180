"""Classroom deliveries, enrolments, participants and consulting visits."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from scoretrack.enterprises.models import Enterprise
from scoretrack.lib.derived import derived_ref
from scoretrack.lib.models import (
    Choices,
    Record,
    ScopedQuerySet,
    Sex,
    Violation,
    dates_in_order,
    ids_of,
    not_in_future,
    sync_index,
)
from scoretrack.reference.models import (
    END_BEFORE_START,
    TRAINING_ORGANISERS,
    CountryProgramme,
    Module,
    Organisation,
    currency_validator,
)
from scoretrack.trainers.models import Trainer


class DeliveryIndependence(Choices):
    PROGRAMME = "programme", _("Delivered by the programme")
    SUPPORTED = "supported", _("By the partner with support")
    INDEPENDENT = "independent", _("By the partner alone")


class Delivery(Record):
    """One run of one module in one country, organised by a partner."""

    Independence = DeliveryIndependence

    key = models.CharField(max_length=100, help_text="Your own identifier, unique per country")
    country = models.ForeignKey(
        CountryProgramme, on_delete=models.PROTECT, related_name="deliveries"
    )
    module = models.ForeignKey(Module, on_delete=models.PROTECT, related_name="deliveries")
    organiser = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="deliveries",
        help_text="The implementation partner that organised it",
    )
    independence = models.CharField(
        max_length=12, choices=Independence.choices, default=Independence.PROGRAMME
    )
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    trainers = models.ManyToManyField(Trainer, blank=True, related_name="deliveries")

    class Meta:
        ordering = ["-start_date", "key"]
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["country", "key"], name="delivery_key_unique"),
            models.CheckConstraint(
                condition=Q(independence__in=DeliveryIndependence.values),
                name="delivery_independence_valid",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="delivery_end_after_start",
            ),
        ]
        indexes = [
            sync_index("delivery_sync"),
            models.Index(fields=["country", "start_date"], name="delivery_country_start"),
            # Key look-ups across countries (the importer's `key IN (...)`): the unique
            # constraint's index starts with the country, so it cannot serve them.
            models.Index(fields=["key"], name="delivery_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.module.code}, {self.start_date})"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from dates_in_order(records, "end_date", "start_date", END_BEFORE_START)
        # The organiser is an implementation partner of the delivery's country (or a
        # global one) of a type that organises training: not a lead buyer or a donor,
        # who pay but do not organise.
        wanted = ids_of(records, "organiser_id")
        if not wanted:
            return
        found = {
            pk: (country, kind)
            for pk, country, kind in Organisation.objects.filter(pk__in=wanted).values_list(
                "pk", "country_id", "type"
            )
        }
        for position, record in enumerate(records):
            if record.organiser_id not in found:
                continue
            country, kind = found[record.organiser_id]
            if kind not in TRAINING_ORGANISERS:
                what = Organisation.Type(kind).label.lower()
                yield Violation(position, "organiser", f"a {what} does not organise training")
            elif country is not None and country != record.country_id:
                yield Violation(
                    position, "organiser", "the organiser belongs to another country programme"
                )

    @staticmethod
    def trainer_rules(
        countries: Sequence[Any], trainers: Sequence[Collection[Any]]
    ) -> Iterator[Violation]:
        """The trainers of each delivery of a batch (its country, its trainer ids) are
        trainers of the delivery's country programme."""
        wanted = set().union(*trainers) if trainers else set()
        if not wanted:
            return
        found = {
            pk: (key, country)
            for pk, key, country in Trainer.objects.filter(pk__in=wanted).values_list(
                "pk", "key", "country_id"
            )
        }
        for position, (country, ids) in enumerate(zip(countries, trainers, strict=True)):
            strangers = sorted(
                found[pk][0] for pk in ids if pk in found and found[pk][1] != country
            )
            if strangers:
                yield Violation(
                    position,
                    "trainers",
                    f"{', '.join(strangers)}: not a trainer of the delivery's country programme",
                )


def _pairs(records: Sequence[Any]) -> set[tuple[Any, Any]]:
    return {
        (record.delivery_id, record.enterprise_id)
        for record in records
        if record.delivery_id is not None and record.enterprise_id is not None
    }


def not_enrolled(records: Sequence[Any], what: Any) -> Iterator[Violation]:
    """Records of an enterprise at a delivery (participants, visits): the enterprise
    must be enrolled in that delivery. One query per batch."""
    pairs = _pairs(records)
    if not pairs:
        return
    # The enrolments of the batch's deliveries (or of its enterprises, when fewer):
    # a superset of the pairs asked, read on one index. Both lists at once made
    # SQLite probe every delivery with every enterprise (50 x 500 per 2,000 rows).
    deliveries, enterprises = {d for d, _e in pairs}, {e for _d, e in pairs}
    if len(deliveries) <= len(enterprises):
        narrowed = Enrolment.objects.filter(delivery_id__in=deliveries)
    else:
        narrowed = Enrolment.objects.filter(enterprise_id__in=enterprises)
    enrolled = set(narrowed.values_list("delivery_id", "enterprise_id")) & pairs
    for position, record in enumerate(records):
        pair = (record.delivery_id, record.enterprise_id)
        if None not in pair and pair not in enrolled:
            yield Violation(
                position,
                "enterprise",
                gettext(
                    "%(what)s: the enterprise is not enrolled in this delivery (enrol it first)"
                )
                % {"what": what},
            )


class EnrolmentStatus(Choices):
    ENROLLED = "enrolled", _("Enrolled")
    CLASSROOM_DONE = "classroom_done", _("Classroom done")
    CONSULTING_DONE = "consulting_done", _("Consulting done")
    COMPLETED = "completed", pgettext_lazy("an enrolment's status", "Completed")
    DROPPED = "dropped", _("Dropped")


class Enrolment(Record):
    Status = EnrolmentStatus

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="enrolments")
    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="enrolments")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ENROLLED)
    fee = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True, validators=[currency_validator])
    fee_usd = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        indexes = [sync_index("enrolment_sync")]
        ordering = ["delivery", "enterprise__name"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "enterprise"], name="enrolment_unique"),
            models.CheckConstraint(
                condition=Q(status__in=EnrolmentStatus.values), name="enrolment_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | Q(fee__gte=0), name="enrolment_fee_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(fee__isnull=True) | ~Q(currency=""), name="enrolment_fee_has_currency"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} in {self.delivery.key}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        # An SME is enrolled in a delivery of its own country programme.
        deliveries = dict(
            Delivery.objects.filter(pk__in=ids_of(records, "delivery_id")).values_list(
                "pk", "country_id"
            )
        )
        firms = dict(
            Enterprise.objects.filter(pk__in=ids_of(records, "enterprise_id")).values_list(
                "pk", "country_id"
            )
        )
        for position, record in enumerate(records):
            delivery = deliveries.get(record.delivery_id)
            firm = firms.get(record.enterprise_id)
            if delivery is not None and firm is not None and delivery != firm:
                yield Violation(
                    position,
                    "enterprise",
                    gettext("the enterprise and the delivery are in different country programmes"),
                )


class ParticipantRole(Choices):
    MANAGER = "manager", _("Manager")
    WORKER = "worker", _("Worker")


class Participant(Record):
    """A person of an enterprise attending a delivery's classroom training."""

    Role = ParticipantRole

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="participants")
    enterprise = models.ForeignKey(
        Enterprise, on_delete=models.PROTECT, related_name="participants"
    )
    person = models.CharField(
        max_length=100,
        blank=True,
        help_text="Links the same person's attendance across deliveries; blank = one person",
    )
    name = models.CharField(max_length=200, blank=True)
    sex = models.CharField(max_length=12, choices=Sex.choices)
    role = models.CharField(max_length=10, choices=Role.choices)
    eit_member = models.BooleanField(
        default=False, help_text="Member of the enterprise improvement team"
    )
    satisfaction = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text="The participant's rating of the training, 1 (poor) to 5 (very good)",
    )

    class Meta:
        indexes = [sync_index("participant_sync")]
        ordering = ["delivery", "enterprise", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "enterprise", "person"],
                condition=~Q(person=""),
                name="participant_person_unique",
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="participant_sex_valid"),
            models.CheckConstraint(
                condition=Q(role__in=ParticipantRole.values), name="participant_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True)
                | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="participant_satisfaction_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.person or f"{self.get_role_display()} of {self.enterprise}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from not_enrolled(records, _("a participant"))


class ConsultingVisit(Record):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="visits")
    trainer = models.ForeignKey(Trainer, on_delete=models.PROTECT, related_name="visits")
    date = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True)
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="visits"
    )
    note = models.TextField(blank=True)

    class Meta:
        indexes = [sync_index("consultingvisit_sync")]
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["enterprise", "trainer", "date"], name="visit_unique"),
            models.CheckConstraint(
                condition=Q(hours__isnull=True) | Q(hours__gte=0, hours__lte=24),
                name="visit_hours_0_to_24",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainer} at {self.enterprise} on {self.date}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from not_in_future(records, "date", _("a visit"))
        yield from not_enrolled(records, _("a visit of a delivery"))


# --- derived rows: what the SME reach figures read (kept up to date by training/derived.py) --


class Attendance(models.Model):
    """One (enterprise, delivery) with at least one participant: the delivery's
    module, country, organiser and start date copied beside it, whether its
    participants there include improvement-team members (any, a woman, a man), and
    whether any of them has a sex recorded or a satisfaction rating.

    A function of the participants and their deliveries, rebuilt per enterprise by
    `lib.derived.refresh` (training/derived.py); never written by hand. SME figures count distinct
    enterprises, so they read these rows (a quarter of the participations, no join
    to the deliveries) instead of every participation.
    """

    enterprise = derived_ref(Enterprise)  # no index of its own: attendance_history leads with it
    delivery = derived_ref(Delivery, index=True)
    module = derived_ref(Module)
    country = derived_ref(CountryProgramme)
    organiser = derived_ref(Organisation, null=True)
    start_date = models.DateField()
    eit = models.BooleanField()
    eit_female = models.BooleanField()
    eit_male = models.BooleanField()
    # Whether any of its participants there has a sex recorded (female or male), or
    # a satisfaction rating: the firms the staff shares' denominators rest on
    # (indicators/populations.py), counted here without the participations.
    sex_known = models.BooleanField(default=False)
    rated = models.BooleanField(default=False)
    # The enterprise's facts the SME shares' denominators rest on, as they are now:
    # its ownership, union, collective agreement and workforce (either sex) known.
    # Copied so that the attendance tally can take an enterprise's old contribution
    # away from these rows alone (the enterprise may be gone or changed by then).
    owner_known = models.BooleanField(default=False)
    union_known = models.BooleanField(default=False)
    agreement_known = models.BooleanField(default=False)
    workforce_known = models.BooleanField(default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        # Covering the SME figures: a period's rows by country (and module), all of
        # a country's rows (SMEs trained by country over all time: SQLite counted them
        # in 115 ms through a temporary B-tree, 21 ms in this order), and an
        # enterprise's history up to a date.
        indexes = [
            models.Index(fields=["country", "enterprise"], name="attendance_country"),
            models.Index(
                fields=["start_date", "country", "enterprise", "module"],
                name="attendance_period",
            ),
            models.Index(
                fields=["enterprise", "start_date", "module", "eit", "eit_female", "eit_male"],
                name="attendance_history",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.enterprise_id} {self.delivery_id}"


class ModuleTally(models.Model):
    """The attendances summed across enterprises: per country of the delivery
    (null: any country) and fixed period of its start (`kind` all, phase or year,
    `period_key` '', the phase's id or 2016, a phase's dates as they were when
    counted): the `firms` trained there in the period, and of them those with
    participants in two or more distinct modules by the period's end (`multi`,
    modules of any country counting).

    So that the whole-programme share of SMEs taking more than one module reads a
    few hundred rows instead of every attendance. Kept by `lib.derived.refresh`
    with the attendances (an enterprise's old contribution taken away, its new one
    added, one row per key after each refresh); never written by hand.
    """

    country = derived_ref(CountryProgramme, null=True)
    kind = models.CharField(max_length=8)
    period_key = models.CharField(max_length=40)
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)
    firms = models.BigIntegerField()
    multi = models.BigIntegerField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["kind", "period_key", "country"], name="moduletally_period")
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.kind} {self.period_key}"


class AttendanceTally(models.Model):
    """The attendances' firms summed across enterprises, for disclosure control's
    counts of the SME family (indicators/populations.py): per country of the
    delivery and module (each null: any), and fixed period of the start date
    (`kind` all, phase, year, half or quarter; `period_key` '', the phase's id ('':
    in no phase), 2016, 20162; a phase's dates as they were when counted), the
    enterprises with an attendance there (`firms`) and of them those with their
    ownership, union, collective agreement or workforce known, with improvement-team
    members, a participant of known sex, a satisfaction rating (as the attendances'
    own facts say: any attendance in the cell).

    So that the donor's pages count a few thousand rows instead of every attendance
    per disclosure decision. Kept by `lib.derived.refresh` with the attendances (an
    enterprise's old contribution taken away, its new one added, one row per key
    after each refresh); never written by hand.
    """

    country = derived_ref(CountryProgramme, null=True)
    module = derived_ref(Module, null=True)
    kind = models.CharField(max_length=8)
    period_key = models.CharField(max_length=40)
    period_start = models.DateField(null=True)
    period_end = models.DateField(null=True)
    firms = models.BigIntegerField()
    owner_known = models.BigIntegerField()
    union_known = models.BigIntegerField()
    agreement_known = models.BigIntegerField()
    workforce_known = models.BigIntegerField()
    eit = models.BigIntegerField()
    sex_known = models.BigIntegerField()
    rated = models.BigIntegerField()

    objects = ScopedQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["kind", "country", "module", "period_key"], name="attendancetally_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.module_id} {self.kind} {self.period_key}"


class AttendanceQueue(models.Model):
    """Enterprises whose attendance rows are out of date: database triggers on
    participants and deliveries append them, `derived.refresh` takes them."""

    enterprise_id = models.UUIDField(db_index=True)

    def __str__(self) -> str:
        return str(self.enterprise_id)
