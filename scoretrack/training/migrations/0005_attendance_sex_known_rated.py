from django.db import migrations, models

# The rows already derived get their flags from their participants (new rows are
# built with them by training/derived.py).
FILL = """
UPDATE training_attendance SET
    sex_known = EXISTS (
        SELECT 1 FROM training_participant p
        WHERE p.enterprise_id = training_attendance.enterprise_id
          AND p.delivery_id = training_attendance.delivery_id
          AND p.sex IN ('female', 'male')
    ),
    rated = EXISTS (
        SELECT 1 FROM training_participant p
        WHERE p.enterprise_id = training_attendance.enterprise_id
          AND p.delivery_id = training_attendance.delivery_id
          AND p.satisfaction IS NOT NULL
    )
"""


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
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
    ]
