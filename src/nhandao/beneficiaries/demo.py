"""Demo humanitarian addresses in three communes (idempotent: recognised by source reference)."""

from __future__ import annotations

from django.db import transaction

from nhandao.orgs.models import Unit, User
from nhandao.people.models import Person
from nhandao.people.services import PersonData

from . import services

# (unit short code, full name, birth, sex, hamlet, groups, circumstances, source reference)
PEOPLE = [
    (
        "W00070",
        "Nguyễn Thị Lành",
        "1938",
        "female",
        "Tổ dân phố số 3",
        ["lonely_elderly", "poor"],
        "Sống một mình, không có con cháu chăm sóc.",
        "HK-2025-001",
    ),
    (
        "W00070",
        "Trần Văn Bình",
        "12/05/1956",
        "male",
        "Tổ dân phố số 1",
        ["agent_orange", "near_poor"],
        "Nạn nhân chất độc da cam, mất sức lao động.",
        "HK-2025-002",
    ),
    (
        "W00070",
        "Lê Thị Ánh",
        "03/09/2012",
        "female",
        "Tổ dân phố số 2",
        ["orphan"],
        "Mồ côi cả cha mẹ, ở với bà ngoại.",
        "HK-2025-003",
    ),
    (
        "W00070",
        "Phạm Văn Đức",
        "1949",
        "male",
        "Tổ dân phố số 3",
        ["policy_family"],
        "",
        "HK-2025-004",
    ),
    (
        "W00070",
        "Hoàng Thị Dung",
        "21/11/1975",
        "female",
        "Tổ dân phố số 1",
        ["serious_illness", "poor"],
        "Ung thư giai đoạn cuối, nuôi hai con nhỏ.",
        "HK-2025-005",
    ),
]
QT_PEOPLE = [
    (
        "Lê Văn Tám",
        "1951",
        "male",
        "thôn Hiền Lương",
        ["poor", "disaster"],
        "Nhà bị sập trong bão số 5 năm 2025.",
        "VL-2025-001",
    ),
    ("Nguyễn Thị Mười", "1960", "female", "thôn Tiên Mỹ", ["near_poor"], "", "VL-2025-002"),
    (
        "Võ Văn Hùng",
        "07/03/1972",
        "male",
        "thôn Thủy Ba Đông",
        ["disabled"],
        "Khuyết tật vận động sau tai nạn lao động.",
        "VL-2025-003",
    ),
]
CT_PEOPLE = [
    ("Huỳnh Thị Út", "1945", "female", "khu vực 1", ["lonely_elderly"], "", "NK-2025-001"),
    (
        "Trần Văn Sơn",
        "15/08/1980",
        "male",
        "khu vực 2",
        ["traffic_accident", "poor"],
        "Tai nạn giao thông, liệt hai chân.",
        "NK-2025-002",
    ),
]


def _commune(name_part: str) -> Unit | None:
    return Unit.objects.filter(kind="commune", is_active=True, name__icontains=name_part).first()


@transaction.atomic
def demo_seed() -> int:
    made = 0
    batches = [
        (
            Unit.objects.filter(short_code="W00070").first(),
            "hoankiem.nhaplieu",
            [row[1:] for row in PEOPLE],
        ),
        (_commune("Vĩnh Linh"), "vinhlinh.canbo", QT_PEOPLE),
        (_commune("Ninh Kiều"), "ninhkieu.nhaplieu", CT_PEOPLE),
    ]
    for unit, username, rows in batches:
        clerk = User.objects.filter(username=username).first()
        if unit is None or clerk is None:
            continue
        for full_name, birth, sex, hamlet, groups, story, ref in rows:
            if Person.objects.filter(source_ref=ref).exists():
                continue
            profile = services.ProfileData(
                groups=[
                    services.GroupEntry(
                        g,
                        2025 if g in ("poor", "near_poor") else None,
                        "2022–2025" if g in ("poor", "near_poor") else "",
                    )
                    for g in groups
                ],
                circumstances=story,
            )
            services.beneficiary_register(
                actor=clerk,
                unit=unit,
                person=PersonData(
                    full_name=full_name,
                    birth=birth,
                    sex=sex,
                    ward_id=unit.ward_id,
                    address_detail=hamlet,
                    source_ref=ref,
                ),
                profile=profile,
            )
            made += 1
    return made
