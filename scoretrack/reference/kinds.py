"""The record kinds of the reference app (see lib/kinds.py)."""

from __future__ import annotations

from scoretrack.lib.cells import (
    BOOL,
    COUNTRY,
    COUNTRY_CODE,
    CURRENCY,
    DATE,
    KEY,
    NAME,
    col,
    decimal_type,
    enum_type,
    int_type,
    ref,
    text_type,
)
from scoretrack.lib.kinds import PARTNER_SIDE, Export, Kind
from scoretrack.reference.models import (
    Agreement,
    AgreementKind,
    Cluster,
    CountryProgramme,
    CountryProgrammeStatus,
    Module,
    Organisation,
    OrganisationType,
    Phase,
    Region,
    Target,
)

IMPORTERS = "scoretrack.exchange.importer"

KINDS = (
    Kind(
        CountryProgramme,
        "countries",
        (
            col("code", COUNTRY_CODE, True),
            col("name", text_type(100), True),
            col("start_date", DATE),
            col("currency", CURRENCY, help="local currency"),
            col("status", enum_type(CountryProgrammeStatus.codes())),
        ),
        ("code",),
        "Country programmes.",
        export=Export(("code",), country="code"),
        reference="country",
        position=10,
    ),
    Kind(
        Phase,
        "phases",
        (
            col("name", text_type(20), True),
            col("start_date", DATE, True),
            col("end_date", DATE, True),
        ),
        ("name",),
        "Programme phases (I, II, III, IV).",
        export=Export(("start_date", "name")),
        reference="phase",
        position=20,
    ),
    Kind(
        Module,
        "modules",
        (
            col("code", text_type(20), True),
            col("name", text_type(200), True),
            col("core", BOOL, help="one of the five core modules"),
            col("compulsory_first", BOOL, help="must be taken first"),
        ),
        ("code",),
        "The module catalogue.",
        export=Export(("code",)),
        reference="module",
        position=30,
    ),
    Kind(
        Organisation,
        "organisations",
        (
            KEY,
            NAME,
            ref("country", help="blank for a global organisation"),
            col("type", enum_type(OrganisationType.codes()), True),
        ),
        ("key", "country"),
        "Partners, lead buyers, donors.",
        writers=PARTNER_SIDE,
        creators=frozenset({"country_team"}),  # a partner keeps its own one's facts
        export=Export(
            ("key", "country__code"),
            {"country": "country__code"},
            "country__code",
            global_too=True,
        ),
        reference="organisation",
        position=40,
    ),
    Kind(
        Agreement,
        "agreements",
        (
            ref("organisation", required=True),
            COUNTRY,
            col("kind", enum_type(AgreementKind.codes()), True),
            col("signed_on", DATE, True),
            col("ended_on", DATE),
        ),
        ("organisation", "country", "kind", "signed_on"),
        "Partnership agreements.",
        writers=frozenset({"country_team"}),
        export=Export(
            ("organisation__key", "kind", "signed_on"),
            {"organisation": "organisation__key", "country": "country__code"},
            "country__code",
        ),
        position=50,
    ),
    Kind(
        Target,
        "targets",
        (
            col("indicator", text_type(60), True, "indicator code of the registry"),
            ref("country", help="blank for a global target"),
            ref("phase"),
            col("year", int_type(2000, 2100)),
            col("half", int_type(1, 2), help="1 or 2, with a year"),
            col("quarter", int_type(1, 4), help="1 to 4, with a year"),
            col("start_date", DATE, help="a custom reporting period's first day"),
            col("end_date", DATE, help="a custom reporting period's last day"),
            col("disaggregation", text_type(30), help="blank for the total, e.g. sex"),
            col("group", text_type(60), help="the disaggregation's group, e.g. female"),
            col("cumulative", BOOL, help="yes: counted from the programme's start"),
            col("value", decimal_type(18, 4), True),
        ),
        (
            "indicator",
            "country",
            "phase",
            "year",
            "half",
            "quarter",
            "start_date",
            "end_date",
            "disaggregation",
            "group",
        ),
        "Targets per indicator, country (or global) and period: a phase, a year, a half or"
        " quarter of a year, custom dates or none; for the total or one group of a"
        " disaggregation; per period or cumulative.",
        export=Export(
            (
                "indicator",
                "country__code",
                "phase__name",
                "year",
                "half",
                "quarter",
                "start_date",
                "disaggregation",
                "group",
            ),
            {"country": "country__code", "phase": "phase__name"},
            "country__code",
            global_too=True,
        ),
        importer=f"{IMPORTERS}.TargetImporter",
        position=60,
    ),
    # Created on first use by the enterprises sheet; written on their pages.
    Kind(Region, writers=frozenset({"country_team"}), position=61),
    Kind(Cluster, writers=frozenset({"country_team"}), position=62),
)
