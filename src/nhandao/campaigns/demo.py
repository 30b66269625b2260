"""Demo campaign: Hà Nội launches the coming Tết Nhân ái, splits its target over its communes,
and Hoàn Kiếm records the first gifts, so the coverage page has something to work down.

Dates follow the day the demo is loaded (the window is open today). Idempotent."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from nhandao.core import lunar
from nhandao.orgs.models import Unit, User

from . import selectors, services
from .models import Campaign, CampaignKind


def _next_tet_year(today: dt.date) -> int:
    return today.year if lunar.tet_date(today.year) > today else today.year + 1


@transaction.atomic
def demo_seed() -> int:
    hanoi = Unit.objects.filter(short_code="P01").first()
    officer = User.objects.filter(username="hanoi.canbo").first()
    clerk = User.objects.filter(username="hoankiem.nhaplieu").first()
    if hanoi is None or officer is None:
        return 0
    today = timezone.localdate()
    year = _next_tet_year(today)
    if Campaign.objects.filter(unit=hanoi, kind=CampaignKind.TET, lunar_year=year).exists():
        return 0
    tet = lunar.tet_date(year)
    campaign = services.campaign_create(
        actor=officer,
        unit=hanoi,
        data=services.CampaignData(
            kind=CampaignKind.TET,
            lunar_year=year,
            theme="Không có người nghèo, người khó khăn nào không nhận được quà Tết",
            starts_on=today - dt.timedelta(days=10),
            ends_on=max(tet - dt.timedelta(days=services.TET_WINDOW_END_BEFORE), today)
            + dt.timedelta(days=30),
            groups=["poor", "near_poor", "lonely_elderly", "orphan", "agent_orange"],
            min_gift_value=500_000,
            description="Mỗi suất quà trị giá tối thiểu 500.000 đ, mỗi hộ một suất.",
        ),
    )
    campaign = services.campaign_launch(actor=officer, campaign=campaign)
    services.targets_split(
        actor=officer, campaign=campaign, parent=hanoi, metric="gifts", total=500
    )
    if clerk is not None:
        from nhandao.aid import services as aid

        unit = clerk.assignments.select_related("unit").first().unit  # type: ignore[union-attr]
        page = selectors.uncovered_list(campaign=campaign, unit=unit, limit=2)
        for person in page.people:
            aid.aid_record(
                actor=clerk,
                campaign=campaign,
                person=person,
                data=aid.AidData(
                    value=500_000,
                    given_on=today,
                    description="Gạo, dầu ăn, bánh chưng và 300.000 đ tiền mặt",
                    acknowledgement="signed_list",
                ),
            )
    return 1
