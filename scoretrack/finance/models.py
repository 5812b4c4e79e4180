"""Money: exchange rates, direct training costs and contributions.

Every amount is kept in the currency it was paid in, with its USD value at a
dated rate: given by the user, or taken from the stored rate of that currency
on or before that date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Q

from scoretrack.lib.models import Choices, Record, ScopedQuerySet, Violation, ids_of, sync_index
from scoretrack.reference.models import CountryProgramme, Organisation, currency_validator
from scoretrack.training.models import Delivery

CENT = Decimal("0.01")


class MissingRate(ValueError):
    def __init__(self, currency: str, date: dt.date) -> None:
        self.currency = currency
        self.date = date
        super().__init__(f"no exchange rate for {currency} on or before {date.isoformat()}")


class RateQuerySet(ScopedQuerySet):
    def rate_on(self, currency: str, date: dt.date) -> Decimal:
        """Units of `currency` for one US dollar, at the latest rate on or before `date`."""
        if currency == "USD":
            return Decimal(1)
        rate = (
            self.filter(currency=currency, date__lte=date)
            .order_by("-date")
            .values_list("per_usd", flat=True)
            .first()
        )
        if rate is None:
            raise MissingRate(currency, date)
        return rate

    def to_usd(
        self,
        amount: Decimal,
        currency: str,
        date: dt.date,
        *,
        rates: dict[tuple[str, dt.date], Decimal] | None = None,
    ) -> Decimal:
        """The USD value of an amount at the rate of its date: the one conversion of
        every path (pages, imports, the API, the models' own saves). `rates` keeps
        the rates already read (an import converts thousands of rows)."""
        key = (currency, date)
        if rates is None or key not in rates:
            rate = self.rate_on(currency, date)
            if rates is None:
                return (Decimal(amount) / rate).quantize(CENT)
            rates[key] = rate
        return (Decimal(amount) / rates[key]).quantize(CENT)


class ExchangeRate(Record):
    currency = models.CharField(max_length=3, validators=[currency_validator])
    date = models.DateField()
    per_usd = models.DecimalField(
        max_digits=18, decimal_places=6, help_text="Units of the currency for one US dollar"
    )

    objects = RateQuerySet.as_manager()

    class Meta:
        ordering = ["currency", "-date"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "date"], name="rate_unique"),
            models.CheckConstraint(condition=Q(per_usd__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"1 USD = {self.per_usd} {self.currency} ({self.date})"


class MoneyRecord(Record):
    """An amount in the currency paid, with its USD value."""

    country = models.ForeignKey(
        CountryProgramme, on_delete=models.PROTECT, related_name="%(class)ss"
    )
    date = models.DateField()
    delivery = models.ForeignKey(
        Delivery, null=True, blank=True, on_delete=models.SET_NULL, related_name="%(class)ss"
    )
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    currency = models.CharField(max_length=3, validators=[currency_validator])
    usd = models.DecimalField(
        max_digits=16,
        decimal_places=2,
        blank=True,
        help_text="Leave blank to convert at the stored rate of the date",
    )

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.usd is None:
            self.usd = ExchangeRate.objects.to_usd(self.amount, self.currency, self.date)
        super().save(*args, **kwargs)

    @classmethod
    def rules(cls, records: Sequence[Any]) -> Iterator[Violation]:
        # Money of a delivery is booked in the delivery's country programme.
        deliveries = dict(
            Delivery.objects.filter(pk__in=ids_of(records, "delivery_id")).values_list(
                "pk", "country_id"
            )
        )
        for position, record in enumerate(records):
            country = deliveries.get(record.delivery_id)
            if country is not None and country != record.country_id:
                yield Violation(
                    position, "delivery", "the delivery belongs to another country programme"
                )


class DirectCost(MoneyRecord):
    category = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["-date"]
        verbose_name = "direct training cost"
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="cost_amount_non_negative"),
            models.CheckConstraint(condition=Q(usd__gte=0), name="cost_usd_non_negative"),
        ]
        indexes = [
            sync_index("directcost_sync"),
            models.Index(fields=["country", "date"], name="cost_country_date"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} {self.currency} on {self.date}"


class ContributionSource(Choices):
    SME_FEE = "sme_fee", "SME fees"
    LEAD_BUYER = "lead_buyer", "Lead-buyer sponsorship"
    GRANT = "grant", "Grant"
    PUBLIC_BUDGET = "public_budget", "Public budget"
    PARTNER_FUNDS = "partner_funds", "Partner's own funds"


class ContributionKind(Choices):
    CASH = "cash", "Cash"
    IN_KIND = "in_kind", "In kind"


class Contribution(MoneyRecord):
    Source = ContributionSource

    Kind = ContributionKind

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contributions"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CASH)

    class Meta:
        ordering = ["-date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="contribution_amount_non_negative"
            ),
            models.CheckConstraint(condition=Q(usd__gte=0), name="contribution_usd_non_negative"),
            models.CheckConstraint(
                condition=Q(source__in=ContributionSource.values), name="contribution_source_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=ContributionKind.values), name="contribution_kind_valid"
            ),
        ]
        indexes = [
            sync_index("contribution_sync"),
            models.Index(fields=["country", "date"], name="contribution_country_date"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation}: {self.amount} {self.currency} on {self.date}"
