"""The record kinds of the results app (see lib/kinds.py)."""

from __future__ import annotations

from scoretrack.lib.cells import KEY, col, enum_type, int_type, ref, text_type
from scoretrack.lib.kinds import Export, Kind
from scoretrack.results.models import Level, ResultLevel

KINDS = (
    Kind(
        ResultLevel,
        "results_chain",
        (
            KEY,
            ref("country", help="blank for the programme's chain"),
            col("level", enum_type(Level.codes()), True),
            col("position", int_type(1, 99), help="order among the results of its level"),
            col("statement", text_type(300), True),
            col("indicators", text_type(600), help="registry indicator codes, comma-separated"),
            col("assumptions", text_type(5000)),
            col("verification", text_type(5000), help="means of verification"),
        ),
        ("key", "country"),
        "The results chain of the programme (no country) or of a country: activities,"
        " outputs, outcomes and impact, each with its indicators, assumptions and means"
        " of verification.",
        writers=frozenset({"country_team"}),
        export=Export(
            ("country__code", "level", "position", "key"),
            {"country": "country__code"},
            "country__code",
            global_too=True,
        ),
        position=65,
    ),
)
