"""Trainers and their dated milestones (trained, certified, expert, withdrawn)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from scoretrack.lib.models import Choices, Record, Sex, sync_index
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
        indexes = [sync_index("trainer_sync")]
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "key"], name="trainer_key_unique"),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="trainer_sex_valid"),
        ]

    def __str__(self) -> str:
        return self.name

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
