"""`manage.py donation_record --user U --fund CODE --amount 1500000 --date dd/mm/yyyy
[--donor-name …|--donor-id N] [--method cash|transfer] [--anonymous] [--email-receipt]`: record a
gift through the same service as the pages, as a named user; prints the receipt number."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from nhandao.campaigns.management.commands._common import acting_user, parse_day
from nhandao.core.errors import ApplicationError
from nhandao.core.money import format_vnd, parse_vnd
from nhandao.funds import receipts, services
from nhandao.funds import selectors_donations as sel


class Command(BaseCommand):
    help = "Ghi nhận một khoản ủng hộ (tiền mặt hoặc chuyển khoản) và in số giấy xác nhận."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--user", required=True, help="Tên đăng nhập của người ghi nhận")
        parser.add_argument("--fund", required=True, help="Mã quỹ hoặc cuộc vận động, ví dụ BAO3HN")
        parser.add_argument("--amount", required=True, help="Số tiền (đồng), ví dụ 1500000")
        parser.add_argument("--date", default="", help="Ngày nhận (dd/mm/yyyy), mặc định hôm nay")
        donor = parser.add_mutually_exclusive_group()
        donor.add_argument("--donor-name", default="", help="Tên người ủng hộ")
        donor.add_argument("--donor-id", type=int, default=None, help="Mã số nhà hảo tâm")
        parser.add_argument(
            "--method", default="cash", choices=["cash", "transfer"], help="Hình thức"
        )
        parser.add_argument("--anonymous", action="store_true", help="Ẩn danh khi công khai")
        parser.add_argument("--note", default="", help="Lời nhắn, ghi chú")
        parser.add_argument(
            "--email-receipt",
            action="store_true",
            help="Gửi giấy xác nhận qua thư điện tử của nhà hảo tâm",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        actor = acting_user(o["user"])
        assignment = actor.assignments.filter(is_active=True).select_related("unit").first()
        actor.active_assignment = assignment
        try:
            amount = parse_vnd(str(o["amount"]))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        try:
            fund = sel.fund_by_code_or_id(user=actor, value=o["fund"])
        except Http404 as exc:
            raise CommandError(
                f"Không có quỹ «{o['fund']}» đang tiếp nhận trong phạm vi của {actor.username}."
            ) from exc
        donor = None
        if o["donor_id"]:
            try:
                donor = sel.donor_get(user=actor, pk=o["donor_id"])
            except Http404 as exc:
                raise CommandError(
                    f"Không có nhà hảo tâm mã số {o['donor_id']} trong phạm vi."
                ) from exc
        day = parse_day(o["date"], "Ngày nhận") if o["date"] else timezone.localdate()
        try:
            with transaction.atomic():
                donation = services.donation_record(
                    actor=actor,
                    unit=sel.receiving_unit(user=actor, fund=fund),
                    data=services.DonationData(
                        fund=fund,
                        amount=amount,
                        received_on=day,
                        method=o["method"],
                        donor=donor,
                        donor_name=o["donor_name"],
                        anonymous=True if o["anonymous"] else None,
                        note=o["note"],
                    ),
                )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        receipt = sel.donation_receipt(donation)
        code = receipt.code if receipt is not None else ""
        self.stdout.write(
            f"{code}\t{donation.reference}\t{donation.donor_name}\t"
            f"{format_vnd(donation.amount)}\t{donation.received_on:%d/%m/%Y}\t{fund.code}"
        )
        if o["email_receipt"] and receipt is not None:
            try:
                receipts.receipt_email(actor=actor, receipt=receipt)
            except ApplicationError as exc:
                self.stderr.write(exc.message)
            else:
                self.stdout.write(f"Đã gửi giấy xác nhận tới {receipt.emailed_to}.")
