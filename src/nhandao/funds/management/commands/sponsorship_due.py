"""`manage.py sponsorship_due [--unit ID] [--days 30] [--user U]`: the sponsorships with a period
due within the coming days or already overdue, overdue first."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.http import Http404

from nhandao.core.money import format_vnd
from nhandao.funds.sponsorships import due_list
from nhandao.orgs.models import Role, RoleAssignment, Unit, User
from nhandao.orgs.selectors import unit_get


def _acting_user(username: str, unit: Unit | None) -> User:
    """The named user, or the nearest officer or administrator of ``unit`` and its parents."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có người dùng «{username}».")
        return user
    if unit is None:
        raise CommandError("Hãy chỉ rõ người thực hiện bằng --user, hoặc đơn vị bằng --unit.")
    ancestors = [unit.path[:i] for i in range(Unit.steplen, len(unit.path) + 1, Unit.steplen)]
    assignment = (
        RoleAssignment.objects.filter(
            unit__path__in=ancestors,
            is_active=True,
            role_id__in=[Role.OFFICER, Role.UNIT_ADMIN, Role.SYSTEM_ADMIN],
        )
        .select_related("user")
        .order_by("-unit__depth", "role__rank")
        .first()
    )
    if assignment is None:
        raise CommandError("Đơn vị chưa có cán bộ hay người quản trị: hãy chỉ rõ --user.")
    return assignment.user


HEADERS = (
    "Tình trạng",
    "Kỳ từ ngày",
    "Hạn cuối",
    "Nhà tài trợ",
    "Địa chỉ nhân đạo",
    "Đơn vị",
    "Mỗi lần",
    "Đã trao/đến hạn",
    "Còn thiếu",
)


class Command(BaseCommand):
    help = (
        "Liệt kê các cam kết gắn kết địa chỉ nhân đạo đến hạn trao trong số ngày tới hoặc đã "
        "quá hạn (quá hạn trước)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--unit", type=int, default=None, help="Mã số (ID) đơn vị")
        parser.add_argument(
            "--days", type=int, default=30, help="Đến hạn trong bao nhiêu ngày tới (mặc định 30)"
        )
        parser.add_argument(
            "--user",
            default="",
            help="Tên đăng nhập của người xem (mặc định: cán bộ, quản trị gần nhất của đơn vị)",
        )

    def handle(self, *args: Any, **o: Any) -> None:
        if o["days"] < 0 or o["days"] > 3660:
            raise CommandError("--days phải từ 0 đến 3660.")
        unit = None
        if o["unit"] is not None:
            unit = Unit.objects.filter(pk=o["unit"]).first()
            if unit is None:
                raise CommandError(f"Không có đơn vị mã số {o['unit']}.")
        actor = _acting_user(o["user"], unit)
        if unit is not None:
            try:
                unit = unit_get(user=actor, pk=unit.pk)
            except Http404 as exc:
                raise CommandError("Đơn vị này không thuộc phạm vi của người thực hiện.") from exc
        rows = due_list(user=actor, unit=unit, days=o["days"])
        out = self.stdout
        out.write("\t".join(HEADERS))
        overdue = 0
        for row in rows:
            s, p = row.sponsorship, row.progress
            overdue += p.overdue
            state = f"QUÁ HẠN {p.periods_overdue} kỳ" if p.overdue else "Đến hạn"
            out.write(
                "\t".join(
                    [
                        state,
                        p.next_due_on.strftime("%d/%m/%Y") if p.next_due_on else "",
                        p.next_deadline.strftime("%d/%m/%Y") if p.next_deadline else "",
                        s.donor.name,
                        s.beneficiary.person.full_name,
                        s.unit.name,
                        format_vnd(s.amount),
                        f"{p.periods_covered}/{p.periods_due}",
                        format_vnd(p.shortfall),
                    ]
                )
            )
        out.write(f"Cộng: {len(rows)} cam kết, trong đó {overdue} quá hạn.")
