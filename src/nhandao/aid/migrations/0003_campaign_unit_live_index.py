"""A covering index of the live gifts of a campaign by owning unit (coverage and results of a province)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("aid", "0002_initial")]

    operations = [
        migrations.AddIndex(
            model_name="aidrecord",
            index=models.Index(
                condition=models.Q(("voided_at__isnull", True)),
                fields=["campaign", "unit"],
                include=("person", "household", "value"),
                name="aid_campaign_unit_live",
            ),
        ),
    ]
