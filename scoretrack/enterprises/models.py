"""The SMEs the programme trains, and the lead buyers they supply."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Any

from django.db import models
from django.db.models import Q

from scoretrack.lib.models import Record, Violation, sync_index
from scoretrack.reference.models import Cluster, CountryProgramme, Organisation, Region, Sector


class Enterprise(Record):
    key = models.CharField(max_length=100, help_text="Your own identifier, unique per country")
    name = models.CharField(max_length=200)
    country = models.ForeignKey(
        CountryProgramme, on_delete=models.PROTECT, related_name="enterprises"
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.SET_NULL)
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL)
    cluster = models.ForeignKey(Cluster, null=True, blank=True, on_delete=models.SET_NULL)
    workforce_female = models.PositiveIntegerField(null=True, blank=True)
    workforce_male = models.PositiveIntegerField(null=True, blank=True)
    women_owned = models.BooleanField(null=True, blank=True)
    unionised = models.BooleanField(null=True, blank=True)
    collective_agreement = models.BooleanField(null=True, blank=True)
    lead_buyers = models.ManyToManyField(
        Organisation,
        through="LeadBuyerLink",
        related_name="suppliers",
        blank=True,
        limit_choices_to={"type": Organisation.Type.LEAD_BUYER},
    )

    class Meta:
        indexes = [
            sync_index("enterprise_sync"),
            # The list's default order and its Name column (the id breaks ties).
            models.Index(fields=["name", "id"], name="enterprise_name_order"),
            # Key look-ups across countries (the importer's `key IN (...)`): the unique
            # constraint's index starts with the country, so it cannot serve them.
            models.Index(fields=["key"], name="enterprise_key"),
        ]
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "key"], name="enterprise_key_unique"),
            models.CheckConstraint(
                condition=Q(workforce_female__gte=0) | Q(workforce_female__isnull=True),
                name="enterprise_workforce_female_non_negative",
            ),
            models.CheckConstraint(
                condition=Q(workforce_male__gte=0) | Q(workforce_male__isnull=True),
                name="enterprise_workforce_male_non_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def lead_buyer_rules(buyers: Sequence[Collection[Any]]) -> Iterator[Violation]:
        """Each set of lead-buyer ids (one per enterprise of a batch) names lead-buyer
        organisations only: a trade union or a partner supplies no one."""
        wanted = set().union(*buyers) if buyers else set()
        if not wanted:
            return
        found = {
            pk: (key, kind)
            for pk, key, kind in Organisation.objects.filter(pk__in=wanted).values_list(
                "pk", "key", "type"
            )
        }
        for position, ids in enumerate(buyers):
            for pk in ids:
                key, kind = found.get(pk, (pk, ""))
                if kind != Organisation.Type.LEAD_BUYER:
                    what = Organisation.Type(kind).label.lower() if kind else "unknown"
                    yield Violation(position, "lead_buyers", f"{key} is a {what}, not a lead buyer")

    @property
    def workforce(self) -> int | None:
        if self.workforce_female is None and self.workforce_male is None:
            return None
        return (self.workforce_female or 0) + (self.workforce_male or 0)


class LeadBuyerLink(Record):
    """An enterprise supplies a lead buyer."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="buyer_links")
    lead_buyer = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="supplier_links"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "lead_buyer"], name="lead_buyer_link_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.enterprise} supplies {self.lead_buyer}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        buyers = [[pk] if (pk := record.lead_buyer_id) else [] for record in records]
        yield from Enterprise.lead_buyer_rules(buyers)
