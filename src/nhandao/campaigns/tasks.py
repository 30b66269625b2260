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


@task()
def freeze(campaign_id: int, actor_id: int | None) -> None:
    from nhandao.orgs.models import User

    from .services import freeze_run

    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    freeze_run(campaign_id=campaign_id, actor=actor)
