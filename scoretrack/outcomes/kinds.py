"""The record kinds of the outcomes app (see lib/kinds.py)."""

from __future__ import annotations

from decimal import Decimal

from scoretrack.lib.cells import (
    BOOL,
    DATE,
    MONTH,
    NAME,
    SEX,
    col,
    decimal_type,
    enum_type,
    int_type,
    ref,
    text_type,
)
from scoretrack.lib.kinds import FIRM_SIDE, Dated, Export, Kind
from scoretrack.outcomes.models import (
    Assessment,
    AssessmentKind,
    Initiative,
    InitiativeStatus,
    Kpi,
    KpiBetter,
    KpiFrequency,
    KpiObservation,
    KpiPoint,
    KpiSelection,
    Practice,
    PracticeAnswer,
    PracticeStep,
    WorkerSurveyAnswer,
    WorkerSurveyAnswerWave,
)

IMPORTERS = "scoretrack.exchange.importer"
ASSESSORS = frozenset({"country_team", "trainer"})

KINDS = (
    Kind(
        Practice,
        "practices",
        (col("code", text_type(40), True), NAME, ref("module")),
        ("code",),
        "Management practices assessed.",
        export=Export(("code",), {"module": "module__code"}),
        reference="practice",
        position=160,
    ),
    # Written through the assessments sheet (one row per answer) and the pages.
    Kind(
        Assessment,
        writers=ASSESSORS,
        parents=("enterprise",),
        position=165,
        dated=Dated("date", "enterprise__country_id"),
    ),
    Kind(
        PracticeAnswer,
        "assessments",
        (
            ref("enterprise", required=True),
            col("kind", enum_type(AssessmentKind.codes()), True),
            col("date", DATE, True),
            ref("assessor", "trainer"),
            ref("practice", required=True),
            col("in_place", BOOL, True),
            col("note", text_type(10_000), help="what the assessor saw"),
        ),
        ("enterprise", "kind", "date", "practice"),
        "One row per practice answer of one assessment.",
        writers=ASSESSORS,
        parents=("assessment",),
        export=Export(
            (
                "assessment__enterprise__country__code",
                "assessment__enterprise__key",
                "assessment__date",
                "assessment__kind",
                "practice__code",
            ),
            {
                "enterprise": "assessment__enterprise__key",
                "kind": "assessment__kind",
                "date": "assessment__date",
                "assessor": "assessment__assessor__key",
                "practice": "practice__code",
            },
            "assessment__enterprise__country__code",
        ),
        importer=f"{IMPORTERS}.AssessmentImporter",
        position=170,
        dated=Dated("assessment__date", "assessment__enterprise__country_id"),
    ),
    Kind(
        Kpi,
        "kpis",
        (
            col("code", text_type(40), True),
            NAME,
            col("unit", text_type(40), True),
            col("better", enum_type(KpiBetter.codes()), True),
            ref("module"),
        ),
        ("code",),
        "The KPI catalogue.",
        export=Export(("code",), {"module": "module__code"}),
        reference="kpi",
        position=180,
    ),
    Kind(
        KpiObservation,
        "kpi_observations",
        (
            ref("enterprise", required=True),
            ref("kpi", required=True),
            col("month", MONTH, True),
            col("value", decimal_type(20, 6), help="blank: numerator / denominator"),
            col("numerator", decimal_type(20, 6)),
            col("denominator", decimal_type(20, 6)),
        ),
        ("enterprise", "kpi", "month"),
        "Monthly KPI values.",
        writers=FIRM_SIDE,
        parents=("enterprise",),
        export=Export(
            ("enterprise__country__code", "enterprise__key", "kpi__code", "month"),
            {"enterprise": "enterprise__key", "kpi": "kpi__code"},
            "enterprise__country__code",
        ),
        importer=f"{IMPORTERS}.ObservationImporter",
        position=190,
        dated=Dated("month", "enterprise__country_id"),
    ),
    Kind(
        KpiSelection,
        "kpi_selections",
        (
            ref("enterprise", required=True),
            ref("kpi", required=True),
            col("selected_on", DATE, True, "chosen with the trainer on"),
            col("baseline", decimal_type(20, 6)),
            col("target", decimal_type(20, 6)),
            col("frequency", enum_type(KpiFrequency.codes()), help="blank: monthly"),
        ),
        ("enterprise", "kpi"),
        "The KPIs each enterprise chose to report, with baseline and target.",
        writers=FIRM_SIDE,
        parents=("enterprise",),
        export=Export(
            ("enterprise__country__code", "enterprise__key", "kpi__code"),
            {"enterprise": "enterprise__key", "kpi": "kpi__code"},
            "enterprise__country__code",
        ),
        position=195,
        dated=Dated("selected_on", "enterprise__country_id"),
    ),
    Kind(
        Initiative,
        "initiatives",
        (
            ref("enterprise", required=True),
            col("title", text_type(200), True),
            ref("module"),
            col("category", text_type(100)),
            col("gender_related", BOOL),
            col("status", enum_type(InitiativeStatus.codes())),
            col("started_on", DATE),
            col("completed_on", DATE),
            col("cost_usd", decimal_type(14, 2, Decimal(0))),
            col("saving_usd", decimal_type(14, 2)),
        ),
        ("enterprise", "title"),
        "Improvement plan initiatives.",
        writers=FIRM_SIDE,
        parents=("enterprise",),
        export=Export(
            ("enterprise__country__code", "enterprise__key", "title"),
            {"enterprise": "enterprise__key", "module": "module__code"},
            "enterprise__country__code",
        ),
        position=200,
        dated=Dated("started_on", "enterprise__country_id"),
    ),
    Kind(
        WorkerSurveyAnswer,
        "worker_surveys",
        (
            ref("enterprise", required=True),
            col("wave", enum_type(WorkerSurveyAnswerWave.codes()), True),
            col("date", DATE, True),
            col("respondent", text_type(50), True, "anonymous id within the enterprise and wave"),
            col("sex", SEX),
            col("question", text_type(100), True),
            col("answer", int_type(1, 5), True),
        ),
        ("enterprise", "wave", "respondent", "question"),
        "One row per answer of a worker survey.",
        writers=FIRM_SIDE,
        parents=("enterprise",),
        export=Export(
            ("enterprise__country__code", "enterprise__key", "wave", "respondent", "question"),
            {"enterprise": "enterprise__key"},
            "enterprise__country__code",
        ),
        position=210,
        dated=Dated("date", "enterprise__country_id"),
    ),
)

# The derived rows the outcome figures count: dated like the records they come from.
DATED = {
    KpiPoint: Dated("month", "enterprise__country_id"),
    PracticeStep: Dated("date", "enterprise__country_id"),
}
