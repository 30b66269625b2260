"""Member and youth lists through the one import pipeline: a citizen ID already in the registry
is that person; refused rows are named and nothing is written."""

from __future__ import annotations

import pytest

from nhandao.core.errors import ApplicationError
from nhandao.imports import services
from nhandao.members.models import Member, YouthMember
from nhandao.orgs import services as orgs
from nhandao.orgs.models import Unit, UnitKind
from tests.conftest import actor

pytestmark = pytest.mark.django_db

MEMBERS = "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Điện thoại,Ngày vào Hội,Số thẻ\n"
YOUTH = "STT,Họ và tên,Ngày sinh,Giới tính,Lớp,Năm học\n"


def _import(user, unit, kind, body: str):
    job = services.import_upload(
        actor=actor(user), unit=unit, kind=kind, filename="ds.csv", data=body.encode()
    )
    mapping = {int(k): v for k, v in job.mapping.items()}
    job = services.import_set_mapping(actor=actor(user), job=job, mapping=mapping)
    return services.import_validate(job_id=job.pk)


def test_members_list(people, tree, register):
    known = register("Lê Thị Cúc", birth="05/06/1975", id_number="001175012345").person
    job = _import(
        people.hn_admin,
        tree.hk_branch,
        "members",
        MEMBERS + "1,Nguyễn Thị Lan,12/03/1980,Nữ,,0912345678,15/05/2020,HK-1\n"
        "2,Lê Thị Cúc,05/06/1975,Nữ,001175012345,,01/09/2024,\n",
    )
    assert job.counts.get("error", 0) == 0, job.counts
    services.import_commit(actor=actor(people.hn_admin), job=job)
    members = Member.objects.order_by("pk")
    assert [m.person.full_name for m in members] == ["Nguyễn Thị Lan", "Lê Thị Cúc"]
    assert members[1].person_id == known.pk and members[0].card_no == "HK-1"


def test_a_refused_row_writes_nothing(people, tree):
    job = _import(
        people.hn_admin,
        tree.hk_branch,
        "members",
        MEMBERS + "1,Nguyễn Thị Lan,12/03/1980,Nữ,,,15/05/2020,HK-1\n"
        "2,Trần Văn Bình,1975,Nam,,,01/09/2024,HK-1\n",
    )
    with pytest.raises(
        ApplicationError, match=r"Dòng 3: Số thẻ HK-1 đã cấp cho hội viên Nguyễn Thị Lan\. Không"
    ):
        services.import_commit(actor=actor(people.hn_admin), job=job)
    assert Member.objects.count() == 0


def test_youth_list(people, tree):
    school = Unit(name="Chi hội Trường THCS Hoàn Kiếm", kind=UnitKind.BRANCH, category="school")
    school = orgs.unit_bulk_add_children(parent=tree.hoan_kiem, units=[school])[0]
    job = _import(
        people.hn_admin,
        school,
        "youth",
        YOUTH + "1,Lê Minh Anh,05/09/2013,Nam,7A,2025-2026\n2,Phạm Thu Hà,2012,Nữ,8B,2025-2026\n",
    )
    assert job.counts.get("error", 0) == 0, job.counts
    services.import_commit(actor=actor(people.hn_admin), job=job)
    assert sorted(YouthMember.objects.values_list("class_name", flat=True)) == ["7A", "8B"]
