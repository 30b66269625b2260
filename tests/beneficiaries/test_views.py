"""Pages of the registry: search, filters, Vietnamese order, export, duplicate check, masking."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nhandao.core.models import AuditEvent
from nhandao.people.models import Person
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry(register, tree):
    register(
        "Nguyễn Văn Đức",
        birth="1950",
        groups=["poor"],
        id_number="001050012345",
        phone="0912345678",
    )
    register("Trần Thị Dung", birth="12/04/1945", groups=["lonely_elderly"])
    register("Lê Thị Ánh", birth="2012", groups=["orphan"], circumstances="Mồ côi cả cha mẹ")
    register('=HYPERLINK("http://x")', birth="1980")  # hostile name: must stay text
    register("Phạm An", birth="1970", unit=tree.ba_dinh, groups=["disabled"])


def _names(response):
    return [b.person.full_name for b in response.context["page"].object_list]


def test_list_is_sorted_the_vietnamese_way_and_scoped(client, people, registry):
    login(client, people.clerk)  # Hoàn Kiếm only
    names = [n for n in _names(client.get(reverse("beneficiary_list"))) if n[0] != "="]
    assert names == ["Lê Thị Ánh", "Trần Thị Dung", "Nguyễn Văn Đức"]  # given names: A, D, Đ


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("nguyen van duc", ["Nguyễn Văn Đức"]),
        ("Đức", ["Nguyễn Văn Đức"]),
        ("001050012345", ["Nguyễn Văn Đức"]),
        ("0912 345 678", ["Nguyễn Văn Đức"]),
        ("+84912345678", ["Nguyễn Văn Đức"]),
        ("anh", ["Lê Thị Ánh"]),
    ],
)
def test_search_by_name_id_or_phone(client, people, registry, query, expected):
    login(client, people.hn_officer)
    assert _names(client.get(reverse("beneficiary_list"), {"q": query})) == expected


def test_filters_by_group_and_verification(client, people, registry):
    login(client, people.hn_officer)
    assert _names(client.get(reverse("beneficiary_list"), {"group": "orphan"})) == ["Lê Thị Ánh"]
    assert len(_names(client.get(reverse("beneficiary_list"), {"verification": "verified"}))) == 0


def test_list_query_count_does_not_grow(client, people, register, registry):
    login(client, people.hn_officer)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("beneficiary_list")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(15):
        register(f"Hoàng Văn Số {chr(65 + i)}", groups=["poor", "disabled"])
    assert count() == before


def test_export_is_an_official_list_with_masked_ids_and_no_formulas(client, people, registry):
    login(client, people.clerk)  # data entry: may not see identifiers
    response = client.get(reverse("beneficiary_export"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    rows = book.get_sheet_by_index(0).to_python()
    flat = [str(c) for row in rows for c in row]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "DANH SÁCH ĐỊA CHỈ NHÂN ĐẠO" in flat
    assert "HỘI CHỮ THẬP ĐỎ PHƯỜNG HOÀN KIẾM" in flat and "NGƯỜI LẬP BIỂU" in flat
    assert "0010******45" in flat and "001050012345" not in flat
    assert '=Hyperlink("Http://X")' in flat  # written as text, not a formula
    import zipfile

    sheet_xml = zipfile.ZipFile(io.BytesIO(response.content)).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet_xml


def test_officer_sees_identifiers_and_the_view_is_logged(client, people, registry):
    b = Person.objects.get(full_name="Lê Thị Ánh").beneficiary
    login(client, people.hn_officer)
    body = client.get(reverse("beneficiary_detail", args=[b.pk])).content.decode()
    assert "Mồ côi cả cha mẹ" in body
    assert AuditEvent.objects.filter(action="view_sensitive", object_id=str(b.pk)).count() == 1


def test_data_entry_sees_masked_fields_and_no_sensitive_groups(client, people, registry):
    d = Person.objects.get(full_name="Nguyễn Văn Đức").beneficiary
    login(client, people.clerk)
    body = client.get(reverse("beneficiary_detail", args=[d.pk])).content.decode()
    assert "0010******45" in body and "001050012345" not in body
    assert "091****678" in body
    orphan = Person.objects.get(full_name="Lê Thị Ánh").beneficiary
    body = client.get(reverse("beneficiary_detail", args=[orphan.pk])).content.decode()
    assert "Mồ côi cả cha mẹ" not in body
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()


def test_match_panel_lists_in_scope_and_counts_outside(client, people, registry, register, tree):
    register("Hồ Văn Sáu", birth="1955", unit=tree.vinh_linh, by=people.outsider)
    login(client, people.clerk)
    body = client.get(
        reverse("beneficiary_match"), {"full_name": "nguyen van duc", "birth": "1950"}
    ).content.decode()
    assert "Nguyễn Văn Đức" in body and "trùng năm sinh" in body
    hidden = client.get(
        reverse("beneficiary_match"), {"full_name": "Hồ Văn Sáu", "birth": "1955"}
    ).content.decode()
    assert "Hồ Văn Sáu" not in hidden and 'id="outside-count"' in hidden


def test_create_by_form_with_warning_confirmation(client, people, tree):
    login(client, people.clerk)
    data = {
        "full_name": "Vũ Thị Mai",
        "birth": "1990",
        "sex": "female",
        "id_number": "001185012345",
        "status": "active",
        "groups": ["near_poor"],
        "poverty_year": "2025",
        "poverty_standard": "2022–2025",
    }
    first = client.post(reverse("beneficiary_create"), data)
    assert first.status_code == 200 and 'id="warnings"' in first.content.decode()
    assert not Person.objects.exists()
    second = client.post(reverse("beneficiary_create"), {**data, "confirm_warnings": "on"})
    person = Person.objects.get()
    assert second.status_code == 302 and person.id_number == "001185012345"
    assert person.unit_id == tree.hoan_kiem.pk


def test_photo_is_optional_checked_and_served_only_in_scope(
    client, people, tree, settings, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    login(client, people.hn_officer)
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
    data = {"full_name": "Vũ Văn Ảnh", "status": "active"}
    bad = client.post(
        reverse("beneficiary_create"),
        {**data, "photo": SimpleUploadedFile("x.png", b"<svg onload=alert(1)>")},
    )
    assert "không phải ảnh" in bad.content.decode() and not Person.objects.exists()
    client.post(reverse("beneficiary_create"), {**data, "photo": SimpleUploadedFile("a.png", png)})
    b = Person.objects.get().beneficiary
    served = client.get(reverse("beneficiary_photo", args=[b.pk]))
    assert served.status_code == 200 and b"".join(served.streaming_content) == png
    login(client, people.clerk)  # in scope, but may not see personal data
    assert client.get(reverse("beneficiary_photo", args=[b.pk])).status_code == 404


def test_an_edit_keeps_where_the_record_came_from(client, people, register):
    """The form has no field for the source list's reference nor for the address as the list
    wrote it: saving the form (or an API update without them) keeps them."""

    b = register(
        "Nguyễn Văn Đức",
        birth="1950",
        source_ref="HN-2025-0042",
        address_original="Xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị",
    )
    login(client, people.hn_officer)
    data = {
        "full_name": "Nguyễn Văn Đức",
        "birth": "1950",
        "address_detail": "Tổ 7",
        "status": "active",
    }
    response = client.post(reverse("beneficiary_edit", args=[b.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    person = Person.objects.get(pk=b.person_id)
    assert person.address_detail == "Tổ 7"
    assert person.source_ref == "HN-2025-0042"
    assert person.address_original == "Xã Vĩnh Thủy, huyện Vĩnh Linh, tỉnh Quảng Trị"


def test_a_new_record_starts_in_the_commune_of_the_clerks_unit(client, tree, people):
    """A commune's clerk records the commune's people: the form's commune starts at the
    unit's own (a branch's, that of the commune above it); a province's starts empty."""
    from nhandao.geo.models import Ward
    from nhandao.geo.services import geo_load_official
    from nhandao.orgs.models import Role, Unit
    from nhandao.orgs.selectors import unit_ward_id
    from tests.conftest import make_user

    geo_load_official()
    ward = Ward.objects.first()
    Unit.objects.filter(pk=tree.hoan_kiem.pk).update(ward_id=ward.code)
    assert unit_ward_id(Unit.objects.get(pk=tree.hk_branch.pk)) == ward.code
    assert unit_ward_id(tree.hanoi) is None
    login(client, make_user("chi_hoi", tree.hk_branch, Role.DATA_ENTRY, "Lý Thị Chi"))
    form = client.get(reverse("beneficiary_create")).context["form"]
    assert form.initial["ward"] == ward.code


def test_a_form_shows_every_wrong_field_at_once(client, people):
    """A date of 31/02 and an ID of 11 digits are both said on the first save, each on its
    field (the second appeared only after a second save)."""
    login(client, people.clerk)
    response = client.post(
        reverse("beneficiary_create"),
        {
            "full_name": "Lê Văn An",
            "birth": "31/02/1990",
            "id_number": "00109001234",
            "phone": "12",
            "status": "active",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "31/02/1990" in " ".join(errors["birth"])
    assert "11" in " ".join(errors["id_number"])
    assert errors["phone"]
    assert not Person.objects.exists()
