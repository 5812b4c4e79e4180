"""The record kinds of the training app (see lib/kinds.py)."""

from __future__ import annotations

from decimal import Decimal

from scoretrack.lib.cells import (
    BOOL,
    COUNTRY,
    CURRENCY,
    DATE,
    KEY,
    SEX,
    Column,
    col,
    decimal_type,
    enum_type,
    int_type,
    list_type,
    ref,
    text_type,
)
from scoretrack.lib.kinds import FIELD_SIDE, PARTNER_SIDE, Dated, Export, Kind, ListColumn
from scoretrack.training.models import (
    Attendance,
    ConsultingVisit,
    Delivery,
    DeliveryIndependence,
    Enrolment,
    EnrolmentStatus,
    Participant,
    ParticipantRole,
)

IMPORTERS = "scoretrack.exchange.importer"

KINDS = (
    Kind(
        Delivery,
        "deliveries",
        (
            KEY,
            COUNTRY,
            ref("module", required=True),
            ref("organiser", "organisation"),
            col("independence", enum_type(DeliveryIndependence.codes())),
            col("start_date", DATE, True),
            col("end_date", DATE),
            Column("trainers", list_type("trainer"), ref="trainer"),
        ),
        ("key", "country"),
        "Classroom deliveries of a module.",
        writers=PARTNER_SIDE,
        export=Export(
            ("country__code", "key"),
            {"country": "country__code", "module": "module__code", "organiser": "organiser__key"},
            "country__code",
        ),
        listed=ListColumn("trainers", Delivery.trainers.through, "delivery_id", "trainer__key"),
        importer=f"{IMPORTERS}.DeliveryImporter",
        reference="delivery",
        position=100,
        dated=Dated("start_date", "country_id"),
    ),
    Kind(
        Enrolment,
        "enrolments",
        (
            ref("delivery", required=True),
            ref("enterprise", required=True),
            col("status", enum_type(EnrolmentStatus.codes())),
            col("fee", decimal_type(14, 2, Decimal(0))),
            col("currency", CURRENCY),
            col("usd", decimal_type(14, 2, Decimal(0)), help="blank: converted at the stored rate"),
        ),
        ("delivery", "enterprise"),
        "Enterprises enrolled in deliveries, with their fee.",
        writers=PARTNER_SIDE,
        parents=("delivery", "enterprise"),
        export=Export(
            ("delivery__country__code", "delivery__key", "enterprise__key"),
            {"delivery": "delivery__key", "enterprise": "enterprise__key", "usd": "fee_usd"},
            "delivery__country__code",
        ),
        importer=f"{IMPORTERS}.EnrolmentImporter",
        after=("rates",),  # the fee converted at the stored rate
        position=110,
        dated=Dated("delivery__start_date", "delivery__country_id"),
    ),
    Kind(
        Participant,
        "participants",
        (
            ref("delivery", required=True),
            ref("enterprise", required=True),
            col("sex", SEX, True),
            col("role", enum_type(ParticipantRole.codes()), True),
            col("person", text_type(100), help="links one person's attendances; blank: one person"),
            col("name", text_type(200)),
            col("eit_member", BOOL),
            col("satisfaction", int_type(1, 5)),
        ),
        ("delivery", "enterprise", "person"),
        "People attending classroom training.",
        writers=FIELD_SIDE,
        parents=("delivery", "enterprise"),
        export=Export(
            ("delivery__country__code", "delivery__key", "enterprise__key", "person", "name", "id"),
            {"delivery": "delivery__key", "enterprise": "enterprise__key"},
            "delivery__country__code",
        ),
        importer=f"{IMPORTERS}.ParticipantImporter",
        after=("enrolments",),  # a participant's enterprise is enrolled in the delivery
        position=120,
        dated=Dated("delivery__start_date", "delivery__country_id"),
    ),
    Kind(
        ConsultingVisit,
        "visits",
        (
            ref("enterprise", required=True),
            ref("trainer", required=True),
            col("date", DATE, True),
            col("hours", decimal_type(6, 2, Decimal(0))),
            ref("delivery"),
            col("note", text_type(10_000)),
        ),
        ("enterprise", "trainer", "date"),
        "Consulting visits.",
        writers=FIELD_SIDE,
        parents=("enterprise", "delivery"),
        export=Export(
            ("enterprise__country__code", "enterprise__key", "date", "trainer__key"),
            {
                "enterprise": "enterprise__key",
                "trainer": "trainer__key",
                "delivery": "delivery__key",
            },
            "enterprise__country__code",
        ),
        importer=f"{IMPORTERS}.VisitImporter",
        after=("enrolments",),  # a visit of a delivery: its enterprise is enrolled
        position=130,
        dated=Dated("date", "enterprise__country_id"),
    ),
)

# The derived rows the SME figures count are dated like the participations they stand for.
DATED = {Attendance: Dated("start_date", "country_id")}
