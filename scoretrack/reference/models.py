"""Reference data: country programmes, phases, catalogues, partners and targets."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext_lazy

from scoretrack.lib.models import (
    Choices,
    Record,
    TranslatedNameMixin,
    Violation,
    dates_in_order,
    sync_index,
)

country_code_validator = RegexValidator(r"^[A-Z]{2}$", "Use the two capital letters of ISO 3166.")
currency_validator = RegexValidator(r"^[A-Z]{3}$", "Use the three capital letters of ISO 4217.")


class CountryProgrammeStatus(Choices):
    ACTIVE = "active", "Active"
    HANDED_OVER = "handed_over", "Handed over"


END_BEFORE_START = gettext_lazy("The end date is before the start date (%(date)s).")
END_BEFORE_SIGNATURE = gettext_lazy("The end date is before the signature (%(date)s).")


class CountryProgramme(Record):
    Status = CountryProgrammeStatus

    code = models.CharField(max_length=2, unique=True, validators=[country_code_validator])
    name = models.CharField(max_length=100)
    start_date = models.DateField(null=True, blank=True)
    currency = models.CharField(
        max_length=3, blank=True, validators=[currency_validator], help_text="Local currency"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)

    class Meta:
        ordering = ["name"]
        verbose_name = "country programme"
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=CountryProgrammeStatus.values), name="country_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Phase(Record):
    name = models.CharField(max_length=20, unique=True)
    start_date = models.DateField()
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="phase_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"Phase {self.name}"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from dates_in_order(records, "end_date", "start_date", END_BEFORE_START)

    def contains(self, day: dt.date) -> bool:
        return self.start_date <= day <= self.end_date


class Module(TranslatedNameMixin, Record):
    """A training module of the catalogue; new modules are data, not code."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    core = models.BooleanField(default=False, help_text="One of the five core SCORE modules")
    compulsory_first = models.BooleanField(default=False, help_text="Must be taken first")

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def choice_label(self) -> str:
        return f"{self.code} {self.localized_name()}"


class Sector(Record):
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Region(Record):
    country = models.ForeignKey(CountryProgramme, on_delete=models.CASCADE, related_name="regions")
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["country__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="region_unique_per_country")
        ]

    def __str__(self) -> str:
        return self.name


class Cluster(Record):
    """An industry cluster, country-scoped (e.g. the Bogotá flower growers)."""

    country = models.ForeignKey(CountryProgramme, on_delete=models.CASCADE, related_name="clusters")
    name = models.CharField(max_length=100)
    sector = models.ForeignKey(Sector, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["country__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="cluster_unique_per_country")
        ]

    def __str__(self) -> str:
        return self.name


class OrganisationType(Choices):
    GOVERNMENT_TRAINING = "government_training", "Government training organisation"
    EMPLOYER_ORGANISATION = "employer_organisation", "Employer organisation"
    INDUSTRY_ASSOCIATION = "industry_association", "Industry / sectoral association"
    PRIVATE_TRAINING = "private_training", "Private licensed training organisation"
    TRADE_UNION = "trade_union", "Trade union"
    LEAD_BUYER = "lead_buyer", "Lead buyer / multinational"
    DONOR = "donor", "Donor"
    GOVERNMENT_AGENCY = "government_agency", "Government agency"
    NGO_ACADEMIC = "ngo_academic", "NGO / academic"


# The types that organise training (a delivery's organiser): the report names
# government agencies, training organisations, industry associations and trade
# unions offering SCORE Training; employer organisations and NGOs / universities
# do too. Lead buyers and donors pay for training but do not organise it.
TRAINING_ORGANISERS = frozenset(
    {
        OrganisationType.GOVERNMENT_TRAINING,
        OrganisationType.EMPLOYER_ORGANISATION,
        OrganisationType.INDUSTRY_ASSOCIATION,
        OrganisationType.PRIVATE_TRAINING,
        OrganisationType.TRADE_UNION,
        OrganisationType.GOVERNMENT_AGENCY,
        OrganisationType.NGO_ACADEMIC,
    }
)


class Organisation(Record):
    Type = OrganisationType

    key = models.CharField(max_length=100, help_text="Your own identifier, unique per country")
    name = models.CharField(max_length=200)
    country = models.ForeignKey(
        CountryProgramme,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text="Blank for a global organisation (a multinational, a donor)",
    )
    type = models.CharField(max_length=30, choices=Type.choices)

    class Meta:
        indexes = [
            sync_index("organisation_sync"),
            # Key look-ups across countries (the importer's `key IN (...)`): the unique
            # constraint's index starts with the country, so it cannot serve them.
            models.Index(fields=["key"], name="organisation_key"),
        ]
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["country", "key"],
                condition=Q(country__isnull=False),
                name="organisation_key_unique_per_country",
            ),
            models.UniqueConstraint(
                fields=["key"],
                condition=Q(country__isnull=True),
                name="organisation_key_unique_global",
            ),
            models.CheckConstraint(
                condition=Q(type__in=OrganisationType.values), name="organisation_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class AgreementKind(Choices):
    MOU = "mou", "Memorandum of understanding"
    TECHNICAL_COLLABORATION = "technical_collaboration", "Technical collaboration"
    COOPERATION = "cooperation", "Cooperation agreement"
    CO_FINANCE = "co_finance", "Co-financing agreement"


class Agreement(Record):
    """A partnership (MoU or other) between the programme and an organisation."""

    Kind = AgreementKind

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="agreements"
    )
    country = models.ForeignKey(
        CountryProgramme, on_delete=models.PROTECT, related_name="agreements"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    signed_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [sync_index("agreement_sync")]
        ordering = ["-signed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "country", "kind", "signed_on"], name="agreement_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AgreementKind.values), name="agreement_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("signed_on")),
                name="agreement_end_after_signature",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} with {self.organisation} ({self.signed_on})"

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        yield from dates_in_order(records, "ended_on", "signed_on", END_BEFORE_SIGNATURE)

    def is_active_on(self, day: dt.date) -> bool:
        return self.signed_on <= day and (self.ended_on is None or self.ended_on >= day)


class Target(Record):
    """A target value for an indicator, globally or for a country, a phase or a year."""

    indicator = models.CharField(max_length=60, help_text="Indicator code of the registry")
    country = models.ForeignKey(
        CountryProgramme, null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    phase = models.ForeignKey(
        Phase, null=True, blank=True, on_delete=models.CASCADE, related_name="targets"
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    value = models.DecimalField(max_digits=18, decimal_places=4)

    class Meta:
        ordering = ["indicator"]
        constraints = [
            models.UniqueConstraint(
                "indicator",
                # By field name, not column ("country_id"): model validation
                # (`validate_constraints`) puts the record's values only for names.
                Coalesce(Cast("country", models.CharField(max_length=36)), models.Value("")),
                Coalesce(Cast("phase", models.CharField(max_length=36)), models.Value("")),
                Coalesce("year", models.Value(0)),
                name="target_unique_scope",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=2000, year__lte=2100),
                name="target_year_plausible",
            ),
        ]

    def __str__(self) -> str:
        scope = " ".join(
            str(part) for part in (self.country, self.phase, self.year) if part is not None
        )
        return f"{self.indicator} {scope or 'global'} = {self.value}"
