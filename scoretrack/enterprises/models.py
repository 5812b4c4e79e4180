"""The SMEs the programme trains, and the lead buyers they supply."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from scoretrack.lib.models import Record, sync_index
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
        indexes = [sync_index("enterprise_sync")]
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
