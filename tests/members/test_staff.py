"""Staff positions: terms may not overlap; sensitive HR fields masked, their views logged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.members import staff
from nhandao.members.models import StaffPosition
from nhandao.orgs.models import Role
from nhandao.people.services import PersonData
from tests.conftest import actor, login, make_user

pytestmark = pytest.mark.django_db


def data(position="Chủ tịch", start=(2026, 1, 1), end=(2031, 12, 31), **kw):
    return staff.StaffData(
        position=position,
        employment=kw.pop("employment", "full_time"),
        basis=kw.pop("basis", "elected"),
        term_from=dt.date(*start),
        term_to=dt.date(*end) if end else None,
        **kw,
    )


def add(tree, people, person=None, **kw):
    return staff.staff_add(
        actor=actor(people.hn_officer),
        unit=kw.pop("unit", tree.hoan_kiem),
        person=person or PersonData(full_name="Lê Thị Thu", birth="1980"),
        data=data(**kw),
    )


def test_parse_term():
    assert staff.parse_term("2026–2031") == (dt.date(2026, 1, 1), dt.date(2031, 12, 31))
    assert staff.parse_term("2026 - 2031")[1].year == 2031
    with pytest.raises(ApplicationError, match="Nhiệm kỳ"):
        staff.parse_term("2031-2026")


def test_overlapping_terms_of_the_same_person_position_and_unit_are_refused(tree, people):
    s = add(tree, people, insurance_no="0123456789", salary_grade="Chuyên viên 3/9")
    with pytest.raises(ApplicationError) as exc:
        add(tree, people, person=s.person, position="chủ tịch", start=(2031, 6, 1), end=None)
    assert "trùng với nhiệm kỳ" in exc.value.message and exc.value.field == "term_from"
    add(tree, people, person=s.person, start=(2032, 1, 1), end=(2036, 12, 31))  # next term
    add(tree, people, person=s.person, position="Phó Chủ tịch", start=(2026, 1, 1))
    add(tree, people, person=s.person, unit=tree.ba_dinh)  # another unit
    assert StaffPosition.objects.count() == 4
    open_ended = add(tree, people, person=s.person, position="Ủy viên", end=None)
    with pytest.raises(ApplicationError):
        add(tree, people, person=s.person, position="Ủy viên", start=(2040, 1, 1), end=None)
    assert open_ended.term_to is None


def test_bad_fields_are_refused(tree, people):
    with pytest.raises(ApplicationError, match="chữ số"):
        add(tree, people, insurance_no="12-AB")
    with pytest.raises(ApplicationError, match="trước khi bắt đầu"):
        add(tree, people, start=(2031, 1, 1), end=(2026, 1, 1))
    with pytest.raises(ApplicationError, match="chức vụ"):
        add(tree, people, position="  ")
    assert not StaffPosition.objects.exists()


def test_update_keeps_the_overlap_rule_and_hides_sensitive_values_from_the_trail(tree, people):
    s = add(tree, people, insurance_no="0123456789")
    staff.staff_update(
        actor=actor(people.hn_officer), staff=s, data=data(insurance_no="0999999999")
    )
    event = AuditEvent.objects.filter(object_type="members.staffposition", action="update").get()
    assert event.changes["insurance_no"] == ["***", "***"]
    assert "0999999999" not in str(AuditEvent.objects.values_list("changes", flat=True))


def test_sensitive_fields_are_masked_without_pii_view_and_views_logged(client, tree, people):
    s = add(tree, people, insurance_no="0123456789", salary_grade="Chuyên viên 3/9")
    login(client, people.hn_officer)  # officer: pii.view
    page = client.get(reverse("staff_detail", args=[s.pk])).content.decode()
    assert "0123456789" in page and "Chuyên viên 3/9" in page
    assert AuditEvent.objects.filter(action="view_sensitive").count() == 1
    listing = client.get(reverse("staff_list")).content.decode()
    assert "0123456789" in listing
    assert AuditEvent.objects.filter(action="view_sensitive").count() == 2
    login(client, people.clerk)  # data entry: no pii.view
    page = client.get(reverse("staff_detail", args=[s.pk])).content.decode()
    assert "0123456789" not in page and "0123****89" in page
    assert "Chuyên viên 3/9" not in page
    assert AuditEvent.objects.filter(action="view_sensitive").count() == 2
    assert client.get(reverse("staff_edit", args=[s.pk])).status_code == 403


def test_staff_pages_create_list_and_export(client, tree, people):
    login(client, people.hn_officer)
    response = client.post(
        reverse("staff_create"),
        {
            "full_name": "Phạm Văn Đức",
            "birth": "1975",
            "position": "Phó Chủ tịch",
            "employment": "part_time",
            "basis": "employed",
            "term": "2026–2031",
            "education": "Cử nhân Luật",
        },
    )
    s = StaffPosition.objects.get()
    assert response.status_code == 302 and s.term_to == dt.date(2031, 12, 31)
    assert s.unit == tree.hanoi
    export = client.get(reverse("staff_export"))
    assert export.status_code == 200 and export.content[:2] == b"PK"
    again = client.post(
        reverse("staff_create"),
        {
            "full_name": "Phạm Văn Đức",
            "birth": "1975",
            "position": "Phó Chủ tịch",
            "employment": "part_time",
            "basis": "employed",
            "term": "20xx",
        },
    )
    assert "không đúng dạng" in again.content.decode()


def test_a_viewer_cannot_add_staff(client, tree, people):
    viewer = make_user("viewer", tree.hanoi, Role.VIEWER)
    login(client, viewer)
    assert client.get(reverse("staff_create")).status_code == 403
    assert client.get(reverse("staff_list")).status_code == 200


def test_edit_a_position_on_its_page(client, tree, people):
    s = add(tree, people)
    login(client, people.hn_officer)
    url = reverse("staff_edit", args=[s.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "position": "Chủ tịch",
            "employment": "part_time",
            "basis": "elected",
            "term_from": "01/01/2026",
            "term_to": "31/12/2031",
            "salary_grade": "Chuyên viên chính 2/8",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    s.refresh_from_db()
    assert s.employment == "part_time" and s.salary_grade == "Chuyên viên chính 2/8"
    assert s.person.full_name == "Lê Thị Thu"


def xlsx_values(content: bytes) -> list[str]:
    import io

    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    return [str(v) for row in rows for v in row if v not in ("", None)]


def test_the_workbook_masks_for_roles_without_pii_view(client, tree, people):
    add(tree, people, insurance_no="0123456789", salary_grade="Chuyên viên 3/9")
    login(client, people.clerk)
    cells = xlsx_values(client.get(reverse("staff_export")).content)
    assert "DANH SÁCH CÁN BỘ HỘI" in cells and "2026–2031" in cells
    assert "0123****89" in cells and "0123456789" not in cells and "Chuyên viên 3/9" not in cells
    login(client, people.hn_officer)
    assert "0123456789" in xlsx_values(client.get(reverse("staff_export")).content)
