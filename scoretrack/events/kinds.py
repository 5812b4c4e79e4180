"""The record kinds of the events app (see lib/kinds.py)."""

from __future__ import annotations

from scoretrack.events.models import Event, EventKind, EventParticipation, EventParticipationGroup
from scoretrack.lib.cells import COUNTRY, DATE, KEY, col, enum_type, int_type, ref, text_type
from scoretrack.lib.kinds import Dated, Export, Kind

COUNTRY_TEAM = frozenset({"country_team"})

KINDS = (
    Kind(
        Event,
        "events",
        (
            KEY,
            COUNTRY,
            col("kind", enum_type(EventKind.codes()), True),
            col("date", DATE, True),
            col("title", text_type(200)),
        ),
        ("key", "country"),
        "Awareness events.",
        writers=COUNTRY_TEAM,
        export=Export(("country__code", "key"), {"country": "country__code"}, "country__code"),
        reference="event",
        position=230,
        dated=Dated("date", "country_id"),
    ),
    Kind(
        EventParticipation,
        "event_participants",
        (
            ref("event", required=True),
            col("group", enum_type(EventParticipationGroup.codes()), True),
            col("female", int_type()),
            col("male", int_type()),
        ),
        ("event", "group"),
        "Participants of events by group and sex.",
        writers=COUNTRY_TEAM,
        parents=("event",),
        export=Export(
            ("event__country__code", "event__key", "group"),
            {"event": "event__key"},
            "event__country__code",
        ),
        position=240,
        dated=Dated("event__date", "event__country_id"),
    ),
)
