"""Seed the thresholds of Circular 26/2013/TT-BYT and the honour rules. Re-runnable: rows an
administrator has changed are kept."""

import datetime as dt

from django.db import migrations

from nhandao.blood.rules_seed import FAMILY_HONOURS, PERSON_HONOURS


def seed(apps, schema_editor):
    BloodRules = apps.get_model("blood", "BloodRules")
    HonourRule = apps.get_model("blood", "HonourRule")
    BloodRules.objects.get_or_create(valid_from=dt.date(2013, 8, 12))
    for scope, rows in (("person", PERSON_HONOURS), ("family", FAMILY_HONOURS)):
        for threshold, award, body in rows:
            HonourRule.objects.get_or_create(
                scope=scope,
                threshold=threshold,
                defaults={"award": award, "awarding_body": body},
            )


def unseed(apps, schema_editor):
    apps.get_model("blood", "HonourRule").objects.filter(honours__isnull=True).delete()
    apps.get_model("blood", "BloodRules").objects.filter(valid_from=dt.date(2013, 8, 12)).delete()


class Migration(migrations.Migration):
    dependencies = [("blood", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
