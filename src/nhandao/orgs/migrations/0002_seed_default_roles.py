"""Seed the seven default roles. Re-runnable: existing roles (perhaps edited by an admin) are kept."""

from django.db import migrations

from nhandao.orgs.permissions import DEFAULT_ROLES


def seed(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for spec in DEFAULT_ROLES:
        Role.objects.get_or_create(code=spec["code"], defaults={k: v for k, v in spec.items() if k != "code"})


def unseed(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    Role.objects.filter(code__in=[s["code"] for s in DEFAULT_ROLES], assignments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
