"""Installation commands: the national tree from the official list, and the first administrator."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from nhandao.orgs.bootstrap import chapter_name
from nhandao.orgs.models import RoleAssignment, Unit, User

pytestmark = pytest.mark.django_db


def test_tree_init_builds_every_chapter_once():
    call_command("tree_init", "--communes", stdout=StringIO())
    counts = (
        Unit.objects.filter(kind="province").count(),
        Unit.objects.filter(kind="commune").count(),
    )
    call_command("tree_init", "--communes", stdout=StringIO())
    assert counts == (34, 3321)
    assert Unit.objects.count() == 1 + 34 + 3321
    hanoi = Unit.objects.get(short_code="P01")
    assert hanoi.name == "Hội Chữ thập đỏ thành phố Hà Nội"
    assert Unit.objects.get(short_code="W00070").name == "Hội Chữ thập đỏ phường Hoàn Kiếm"
    assert Unit.objects.get(short_code="W00070").path.startswith(hanoi.path)
    assert Unit.objects.find_problems() == ([], [], [], [], [])


@pytest.mark.parametrize(
    ("place", "division", "expected"),
    [
        ("Cao Bằng", "tỉnh", "Hội Chữ thập đỏ tỉnh Cao Bằng"),
        ("Thành phố Huế", "thành phố trung ương", "Hội Chữ thập đỏ thành phố Huế"),
        ("Xã Vĩnh Linh", "xã", "Hội Chữ thập đỏ xã Vĩnh Linh"),
        ("Đặc khu Phú Quốc", "đặc khu", "Hội Chữ thập đỏ đặc khu Phú Quốc"),
    ],
)
def test_chapter_names(place, division, expected):
    assert chapter_name(place, division) == expected


def test_grant_role_makes_the_first_administrator():
    call_command("tree_init", stdout=StringIO())
    User.objects.create_user(username="quantri", password="x")
    call_command("grant_role", "quantri", "tw", "system_admin", stdout=StringIO())
    assignment = RoleAssignment.objects.get(user__username="quantri")
    assert (assignment.unit.short_code, assignment.role_id) == ("TW", "system_admin")
    with pytest.raises(CommandError, match="Không tìm thấy"):
        call_command("grant_role", "quantri", "KHONGCO", "viewer", stdout=StringIO())
