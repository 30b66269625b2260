"""Background jobs of campaigns: take ids, call one function."""

from __future__ import annotations

from django_tasks import task


@task()
def refresh_summary(campaign_id: int) -> None:
    from .models import Campaign
    from .summary import refresh

    campaign = Campaign.objects.select_related("unit").filter(pk=campaign_id).first()
    if campaign is not None:
        refresh(campaign=campaign)
