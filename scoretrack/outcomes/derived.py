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
TALLY = "outcomes_practicetally"
KPI_TALLY = "outcomes_kpitally"
SERIES_TALLY = "outcomes_kpiseriestally"

# For each (enterprise, practice), its answers ordered baselines first, by date:
# the first row is the earliest baseline answer; each progress answer's next row is
# the next progress answer. Kept: progress answers dated after the earliest baseline.
STEPS_SQL = f"""
INSERT INTO {STEPS} (enterprise_id, practice_id, date, before, after, next_date, country_id)
SELECT enterprise_id, practice_id, date, before, in_place, next_date, country_id FROM (
    SELECT a.enterprise_id, pa.practice_id, a.kind, a.date, pa.in_place, e.country_id,
        FIRST_VALUE(pa.in_place) OVER w AS before,
        MIN(CASE WHEN a.kind = 'baseline' THEN a.date END) OVER (
            PARTITION BY a.enterprise_id, pa.practice_id
        ) AS baseline_date,
        LEAD(a.date) OVER w AS next_date
    FROM outcomes_practiceanswer pa
    JOIN outcomes_assessment a ON a.id = pa.assessment_id
    JOIN enterprises_enterprise e ON e.id = a.enterprise_id
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
    (enterprise_id, kpi_id, month, value, first_value, rank, prev_month, next_month, country_id)
SELECT o.enterprise_id, o.kpi_id, o.month, o.value,
    FIRST_VALUE(o.value) OVER w, ROW_NUMBER() OVER w, LAG(o.month) OVER w, LEAD(o.month) OVER w,
    e.country_id
FROM outcomes_kpiobservation o
JOIN enterprises_enterprise e ON e.id = o.enterprise_id
WHERE {{where}}
WINDOW w AS (PARTITION BY o.enterprise_id, o.kpi_id ORDER BY o.month)
"""


# The practice steps summed across enterprises (`PracticeTally`), per country of the
# enterprise, practice (NULL: any practice) and fixed period of the step's date: all
# time, each phase, year, half-year and quarter. `firms`: enterprises with a step
# dated in the period; `pairs`, `had`, `gained`: the latest steps in it (no next
# step up to its end), those in place at baseline, those newly in place. `{sign}`
# adds (1) or takes away (-1) the contribution of the steps `{where}`; steps in no
# phase have phase '' (their firms count as the rest of a partition). Dates are
# cut as text (ISO on both databases): the SQL is the same on both.
_YEAR = "CAST(SUBSTR(CAST({d} AS TEXT), 1, 4) AS INTEGER)"
_MONTH = "CAST(SUBSTR(CAST({d} AS TEXT), 6, 2) AS INTEGER)"
_HALF = f"({_YEAR} * 10 + CASE WHEN {_MONTH} <= 6 THEN 1 ELSE 2 END)"
_QUARTER = f"({_YEAR} * 10 + ({_MONTH} + 2) / 3)"


def _periods(kind: str, expression: str) -> str:
    """The steps with their `kind` period's key, and whether each is the latest in it."""
    mine = expression.format(d="s.date")
    theirs = expression.format(d="s.next_date")
    return (
        f"SELECT s.*, '{kind}' AS kind, CAST({mine} AS TEXT) AS period_key, "
        f"CAST(NULL AS DATE) AS period_start, CAST(NULL AS DATE) AS period_end, "
        f"CASE WHEN s.next_date IS NULL OR {theirs} > {mine} THEN 1 ELSE 0 END AS latest FROM s"
    )


def _sums(sign: str) -> str:
    return (
        f"{sign} * COUNT(DISTINCT enterprise_id), "
        f"{sign} * SUM(CASE WHEN latest = 1 AND before THEN 1 ELSE 0 END), "
        f"{sign} * SUM(CASE WHEN latest = 1 AND after AND NOT before THEN 1 ELSE 0 END), "
        f"{sign} * SUM(latest)"
    )


