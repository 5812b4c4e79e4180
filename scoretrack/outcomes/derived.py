"""The derived rows the outcome figures read: practice steps and KPI points.

Practice and KPI figures compare each enterprise's answers or observations over
time (earliest baseline against latest progress answer, first against latest
month). Searched for per pair at query time, that is millions of correlated
lookups on a large programme. Instead, `PracticeStep` and `KpiPoint` keep, per
answer or observation, the context of its series (the baseline answer, the next
date, the first value, the rank), so that every outcome figure is one filtered
count over them. Kept exact by triggers on assessments, practice answers and KPI
observations and rebuilt per enterprise (`scoretrack.lib.derived`).
"""

from __future__ import annotations

from scoretrack.lib.derived import Family, register

STEPS = "outcomes_practicestep"
POINTS = "outcomes_kpipoint"
QUEUE = "outcomes_outcomequeue"

# For each (enterprise, practice), its answers ordered baselines first, by date:
# the first row is the earliest baseline answer; each progress answer's next row is
# the next progress answer. Kept: progress answers dated after the earliest baseline.
STEPS_SQL = f"""
INSERT INTO {STEPS} (enterprise_id, practice_id, date, before, after, next_date)
SELECT enterprise_id, practice_id, date, before, in_place, next_date FROM (
    SELECT a.enterprise_id, pa.practice_id, a.kind, a.date, pa.in_place,
        FIRST_VALUE(pa.in_place) OVER w AS before,
        MIN(CASE WHEN a.kind = 'baseline' THEN a.date END) OVER (
            PARTITION BY a.enterprise_id, pa.practice_id
        ) AS baseline_date,
        LEAD(a.date) OVER w AS next_date
    FROM outcomes_practiceanswer pa
    JOIN outcomes_assessment a ON a.id = pa.assessment_id
    WHERE {{where}}
    WINDOW w AS (
        PARTITION BY a.enterprise_id, pa.practice_id
        ORDER BY CASE WHEN a.kind = 'baseline' THEN 0 ELSE 1 END, a.date
    )
) answers
WHERE kind = 'progress' AND baseline_date IS NOT NULL AND date > baseline_date
"""

POINTS_SQL = f"""
INSERT INTO {POINTS}
    (enterprise_id, kpi_id, month, value, first_value, rank, prev_month, next_month)
SELECT o.enterprise_id, o.kpi_id, o.month, o.value,
    FIRST_VALUE(o.value) OVER w, ROW_NUMBER() OVER w, LAG(o.month) OVER w, LEAD(o.month) OVER w
FROM outcomes_kpiobservation o
WHERE {{where}}
WINDOW w AS (PARTITION BY o.enterprise_id, o.kpi_id ORDER BY o.month)
"""


OUTCOMES = register(
    Family(
        name="outcomes",
        lock=0,
        queue=QUEUE,
        builds={STEPS: (STEPS_SQL, "a.enterprise_id"), POINTS: (POINTS_SQL, "o.enterprise_id")},
        watched={
            "outcomes_assessment": "SELECT {row}.enterprise_id AS e{from}",
            "outcomes_kpiobservation": "SELECT {row}.enterprise_id AS e{from}",
            "outcomes_practiceanswer": (
                "SELECT a.enterprise_id AS e FROM outcomes_assessment a{also} "
                "WHERE a.id = {row}.assessment_id"
            ),
        },
    )
)
