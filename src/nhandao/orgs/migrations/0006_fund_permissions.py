"""Fund permissions: recording donations (officers, data entry) and managing funds (officers), and
both to the roles that hold every permission. Re-runnable; an admin's own edits are kept."""

from django.db import migrations

NEW = ["donation.record", "fund.manage"]
BY_ROLE = {
    "system_admin": NEW,
    "unit_admin": NEW,
    "officer": NEW,
    "data_entry": ["donation.record"],
}


def forward(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for role in Role.objects.filter(code__in=BY_ROLE):
        missing = [p for p in BY_ROLE[role.code] if p not in role.permissions]
        if missing:
            role.permissions = [*role.permissions, *missing]
            role.save(update_fields=["permissions"])


def backward(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for role in Role.objects.all():
        kept = [p for p in role.permissions if p not in NEW]
        if kept != role.permissions:
            role.permissions = kept
            role.save(update_fields=["permissions"])


class Migration(migrations.Migration):
    dependencies = [("orgs", "0005_campaign_and_aid_permissions")]
    operations = [migrations.RunPython(forward, backward)]
