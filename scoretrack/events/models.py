"""Awareness (objective 3): NTAC meetings, constituent trainings, workshops."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from scoretrack.lib.models import Choices, Record, sync_index
from scoretrack.reference.models import CountryProgramme


class EventKind(Choices):
    NTAC_MEETING = "ntac_meeting", "NTAC meeting"
    CONSTITUENT_TRAINING = "constituent_training", "Constituent training"
    WORKSHOP = "workshop", "Workshop"
    POLICY_COURSE = "policy_course", "Policy course"
    CONFERENCE = "conference", "Conference"


class Event(Record):
    Kind = EventKind

    key = models.CharField(max_length=100, help_text="Your own identifier, unique per country")
    country = models.ForeignKey(CountryProgramme, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=24, choices=Kind.choices)
    date = models.DateField()
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        indexes = [
            sync_index("event_sync"),
            # Key look-ups across countries (the importer's `key IN (...)`): the unique
            # constraint's index starts with the country, so it cannot serve them.
            models.Index(fields=["key"], name="event_key"),
        ]
        ordering = ["-date"]
        constraints = [
            models.UniqueConstraint(fields=["country", "key"], name="event_key_unique"),
            models.CheckConstraint(condition=Q(kind__in=EventKind.values), name="event_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.title or f"{self.get_kind_display()} {self.date}"


class EventParticipationGroup(Choices):
    GOVERNMENT = "government", "Government"
    EMPLOYERS = "employers", "Employers"
    TRADE_UNIONS = "trade_unions", "Trade unions"
    OTHER = "other", "Other"


class EventParticipation(Record):
    """How many women and men of one constituent group took part in an event."""

    Group = EventParticipationGroup

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participations")
    group = models.CharField(max_length=14, choices=Group.choices)
    female = models.PositiveIntegerField(default=0)
    male = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [sync_index("eventparticipation_sync")]
        ordering = ["event", "group"]
        constraints = [
            models.UniqueConstraint(fields=["event", "group"], name="event_participation_unique"),
            models.CheckConstraint(
                condition=Q(group__in=EventParticipationGroup.values), name="event_group_valid"
            ),
            models.CheckConstraint(
                condition=Q(female__gte=0, male__gte=0), name="event_counts_non_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event}: {self.group} {self.female}F/{self.male}M"
