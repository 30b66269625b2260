"""Seed the beneficiary groups; re-runnable, keeps groups an administrator has edited."""

from django.db import migrations

from nhandao.beneficiaries.groups import DEFAULT_GROUPS


def seed(apps, schema_editor):
    Group = apps.get_model("beneficiaries", "BeneficiaryGroup")
    for rank, (code, name, sensitive) in enumerate(DEFAULT_GROUPS, 1):
        Group.objects.get_or_create(code=code, defaults={"name": name, "sensitive": sensitive,
                                                         "rank": rank * 10})


def unseed(apps, schema_editor):
    Group = apps.get_model("beneficiaries", "BeneficiaryGroup")
    Group.objects.filter(code__in=[g[0] for g in DEFAULT_GROUPS], beneficiaries=None).delete()


class Migration(migrations.Migration):
    dependencies = [("beneficiaries", "0002_initial")]
    operations = [migrations.RunPython(seed, unseed)]
