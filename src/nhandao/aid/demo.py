"""Demo partner: a business that gives Tết gifts through the Hà Nội chapter, with its own login
and a planned distribution in Hoàn Kiếm for the households not yet reached. Idempotent."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from nhandao.campaigns.models import Campaign, CampaignKind, CampaignStatus
from nhandao.orgs.demo import DEMO_PASSWORD
from nhandao.orgs.models import Unit, User

from . import services
from .models import Partner

PARTNER_NAME = "Công ty TNHH Thực phẩm Hà Thành"
LOGIN = "hanoi.doanhnghiep"


@transaction.atomic
def demo_seed() -> int:
    hanoi = Unit.objects.filter(short_code="P01").first()
    admin = User.objects.filter(username="hanoi.admin").first()
    commune = Unit.objects.filter(short_code="W00070").first()
    campaign = (
        Campaign.objects.filter(unit=hanoi, kind=CampaignKind.TET, status=CampaignStatus.LAUNCHED)
        .order_by("-lunar_year")
        .first()
    )
    if hanoi is None or admin is None or commune is None or campaign is None:
        return 0
    if Partner.objects.filter(unit=hanoi, name=PARTNER_NAME).exists():
        return 0
    partner = services.partner_create(
        actor=admin,
        unit=hanoi,
        data=services.PartnerData(
            name=PARTNER_NAME,
            kind="business",
            tax_code="0101234567",
            address="Số 12 phố Hàng Bài, phường Hoàn Kiếm, Hà Nội",
            contact_name="Nguyễn Thị Thu",
            contact_phone="0912345678",
        ),
    )
    if not User.objects.filter(username=LOGIN).exists():
        services.partner_login_create(
            actor=admin,
            partner=partner,
            username=LOGIN,
            full_name="Nguyễn Thị Thu",
            password=DEMO_PASSWORD,
        )
    distribution = services.distribution_create(
        actor=admin,
        campaign=campaign,
        unit=commune,
        data=services.DistributionData(
            title="Hà Thành trao quà Tết cho hộ nghèo phường Hoàn Kiếm",
            held_on=timezone.localdate(),
            place="Nhà văn hóa tổ dân phố số 1",
            unit_value=500_000,
            source="partner",
            partner=partner,
        ),
    )
    services.planned_add_uncovered(actor=admin, distribution=distribution, unit=commune)
    return 1
