"""The record kinds of the enterprises app (see lib/kinds.py)."""

from __future__ import annotations

from scoretrack.enterprises.models import Enterprise, LeadBuyerLink
from scoretrack.lib.cells import (
    BOOL,
    COUNTRY,
    KEY,
    NAME,
    Column,
    col,
    int_type,
    list_type,
    text_type,
)
from scoretrack.lib.kinds import PARTNER_SIDE, Export, Kind, ListColumn

KINDS = (
    Kind(
        Enterprise,
        "enterprises",
        (
            KEY,
            NAME,
            COUNTRY,
            col("region", text_type(100), help="name; created on first use"),
            col("sector", text_type(100), help="name; created on first use"),
            col("cluster", text_type(100), help="name; created on first use"),
            col("workforce_female", int_type()),
            col("workforce_male", int_type()),
            col("women_owned", BOOL),
            col("unionised", BOOL),
            col("collective_agreement", BOOL),
            Column("lead_buyers", list_type("organisation"), ref="organisation"),
        ),
        ("key", "country"),
        "The SMEs.",
        writers=frozenset({"country_team", "partner", "enterprise"}),
        creators=frozenset({"country_team", "partner"}),
        export=Export(
            ("country__code", "key"),
            {
                "country": "country__code",
                "region": "region__name",
                "sector": "sector__name",
                "cluster": "cluster__name",
            },
            "country__code",
        ),
        listed=ListColumn("lead_buyers", LeadBuyerLink, "enterprise_id", "lead_buyer__key"),
        importer="scoretrack.exchange.importer.EnterpriseImporter",
        reference="enterprise",
        position=70,
    ),
    # Written through the enterprises sheet's lead_buyers column and the pages.
    Kind(LeadBuyerLink, writers=PARTNER_SIDE, parents=("enterprise",), position=71),
)
