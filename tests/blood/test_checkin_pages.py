"""The check-in desk: find, see the verdict, record a donation or a deferral, a new donor; the
certificate page with its uses. Sensitive answers masked without pii.view, every view logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.blood import services
from nhandao.blood.models import BloodDonation, BloodDonor, Deferral, TransfusionUse
from nhandao.core.models import AuditEvent
from tests.blood.b1_fixtures import TODAY, donate, make_desk
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tree, people):
    return make_desk(tree, people)


def test_nav_and_home_list_todays_sessions(client, desk, people):
    login(client, people.clerk)
    page = client.get(reverse("dashboard")).content.decode()
    assert reverse("blood_checkin_home") in page and "Hiến máu" in page
    page = client.get(reverse("blood_checkin_home")).content.decode()
    assert "Cung Văn hóa Hữu nghị" in page
    assert reverse("blood_checkin", args=[desk.session.pk]) in page


def test_find_by_id_shows_the_verdict(client, desk, people):
    login(client, people.clerk)
    url = reverse("blood_checkin", args=[desk.session.pk])
    page = client.get(url, {"q": "001090001234"}).content.decode()
    assert "Nguyễn Văn An" in page and "ĐƯỢC HIẾN HÔM NAY" in page
    assert "250, 350, 450 ml" in page
    donate(desk, desk.an)
    page = client.get(url, {"q": "001090001234"}, HTTP_HX_REQUEST="true").content.decode()
    assert "CHƯA ĐƯỢC HIẾN" in page and "Chưa đủ 12 tuần kể từ lần hiến máu toàn phần" in page
    assert "<html" not in page  # htmx gets the fragment only


def test_record_a_donation_from_the_desk(client, desk, people):
    login(client, people.clerk)
    url = reverse("blood_checkin_donor", args=[desk.session.pk, desk.binh.pk])
    page = client.get(url).content.decode()
    assert "ĐƯỢC HIẾN HÔM NAY" in page and '<option value="250">250 ml</option>' in page
    assert '<option value="350">' not in page
    body = {"kind": "whole_blood", "volume_ml": 350, "weight_kg": "44,9", "certificate_no": ""}
    refused = client.post(url, body)
    assert refused.status_code == 200
    assert "Thể tích 350 ml không được phép với cân nặng 44,9 kg: tối đa 250 ml." in (
        refused.content.decode()
    )
    body.update(volume_ml=250, certificate_no="HK-0001", health_notes="Huyết áp 120/80")
    done = client.post(url, body)
    donation = BloodDonation.objects.get(donor=desk.binh)
    assert done.status_code == 302 and done["Location"] == reverse(
        "blood_certificate", args=[donation.pk]
    )
    assert BloodDonor.objects.get(pk=desk.binh.pk).donation_count == 1


def test_defer_from_the_desk_and_reasons_masked_for_data_entry(client, desk, people):
    login(client, people.clerk)
    url = reverse("blood_checkin_defer", args=[desk.session.pk, desk.an.pk])
    bad = client.post(url, {"reason_code": "illness"})
    assert bad.status_code == 400 and "hoặc chọn hoãn vĩnh viễn" in bad.content.decode()
    ok = client.post(url, {"reason_code": "hemoglobin", "reason_text": "Hb 110", "days": "14"})
    assert ok.status_code == 302
    assert Deferral.objects.get(donor=desk.an).reason_text == "Hb 110"
    donor_url = reverse("blood_checkin_donor", args=[desk.session.pk, desk.an.pk])
    page = client.get(donor_url).content.decode()
    assert "Đang tạm hoãn hiến máu đến hết" in page
    assert "Hb 110" not in page and "lý do được ẩn" in page
    assert not AuditEvent.objects.filter(action="view_sensitive").exists()


def test_reasons_shown_with_pii_view_and_logged(client, desk, people):
    services.deferral_record(
        actor=desk.officer,
        donor=desk.an,
        session=desk.session,
        data=services.DeferralData(reason_code="hemoglobin", reason_text="Hb 110", days=3),
    )
    login(client, people.hn_officer)
    page = client.get(reverse("blood_checkin_donor", args=[desk.session.pk, desk.an.pk]))
    assert "Hb 110" in page.content.decode()
    event = AuditEvent.objects.get(action="view_sensitive")
    assert event.object_id == str(desk.an.pk) and event.actor_id == people.hn_officer.pk


def test_a_new_donor_at_the_desk_then_a_duplicate_is_offered(client, desk, people):
    login(client, people.clerk)
    url = reverse("blood_checkin_new", args=[desk.session.pk])
    body = {
        "full_name": "đỗ thị cúc",
        "birth": "03/04/2000",
        "sex": "female",
        "phone": "0987654321",
        "abo": "B",
        "rh": "-",
        "weight_kg": "52",
        "contact_sms": "on",
    }
    created = client.post(url, body)
    donor = BloodDonor.objects.get(person__full_name="Đỗ Thị Cúc")
    assert created["Location"] == reverse("blood_checkin_donor", args=[desk.session.pk, donor.pk])
    assert donor.blood_group == "B-" and donor.unit == desk.session.unit
    again = client.post(url, body).content.decode()
    assert "Có thể người này đã có trong danh sách" in again
    chosen = client.post(url, {**body, "person": donor.person_id})
    assert "đã là người hiến máu" in chosen.content.decode()
    assert BloodDonor.objects.filter(person__full_name="Đỗ Thị Cúc").count() == 1


def test_a_new_donor_with_a_bad_group_or_weight_is_refused(client, desk, people):
    login(client, people.clerk)
    url = reverse("blood_checkin_new", args=[desk.session.pk])
    body = {"full_name": "Hà Văn Dũng", "birth": "1990", "sex": "male", "weight_kg": "500"}
    page = client.post(url, body).content.decode()
    assert "Cân nặng 500 kg không thể đúng" in page
    assert not BloodDonor.objects.filter(person__full_name="Hà Văn Dũng").exists()


def test_certificate_page_records_uses_and_masks_health_answers(client, desk, people):
    donation = donate(desk, desk.an, certificate_no="HK-7", health_notes="Đã khám: bình thường")
    url = reverse("blood_certificate", args=[donation.pk])
    login(client, people.clerk)
    page = client.get(url).content.decode()
    assert "HK-7" in page and "Đã dùng 0 ml trên 350 ml, còn 350 ml." in page
    assert "bình thường" not in page and "được ẩn" in page
    too_much = client.post(
        url, {"used_on": TODAY.strftime("%d/%m/%Y"), "volume_ml": 400, "hospital": "BV E"}
    )
    assert "chỉ còn 350 ml được truyền miễn phí" in too_much.content.decode()
    ok = client.post(
        url, {"used_on": TODAY.strftime("%d/%m/%Y"), "volume_ml": 200, "hospital": "BV E"}
    )
    assert ok.status_code == 302 and TransfusionUse.objects.get().volume_ml == 200
    login(client, people.hn_officer)
    page = client.get(url).content.decode()
    assert "Đã khám: bình thường" in page and "còn 150 ml" in page
    assert AuditEvent.objects.filter(action="view_sensitive", object_id=str(desk.an.pk)).exists()


def test_a_donor_out_of_scope_is_404_even_at_an_own_session(client, desk, people, tree):
    from tests.blood.b1_fixtures import make_donor

    stranger = make_donor(people.outsider, tree.vinh_linh, "Hồ Văn Em")
    login(client, people.clerk)
    url = reverse("blood_checkin_donor", args=[desk.session.pk, stranger.pk])
    assert client.get(url).status_code == 404


def test_the_desk_lists_donors_registered_in_advance(client, desk, people):
    from nhandao.blood.models import SessionRegistration

    SessionRegistration.objects.create(session=desk.session, donor=desk.an)
    SessionRegistration.objects.create(session=desk.session, donor=desk.binh)
    donate(desk, desk.an)
    login(client, people.clerk)
    page = client.get(reverse("blood_checkin", args=[desk.session.pk])).content.decode()
    assert "Đã đăng ký trước" in page
    assert reverse("blood_checkin_donor", args=[desk.session.pk, desk.binh.pk]) in page
    assert page.count("đã hiến</span>") == 1
