"""The record kinds of the finance app (see lib/kinds.py)."""

from __future__ import annotations

from decimal import Decimal

from scoretrack.finance.models import (
    Contribution,
    ContributionKind,
    ContributionSource,
    DirectCost,
    ExchangeRate,
)
from scoretrack.lib.cells import (
    COUNTRY,
    CURRENCY,
    DATE,
    MONEY,
    col,
    decimal_type,
    enum_type,
    ref,
    text_type,
)
from scoretrack.lib.kinds import PARTNER_SIDE, Dated, Export, Kind

MONEY_IMPORTER = "scoretrack.exchange.importer.MoneyImporter"

KINDS = (
    Kind(
        DirectCost,
        "costs",
        (
            COUNTRY,
            col("date", DATE, True),
            ref("delivery"),
            col("category", text_type(100)),
            col("amount", MONEY, True),
            col("currency", CURRENCY, True),
            col("usd", MONEY, help="blank: converted at the stored rate"),
        ),
        None,
        "Direct training costs.",
        writers=PARTNER_SIDE,
        export=Export(
            ("country__code", "date", "amount", "id"),
            {"country": "country__code", "delivery": "delivery__key"},
            "country__code",
        ),
        importer=MONEY_IMPORTER,
        after=("rates",),
        position=140,
        dated=Dated("date", "country_id"),
    ),
    Kind(
        Contribution,
        "contributions",
        (
            COUNTRY,
            col("date", DATE, True),
            ref("organisation", required=True),
            col("source", enum_type(ContributionSource.codes()), True),
            col("kind", enum_type(ContributionKind.codes()), True),
            ref("delivery"),
            col("amount", MONEY, True),
            col("currency", CURRENCY, True),
            col("usd", MONEY, help="blank: converted at the stored rate"),
        ),
        None,
        "Contributions to the cost of training.",
        writers=PARTNER_SIDE,
        export=Export(
            ("country__code", "date", "organisation__key", "amount", "id"),
            {
                "country": "country__code",
                "organisation": "organisation__key",
                "delivery": "delivery__key",
            },
            "country__code",
        ),
        importer=MONEY_IMPORTER,
        after=("rates",),
        position=150,
        dated=Dated("date", "country_id"),
    ),
    Kind(
        ExchangeRate,
        "rates",
        (
            col("currency", CURRENCY, True),
            col("date", DATE, True),
            col(
                "per_usd",
                decimal_type(18, 6, Decimal("0.000001")),
                True,
                "units of the currency for one US dollar",
            ),
        ),
        ("currency", "date"),
        "Exchange rates.",
        export=Export(("currency", "date")),
        importer="scoretrack.exchange.importer.RateImporter",
        position=220,
    ),
)
