"""`manage.py fund_deadlines [--user USERNAME] [--on dd/mm/yyyy]`: the open appeals near (within
the rules' warning days) or past their receiving end or distribution deadline."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from nhandao.campaigns.management.commands._common import parse_day
from nhandao.funds import selectors, services
from nhandao.funds.models import Fund, FundKind, FundStatus
from nhandao.orgs.models import User


class Command(BaseCommand):
    help = "Liệt kê các cuộc vận động sắp đến hoặc đã quá hạn tiếp nhận, hạn phân phối."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--user", default="", help="Tên đăng nhập: chỉ những cuộc vận động người này xem được"
        )
        parser.add_argument("--on", default="", help="Xét tại ngày (dd/mm/yyyy; mặc định hôm nay)")

    def handle(self, *args: Any, **opts: Any) -> None:
        today = parse_day(opts["on"], "Ngày") if opts["on"] else timezone.localdate()
        if opts["user"]:
            user = User.objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"Không có người dùng «{opts['user']}».")
            rows = [
                (r.fund, r.warnings)
                for r in selectors.appeals_near_deadline(user=user, today=today)
            ]
        else:
            qs = Fund.objects.filter(kind=FundKind.APPEAL, status=FundStatus.OPEN)
            rows = []
            for fund in qs.select_related("unit").order_by("distribution_ends_on", "code"):
                warnings = services.deadline_warnings(fund, today)
                if warnings:
                    rows.append((fund, warnings))
        if not rows:
            self.stdout.write("Không có cuộc vận động nào sắp đến hoặc quá hạn.")
            return
        for fund, warnings in rows:
            self.stdout.write(f"{fund.code} · {fund.name} ({fund.unit.name})")
            for w in warnings:
                self.stdout.write(f"  - {w}")
        self.stdout.write(f"{len(rows)} cuộc vận động cần chú ý.")
