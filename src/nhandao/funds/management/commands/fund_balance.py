"""`manage.py fund_balance [--fund CODE] [--unit ID] [--on dd/mm/yyyy] [--user USERNAME]`: the
balances of the funds (money and goods, received, spent), now or at the end of a day; with
--unit, the part held by that unit and its sub-units; with --user, only what that user sees."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nhandao.campaigns.management.commands._common import parse_day
from nhandao.core.money import format_vnd
from nhandao.funds import selectors
from nhandao.funds.models import Fund, Pocket
from nhandao.orgs.models import Unit, User


class Command(BaseCommand):
    help = "In số dư các quỹ (tiền, hiện vật, đã nhận, đã chi), hiện tại hoặc cuối một ngày."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--fund", default="", help="Mã quỹ hoặc cuộc vận động (ví dụ BAO3HN)")
        parser.add_argument("--unit", default="", help="Số hiệu (ID) đơn vị: phần quỹ của đơn vị")
        parser.add_argument("--on", default="", help="Số dư cuối ngày (dd/mm/yyyy)")
        parser.add_argument(
            "--user", default="", help="Tên đăng nhập: chỉ in những quỹ người này được xem"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        on = parse_day(opts["on"], "Ngày") if opts["on"] else None
        user = None
        if opts["user"]:
            user = User.objects.filter(username=opts["user"], is_active=True).first()
            if user is None:
                raise CommandError(f"Không có người dùng «{opts['user']}».")
        qs = selectors.fund_list(user=user) if user is not None else Fund.objects.all()
        qs = qs.select_related("unit").order_by("unit__path", "kind", "code")
        if opts["fund"]:
            qs = qs.filter(code=opts["fund"].strip().upper())
            if not qs.exists():
                raise CommandError(f"Không có quỹ mã «{opts['fund']}» (hoặc bạn không được xem).")
        paths = None
        if opts["unit"]:
            if not opts["unit"].isdigit():
                raise CommandError("--unit là số hiệu (ID) của đơn vị, ví dụ --unit 12.")
            unit = Unit.objects.filter(pk=int(opts["unit"])).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị số {opts['unit']}.")
            if user is not None and not Unit.objects.visible_to(user).filter(pk=unit.pk).exists():
                raise CommandError(f"Không có đơn vị số {opts['unit']}.")
            paths = [unit.path]
            held = Pocket.objects.filter(unit__path__startswith=unit.path).values("fund_id")
            qs = qs.filter(pk__in=held)
        funds = list(qs)
        when = on.strftime("%d/%m/%Y") if on else "hiện tại"
        self.stdout.write(f"Số dư {when}: {len(funds)} quỹ")
        header = f"{'Mã':<16} {'Tiền':>20} {'Hiện vật':>18} {'Đã nhận':>20} {'Đã chi':>20}  Tên"
        self.stdout.write(header)
        total = 0
        for fund in funds:
            part = paths
            if part is None and user is not None:
                part = selectors.fund_paths(user=user, fund=fund)
            fig = selectors.fund_figures(fund=fund, paths=part, on=on)
            total += fig.balance_money
            self.stdout.write(
                f"{fund.code:<16} {format_vnd(fig.balance_money):>20} "
                f"{format_vnd(fig.balance_goods):>18} {format_vnd(fig.received):>20} "
                f"{format_vnd(fig.spent):>20}  {fund.name} ({fund.unit.name})"
            )
        self.stdout.write(f"Tổng số dư tiền: {format_vnd(total)}")
