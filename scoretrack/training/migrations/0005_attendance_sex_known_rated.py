from importlib import import_module

from django.db import migrations, models

# The attendance rows also say whether a participant there gave their sex or rated
# the training; they are rebuilt with this SQL (copied here: history must not move
# with the code). The triggers are those of 0003, unchanged.
FAMILY = "attendance"
_0003 = import_module("scoretrack.training.migrations.0003_attendance_rows")
TRIGGERS = _0003.TRIGGERS
DROP_TRIGGERS = _0003.DROP_TRIGGERS

REBUILD = (
    'DELETE FROM training_attendancequeue',
    'DELETE FROM training_attendance',
    """
INSERT INTO training_attendance (enterprise_id, delivery_id, module_id, country_id, organiser_id,
    start_date, eit, eit_female, eit_male, sex_known, rated)
SELECT p.enterprise_id, p.delivery_id, d.module_id, d.country_id, d.organiser_id, d.start_date,
    MAX(CASE WHEN p.eit_member THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.eit_member AND p.sex = 'female' THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.eit_member AND p.sex = 'male' THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.sex IN ('female', 'male') THEN 1 ELSE 0 END) = 1,
    MAX(CASE WHEN p.satisfaction IS NOT NULL THEN 1 ELSE 0 END) = 1
FROM training_participant p
JOIN training_delivery d ON d.id = p.delivery_id
WHERE 1 = 1
GROUP BY p.enterprise_id, p.delivery_id, d.module_id, d.country_id, d.organiser_id, d.start_date
""",
)


def rebuild(apps, schema_editor):
    for statement in REBUILD:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0004_attendance_by_country"),
    ]

    operations = [
        migrations.AddField(
            model_name="attendance",
            name="sex_known",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="attendance",
            name="rated",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(rebuild, migrations.RunPython.noop),
    ]
