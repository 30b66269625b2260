"""Fairs and vouchers: codes with a keyed check, issuing through the overlap rules, redeeming once
with a clear message for every refusal, reconciling; and the pages (phone redeem page included)."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.aid import vouchers
from nhandao.aid.models import AidRecord, Voucher
from nhandao.campaigns import selectors as campaign_selectors
from nhandao.campaigns.models import Campaign
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from tests.campaigns.conftest import TetSetup, make_campaign, tet  # noqa: F401
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


@pytest.fixture
def running(tet):  # noqa: F811
    """The Tết campaign, its window moved around today so that vouchers are issued today."""
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=40)
    )
    tet.campaign.refresh_from_db()
    return tet


@pytest.fixture
def fair(running, tree, people):
    fair = vouchers.fair_create(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        unit=tree.hanoi,
        data=vouchers.FairData(
            name="Hội chợ Vui Tết Hà Nội",
            held_from=TODAY,
            held_to=TODAY + dt.timedelta(days=3),
            voucher_value=500_000,
            place="Cung Văn hóa Hữu nghị",
        ),
    )
    vouchers.stall_add(actor=actor(people.hn_officer), fair=fair, name="Gian gạo, dầu ăn")
    vouchers.stall_add(actor=actor(people.hn_officer), fair=fair, name="Gian quần áo")
    return fair


def _stalls(fair):
    return {s.name: s for s in vouchers.stall_list(fair=fair)}


def _issue(fair, people):
    return vouchers.voucher_issue_uncovered(actor=actor(people.hn_officer), fair=fair)


# --- Codes --------------------------------------------------------------------------------------


def test_codes_carry_a_keyed_check_and_read_back_however_typed():
    code = vouchers.code_new()
    assert len(code) == 12 and vouchers.code_is_genuine(code)
    shown = vouchers.code_display(code)
    assert shown.count("-") == 2
    assert vouchers.code_normalise(f"  {shown.lower()} ") == code
    assert vouchers.code_normalise(f"https://nhandao.vn/v/{code}/") == code
    forged = code[:-1] + ("2" if code[-1] != "2" else "3")
    assert not vouchers.code_is_genuine(forged)
    assert not vouchers.code_is_genuine(code.replace(code[0], "0"))  # outside the alphabet


def test_the_check_depends_on_the_secret_key(settings):
    code = vouchers.code_new()
    settings.SECRET_KEY = "another-key-" + "x" * 40
    assert not vouchers.code_is_genuine(code)


# --- Fairs and issuing --------------------------------------------------------------------------


def test_a_fair_below_the_campaign_minimum_or_outside_its_area_is_refused(running, tree, people):
    data = vouchers.FairData("Hội chợ", TODAY, TODAY, 100_000)
    with pytest.raises(ApplicationError, match="thấp hơn mức tối thiểu"):
        vouchers.fair_create(
            actor=actor(people.hn_officer), campaign=running.campaign, unit=tree.hanoi, data=data
        )
    data.voucher_value = 500_000
    with pytest.raises(ApplicationError, match=r"không có quyền|không thuộc địa bàn"):
        vouchers.fair_create(
            actor=actor(people.outsider),
            campaign=running.campaign,
            unit=tree.vinh_linh,
            data=data,
        )
    data.held_to = TODAY - dt.timedelta(days=1)
    with pytest.raises(ApplicationError, match="trước ngày bắt đầu"):
        vouchers.fair_create(
            actor=actor(people.hn_officer), campaign=running.campaign, unit=tree.hanoi, data=data
        )


def test_vouchers_go_to_uncovered_households_as_aid_records(fair, running, tree, people):
    issued = _issue(fair, people)
    # The An household (two members) gets one voucher; Bình and Cúc one each.
    assert len(issued) == 3
    names = {v.aid_record.person.full_name for v in issued}
    assert "Lê Văn Bình" in names and "Phạm Thị Cúc" in names
    for v in issued:
        assert vouchers.code_is_genuine(v.code)
        assert v.value == 500_000 and v.status == "issued"
        assert (v.valid_from, v.valid_until) == (fair.held_from, fair.held_to)
        assert v.aid_record.kind == "voucher" and v.aid_record.value == 500_000
    cov = campaign_selectors.coverage(campaign=running.campaign, unit=tree.hanoi)
    assert cov.uncovered == 0
    with pytest.raises(ApplicationError, match="Không còn hộ nào"):
        _issue(fair, people)
    assert AuditEvent.objects.filter(object_type="aid.fair", object_id=str(fair.pk)).count() == 2


def test_a_second_voucher_to_a_household_is_refused_and_nothing_is_written(fair, running, people):
    vouchers.voucher_issue(actor=actor(people.hn_officer), fair=fair, people=[running.an])
    with pytest.raises(ApplicationError, match="Chưa phát phiếu nào vì 1 trường hợp"):
        vouchers.voucher_issue(
            actor=actor(people.hn_officer), fair=fair, people=[running.binh, running.an_wife]
        )
    assert Voucher.objects.count() == 1
    assert AidRecord.objects.filter(person=running.binh).count() == 0


# --- Redeeming ----------------------------------------------------------------------------------


def test_a_voucher_redeems_once_and_the_second_scan_says_when_and_where(fair, people):
    v = _issue(fair, people)[0]
    stalls = _stalls(fair)
    rice, clothes = stalls["Gian gạo, dầu ăn"], stalls["Gian quần áo"]
    done = vouchers.voucher_redeem(
        actor=actor(people.hn_officer), fair=fair, stall=rice, code=vouchers.code_display(v.code)
    )
    assert done.status == "redeemed" and done.stall_id == rice.pk
    assert AidRecord.objects.get(pk=v.aid_record_id).acknowledgement == "voucher"
    assert AuditEvent.objects.filter(object_type="aid.voucher", object_id=str(v.pk)).exists()
    with pytest.raises(ApplicationError, match=r"đã được sử dụng lúc .* tại gian hàng «Gian gạo"):
        vouchers.voucher_redeem(actor=actor(people.hn_admin), fair=fair, stall=clothes, code=v.code)


def test_forged_unknown_expired_early_and_void_vouchers_are_refused(fair, people):
    first, second, third = _issue(fair, people)
    stall = _stalls(fair)["Gian quần áo"]
    who = actor(people.hn_officer)
    forged = first.code[:-1] + ("2" if first.code[-1] != "2" else "3")
    with pytest.raises(ApplicationError, match="không hợp lệ: phiếu giả hoặc gõ nhầm"):
        vouchers.voucher_redeem(actor=who, fair=fair, stall=stall, code=forged)
    with pytest.raises(ApplicationError, match="Chưa nhập mã phiếu"):
        vouchers.voucher_redeem(actor=who, fair=fair, stall=stall, code=" - ")
    unknown = vouchers.code_new()
    with pytest.raises(ApplicationError, match="Không có phiếu mã"):
        vouchers.voucher_redeem(actor=who, fair=fair, stall=stall, code=unknown)
    later = timezone.now() + dt.timedelta(days=10)
    with pytest.raises(ApplicationError, match="đã hết hạn"):
        vouchers.voucher_redeem(actor=who, fair=fair, stall=stall, code=first.code, now=later)
    Voucher.objects.filter(pk=second.pk).update(valid_from=TODAY + dt.timedelta(days=1))
    with pytest.raises(ApplicationError, match="chỉ có giá trị từ ngày"):
        vouchers.voucher_redeem(actor=who, fair=fair, stall=stall, code=second.code)
    vouchers.voucher_void(actor=who, voucher=third, reason="Mất phiếu")
    with pytest.raises(ApplicationError, match="đã bị hủy"):
        vouchers.voucher_redeem(actor=who, fair=fair, stall=stall, code=third.code)
    assert not Voucher.objects.filter(status="redeemed").exists()


def test_voiding_a_voucher_voids_its_aid_record_so_the_household_counts_again(
    fair, running, tree, people
):
    v = vouchers.voucher_issue(actor=actor(people.hn_officer), fair=fair, people=[running.binh])[0]
    with pytest.raises(ApplicationError, match="lý do"):
        vouchers.voucher_void(actor=actor(people.hn_officer), voucher=v, reason=" ")
    vouchers.voucher_void(actor=actor(people.hn_officer), voucher=v, reason="Phát nhầm")
    assert AidRecord.objects.get(pk=v.aid_record_id).voided_at is not None
    page = campaign_selectors.uncovered_list(campaign=running.campaign, unit=tree.hoan_kiem)
    assert "Lê Văn Bình" in [p.full_name for p in page.people]
    with pytest.raises(ApplicationError, match="Chỉ hủy được phiếu chưa sử dụng"):
        vouchers.voucher_void(actor=actor(people.hn_officer), voucher=v, reason="x")


def test_a_stall_of_another_fair_or_a_user_without_rights_cannot_redeem(fair, running, people):
    v = _issue(fair, people)[0]
    other = vouchers.fair_create(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        unit=running.campaign.unit,
        data=vouchers.FairData("Hội chợ thứ hai", TODAY, TODAY, 500_000),
    )
    stall = vouchers.stall_add(actor=actor(people.hn_officer), fair=other, name="Gian A")
    with pytest.raises(ApplicationError, match="không thuộc hội chợ"):
        vouchers.voucher_redeem(actor=actor(people.hn_officer), fair=fair, stall=stall, code=v.code)
    with pytest.raises(ApplicationError, match="Không có phiếu mã"):
        vouchers.voucher_redeem(
            actor=actor(people.hn_officer), fair=other, stall=stall, code=v.code
        )
    with pytest.raises(ApplicationError, match="không có quyền"):
        vouchers.voucher_redeem(
            actor=actor(people.outsider),
            fair=fair,
            stall=_stalls(fair)["Gian quần áo"],
            code=v.code,
        )


# --- Reconciling --------------------------------------------------------------------------------


def test_reconcile_counts_issued_redeemed_expired_void_and_value_by_stall(fair, people):
    a, b, c = _issue(fair, people)
    stalls = _stalls(fair)
    who = actor(people.hn_officer)
    vouchers.voucher_redeem(actor=who, fair=fair, stall=stalls["Gian quần áo"], code=a.code)
    vouchers.voucher_void(actor=who, voucher=c, reason="Mất phiếu")
    rec = vouchers.reconcile(fair=fair)
    assert (rec.issued.count, rec.issued.value) == (3, 1_500_000)
    assert (rec.redeemed.count, rec.redeemed.value) == (1, 500_000)
    assert (rec.outstanding.count, rec.expired.count, rec.void.count) == (1, 0, 1)
    assert [(line.stall.name, line.count, line.value) for line in rec.stalls] == [
        ("Gian quần áo", 1, 500_000),
        ("Gian gạo, dầu ăn", 0, 0),
    ]
    later = vouchers.reconcile(fair=fair, today=fair.held_to + dt.timedelta(days=1))
    assert (later.outstanding.count, later.expired.count, later.expired.value) == (0, 1, 500_000)
    assert b.pk


# --- Pages --------------------------------------------------------------------------------------


def test_fair_pages_create_issue_print_redeem_and_reconcile(client, running, tree, people):
    login(client, people.hn_officer)
    response = client.post(
        reverse("fair_create"),
        {
            "campaign": running.campaign.pk,
            "name": "Hội chợ Xuân",
            "place": "Nhà văn hóa",
            "held_from": TODAY.strftime("%d/%m/%Y"),
            "held_to": (TODAY + dt.timedelta(days=2)).strftime("%d/%m/%Y"),
            "voucher_value": "500.000",
        },
    )
    assert response.status_code == 302
    fair = vouchers.fair_list(user=actor(people.hn_officer)).get(name="Hội chợ Xuân")
    assert (
        client.post(reverse("stall_add", args=[fair.pk]), {"name": "Gian bánh chưng"}).status_code
        == 302
    )
    stall = vouchers.stall_list(fair=fair)[0]
    detail = client.get(reverse("fair_detail", args=[fair.pk])).content.decode()
    assert "3 hộ trong danh sách chưa nhận" in detail and "500.000 đ" in detail
    client.post(reverse("voucher_issue", args=[fair.pk]), {"limit": "2"})
    assert Voucher.objects.filter(fair=fair).count() == 2
    sheet = client.get(reverse("voucher_sheet", args=[fair.pk])).content.decode()
    v = Voucher.objects.filter(fair=fair).first()
    assert vouchers.code_display(v.code) in sheet and "<svg" in sheet and "500.000 đ" in sheet
    assert TODAY.strftime("%d/%m/%Y") in sheet
    url = reverse("voucher_redeem", args=[fair.pk, stall.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="code"' in page.content.decode()
    ok = client.post(url, {"code": vouchers.code_display(v.code).lower()})
    assert ok.status_code == 200 and "Đã nhận phiếu" in ok.content.decode()
    again = client.post(url, {"code": v.code})
    assert again.status_code == 400 and "đã được sử dụng lúc" in again.content.decode()
    forged = client.post(url, {"code": "ABCD-EFGH-JKLM"})
    assert "phiếu giả hoặc gõ nhầm" in forged.content.decode()
    rec = client.get(reverse("fair_reconcile", args=[fair.pk])).content.decode()
    assert "Gian bánh chưng" in rec and "1.000.000 đ" in rec
    xlsx = client.get(reverse("fair_reconcile_export", args=[fair.pk]))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    with zipfile.ZipFile(io.BytesIO(xlsx.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "ĐỐI SOÁT PHIẾU QUÀ TẶNG" in strings and "Gian bánh chưng" in strings
    assert client.get(reverse("fair_list")).status_code == 200
    other = Voucher.objects.filter(fair=fair, status="issued").first()
    client.post(reverse("voucher_void", args=[other.pk]), {"reason": "Mất phiếu"})
    assert Voucher.objects.get(pk=other.pk).status == "void"


def test_fair_pages_are_out_of_reach_outside_scope(client, fair, people):
    login(client, people.outsider)
    stall = vouchers.stall_list(fair=fair)[0]
    assert client.get(reverse("fair_detail", args=[fair.pk])).status_code == 404
    url = reverse("voucher_redeem", args=[fair.pk, stall.pk])
    assert client.post(url, {"code": "x"}).status_code == 404


def test_a_partner_login_redeems_at_its_own_stall_only(client, fair, tree, people):
    from nhandao.aid.models import Partner, PartnerUser
    from tests.conftest import make_user

    shop = Partner.objects.create(unit=tree.hanoi, name="Siêu thị Hạnh Phúc", kind="business")
    login_user = make_user("sieu_thi", tree.hanoi, "partner_org", "Nguyễn Thị Hạnh")
    PartnerUser.objects.create(partner=shop, user=login_user)
    login(client, people.hn_officer)
    client.post(reverse("stall_add", args=[fair.pk]), {"name": "Gian siêu thị", "partner": shop.pk})
    own = _stalls(fair)["Gian siêu thị"]
    assert own.name == "Gian siêu thị" and own.partner_id == shop.pk
    first, second, _third = _issue(fair, people)
    done = vouchers.voucher_redeem(actor=actor(login_user), fair=fair, stall=own, code=first.code)
    assert done.redeemed_by_id == login_user.pk
    with pytest.raises(ApplicationError, match="không phải của tổ chức bạn"):
        vouchers.voucher_redeem(
            actor=actor(login_user),
            fair=fair,
            stall=_stalls(fair)["Gian quần áo"],
            code=second.code,
        )
    login(client, login_user)
    assert client.get(reverse("fair_list")).status_code == 200
    page = client.post(reverse("voucher_redeem", args=[fair.pk, own.pk]), {"code": second.code})
    assert page.status_code == 200 and "Đã nhận phiếu" in page.content.decode()


def test_vouchers_issued_for_one_commune_and_printed_in_batches(client, fair, tree, people):
    login(client, people.hn_officer)
    client.post(reverse("voucher_issue", args=[fair.pk]), {"unit": tree.ba_dinh.pk})
    issued = list(Voucher.objects.filter(fair=fair))
    assert [v.aid_record.person.full_name for v in issued] == ["Phạm Thị Cúc"]
    login(client, people.clerk)  # Hoàn Kiếm cannot reach the Hà Nội fair
    response = client.post(reverse("voucher_issue", args=[fair.pk]), {"unit": tree.hoan_kiem.pk})
    assert response.status_code == 404
    login(client, people.hn_officer)
    sheet = client.get(reverse("voucher_sheet", args=[fair.pk]), {"page": "9"})
    assert (
        sheet.status_code == 200 and vouchers.code_display(issued[0].code) in sheet.content.decode()
    )


def test_a_voucher_is_found_by_code_or_name_and_voided_from_the_fair_page(client, fair, people):
    login(client, people.hn_officer)
    v = vouchers.voucher_issue(actor=actor(people.hn_officer), fair=fair, people=[_binh()])[0]
    url = reverse("fair_detail", args=[fair.pk])
    by_code = client.get(url, {"q": vouchers.code_display(v.code).lower()}).content.decode()
    assert "Lê Văn Bình" in by_code and "Hủy phiếu" in by_code
    by_name = client.get(url, {"q": "Văn Bình"}).content.decode()
    assert vouchers.code_display(v.code) in by_name
    assert "Không thấy phiếu nào" in client.get(url, {"q": "Không Ai"}).content.decode()
    client.post(reverse("voucher_void", args=[v.pk]), {"reason": "Mất phiếu"})
    assert Voucher.objects.get(pk=v.pk).status == "void"
    assert "Mọi hộ trong danh sách" not in client.get(url).content.decode()


def _binh():
    from nhandao.people.models import Person

    return Person.objects.select_related("unit").get(full_name="Lê Văn Bình")