_KEY = "kind, period_key, period_start, period_end"
TALLY_SQL = (
    f"INSERT INTO {TALLY} (country_id, practice_id, kind, period_key, period_start, "
    "period_end, firms, had, gained, pairs) "
    "WITH s AS (SELECT s.enterprise_id, s.practice_id, s.date, s.next_date, s.before, "
    "s.after, s.country_id FROM outcomes_practicestep s WHERE {where}), "
    "p AS ("
    "SELECT s.*, 'all' AS kind, '' AS period_key, CAST(NULL AS DATE) AS period_start, "
    "CAST(NULL AS DATE) AS period_end, "
    "CASE WHEN s.next_date IS NULL THEN 1 ELSE 0 END AS latest FROM s"
    f" UNION ALL {_periods('year', _YEAR)}"
    f" UNION ALL {_periods('half', _HALF)}"
    f" UNION ALL {_periods('quarter', _QUARTER)}"
    " UNION ALL SELECT s.*, 'phase' AS kind, COALESCE(CAST(ph.id AS TEXT), '') AS period_key, "
    "ph.start_date AS period_start, ph.end_date AS period_end, "
    "CASE WHEN s.next_date IS NULL OR s.next_date > ph.end_date THEN 1 ELSE 0 END AS latest "
    "FROM s LEFT JOIN reference_phase ph ON s.date >= ph.start_date AND s.date <= ph.end_date"
    ") "
    f"SELECT country_id, practice_id, {_KEY}, {_sums('{sign}')} FROM p "
    f"GROUP BY country_id, practice_id, {_KEY} "
    f"UNION ALL SELECT country_id, NULL, {_KEY}, {_sums('{sign}')} FROM p "
    f"GROUP BY country_id, {_KEY}"
)

# The tally's phases are not the phases now: a phase counted under other dates or
# gone, or one without rows while steps are dated in it (new, or moved onto them).
# Taking away an enterprise's old steps under the new dates would be wrong: the
# whole tally is rebuilt instead.
STALE = (
    f"SELECT 1 FROM {TALLY} t WHERE t.kind = 'phase' AND t.period_key <> '' AND NOT EXISTS ("
    "SELECT 1 FROM reference_phase ph WHERE CAST(ph.id AS TEXT) = t.period_key "
    "AND ph.start_date = t.period_start AND ph.end_date = t.period_end) "
    "UNION ALL SELECT 1 FROM reference_phase ph WHERE NOT EXISTS ("
    f"SELECT 1 FROM {TALLY} t WHERE t.kind = 'phase' AND t.period_key = CAST(ph.id AS TEXT)) "
    "AND EXISTS (SELECT 1 FROM outcomes_practicestep s "
    "WHERE s.date >= ph.start_date AND s.date <= ph.end_date)"
)

