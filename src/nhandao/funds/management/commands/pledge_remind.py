"""`manage.py pledge_remind [--days 7] [--send] [--user U]`: list the pledge instalments due
within the days given or overdue; with --send, e-mail each donor that has an address and stamp
every instalment reminded. Without --user it reads every unit (the scheduled run)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from nhandao.campaigns.management.commands._common import acting_user
from nhandao.core.errors import ApplicationError
from nhandao.core.money import format_vnd
from nhandao.funds import pledges


class Command(BaseCommand):
    help = "Liệt kê (và gửi thư nhắc) các đợt cam kết ủng hộ sắp đến hạn hoặc quá hạn."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--days", type=int, default=pledges.REMIND_DAYS, help="Đến hạn trong số ngày tới"
        )
        parser.add_argument("--send", action="store_true", help="Gửi thư nhắc và ghi đã nhắc")
        parser.add_argument(
            "--user", default="", help="Chỉ trong phạm vi của người dùng này (mặc định: mọi đơn vị)"
        )

    def handle(self, *args: Any, **o: Any) -> None:
        user = acting_user(o["user"]) if o["user"] else None
        days = max(int(o["days"]), 0)
        rows = pledges.reminders_due(user=user, days=days)
        sent = 0
        for pledge, row in rows:
            line = (
                f"{row.due_on:%d/%m/%Y}\t{pledge.donor.name}\t{pledge.fund.code}\t"
                f"{format_vnd(row.outstanding)}"
            )
            if o["send"]:
                try:
                    address = pledges.reminder_send(
                        actor=user or "pledge_remind", instalment=row.instalment
                    )
                except ApplicationError as exc:
                    line += f"\t{exc.message}"
                else:
                    sent += 1 if address else 0
                    line += f"\t{address or 'chưa có thư điện tử'}"
            self.stdout.write(line)
        summary = f"{len(rows)} đợt đến hạn trong {days} ngày tới hoặc quá hạn."
        if o["send"]:
            summary += f" Đã gửi {sent} thư nhắc."
        self.stdout.write(summary)
