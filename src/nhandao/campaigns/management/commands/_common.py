"""What the campaign and aid commands share: the acting user (so that scope, permissions and the
audit trail apply as on the pages), units by code and dates typed as dd/mm/yyyy."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.core.management.base import CommandError

from nhandao.orgs.models import Role, RoleAssignment, Unit, User


def add_user_argument(parser: Any) -> None:
    parser.add_argument(
        "--user",
        default="",
        help="Tên đăng nhập của người thực hiện (mặc định: cán bộ, quản trị đầu tiên của đơn vị"
        " hoặc cấp trên)",
    )


def unit_by_code(code: str) -> Unit:
    unit = Unit.objects.filter(short_code=code.strip().upper()).first()
    if unit is None:
        raise CommandError(f"Không có đơn vị mã «{code}».")
    return unit


def acting_user(username: str, unit: Unit | None = None) -> User:
    """The named user, or the nearest officer or administrator of ``unit`` and its parents."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"Không có người dùng «{username}».")
        return user
    if unit is None:
        raise CommandError("Hãy chỉ rõ người thực hiện bằng --user.")
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


def parse_day(text: str, what: str) -> dt.date:
    text = text.strip()
    m = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})", text)
    iso = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text)
    try:
        if m:
            return dt.date(int(m[3]), int(m[2]), int(m[1]))
        if iso:
            return dt.date(int(iso[1]), int(iso[2]), int(iso[3]))
    except ValueError:
        pass
    raise CommandError(f"{what} «{text}» không đúng dạng ngày/tháng/năm (ví dụ 20/01/2027).")
