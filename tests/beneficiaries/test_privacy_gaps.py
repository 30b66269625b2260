"""Privacy of the registry for roles without ``pii.view`` (data entry, viewer, partners) and the
audit of every unmasked view: health groups in exports and filters, the edit form, bulk views,
merged records of other units, read and edit rights on every page and endpoint."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nhandao.core.models import AuditEvent
from nhandao.orgs import services as orgs
from nhandao.orgs.models import Role, RoleAssignment
from nhandao.people.models import Person
from nhandao.people.services import person_merge
from tests.conftest import actor, login, make_user

pytestmark = pytest.mark.django_db

ID_NUMBER = "001050012345"
PHONE = "0912345678"
CIRCUMSTANCES = "Liệt nửa người sau tai biến"


@pytest.fixture
def duc(register):
    """In Hoàn Kiếm: poor (2025) and disabled (a health group), with ID, phone, circumstances."""
    return register(
        "Nguyễn Văn Đức",
        birth="1950",
        groups=["poor", "disabled"],
        id_number=ID_NUMBER,
        phone=PHONE,
        circumstances=CIRCUMSTANCES,
    )


@pytest.fixture
def dung(register):
    return register("Trần Thị Dung", birth="12/04/1945", groups=["lonely_elderly"])


@pytest.fixture
def viewer(tree):
    return make_user("viewer", tree.hoan_kiem, Role.VIEWER, "Đỗ Thị Xem")


def _api(user) -> tuple[Client, dict]:
    assignment = RoleAssignment.objects.get(user=user)
    _t, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return Client(), {"Authorization": f"Bearer {raw}"}


def _names(response) -> list[str]:
    return sorted(b.person.full_name for b in response.context["page"].object_list)


def _sensitive_views():
    return AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE)


def _sheet(response) -> list[str]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
    return [str(c) for row in book.get_sheet_by_index(0).to_python() for c in row]


# --- 1. The workbook leaves health groups out for roles without pii.view ----------------------


def test_export_leaves_health_groups_out_for_data_entry(client, people, duc):
    login(client, people.clerk)
    flat = _sheet(client.get(reverse("beneficiary_export")))
    assert "Hộ nghèo 2025" in flat
    assert not any("Người khuyết tật" in cell for cell in flat)
    login(client, people.hn_officer)
    flat = _sheet(client.get(reverse("beneficiary_export")))
    assert "Hộ nghèo 2025; Người khuyết tật" in flat


# --- 2. Filtering by a health group is for pii.view only ---------------------------------------


def test_viewer_filter_by_a_health_group_is_ignored_with_a_message(
    client, people, viewer, duc, dung
):
    login(client, viewer)
    response = client.get(reverse("beneficiary_list"), {"group": "disabled"})
    assert response.status_code == 200
    assert _names(response) == ["Nguyễn Văn Đức", "Trần Thị Dung"]  # membership not revealed
    body = response.content.decode()
    assert "không được lọc theo đối tượng nhạy cảm" in body
    choices = [code for code, _name in response.context["form"].fields["group"].choices]
    assert "poor" in choices and "disabled" not in choices and "serious_illness" not in choices
    assert "group=disabled" not in response.context["query_string"]
    # A harmless group still filters; pii.view still filters by a health group.
    assert _names(client.get(reverse("beneficiary_list"), {"group": "poor"})) == ["Nguyễn Văn Đức"]
    login(client, people.hn_officer)
    officer = client.get(reverse("beneficiary_list"), {"group": "disabled"})
    assert _names(officer) == ["Nguyễn Văn Đức"]


def test_export_filtered_by_a_health_group_goes_back_to_the_list(client, people, duc, dung):
    login(client, people.clerk)
    response = client.get(reverse("beneficiary_export"), {"group": "disabled"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("beneficiary_list"))


def test_api_refuses_a_health_group_filter_without_pii_view(people, viewer, duc, dung):
    client, headers = _api(viewer)
    refused = client.get("/api/v1/beneficiaries", {"group": "disabled"}, headers=headers)
    assert refused.status_code == 403
    assert "đối tượng nhạy cảm" in refused.json()["detail"]
    assert (
        client.get("/api/v1/beneficiaries", {"group": "poor"}, headers=headers).json()["count"] == 1
    )
    officer, officer_headers = _api(people.hn_officer)
    found = officer.get("/api/v1/beneficiaries", {"group": "disabled"}, headers=officer_headers)
    assert found.status_code == 200 and found.json()["count"] == 1


# --- 3. The edit form: masked and kept for data entry, logged for pii.view ---------------------


def _edit_data(**changes) -> dict:
    data = {
        "full_name": "Nguyễn Văn Đức",
        "birth": "1950",
        "sex": "",
        "id_number": "",
        "legacy_id": "",
        "phone": "",
        "ward": "",
        "address_detail": "Tổ 5",
        "groups": ["poor"],
        "poverty_year": "2025",
        "poverty_standard": "2022–2025",
        "circumstances": "",
        "status": "active",
    }
    return {**data, **changes}


def test_data_entry_edit_form_shows_only_masked_hints(client, people, duc):
    login(client, people.clerk)
    response = client.get(reverse("beneficiary_edit", args=[duc.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert ID_NUMBER not in body and PHONE not in body and CIRCUMSTANCES not in body
    assert 'placeholder="0010******45"' in body and 'placeholder="091****678"' in body
    assert 'value="disabled"' not in body and 'value="poor"' in body
    assert 'id="hidden-stored"' in body
    assert not _sensitive_views().exists()


def test_data_entry_save_keeps_hidden_values_and_health_groups(client, people, duc):
    login(client, people.clerk)
    response = client.post(reverse("beneficiary_edit", args=[duc.pk]), _edit_data())
    assert response.status_code == 302
    duc.refresh_from_db()
    person = Person.objects.get(pk=duc.person_id)
    assert person.address_detail == "Tổ 5"
    assert (person.id_number, person.phone) == (ID_NUMBER, PHONE)
    assert duc.circumstances == CIRCUMSTANCES
    assert set(duc.memberships.values_list("group_id", flat=True)) == {"poor", "disabled"}


def test_data_entry_typed_value_replaces_the_stored_one(client, people, duc):
    login(client, people.clerk)
    response = client.post(
        reverse("beneficiary_edit", args=[duc.pk]),
        _edit_data(phone="0987654321", circumstances="Đã có người chăm sóc"),
    )
    assert response.status_code == 302
    duc.refresh_from_db()
    person = Person.objects.get(pk=duc.person_id)
    assert person.phone == "0987654321" and person.id_number == ID_NUMBER
    assert duc.circumstances == "Đã có người chăm sóc"


def test_kept_identifier_is_still_checked(client, people, duc):
    login(client, people.clerk)
    # The stored ID says born 1950: a birth year of 1990 must be confirmed, as on entry.
    response = client.post(reverse("beneficiary_edit", args=[duc.pk]), _edit_data(birth="1990"))
    assert response.status_code == 200 and 'id="warnings"' in response.content.decode()
    assert Person.objects.get(pk=duc.person_id).birth_date.year == 1950


def test_opening_the_edit_form_with_pii_view_is_logged_once(client, people, duc):
    login(client, people.hn_officer)
    body = client.get(reverse("beneficiary_edit", args=[duc.pk])).content.decode()
    assert ID_NUMBER in body and CIRCUMSTANCES in body
    event = _sensitive_views().get()
    assert event.object_id == str(duc.pk) and event.actor_id == people.hn_officer.pk
    assert "edit" in event.changes["viewed"][1]


# --- 4. Bulk unmasked views are logged once, with what was asked, not the data -----------------


def test_list_page_with_unmasked_data_is_logged_once(client, people, duc, dung):
    login(client, people.clerk)  # masked: nothing to log
    client.get(reverse("beneficiary_list"))
    assert not _sensitive_views().exists()
    login(client, people.hn_officer)
    client.get(reverse("beneficiary_list"), {"q": ID_NUMBER})
    event = _sensitive_views().get()
    assert event.changes["records"][1] == 1
    assert event.changes["filters"][1] == {"q": "0010******45", "page": 1}
    assert ID_NUMBER not in json.dumps(event.changes, ensure_ascii=False)


def test_export_with_unmasked_data_is_logged_once(client, people, duc, dung):
    login(client, people.hn_officer)
    client.get(reverse("beneficiary_export"), {"status": "active"})
    event = _sensitive_views().get()
    assert event.changes["records"][1] == 2
    assert event.changes["filters"][1] == {"status": "active"}
    assert event.unit_path == people.hn_officer.assignments.get().unit.path


def test_api_list_and_writes_with_unmasked_data_are_logged(people, duc, dung):
    clerk, clerk_headers = _api(people.clerk)
    clerk.get("/api/v1/beneficiaries", headers=clerk_headers)
    assert not _sensitive_views().exists()
    client, headers = _api(people.hn_officer)
    client.get("/api/v1/beneficiaries", {"group": "disabled"}, headers=headers)
    listed = _sensitive_views().get()
    assert listed.changes["records"][1] == 1 and listed.changes["filters"][1]["group"] == "disabled"
    body = {
        "full_name": "Vũ Thị Mai",
        "birth": "1950",
        "sex": "female",
        "id_number": "001150012345",
        "circumstances": "Sống một mình",
    }
    created = client.post(
        "/api/v1/beneficiaries", body, content_type="application/json", headers=headers
    )
    assert created.status_code == 201
    new_id = created.json()["id"]
    assert _sensitive_views().filter(object_id=str(new_id)).count() == 1
    updated = client.put(
        f"/api/v1/beneficiaries/{new_id}",
        {**body, "address_detail": "Tổ 3"},
        content_type="application/json",
        headers=headers,
    )
    assert updated.status_code == 200
    assert _sensitive_views().filter(object_id=str(new_id)).count() == 2


# --- 5. Merged records of other units are counted, not shown -----------------------------------


def test_merged_records_of_other_units_are_counted_not_listed(client, people, tree, register):
    a = register("Đặng Văn Sáu", birth="1950").person
    b = register("Dang Van Sau", birth="03/04/1950", unit=tree.ba_dinh).person
    b.source_ref = "BD-NGHEO-0042"
    b.save(update_fields=["source_ref"])
    person_merge(actor=actor(people.hn_officer), survivor=a, merged=b)
    survivor = Person.objects.get(pk=a.pk).beneficiary
    login(client, people.clerk)  # Hoàn Kiếm only
    body = client.get(reverse("beneficiary_detail", args=[survivor.pk])).content.decode()
    assert "Dang Van Sau" not in body and "BD-NGHEO-0042" not in body
    assert "phường Ba Đình" not in body
    assert 'id="merged-outside"' in body and 'id="merged-records"' not in body
    login(client, people.hn_officer)  # Hà Nội: both units
    body = client.get(reverse("beneficiary_detail", args=[survivor.pk])).content.decode()
    assert "Dang Van Sau" in body and "BD-NGHEO-0042" in body
    assert 'id="merged-outside"' not in body


# --- 6. Read rights on reads, edit rights on the duplicate checks ------------------------------


@pytest.mark.parametrize("role", [Role.PARTNER, Role.PARTNER_ORG])
def test_partners_cannot_read_records(client, tree, people, duc, role):
    partner = make_user("partner", tree.hoan_kiem, role, "Cơ quan phối hợp")
    login(client, partner)
    assert client.get(reverse("beneficiary_detail", args=[duc.pk])).status_code == 403
    api, headers = _api(partner)
    listed = api.get("/api/v1/beneficiaries", headers=headers)
    assert listed.status_code == 403 and "Nguyễn" not in listed.content.decode()
    assert api.get(f"/api/v1/beneficiaries/{duc.pk}", headers=headers).status_code == 403


def test_duplicate_checks_need_edit_rights(client, tree, people, viewer, duc):
    partner = make_user("partner", tree.hoan_kiem, Role.PARTNER, "Cơ quan phối hợp")
    draft = {"full_name": "Nguyễn Văn Đức", "birth": "1950", "id_number": ID_NUMBER}
    for user in (viewer, partner):
        login(client, user)
        assert client.get(reverse("beneficiary_match"), draft).status_code == 403
        api, headers = _api(user)
        refused = api.post(
            "/api/v1/people/match", draft, content_type="application/json", headers=headers
        )
        assert refused.status_code == 403 and "outside_scope" not in refused.json()
    login(client, people.clerk)
    assert client.get(reverse("beneficiary_match"), draft).status_code == 200


# --- 7. A profile merge names its actor -------------------------------------------------------


def test_profile_merge_is_audited_with_the_merge_actor(people, register):
    a = register("Nguyễn Văn Hải", birth="12/03/1980", groups=["poor"]).person
    b = register("Nguyen Van Hai", birth="1980", groups=["disabled"]).person
    person_merge(actor=actor(people.hn_officer), survivor=a, merged=b)
    event = AuditEvent.objects.get(action="merge", object_type="beneficiaries.beneficiary")
    assert event.actor_id == people.hn_officer.pk and event.actor_label == "hn_officer"
    survivor = Person.objects.get(pk=a.pk).beneficiary
    assert set(survivor.memberships.values_list("group_id", flat=True)) == {"poor", "disabled"}


def test_an_api_update_by_data_entry_keeps_what_it_cannot_see(people, duc):
    """The API answers a clerk with masked values: a PUT that sends the ID, phone and
    circumstances empty keeps the stored ones, and the health group stays."""
    client, headers = _api(people.clerk)
    body = {"full_name": "Nguyễn Văn Đức", "birth": "1950", "address_detail": "Tổ 9"}
    updated = client.put(
        f"/api/v1/beneficiaries/{duc.pk}", body, content_type="application/json", headers=headers
    )
    assert updated.status_code == 200, updated.content
    duc.refresh_from_db()
    duc.person.refresh_from_db()
    assert (duc.person.id_number, duc.person.phone) == (ID_NUMBER, PHONE)
    assert duc.circumstances == CIRCUMSTANCES and duc.person.address_detail == "Tổ 9"
    assert set(duc.memberships.values_list("group_id", flat=True)) >= {"disabled"}
