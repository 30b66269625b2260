"""The demo data set: the national office, all 34 province chapters, three provinces with every
commune chapter, branches, a team, a club, history of the 2025 merger, and one user per role.

Idempotent: every unit has a short code and every user a username; what exists is left alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from nhandao.core.text import person_sort_key_from_full

from . import bootstrap, services
from .models import Role, RoleAssignment, Unit, UnitCategory, UnitKind, User

DEMO_PASSWORD = "nhandao@2026"  # noqa: S105 - printed on purpose: demo logins only
DEMO_PROVINCES = {1: "HN", 44: "QT", 92: "CT"}  # Hà Nội, Quảng Trị, Cần Thơ (2025 codes)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    unit: str


def _by_code(code: str) -> Unit | None:
    return Unit.objects.filter(short_code=code).first()


def _child(parent: Unit, code: str, name: str, kind: str, **extra: object) -> Unit:
    found = _by_code(code)
    if found is not None:
        return found
    unit = Unit(name=name, kind=kind, short_code=code, **extra)
    services.unit_bulk_add_children(parent=parent, units=[unit])
    return Unit.objects.get(short_code=code)


def _first_commune(province_unit: Unit, name_contains: str) -> Unit:
    qs = Unit.objects.filter(
        path__startswith=province_unit.path, kind=UnitKind.COMMUNE, is_active=True
    )
    return (
        qs.filter(name__icontains=name_contains).order_by("path").first()
        or qs.order_by("path").first()
    )  # type: ignore[return-value]


def _grassroots(provinces: dict[int, Unit]) -> dict[str, Unit]:
    hn, qt, ct = provinces[1], provinces[44], provinces[92]
    hoan_kiem = _first_commune(hn, "Hoàn Kiếm")
    vinh_linh = _first_commune(qt, "Vĩnh Linh")
    ninh_kieu = _first_commune(ct, "Ninh Kiều")
    R, S, A = UnitCategory.RESIDENTIAL, UnitCategory.SCHOOL, UnitCategory.AGENCY
    made = {"hoan_kiem": hoan_kiem, "vinh_linh": vinh_linh, "ninh_kieu": ninh_kieu}
    for i, hamlet in enumerate(["Tổ dân phố số 1", "Tổ dân phố số 2", "Tổ dân phố số 3"], 1):
        made[f"hk_b{i}"] = _child(
            hoan_kiem, f"HK-B{i}", f"Chi hội {hamlet}", UnitKind.BRANCH, category=R
        )
    _child(made["hk_b1"], "HK-B1-G1", "Tổ hội số 1", UnitKind.GROUP, category=R)
    for i, hamlet in enumerate(["thôn Hiền Lương", "thôn Tiên Mỹ", "thôn Thủy Ba Đông"], 1):
        made[f"vl_b{i}"] = _child(
            vinh_linh, f"VL-B{i}", f"Chi hội {hamlet}", UnitKind.BRANCH, category=R
        )
    made["vl_school"] = _child(
        vinh_linh, "VL-SCH", "Chi hội Trường THPT Vĩnh Linh", UnitKind.BRANCH, category=S
    )
    for i, hamlet in enumerate(["khu vực 1", "khu vực 2"], 1):
        made[f"nk_b{i}"] = _child(
            ninh_kieu, f"NK-B{i}", f"Chi hội {hamlet}", UnitKind.BRANCH, category=R
        )
    made["hn_agency"] = _child(hn, "HN-SYT", "Chi hội Sở Y tế Hà Nội", UnitKind.BRANCH, category=A)
    made["hn_team"] = _child(
        hoan_kiem,
        "HK-TNV",
        "Đội tình nguyện viên phường Hoàn Kiếm",
        UnitKind.TEAM,
        category=UnitCategory.VOLUNTEER,
    )
    made["qt_team"] = _child(
        qt,
        "QT-UPTH",
        "Đội ứng phó thảm họa tỉnh Quảng Trị",
        UnitKind.TEAM,
        category=UnitCategory.DISASTER_RESPONSE,
    )
    made["ct_club"] = _child(
        ct,
        "CT-CLBHM",
        "Câu lạc bộ hiến máu tình nguyện Giọt Hồng Cần Thơ",
        UnitKind.CLUB,
        category=UnitCategory.BLOOD_DONOR,
    )
    return made


def _history(provinces: dict[int, Unit], made: dict[str, Unit]) -> None:
    """The former Vĩnh Linh district chapter, and two former communes merged on 1/7/2025 into the
    new commune through the same merge service that users run."""
    qt = provinces[44]
    if _by_code("QT-H-VL") is None:
        district = _child(qt, "QT-H-VL", "Hội Chữ thập đỏ huyện Vĩnh Linh (cũ)", UnitKind.DISTRICT)
        Unit.objects.filter(pk=district.pk).update(is_active=False, active_to=dt.date(2025, 6, 30))
    if _by_code("QT-X-VT") is not None:
        return
    old = [
        _child(qt, "QT-X-VT", "Hội Chữ thập đỏ xã Vĩnh Thủy (cũ)", UnitKind.COMMUNE),
        _child(qt, "QT-X-HX", "Hội Chữ thập đỏ thị trấn Hồ Xá (cũ)", UnitKind.COMMUNE),
    ]
    _child(
        old[0],
        "QT-X-VT-B1",
        "Chi hội thôn Thủy Ba Tây",
        UnitKind.BRANCH,
        category=UnitCategory.RESIDENTIAL,
    )
    admin = User.objects.get(username="admin")
    services.unit_merge(
        actor=admin, sources=old, target=made["vinh_linh"], merge_date=bootstrap.REORGANISATION_DAY
    )


USERS = [
    ("admin", "Quản trị hệ thống", Role.SYSTEM_ADMIN, "TW"),
    ("tw.canbo", "Nguyễn Văn An", Role.OFFICER, "TW"),
    ("hanoi.admin", "Trần Thị Bình", Role.UNIT_ADMIN, "P01"),
    ("hanoi.canbo", "Lê Văn Cường", Role.OFFICER, "P01"),
    ("hanoi.kiemtra", "Phạm Thị Dung", Role.AUDITOR, "P01"),
    ("hanoi.doitac", "Ban Dân vận Thành ủy Hà Nội", Role.PARTNER, "P01"),
    ("hoankiem.admin", "Đỗ Thị Hà", Role.UNIT_ADMIN, "hoan_kiem"),
    ("hoankiem.nhaplieu", "Vũ Văn Đào", Role.DATA_ENTRY, "hoan_kiem"),
    ("quangtri.admin", "Hoàng Văn Giang", Role.UNIT_ADMIN, "P44"),
    ("quangtri.xem", "Ngô Thị Hương", Role.VIEWER, "P44"),
    ("vinhlinh.canbo", "Đặng Văn Khánh", Role.OFFICER, "vinh_linh"),
    ("cantho.admin", "Bùi Thị Lan", Role.UNIT_ADMIN, "P92"),
    ("ninhkieu.nhaplieu", "Huỳnh Văn Minh", Role.DATA_ENTRY, "ninh_kieu"),
    ("kiemnhiem", "Lý Thị Ngọc", Role.OFFICER, "P44"),
    ("kiemnhiem", "Lý Thị Ngọc", Role.VIEWER, "P92"),
]


def _users(made: dict[str, Unit]) -> list[DemoLogin]:
    logins = []
    for username, full_name, role_code, where in USERS:
        unit = made[where] if where in made else Unit.objects.get(short_code=where)
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"full_name": full_name, "sort_key": person_sort_key_from_full(full_name)},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        RoleAssignment.objects.get_or_create(user=user, unit=unit, role_id=role_code)
        logins.append(
            DemoLogin(username=username, role=Role.objects.get(pk=role_code).name, unit=unit.name)
        )
    return logins


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    provinces = bootstrap.tree_init()
    for code in DEMO_PROVINCES:
        bootstrap.commune_chapters_init(province_unit=provinces[code])
    made = _grassroots(provinces)
    logins = _users(made)
    _history(provinces, made)
    return logins
