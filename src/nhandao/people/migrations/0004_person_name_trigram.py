"""A trigram index on ``people_person.name_key`` (PostgreSQL only).

Every name search of the app is ``name_key LIKE '%fragment%'`` (``name_key__contains``: the
person list, the member and volunteer lists, the blood check-in desk). No b-tree serves a
pattern that starts with a wildcard, so on a national registry PostgreSQL walked the whole table
(17 s for a rare name over 2 million donors). A GIN index with ``gin_trgm_ops`` answers such a
``LIKE`` from the trigrams of the fragment (three characters or more). SQLite has no such index
and keeps its table scan; the migration does nothing there.

The index is declared here rather than in ``Person.Meta.indexes`` because a GIN operator class
exists on PostgreSQL alone and the model is shared by both databases.
"""

from __future__ import annotations

from django.db import migrations

INDEX = "person_name_trgm"


def create(apps, schema_editor):  # noqa: ANN001, ANN201
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")
            if cursor.fetchone() is None:
                raise RuntimeError(
                    "PostgreSQL lacks the pg_trgm extension (Debian: postgresql-contrib); "
                    "install it, then migrate again."
                )
            # pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create
            # it. Otherwise a superuser runs this statement once and the migration goes on.
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON people_person USING gin (name_key gin_trgm_ops)"
        )


def drop(apps, schema_editor):  # noqa: ANN001, ANN201
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_person_plain_indexes"),
    ]

    operations = [
        migrations.RunPython(create, drop, elidable=False),
    ]
