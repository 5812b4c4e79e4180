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
    start_date, eit, eit_female, eit_male, sex_known, rated,
    owner_known, union_known, agreement_known, workforce_known)
SELECT p.enterprise_id, p.delivery_id, d.module_id, d.country_id, d.organiser_id, d.start_date,
    MAX(CASE WHEN p.eit_member THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.eit_member AND p.sex = 'female' THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.eit_member AND p.sex = 'male' THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.sex IN ('female', 'male') THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.satisfaction IS NOT NULL THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN e.women_owned IS NOT NULL THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN e.unionised IS NOT NULL THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN e.collective_agreement IS NOT NULL THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN e.workforce_female IS NOT NULL OR e.workforce_male IS NOT NULL
        THEN 1 ELSE 0 END) = 1
FROM training_participant p
JOIN training_delivery d ON d.id = p.delivery_id
JOIN enterprises_enterprise e ON e.id = p.enterprise_id
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

# The attendances' firms summed across enterprises (`AttendanceTally`), for
# disclosure control's counts of the SME family: per country of the delivery and
# module (each NULL: any) and fixed period of the start date: all time, each phase
# ('' for dates in none: their firms count as the rest of a partition), year,
# half-year and quarter. `firms`: enterprises with an attendance there; the others:
# those of them whose attendances there say the fact (the enterprise's copied
# facts are the same on each of its rows). `{sign}` and `{where}` as above; dates
# cut as ISO text, the same SQL on both databases.
FIRMS_TALLY = "training_attendancetally"
_Y = "CAST(SUBSTR(CAST(s.start_date AS TEXT), 1, 4) AS INTEGER)"
_M = "CAST(SUBSTR(CAST(s.start_date AS TEXT), 6, 2) AS INTEGER)"
FLAGS = (
    "owner_known",
    "union_known",
    "agreement_known",
    "workforce_known",
    "eit",
    "sex_known",
    "rated",
)
FIRMS_TALLY_KEY = ("country_id", "module_id", "kind", "period_key", "period_start", "period_end")
FIRMS_TALLY_SUMS = ("firms", *FLAGS)


def _firm_sums(sign: str) -> str:
    flags = ", ".join(
        f"{sign} * COUNT(DISTINCT CASE WHEN {flag} THEN enterprise_id END)" for flag in FLAGS
    )
    return f"{sign} * COUNT(DISTINCT enterprise_id), {flags}"


def _firm_level(country: str, module: str) -> str:
    group = ", ".join(c for c in (country, module) if c != "NULL")
    return (
        f"SELECT {country}, {module}, {_KEY}, {_firm_sums('{sign}')} FROM p "
        f"GROUP BY {group + ', ' if group else ''}{_KEY}"
    )


FIRMS_TALLY_SQL = (
    f"INSERT INTO {FIRMS_TALLY} ({', '.join(FIRMS_TALLY_KEY)}, {', '.join(FIRMS_TALLY_SUMS)}) "
    "WITH s AS (SELECT s.enterprise_id, s.module_id, s.country_id, s.start_date, "
    f"{', '.join('s.' + flag for flag in FLAGS)} "
    "FROM training_attendance s WHERE {where}), "
    "p AS (SELECT s.*, 'all' AS kind, '' AS period_key, CAST(NULL AS DATE) AS period_start, "
    "CAST(NULL AS DATE) AS period_end FROM s"
    f" UNION ALL SELECT s.*, 'year', CAST({_Y} AS TEXT), NULL, NULL FROM s"
    f" UNION ALL SELECT s.*, 'half', CAST(({_Y} * 10 + CASE WHEN {_M} <= 6 THEN 1 ELSE 2 END)"
    " AS TEXT), NULL, NULL FROM s"
    f" UNION ALL SELECT s.*, 'quarter', CAST(({_Y} * 10 + ({_M} + 2) / 3) AS TEXT), NULL, NULL"
    " FROM s"
    " UNION ALL SELECT s.*, 'phase', COALESCE(CAST(ph.id AS TEXT), ''), ph.start_date, "
    "ph.end_date FROM s LEFT JOIN reference_phase ph "
    "ON s.start_date >= ph.start_date AND s.start_date <= ph.end_date) "
    + " UNION ALL ".join(
        _firm_level(country, module)
        for country in ("country_id", "NULL")
        for module in ("module_id", "NULL")
    )
)
FIRMS_STALE = (
    f"SELECT 1 FROM {FIRMS_TALLY} t WHERE t.kind = 'phase' AND t.period_key <> '' "
    "AND NOT EXISTS (SELECT 1 FROM reference_phase ph WHERE CAST(ph.id AS TEXT) = t.period_key "
    "AND ph.start_date = t.period_start AND ph.end_date = t.period_end) "
    "UNION ALL SELECT 1 FROM reference_phase ph WHERE NOT EXISTS ("
    f"SELECT 1 FROM {FIRMS_TALLY} t WHERE t.kind = 'phase' "
    "AND t.period_key = CAST(ph.id AS TEXT)) "
    "AND EXISTS (SELECT 1 FROM training_attendance s "
    "WHERE s.start_date >= ph.start_date AND s.start_date <= ph.end_date)"
)

# An enterprise's change of what its attendances copy (a fact becoming known or
# unknown): only such a change, as the old row's nullness against the row's now
# (the new row's never differs), on both databases.
_KNOWN = (
    ("women_owned",),
    ("unionised",),
    ("collective_agreement",),
    ("workforce_female", "workforce_male"),
)


def _known(row: str, columns: tuple[str, ...]) -> str:
    return "(" + " OR ".join(f"{row}.{column} IS NOT NULL" for column in columns) + ")"


ENTERPRISE_FACTS = (
    "SELECT {row}.id AS e{from} WHERE EXISTS (SELECT 1 FROM training_attendance a "
    "WHERE a.enterprise_id = {row}.id) AND EXISTS (SELECT 1 FROM enterprises_enterprise x "
    "WHERE x.id = {row}.id AND ("
    + " OR ".join(
        f"CASE WHEN {_known('{row}', columns)} THEN 1 ELSE 0 END <> "
        f"CASE WHEN {_known('x', columns)} THEN 1 ELSE 0 END"
        for columns in _KNOWN
    )
    + "))"
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
            # An enterprise's ownership, union, agreement or workforce becoming known
            # or unknown: its attendances copy those facts (a deleted enterprise's
            # participants go first, queueing it).
            "enterprises_enterprise": ENTERPRISE_FACTS,
        },
        columns={
            "training_delivery": ("module_id", "country_id", "organiser_id", "start_date"),
            "reference_phase": ("start_date", "end_date"),
            "enterprises_enterprise": (
                "women_owned",
                "unionised",
                "collective_agreement",
                "workforce_female",
                "workforce_male",
            ),
        },
        events={"enterprises_enterprise": ("update",)},
        tallies={TALLY: TALLY_SQL, FIRMS_TALLY: FIRMS_TALLY_SQL},
        tally_columns={
            TALLY: (TALLY_KEY, TALLY_SUMS),
            FIRMS_TALLY: (FIRMS_TALLY_KEY, FIRMS_TALLY_SUMS),
        },
        stale=f"{STALE} UNION ALL {FIRMS_STALE}",
        # (the outcome family watches the phases and the enterprises too)
        trigger_names={
            "reference_phase": "reference_phase_attendance_queue",
            "enterprises_enterprise": "enterprises_enterprise_attendance_queue",
        },
    )
)
