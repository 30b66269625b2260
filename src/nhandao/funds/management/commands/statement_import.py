"""`manage.py statement_import --user U --fund CODE [--layout auto|vietcombank|vietinbank|bidv|
techcombank|generic] [--map date=A,credit=E,description=C] [--header-row N] file.xlsx`: import a
bank statement of a fund's account through the same service as the pages (the account on the
statement must be the fund's; lines already imported are skipped) and print its figures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from nhandao.campaigns.management.commands._common import acting_user
from nhandao.core.errors import ApplicationError
from nhandao.core.money import format_vnd
from nhandao.funds import bank_layouts as layouts
from nhandao.funds import statements
from nhandao.funds.models import Fund


class Command(BaseCommand):
    help = "Nhập sao kê ngân hàng của một quỹ (.xlsx hoặc .csv), đối chiếu tự động và in số liệu."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="Tệp sao kê (.xlsx, .xls hoặc .csv)")
        parser.add_argument("--user", required=True, help="Tên đăng nhập của người nhập")
        parser.add_argument("--fund", required=True, help="Mã quỹ hoặc cuộc vận động, ví dụ BAO3HN")
        parser.add_argument(
            "--layout",
            default=layouts.AUTO,
            choices=[layouts.AUTO, *layouts.PRESETS, layouts.GENERIC],
            help="Mẫu sao kê (mặc định: tự nhận biết theo dòng tiêu đề)",
        )
        parser.add_argument(
            "--map",
            default="",
            help="Ghép cột cho mẫu chung, ví dụ date=A,credit=E,debit=D,description=C",
        )
        parser.add_argument("--header-row", type=int, default=None, help="Dòng tiêu đề (từ 1)")

    def handle(self, *args: Any, **o: Any) -> None:
        actor = acting_user(o["user"])
        code = o["fund"].strip().upper()
        try:
            fund_pk = Fund.objects.filter(code=code).values_list("pk", flat=True).first()
            if fund_pk is None:
                raise Http404
            fund = statements.fund_get(user=actor, pk=fund_pk)
        except Http404 as exc:
            raise CommandError(
                f"Không có quỹ mã «{code}» trong phạm vi của người dùng «{o['user']}»."
            ) from exc
        path = Path(o["file"])
        if not path.is_file():
            raise CommandError(f"Không thấy tệp «{path}».")
        try:
            statement = statements.statement_import(
                actor=actor,
                fund=fund,
                data=path.read_bytes(),
                filename=path.name,
                layout=o["layout"],
                mapping=o["map"] or None,
                header_row=o["header_row"],
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        figures = statements.statement_figures(statement)
        self.stdout.write(
            f"Sao kê «{statement.file_name}» (mẫu {statement.layout}, tài khoản "
            f"{statement.account_no or '—'}) của «{fund.name}»:\n"
            f"  Tổng số dòng: {statement.lines_total}\n"
            f"  Dòng mới: {statement.lines_new}\n"
            f"  Đã nhập trước đó: {statement.lines_duplicate}\n"
            f"  Khớp tự động: {statement.matched_auto}\n"
            f"  Chưa khớp: {figures['unmatched']}\n"
            f"  Tổng ghi có: {format_vnd(figures['credits'])}\n"
            f"Mã sao kê: {statement.pk}"
        )
