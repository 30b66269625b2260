"""VACUUM ANALYZE ``members_member`` after the backfill of 0004 (PostgreSQL only).

The backfill rewrote every member with dues (2.5 million rows of 4.5 million in the people
bench): until the table is vacuumed its visibility map is clear, so the index-only scans the
member counts and lists rely on read the heap again (the province's counts took 2 s instead of
0.1 s). Autovacuum would get there in time, when it is on; this does it at once. VACUUM cannot
run inside a transaction, hence a migration of its own, not atomic.
"""

from __future__ import annotations

from django.db import migrations


def vacuum(apps, schema_editor):  # noqa: ANN001, ANN201
    connection = schema_editor.connection
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE members_member")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("members", "0004_member_list_keys"),
    ]

    operations = [
        migrations.RunPython(vacuum, migrations.RunPython.noop, atomic=False, elidable=True),
    ]
