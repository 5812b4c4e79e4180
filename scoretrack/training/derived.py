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
        },
        columns={"training_delivery": ("module_id", "country_id", "organiser_id", "start_date")},
    )
)
