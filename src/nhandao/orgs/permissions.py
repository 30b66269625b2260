"""Roles, permissions and the one check every view, API endpoint and template uses: ``can``."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Every permission the system knows, with its Vietnamese label.
PERMISSIONS: dict[str, Any] = {
    "unit.view": _("Xem đơn vị"),
    "unit.manage": _("Tạo, sửa, chuyển, ngừng hoạt động đơn vị"),
    "unit.merge": _("Hợp nhất đơn vị"),
    "user.manage": _("Quản lý người dùng và phân quyền"),
    "audit.view": _("Xem nhật ký thao tác"),
    "data.view": _("Xem dữ liệu nghiệp vụ"),
    "data.edit": _("Nhập, sửa dữ liệu nghiệp vụ"),
    "data.import": _("Nhập danh sách từ Excel"),
    "pii.view": _("Xem số định danh và dữ liệu nhạy cảm"),
    "report.view": _("Xem báo cáo"),
    "report.submit": _("Lập và gửi báo cáo"),
    "campaign.manage": _("Phát động phong trào, giao chỉ tiêu, chốt danh sách"),
    "aid.override": _("Cho phép trao thêm suất thứ hai (có lý do)"),
    "aid.partner": _("Ghi nhận hỗ trợ của tổ chức phối hợp mình"),
    "donation.record": _("Ghi nhận khoản ủng hộ, lập giấy xác nhận, nhập sao kê"),
    "fund.manage": _("Mở cuộc vận động, phân bổ, chi, chuyển quỹ, lập bút toán đảo"),
}

ALL = list(PERMISSIONS)

# The default roles (seeded by a data migration; an administrator may change their permissions).
DEFAULT_ROLES: list[dict[str, Any]] = [
    {
        "code": "system_admin",
        "name": gettext_noop("Quản trị hệ thống"),
        "rank": 10,
        "requires_2fa": True,
        "permissions": ALL,
    },
    {
        "code": "unit_admin",
        "name": gettext_noop("Quản trị đơn vị"),
        "rank": 20,
        "requires_2fa": True,
        "permissions": list(ALL),
    },
    {
        "code": "officer",
        "name": gettext_noop("Cán bộ nghiệp vụ"),
        "rank": 30,
        "requires_2fa": False,
        "permissions": [
            "unit.view",
            "data.view",
            "data.edit",
            "data.import",
            "pii.view",
            "report.view",
            "report.submit",
            "campaign.manage",
            "aid.override",
            "donation.record",
            "fund.manage",
        ],
    },
    {
        "code": "data_entry",
        "name": gettext_noop("Nhập liệu"),
        "rank": 40,
        "requires_2fa": False,
        "permissions": ["unit.view", "data.view", "data.edit", "data.import", "donation.record"],
    },
    {
        "code": "viewer",
        "name": gettext_noop("Chỉ xem"),
        "rank": 50,
        "requires_2fa": False,
        "permissions": ["unit.view", "data.view", "report.view"],
    },
    {
        "code": "auditor",
        "name": gettext_noop("Kiểm tra, giám sát"),
        "rank": 60,
        "requires_2fa": False,
        "permissions": ["unit.view", "data.view", "pii.view", "audit.view", "report.view"],
    },
    {
        "code": "partner",
        "name": gettext_noop("Cơ quan phối hợp"),
        "rank": 70,
        "requires_2fa": False,
        "permissions": ["unit.view", "report.view", "report.submit"],
    },
    {
        "code": "partner_org",
        "name": gettext_noop("Tổ chức, doanh nghiệp phối hợp"),
        "rank": 80,
        "requires_2fa": False,
        "permissions": ["aid.partner"],
    },
]


def _assignments(user: Any) -> list[Any]:
    """The assignments the user acts under now: the active one, or all of them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    active = getattr(user, "active_assignment", None)
    if active is not None:
        return [active]
    cache = getattr(user, "_assignment_cache", None)
    if cache is None:
        cache = list(
            user.assignments.filter(is_active=True, unit__is_active=True).select_related(
                "unit", "role"
            )
        )
        user._assignment_cache = cache
    return list(cache)


def scope_paths_for(user: Any) -> list[str] | None:
    assignments = _assignments(user)
    if any(a.role_id == "system_admin" for a in assignments):
        return None
    paths = sorted({a.unit.path for a in assignments})
    # Drop paths already covered by a shorter one.
    return [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]


def can(user: Any, perm: str, unit: Any | None = None) -> bool:
    """May ``user`` do ``perm`` on ``unit`` (or anywhere in its scope when unit is None)?"""
    for assignment in _assignments(user):
        if perm not in assignment.role.permissions:
            continue
        if assignment.role_id == "system_admin" or unit is None:
            return True
        if unit.path.startswith(assignment.unit.path):
            return True
    return False


def can_below(user: Any, perm: str, unit: Any) -> bool:
    """``perm`` on a unit strictly inside the scope (as needed to move, merge, deactivate it)."""
    for assignment in _assignments(user):
        if perm not in assignment.role.permissions:
            continue
        if assignment.role_id == "system_admin":
            return True
        if unit.path.startswith(assignment.unit.path) and unit.path != assignment.unit.path:
            return True
    return False


def needs_second_factor(user: Any) -> bool:
    """Does any of the user's assignments carry a role that requires TOTP?"""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return bool(user.assignments.filter(is_active=True, role__requires_2fa=True).exists())


def active_unit(request: Any) -> Any:
    """The unit the signed-in user acts for (the assignment chosen in the top bar); 403 without."""
    from django.core.exceptions import PermissionDenied

    assignment = getattr(request.user, "active_assignment", None)
    if assignment is None:
        raise PermissionDenied
    return assignment.unit


def require_view(request: Any) -> None:
    """403 unless the user may read business data somewhere in their scope."""
    from django.core.exceptions import PermissionDenied

    if not can(request.user, "data.view"):
        raise PermissionDenied
