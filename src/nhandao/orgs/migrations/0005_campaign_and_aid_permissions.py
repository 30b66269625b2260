"""Campaign and aid permissions: added to the roles that hold every permission and to officers,
and the role of a partner organisation's login. Re-runnable; an admin's own edits are kept."""

from django.db import migrations

NEW = ["campaign.manage", "aid.override", "aid.partner"]
OFFICER_NEW = ["campaign.manage", "aid.override"]
PARTNER_ORG = {
    "name": "Tổ chức, doanh nghiệp phối hợp",
    "rank": 80,
    "requires_2fa": False,
    "permissions": ["aid.partner"],
}


def _add(role, perms):
    missing = [p for p in perms if p not in role.permissions]
    if missing:
        role.permissions = [*role.permissions, *missing]
        role.save(update_fields=["permissions"])


def forward(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for role in Role.objects.filter(code__in=["system_admin", "unit_admin"]):
        _add(role, NEW)
    for role in Role.objects.filter(code="officer"):
        _add(role, OFFICER_NEW)
    Role.objects.get_or_create(code="partner_org", defaults=PARTNER_ORG)


def backward(apps, schema_editor):
    Role = apps.get_model("orgs", "Role")
    for role in Role.objects.all():
        kept = [p for p in role.permissions if p not in NEW]
        if kept != role.permissions:
            role.permissions = kept
            role.save(update_fields=["permissions"])
    Role.objects.filter(code="partner_org", assignments__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_unit_depth_path_index")]
    operations = [migrations.RunPython(forward, backward)]
