"""Two copies on ``members_member`` for the lists of a province (issue 7): ``last_dues_year``,
the latest year with dues recorded (from ``members_dues``), and ``name_key``, the person's name
search key (from ``people_person``), filled in one pass; then the indexes ``member_unit_dues``
(unit, status, last_dues_year), in place of ``member_unit_status`` (unit, status), its prefix,
and ``member_unit_name`` (unit → status, name_key, id). The indexes are built after the backfill
(one sorted build each, not one index insertion per updated row)."""

from __future__ import annotations

from django.db import migrations, models

BACKFILL = """
UPDATE members_member SET name_key = p.name_key,
  last_dues_year = (SELECT MAX(d.year) FROM members_dues d WHERE d.member_id = members_member.id)
FROM people_person p WHERE p.id = members_member.person_id
"""


def backfill(apps, schema_editor):  # noqa: ANN001, ANN201
    # UPDATE … FROM: PostgreSQL, and SQLite from 3.33.
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(BACKFILL)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0003_member_unit_counts"),
    ]

    operations = [
        migrations.AddField(
            model_name="member",
            name="last_dues_year",
            field=models.PositiveSmallIntegerField(
                blank=True, editable=False, null=True, verbose_name="năm hội phí gần nhất"
            ),
        ),
        migrations.AddField(
            model_name="member",
            name="name_key",
            field=models.CharField(default="", editable=False, max_length=150),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
        migrations.RemoveIndex(
            model_name="member",
            name="member_unit_status",
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["unit", "status", "last_dues_year"],
                include=("id",),
                name="member_unit_dues",
            ),
        ),
        migrations.AddIndex(
            model_name="member",
            index=models.Index(
                fields=["unit"], include=("status", "name_key", "id"), name="member_unit_name"
            ),
        ),
    ]