# The KPI points summed across enterprises (`KpiTally`), per country of the
# enterprise, KPI and fixed period: all time and each phase (a series' state at a
# year's end may rest on a point of any earlier year: years are read from the
# points). Per period: of the series' states at its end (the point with no next
# month up to it), those observed in six months or more (`series`) and of them
# those better than their first value (`improved`); of the points dated in it,
# how many (`points`) and the latest value minus the first of each series with
# both ends in it (`gain`, as jobs_created counts it). `{sign}` and `{where}` as
# for the practice tally.
_UP = (
    "CASE WHEN s.rank >= 6 AND ((k.better = 'higher' AND s.value > s.first_value) "
    "OR (k.better = 'lower' AND s.value < s.first_value)) THEN 1 ELSE 0 END"
)
_PHASE = "CAST(ph.id AS TEXT), ph.start_date, ph.end_date"
KPI_TALLY_SQL = (
    f"INSERT INTO {KPI_TALLY} (country_id, kpi_id, better, kind, period_key, period_start, "
    "period_end, series, improved, points, gain) "
    "WITH s AS (SELECT s.kpi_id, k.better, s.month, s.value, s.prev_month, s.next_month, "
    "s.country_id, "
    f"CASE WHEN s.rank >= 6 THEN 1 ELSE 0 END AS enough, {_UP} AS up "
    "FROM outcomes_kpipoint s JOIN outcomes_kpi k ON k.id = s.kpi_id WHERE {where}), "
    "p AS ("
    "SELECT country_id, kpi_id, better, 'all' AS kind, '' AS period_key, "
    "CAST(NULL AS DATE) AS period_start, CAST(NULL AS DATE) AS period_end, "
    "CASE WHEN next_month IS NULL THEN enough ELSE 0 END AS series, "
    "CASE WHEN next_month IS NULL THEN up ELSE 0 END AS improved, 1 AS points, "
    "CASE WHEN next_month IS NULL AND prev_month IS NOT NULL THEN value "
    "WHEN prev_month IS NULL AND next_month IS NOT NULL THEN -value ELSE 0 END AS gain FROM s"
    f" UNION ALL SELECT s.country_id, s.kpi_id, s.better, 'phase', {_PHASE}, s.enough, s.up, 0, 0 "
    "FROM s JOIN reference_phase ph ON s.month <= ph.end_date "
    "AND (s.next_month IS NULL OR s.next_month > ph.end_date)"
    f" UNION ALL SELECT s.country_id, s.kpi_id, s.better, 'phase', {_PHASE}, 0, 0, 1, "
    "CASE WHEN (s.next_month IS NULL OR s.next_month > ph.end_date) "
    "AND s.prev_month >= ph.start_date THEN s.value "
    "WHEN (s.prev_month IS NULL OR s.prev_month < ph.start_date) "
    "AND s.next_month <= ph.end_date THEN -s.value ELSE 0 END "
    "FROM s JOIN reference_phase ph ON s.month >= ph.start_date AND s.month <= ph.end_date"
    ") "
    "SELECT country_id, kpi_id, better, kind, period_key, period_start, period_end, "
    "{sign} * SUM(series), {sign} * SUM(improved), {sign} * SUM(points), {sign} * SUM(gain) "
    "FROM p GROUP BY country_id, kpi_id, better, kind, period_key, period_start, period_end"
)
KPI_TALLY_KEY = (
    "country_id",
    "kpi_id",
    "better",
    "kind",
    "period_key",
    "period_start",
    "period_end",
)
KPI_TALLY_SUMS = ("series", "improved", "points", "gain")

# ... and the KPI tally's: a KPI counted in another better direction (taking a
# firm's old contribution away under the new direction would be wrong), a phase
# counted under other dates, or one it has no row for while a point is dated in
# it or a long series' state falls in it.
KPI_STALE = (
    f"SELECT 1 FROM {KPI_TALLY} t JOIN outcomes_kpi k ON k.id = t.kpi_id "
    "WHERE t.better <> k.better UNION ALL "
    f"SELECT 1 FROM {KPI_TALLY} t WHERE t.kind = 'phase' AND NOT EXISTS ("
    "SELECT 1 FROM reference_phase ph WHERE CAST(ph.id AS TEXT) = t.period_key "
    "AND ph.start_date = t.period_start AND ph.end_date = t.period_end) "
    "UNION ALL SELECT 1 FROM reference_phase ph WHERE NOT EXISTS ("
    f"SELECT 1 FROM {KPI_TALLY} t WHERE t.kind = 'phase' AND t.period_key = CAST(ph.id AS TEXT)) "
    "AND EXISTS (SELECT 1 FROM outcomes_kpipoint s "
    "WHERE (s.month >= ph.start_date AND s.month <= ph.end_date) OR (s.rank >= 6 "
    "AND s.month <= ph.end_date AND (s.next_month IS NULL OR s.next_month > ph.end_date)))"
)

