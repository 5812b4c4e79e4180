"""Trainers and their dated milestones (trained, certified, expert, withdrawn)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from scoretrack.lib.current_user import get_current_user
from scoretrack.lib.models import Choices, Record, Sex, Violation, ids_of, not_in_future, sync_index
from scoretrack.reference.models import CountryProgramme, Module, Organisation


class Trainer(Record):
    key = models.CharField(max_length=100, help_text="Your own identifier, unique per country")
    name = models.CharField(max_length=200)
    sex = models.CharField(max_length=12, choices=Sex.choices)
    country = models.ForeignKey(CountryProgramme, on_delete=models.PROTECT, related_name="trainers")
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="trainers"
    )
    email = models.EmailField(blank=True)

    class Meta:
        indexes = [
            sync_index("trainer_sync"),
            # Key look-ups across countries (the importer's `key IN (...)`): the unique
            # constraint's index starts with the country, so it cannot serve them.
            models.Index(fields=["key"], name="trainer_key"),
        ]
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "key"], name="trainer_key_unique"),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="trainer_sex_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        # A trainer belongs to an organisation of its own country, or a global one.
        wanted = ids_of(records, "organisation_id")
        if not wanted:
            return
        found = dict(Organisation.objects.filter(pk__in=wanted).values_list("pk", "country_id"))
        names: dict[Any, str] = {}
        for position, record in enumerate(records):
            if record.organisation_id is None or record.organisation_id not in found:
                continue
            country = found[record.organisation_id]
            if country is not None and country != record.country_id:
                names = names or dict(CountryProgramme.objects.values_list("pk", "code"))
                yield Violation(
                    position,
                    "organisation",
                    f"the organisation is in {names.get(country)}, the trainer in "
                    f"{names.get(record.country_id)}: choose one of the trainer's country "
                    "or a global one",
                )

    def status(self) -> str:
        """The status derived from the milestones (see `trainers.queries.with_status`)."""
        from scoretrack.trainers.queries import with_status

        trainers = with_status(Trainer.objects.filter(pk=self.pk))
        return trainers.values_list("status_code", flat=True).get()


class MilestoneKind(Choices):
    TRAINED = "trained", _("Trained (training of trainers)")
    # Certification is two steps: the country team recommends, HQ approves (= certified).
    RECOMMENDED = "recommended", _("Recommended for certification")
    CERTIFIED = "certified", pgettext_lazy("a trainer's status", "Certified")
    EXPERT = "expert", _("Expert / master trainer")
    WITHDRAWN = "withdrawn", _("Withdrawn")


_certification_step: ContextVar[bool] = ContextVar("certification_step", default=False)


@contextmanager
def certification_step() -> Iterator[None]:
    """Where `recommended` and `certified` milestones may be written: the two steps of
    `trainers.services` (the country team recommends, HQ approves)."""
    token = _certification_step.set(True)
    try:
        yield
    finally:
        _certification_step.reset(token)


CERTIFICATION_KINDS = frozenset({"recommended", "certified"})
CERTIFICATION_REASON = (
    "recommended and certified are set by the certification steps only: the country "
    "team recommends the trainer on its page, then HQ approves"
)


def _writes_certification(user: Any) -> bool:
    """May the current writer set a certification milestone outside the two steps?

    HQ may (its approval is what `certified` means; it loads past decisions); code
    that runs for no one (migrations, the demo) too; nobody else."""
    if user is None:
        return True
    from scoretrack.accounts.scoping import access_for

    return access_for(user).is_global


class Milestone(Record):
    Kind = MilestoneKind

    trainer = models.ForeignKey(Trainer, on_delete=models.CASCADE, related_name="milestones")
    milestone = models.CharField(max_length=12, choices=Kind.choices)
    date = models.DateField()
    module = models.ForeignKey(Module, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        indexes = [sync_index("milestone_sync")]
        ordering = ["date"]
        verbose_name = "trainer milestone"
        constraints = [
            models.UniqueConstraint(
                fields=["trainer", "milestone", "date"], name="milestone_unique"
            ),
            models.CheckConstraint(
                condition=Q(milestone__in=MilestoneKind.values), name="milestone_kind_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.trainer} {self.milestone} {self.date}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from not_in_future(records, "date", _("a milestone"))
        if _certification_step.get() or _writes_certification(get_current_user()):
            return
        for position, record in enumerate(records):
            if record.milestone in CERTIFICATION_KINDS:
                yield Violation(position, "milestone", CERTIFICATION_REASON)
