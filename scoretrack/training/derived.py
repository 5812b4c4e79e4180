"""The derived rows the SME reach figures read: `Attendance`.

The SME reach figures count distinct enterprises over `training.Attendance`,
one row per (enterprise, delivery) attended, with the delivery's module,
country, organiser and date beside it, instead of over every participation
joined to its delivery. Kept exact by triggers on participants and deliveries
and rebuilt per enterprise (`scoretrack.lib.derived`).
"""

from __future__ import annotations

from scoretrack.lib.derived import Family, register

ATTENDANCES = "training_attendance"
ATTENDANCE_QUEUE = "training_attendancequeue"

# Each (enterprise, delivery) with participants, the delivery's facts beside it.
ATTENDANCE_SQL = f"""
INSERT INTO {ATTENDANCES} (enterprise_id, delivery_id, module_id, country_id, organiser_id,
    start_date, eit, eit_female, eit_male, sex_known, rated)
SELECT p.enterprise_id, p.delivery_id, d.module_id, d.country_id, d.organiser_id, d.start_date,
    MAX(CASE WHEN p.eit_member THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.eit_member AND p.sex = 'female' THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.eit_member AND p.sex = 'male' THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.sex IN ('female', 'male') THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.satisfaction IS NOT NULL THEN 1 ELSE 0 END) = 1
FROM training_participant p
JOIN training_delivery d ON d.id = p.delivery_id
WHERE {{where}}
GROUP BY p.enterprise_id, p.delivery_id, d.module_id, d.country_id, d.organiser_id, d.start_date
"""

# The attendances summed across enterprises (`ModuleTally`), per country of the
# delivery (NULL: any country) and fixed period of its start: all time, each phase
# and year. `firms`: enterprises trained there in the period; `multi`: those of
# them whose distinct modules by the period's end (a module counts from its first
# attendance, `f`; dates compared as ISO text, the same on both databases) are two
# or more. `{sign}` adds (1) or takes away (-1) the contribution of the
# attendances `{where}` (alias `s`, narrowing `s.enterprise_id`).
TALLY = "training_moduletally"
_YEAR = "SUBSTR(CAST(s.start_date AS TEXT), 1, 4)"
_KEY = "kind, period_key, period_start, period_end"
TALLY_SQL = (
    f"INSERT INTO {TALLY} (country_id, {_KEY}, firms, multi) "
    "WITH s AS (SELECT s.enterprise_id, s.module_id, s.country_id, s.start_date "
    "FROM training_attendance s WHERE {where}), "
    "f AS (SELECT enterprise_id, module_id, MIN(start_date) AS first FROM s "
    "GROUP BY enterprise_id, module_id), "
    "p AS (SELECT s.enterprise_id, s.country_id, 'all' AS kind, '' AS period_key, "
    "CAST(NULL AS DATE) AS period_start, CAST(NULL AS DATE) AS period_end, "
    "'9999-12-31' AS upto FROM s"
    f" UNION SELECT s.enterprise_id, s.country_id, 'year', {_YEAR}, NULL, NULL, "
    f"{_YEAR} || '-12-31' FROM s"
    " UNION SELECT s.enterprise_id, s.country_id, 'phase', CAST(ph.id AS TEXT), "
    "ph.start_date, ph.end_date, CAST(ph.end_date AS TEXT) FROM s "
    "JOIN reference_phase ph ON s.start_date >= ph.start_date AND s.start_date <= ph.end_date), "
    f"m AS (SELECT p.enterprise_id, p.country_id, p.{_KEY.replace(', ', ', p.')}, "
    "COUNT(*) AS modules FROM p JOIN f ON f.enterprise_id = p.enterprise_id "
    "AND CAST(f.first AS TEXT) <= p.upto "
    f"GROUP BY p.enterprise_id, p.country_id, p.{_KEY.replace(', ', ', p.')}) "
    f"SELECT country_id, {_KEY}, {{sign}} * COUNT(*), "
    "{sign} * SUM(CASE WHEN modules >= 2 THEN 1 ELSE 0 END) "
    f"FROM m GROUP BY country_id, {_KEY} "
    f"UNION ALL SELECT NULL, {_KEY}, {{sign}} * COUNT(DISTINCT enterprise_id), "
    "{sign} * COUNT(DISTINCT CASE WHEN modules >= 2 THEN enterprise_id END) "
    f"FROM m GROUP BY {_KEY}"
)
TALLY_KEY = ("country_id", "kind", "period_key", "period_start", "period_end")
TALLY_SUMS = ("firms", "multi")

# The tally's phases are not the phases now (outcomes/derived.py says why): the
# whole family is rebuilt.
STALE = (
    f"SELECT 1 FROM {TALLY} t WHERE t.kind = 'phase' AND NOT EXISTS ("
    "SELECT 1 FROM reference_phase ph WHERE CAST(ph.id AS TEXT) = t.period_key "
    "AND ph.start_date = t.period_start AND ph.end_date = t.period_end) "
    "UNION ALL SELECT 1 FROM reference_phase ph WHERE NOT EXISTS ("
    f"SELECT 1 FROM {TALLY} t WHERE t.kind = 'phase' AND t.period_key = CAST(ph.id AS TEXT)) "
    "AND EXISTS (SELECT 1 FROM training_attendance s "
    "WHERE s.start_date >= ph.start_date AND s.start_date <= ph.end_date)"
)

ATTENDANCE = register(
    Family(
        name="attendance",
        lock=1,
        queue=ATTENDANCE_QUEUE,
        builds={ATTENDANCES: (ATTENDANCE_SQL, "p.enterprise_id")},
        watched={
            "training_participant": "SELECT {row}.enterprise_id AS e{from}",
            # A delivery moved to another module, country, organiser or date: every
            # enterprise attending it (deleting one deletes its participants first).
            "training_delivery": (
                "SELECT p.enterprise_id AS e FROM training_participant p{also} "
                "WHERE p.delivery_id = {row}.id"
            ),
            # A phase's change (new, moved, deleted): every firm trained is queued
            # and the refresh, finding the tally's phases stale, rebuilds all.
            "reference_phase": "SELECT s.enterprise_id AS e FROM training_attendance s{also}",
        },
        columns={
            "training_delivery": ("module_id", "country_id", "organiser_id", "start_date"),
            "reference_phase": ("start_date", "end_date"),
        },
        tallies={TALLY: TALLY_SQL},
        tally_columns={TALLY: (TALLY_KEY, TALLY_SUMS)},
        stale=STALE,
        # (the outcome family watches the phases too)
        trigger_names={"reference_phase": "reference_phase_attendance_queue"},
    )
)
