"""`manage.py campaign_create --unit CODE --kind tet --lunar-year 2027 [--groups poor,near_poor
--min-gift 500000 --launch]`: the same service as the page, acting as a named user."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from nhandao.campaigns import services
from nhandao.campaigns.models import CampaignKind
from nhandao.core.errors import ApplicationError

from ._common import acting_user, add_user_argument, parse_day, unit_by_code


class Command(BaseCommand):
    help = "Tạo (và phát động) một phong trào ở một đơn vị; in mã số và tên phong trào."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", required=True, help="Mã đơn vị phát động, ví dụ P01")
        parser.add_argument("--kind", required=True, choices=CampaignKind.values)
        parser.add_argument("--lunar-year", type=int, default=None, help="Tết Nhân ái: năm âm lịch")
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument("--name", default="")
        parser.add_argument("--theme", default="")
        parser.add_argument("--area", default="", help="Lĩnh vực hoạt động (mặc định theo loại)")
        parser.add_argument("--groups", default="", help="Mã đối tượng, cách nhau bởi dấu phẩy")
        parser.add_argument("--gift-rule", default="household", choices=["household", "person"])
        parser.add_argument("--min-gift", type=int, default=0, help="Giá trị tối thiểu mỗi suất")
        parser.add_argument("--starts", default="", help="Từ ngày (dd/mm/yyyy)")
        parser.add_argument("--ends", default="", help="Đến ngày (dd/mm/yyyy)")
        parser.add_argument("--description", default="")
        parser.add_argument("--launch", action="store_true", help="Phát động ngay")
        add_user_argument(parser)

    def handle(self, *args: Any, **o: Any) -> None:
        unit = unit_by_code(o["unit"])
        actor = acting_user(o["user"], unit)
        data = services.CampaignData(
            kind=o["kind"],
            year=o["year"],
            lunar_year=o["lunar_year"],
            name=o["name"],
            theme=o["theme"],
            area=o["area"],
            starts_on=parse_day(o["starts"], "Ngày bắt đầu") if o["starts"] else None,
            ends_on=parse_day(o["ends"], "Ngày kết thúc") if o["ends"] else None,
            groups=[g.strip() for g in o["groups"].split(",") if g.strip()],
            gift_rule=o["gift_rule"],
            min_gift_value=o["min_gift"],
            description=o["description"],
        )
        try:
            with transaction.atomic():
                campaign = services.campaign_create(actor=actor, unit=unit, data=data)
                if o["launch"]:
                    campaign = services.campaign_launch(actor=actor, campaign=campaign)
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        status = "đã phát động" if o["launch"] else "đang chuẩn bị"
        self.stdout.write(
            f"{campaign.pk}\t{campaign.name}\t{campaign.starts_on:%d/%m/%Y}–"
            f"{campaign.ends_on:%d/%m/%Y}\t{status}"
        )
