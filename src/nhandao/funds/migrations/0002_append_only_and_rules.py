"""The ledger is append-only in the database too: a trigger refuses any UPDATE of an entry (and,
on PostgreSQL, any DELETE; SQLite's test flush deletes rows, so there the model and queryset
refuse it). Seeds the Decree 93/2021 windows as the first rules row."""

import datetime as dt

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION funds_entry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'funds_entry is append-only: %% refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER funds_entry_append_only BEFORE UPDATE OR DELETE ON funds_entry
    FOR EACH ROW EXECUTE FUNCTION funds_entry_append_only();
"""
PG_DOWN = """
DROP TRIGGER IF EXISTS funds_entry_append_only ON funds_entry;
DROP FUNCTION IF EXISTS funds_entry_append_only();
"""
SQLITE_UP = """
CREATE TRIGGER funds_entry_append_only BEFORE UPDATE ON funds_entry
BEGIN
    SELECT RAISE(ABORT, 'funds_entry is append-only: UPDATE refused');
END;
"""
SQLITE_DOWN = "DROP TRIGGER IF EXISTS funds_entry_append_only;"


def triggers_up(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UP)


def triggers_down(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_DOWN)


def seed_rules(apps, schema_editor):
    FundRules = apps.get_model("funds", "FundRules")
    FundRules.objects.get_or_create(valid_from=dt.date(2021, 12, 1))


class Migration(migrations.Migration):
    dependencies = [("funds", "0001_initial")]
    operations = [
        migrations.RunPython(triggers_up, triggers_down),
        migrations.RunPython(seed_rules, migrations.RunPython.noop),
    ]