# The firms whose KPI series first count in each month (`KpiSeriesTally`), per
# country of the enterprise and KPI (NULL: any KPI, the firm's earliest series):
# `sixth` from the month of a series' sixth observation, `changed` from the month of
# its first observation six months or more after its first (months as year * 12 +
# month, read from the ISO text on both databases; months are first days), when its
# first value is not 0. Disclosure control counts the firms of a period's end as the
# sum of the rows up to it. `{sign}` and `{where}` as for the practice tally.
_MONTHS = (
    "(CAST(SUBSTR(CAST({0} AS TEXT), 1, 4) AS INTEGER) * 12 "
    "+ CAST(SUBSTR(CAST({0} AS TEXT), 6, 2) AS INTEGER))"
)
SERIES_TALLY_SQL = (
    f"INSERT INTO {SERIES_TALLY} (country_id, kpi_id, month, sixth, changed) "
    "WITH s AS (SELECT s.enterprise_id, s.kpi_id, s.country_id, s.month, s.rank, "
    "s.first_value FROM outcomes_kpipoint s WHERE {where}), "
    f"f AS (SELECT enterprise_id, kpi_id, {_MONTHS.format('month')} AS first "
    "FROM s WHERE rank = 1), "
    "c AS (SELECT s.enterprise_id, s.kpi_id, s.country_id, "
    "MIN(CASE WHEN s.rank = 6 THEN s.month END) AS sixth, "
    f"MIN(CASE WHEN s.first_value <> 0 AND {_MONTHS.format('s.month')} - f.first >= 6 "
    "THEN s.month END) AS changed "
    "FROM s JOIN f ON f.enterprise_id = s.enterprise_id AND f.kpi_id = s.kpi_id "
    "GROUP BY s.enterprise_id, s.kpi_id, s.country_id), "
    "e AS (SELECT enterprise_id, country_id, MIN(sixth) AS sixth, MIN(changed) AS changed "
    "FROM c GROUP BY enterprise_id, country_id), "
    "m AS (SELECT country_id, kpi_id, sixth AS month, 1 AS sixth, 0 AS changed "
    "FROM c WHERE sixth IS NOT NULL "
    "UNION ALL SELECT country_id, kpi_id, changed, 0, 1 FROM c WHERE changed IS NOT NULL "
    "UNION ALL SELECT country_id, NULL, sixth, 1, 0 FROM e WHERE sixth IS NOT NULL "
    "UNION ALL SELECT country_id, NULL, changed, 0, 1 FROM e WHERE changed IS NOT NULL) "
    "SELECT country_id, kpi_id, month, {sign} * SUM(sixth), {sign} * SUM(changed) "
    "FROM m GROUP BY country_id, kpi_id, month"
)
SERIES_TALLY_KEY = ("country_id", "kpi_id", "month")
SERIES_TALLY_SUMS = ("sixth", "changed")

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
            # The tally counts a firm's steps in its country: a move is a change.
            # Only a move: the old row's country differs from the row's now (the
            # new row's never does), on both databases, whatever else changed.
            "enterprises_enterprise": (
                "SELECT {row}.id AS e{from} WHERE {row}.country_id <> "
                "(SELECT x.country_id FROM enterprises_enterprise x WHERE x.id = {row}.id)"
            ),
            # ... and so is a phase's change (new, moved, deleted): every firm with
            # steps is queued, and the refresh, finding the tally's phases stale
            # (STALE below), rebuilds all. Phases rarely change.
            # (The KPI tally's too: every firm with KPI points, once per series.)
            "reference_phase": (
                "SELECT s.enterprise_id AS e FROM outcomes_practicestep s{also} "
                "UNION SELECT s.enterprise_id AS e FROM outcomes_kpipoint s{also} "
                "WHERE s.rank = 1"
            ),
            # The KPI tally counts improvements in the KPI's better direction: a
            # change of it (only that) queues the firms observing the KPI, and the
            # refresh, finding the tally stale (KPI_STALE), rebuilds all.
            "outcomes_kpi": (
                "SELECT s.enterprise_id AS e FROM outcomes_kpipoint s{also} "
                "WHERE s.kpi_id = {row}.id AND s.rank = 1 AND {row}.better <> "
                "(SELECT x.better FROM outcomes_kpi x WHERE x.id = {row}.id)"
            ),
        },
        columns={
            "enterprises_enterprise": ("country_id",),
            "reference_phase": ("start_date", "end_date"),
            "outcomes_kpi": ("better",),
        },
        events={"enterprises_enterprise": ("update",), "outcomes_kpi": ("update",)},
        tallies={TALLY: TALLY_SQL, KPI_TALLY: KPI_TALLY_SQL, SERIES_TALLY: SERIES_TALLY_SQL},
        tally_columns={
            KPI_TALLY: (KPI_TALLY_KEY, KPI_TALLY_SUMS),
            SERIES_TALLY: (SERIES_TALLY_KEY, SERIES_TALLY_SUMS),
        },
        stale=f"{STALE} UNION ALL {KPI_STALE}",
    )
)
