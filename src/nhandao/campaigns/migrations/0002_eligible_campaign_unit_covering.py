"""The (campaign, unit) index of the frozen lists carries the household and the person, so a
province's part of a national list is read from the index alone (PostgreSQL)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0001_initial")]

    operations = [
        migrations.RemoveIndex(model_name="eligibleentry", name="eligible_campaign_unit"),
        migrations.AddIndex(
            model_name="eligibleentry",
            index=models.Index(
                fields=["campaign", "unit"],
                include=("household", "person"),
                name="eligible_campaign_unit_cover",
            ),
        ),
    ]
