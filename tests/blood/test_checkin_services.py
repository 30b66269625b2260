"""Donor registration, weights, donations (eligibility decided again when recording), deferrals
and free transfusions against a certificate: atomic, audited, refused with clear Vietnamese."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from nhandao.blood import checkin, services
from nhandao.blood.models import (
    BloodDonation,
    BloodDonor,
    BloodSession,
    Deferral,
    Honour,
    SessionRegistration,
    TransfusionUse,
    WeightRecord,
)
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.people.models import Person
from tests.blood.b1_fixtures import TODAY, days_ago, donate, make_desk, make_donor
from tests.conftest import actor

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tree, people):
    return make_desk(tree, people)


def test_register_a_new_donor_creates_the_person_with_a_card_code(desk):
    an = desk.an
    assert an.person.full_name == "Nguyễn Văn An"
    assert an.card_code.startswith("HM") and len(an.card_code) == 10
    assert not set(an.card_code[2:]) & set("01OIL")
    assert an.blood_group == "O+"
    assert WeightRecord.objects.get(donor=an).kg == Decimal("60.0")
    assert AuditEvent.objects.filter(object_type="blood.blooddonor", object_id=str(an.pk)).exists()


def test_register_an_existing_person_once(desk, people):
    with pytest.raises(ApplicationError, match="đã là người hiến máu \\(thẻ số HM"):
        services.donor_register(actor=desk.officer, unit=desk.an.unit, person=desk.an.person)


def test_blood_group_abo_only_and_unknown_groups(desk, tree):
    assert desk.binh.blood_group == "A"  # ABO only: Rh not known
    with pytest.raises(ApplicationError, match="Nhóm máu «C» không có"):
        make_donor(desk.officer, tree.hoan_kiem, "Phạm Văn Cường", abo="C")
    with pytest.raises(ApplicationError, match="Chưa rõ nhóm máu ABO thì không ghi Rh"):
        make_donor(desk.officer, tree.hoan_kiem, "Phạm Văn Cường", abo="", rh="+")
    assert services.parse_blood_group("AB Rh−") == ("AB", "-")
    assert services.parse_blood_group("o+") == ("O", "+")
    assert services.parse_blood_group("") == ("", "")
    with pytest.raises(ApplicationError):
        services.parse_blood_group("Z+")
    assert not Person.objects.filter(full_name="Phạm Văn Cường").exists()  # nothing half-written


@pytest.mark.parametrize("weight", ["0", "-5", "19,9", "251", "abc", "NaN", "Infinity"])
def test_impossible_weights_are_refused(desk, weight):
    with pytest.raises(ApplicationError, match="Cân nặng"):
        services.weight_record(actor=desk.officer, donor=desk.an, kg=weight)


def test_record_a_donation_updates_counters_registration_and_audit(desk):
    SessionRegistration.objects.create(session=desk.session, donor=desk.an)
    donation = donate(desk, desk.an, volume_ml=450, certificate_no="hn-2026-001", gift_value=180000)
    an = BloodDonor.objects.get(pk=desk.an.pk)
    assert an.donation_count == 1
    assert an.last_donation_on == TODAY and an.last_donation_kind == "whole_blood"
    assert donation.first_time and donation.certificate_no == "HN-2026-001"
    assert donation.unit == desk.session.unit
    assert SessionRegistration.objects.get(donor=an).checked_in_at is not None
    event = AuditEvent.objects.get(object_type="blood.blooddonation", object_id=str(donation.pk))
    assert event.changes["volume_ml"] == [None, 450]


def test_the_first_donation_creates_no_honour_and_the_fifth_does(desk):
    donate(desk, desk.an)
    assert not Honour.objects.filter(donor=desk.an).exists()
    BloodDonor.objects.filter(pk=desk.an.pk).update(
        donation_count=4, last_donation_on=days_ago(200)
    )
    BloodDonation.objects.filter(donor=desk.an).update(donated_on=days_ago(200))
    donate(desk, desk.an)
    honour = Honour.objects.get(donor=desk.an)
    assert honour.rule.threshold == 5 and honour.status == "pending"


def test_a_second_donation_the_same_day_is_refused_clearly(desk):
    donate(desk, desk.an)
    with pytest.raises(ApplicationError) as exc:
        donate(desk, desk.an, kind="plasma", volume_ml=400)
    assert "Nguyễn Văn An đã được ghi nhận hiến máu toàn phần ngày" in exc.value.message
    assert "không ghi lần thứ hai" in exc.value.message
    assert exc.value.extra["duplicate"] is True
    assert BloodDonation.objects.filter(donor=desk.an).count() == 1


def test_the_interval_is_enforced_when_recording(desk):
    BloodDonation.objects.create(
        donor=desk.an,
        unit=desk.session.unit,
        donated_on=days_ago(83),
        kind="whole_blood",
        volume_ml=350,
    )
    with pytest.raises(ApplicationError) as exc:
        donate(desk, desk.an)
    assert exc.value.message.startswith("Chưa đủ 12 tuần kể từ lần hiến máu toàn phần ngày")
    assert exc.value.extra["ineligible"] is True
    assert BloodDonor.objects.get(pk=desk.an.pk).donation_count == 0


def test_volume_not_allowed_for_the_weight(desk):
    with pytest.raises(ApplicationError) as exc:
        donate(desk, desk.binh, volume_ml=350, weight_kg="44,9")
    assert exc.value.message == (
        "Thể tích 350 ml không được phép với cân nặng 44,9 kg: tối đa 250 ml."
    )
    assert exc.value.field == "volume_ml"
    assert donate(desk, desk.binh, volume_ml=250, weight_kg="44,9").volume_ml == 250


def test_future_dates_and_dates_off_the_session_are_refused(desk):
    with pytest.raises(ApplicationError, match="ở tương lai"):
        donate(desk, desk.an, donated_on=TODAY + dt.timedelta(days=1))
    with pytest.raises(ApplicationError, match="khác ngày của buổi hiến máu"):
        donate(desk, desk.an, donated_on=days_ago(1))


def test_cancelled_session_takes_no_donation(desk):
    BloodSession.objects.filter(pk=desk.session.pk).update(status="cancelled")
    desk.session.refresh_from_db()
    with pytest.raises(ApplicationError, match="đã hủy"):
        donate(desk, desk.an)


def test_duplicated_certificate_number(desk):
    donate(desk, desk.an, certificate_no="HN-1")
    with pytest.raises(ApplicationError) as exc:
        donate(desk, desk.binh, volume_ml=250, weight_kg="44,9", certificate_no="hn-1")
    assert "Số giấy chứng nhận HN-1 đã cấp cho lần hiến ngày" in exc.value.message
    assert exc.value.field == "certificate_no"


def test_weight_and_volume_must_be_given(desk):
    with pytest.raises(ApplicationError, match="Chưa ghi cân nặng"):
        donate(desk, desk.an, weight_kg="")
    with pytest.raises(ApplicationError, match="Chưa ghi thể tích"):
        donate(desk, desk.an, volume_ml=None)
    with pytest.raises(ApplicationError, match="không phải túi máu toàn phần chuẩn"):
        donate(desk, desk.an, volume_ml=300)


def test_a_clerk_outside_the_unit_may_not_record(desk, tree, people):
    from nhandao.blood.models import BloodSession

    elsewhere = BloodSession.objects.create(unit=tree.ba_dinh, held_on=TODAY, place="Ba Đình")
    with pytest.raises(ApplicationError, match="không có quyền"):
        services.donation_record(
            actor=actor(people.clerk),
            donor=desk.an,
            session=elsewhere,
            data=services.DonationData(volume_ml=350, weight_kg="60"),
        )


def test_deferral_until_a_day_blocks_then_frees(desk):
    deferral = services.deferral_record(
        actor=desk.officer,
        donor=desk.an,
        session=desk.session,
        data=services.DeferralData(reason_code="hemoglobin", reason_text="Hb 115 g/L", days=7),
    )
    assert deferral.until == TODAY + dt.timedelta(days=6)
    with pytest.raises(ApplicationError, match="Đang tạm hoãn hiến máu đến hết"):
        donate(desk, desk.an)
    event = AuditEvent.objects.get(object_type="blood.deferral", object_id=str(deferral.pk))
    assert "Hb" not in str(event.changes)  # the reason is sensitive: not copied into the log


def test_deferral_input_is_checked(desk):
    def defer(**kw):
        return services.deferral_record(
            actor=desk.officer,
            donor=desk.an,
            session=desk.session,
            data=services.DeferralData(**kw),
        )

    with pytest.raises(ApplicationError, match="Chọn lý do"):
        defer(reason_code="nope", days=3)
    with pytest.raises(ApplicationError, match="hãy ghi rõ lý do"):
        defer(reason_code="other", days=3)
    with pytest.raises(ApplicationError, match="hoặc chọn hoãn vĩnh viễn"):
        defer(reason_code="illness")
    with pytest.raises(ApplicationError, match="trước ngày tạm hoãn"):
        defer(reason_code="illness", until=days_ago(3))
    with pytest.raises(ApplicationError, match="không ghi ngày hoãn đến"):
        defer(reason_code="chronic", until=TODAY, permanent=True)
    assert not Deferral.objects.exists()
    defer(reason_code="chronic", permanent=True)
    rows = checkin.checkin_lookup(user=desk.officer, query="001090001234", on=TODAY)
    assert rows[0].decision.reasons == ["Đã có quyết định hoãn hiến máu vĩnh viễn."]


def test_transfusion_uses_never_exceed_the_volume(desk):
    donation = donate(desk, desk.an, volume_ml=350, certificate_no="HN-9")

    def use(volume, on=TODAY):
        return services.transfusion_use_record(
            actor=desk.officer,
            donation=donation,
            used_on=on,
            volume_ml=volume,
            hospital="Bệnh viện Bạch Mai",
            patient="Nguyễn Thị Hoa",
        )

    use(250)
    with pytest.raises(ApplicationError) as exc:
        use(250)
    assert exc.value.message == (
        "Giấy chứng nhận HN-9 (hiến 350 ml) chỉ còn 100 ml được truyền miễn phí, không đủ 250 ml."
    )
    use(100)
    assert services.volume_used(donation) == 350
    with pytest.raises(ApplicationError, match="chỉ còn 0 ml"):
        use(1)
    with pytest.raises(ApplicationError, match="trước ngày hiến"):
        use(10, on=days_ago(5))
    assert TransfusionUse.objects.count() == 2


def test_lookup_by_id_phone_card_and_name(desk):
    donate(desk, desk.an)
    by_id = checkin.checkin_lookup(user=desk.officer, query="001 090 001 234", on=TODAY)
    assert [r.donor for r in by_id] == [desk.an]
    assert not by_id[0].decision.eligible  # donated today
    assert [
        r.donor for r in checkin.checkin_lookup(user=desk.officer, query="+84 912 345 678")
    ] == [desk.an]
    card = desk.binh.card_code
    for q in (card, card.lower(), f"NHANDAO:{card}", f"{card[:5]}-{card[5:]}"):
        assert [r.donor for r in checkin.checkin_lookup(user=desk.officer, query=q)] == [
            desk.binh
        ], q
    by_name = checkin.checkin_lookup(user=desk.officer, query="le thi binh")
    assert by_name[0].donor == desk.binh and by_name[0].decision.eligible
    assert by_name[0].decision.allowed_volumes == [250]
    assert checkin.checkin_lookup(user=desk.officer, query="x") == []


def test_lookup_is_scoped(desk, people):
    assert checkin.checkin_lookup(user=actor(people.outsider), query="001090001234") == []


def test_lookup_is_a_handful_of_queries(desk, django_assert_max_num_queries):
    for i in range(5):
        make_donor(desk.officer, desk.session.unit, f"Nguyễn Văn Bê {chr(65 + i)}")
    with django_assert_max_num_queries(5):
        rows = checkin.checkin_lookup(user=desk.officer, query="nguyen van", on=TODAY)
    assert len(rows) == 6


def test_a_new_rules_row_in_force_changes_the_answer(desk):
    from nhandao.blood.models import BloodRules

    BloodDonation.objects.create(
        donor=desk.an,
        unit=desk.session.unit,
        donated_on=days_ago(15),
        kind="platelets",
        volume_ml=400,
    )
    BloodDonor.objects.filter(pk=desk.an.pk).update(
        donation_count=1, last_donation_on=days_ago(15), last_donation_kind="platelets"
    )
    with pytest.raises(ApplicationError, match="Chưa đủ 3 tuần"):
        donate(desk, desk.an, kind="plasma", volume_ml=500)
    BloodRules.objects.create(valid_from=days_ago(30), interval_platelets_days=14)
    rows = checkin.checkin_lookup(user=desk.officer, query="001090001234", kind="plasma")
    assert rows[0].decision.eligible
    assert donate(desk, desk.an, kind="plasma", volume_ml=500).volume_ml == 500
