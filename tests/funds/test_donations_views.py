"""The quick donation entry form and the donation pages: good input records the gift with its
receipt; bad input (negative or fractional amount, a paper receipt number reused, a closed appeal,
items not adding up) says why in Vietnamese beside the field and writes nothing. The list (scoped,
filtered, totals, .xlsx), the donation page and reversal with a reason."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nhandao.funds import ledger, services
from nhandao.funds.models import Donation, DonationItem, Donor, Entry, Receipt
from tests.conftest import actor, login
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


def _form(fund, **extra):
    data = {
        "fund": fund.pk,
        "received_on": TODAY.strftime("%d/%m/%Y"),
        "method": "cash",
        "amount": "1.500.000",
        "earmark_kind": "",
    }
    data.update(extra)
    return data


def _post(client, data):
    return client.post(reverse("donation_create"), data)


def test_the_form_offers_open_funds_and_the_activity_fund(client, people, appeal):
    login(client, people.hn_officer)
    page = client.get(reverse("donation_create")).content.decode()
    assert "BAO3HN" in page and "QHD" in page
    assert 'name="item-0-description"' in page


def test_a_gift_is_recorded_with_its_receipt(client, people, appeal, donor):
    login(client, people.hn_officer)
    response = _post(client, _form(appeal, donor=donor.pk, note="Chung tay vì miền Trung"))
    gift = Donation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("donation_detail", args=[gift.pk])
    assert (gift.amount, gift.donor, gift.anonymous) == (1_500_000, donor, False)
    assert gift.receipt.code == f"00001/{TODAY.year}"
    assert ledger.balance(fund=appeal) == 1_500_000
    page = client.get(response["Location"]).content.decode()
    assert "Một triệu năm trăm nghìn đồng" in page and gift.reference in page


def test_a_new_donor_typed_inline_and_save_and_next(client, tree, people, appeal):
    login(client, people.clerk)  # data entry in Hoàn Kiếm collects for the Hà Nội appeal
    response = _post(
        client,
        _form(
            appeal,
            new_donor_kind="individual",
            new_donor_name="Ngô Thị Xuân",
            amount="200000",
            next="new",
        ),
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("donation_create") + f"?fund={appeal.pk}")
    gift = Donation.objects.get()
    assert gift.unit == tree.hoan_kiem and gift.donor.name == "Ngô Thị Xuân"
    assert gift.donor.unit == tree.hoan_kiem


def test_no_donor_is_an_anonymous_gift(client, people, appeal):
    login(client, people.hn_officer)
    _post(client, _form(appeal, amount="50.000 đ"))
    gift = Donation.objects.get()
    assert gift.donor is None and gift.anonymous and gift.public_name == "Nhà hảo tâm"


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-500.000", "Số tiền phải lớn hơn 0 đồng."),
        ("1,5", "không hợp lệ"),
        ("1.500.000,50", "không hợp lệ"),
        ("", "Chưa nhập số tiền."),
    ],
)
def test_bad_amounts_are_refused_beside_the_field(client, people, appeal, amount, message):
    login(client, people.hn_officer)
    page = _post(client, _form(appeal, amount=amount)).content.decode()
    assert 'id="error-amount"' in page and message in page
    assert not Donation.objects.exists() and not Entry.objects.exists()


def test_a_paper_receipt_number_reused_is_refused(client, people, appeal, give):
    give(appeal, 100_000, receipt_number=12)
    login(client, people.hn_officer)
    page = _post(client, _form(appeal, receipt_number="12")).content.decode()
    assert 'id="error-receipt_number"' in page and "Số 12 năm" in page and "đã dùng" in page
    assert Donation.objects.count() == 1 and Receipt.objects.count() == 1


def test_a_transfer_to_a_closed_appeal_is_refused(client, people, appeal):
    services.fund_close(actor=actor(people.hn_officer), fund=appeal)
    login(client, people.hn_officer)
    page = _post(client, _form(appeal, method="transfer")).content.decode()
    assert 'id="error-fund"' in page and "đã kết thúc, không nhận thêm ủng hộ" in page
    assert not Donation.objects.exists()


def test_a_new_donor_is_not_left_behind_when_the_gift_is_refused(client, people, appeal):
    services.fund_close(actor=actor(people.hn_officer), fund=appeal)
    login(client, people.hn_officer)
    _post(client, _form(appeal, new_donor_kind="business", new_donor_name="Công ty Ánh Dương"))
    assert not Donor.objects.exists()


def _items(**rows):
    data = {}
    for n, (desc, measure, qty, value) in enumerate(rows.values()):
        data.update(
            {
                f"item-{n}-description": desc,
                f"item-{n}-measure": measure,
                f"item-{n}-quantity": qty,
                f"item-{n}-unit_value": value,
            }
        )
    return data


def test_items_must_add_up_to_the_value(client, people, appeal):
    login(client, people.hn_officer)
    rows = _items(a=("Gạo", "kg", "100", "20.000"), b=("Mì tôm", "thùng", "10", "100.000"))
    data = _form(appeal, method="in_kind", amount="2.500.000", valued_by="Tổ định giá", **rows)
    page = _post(client, data).content.decode()
    assert "Tổng giá trị hàng (3.000.000 đ) khác giá trị quy đổi (2.500.000 đ)." in page
    assert not Donation.objects.exists() and not DonationItem.objects.exists()
    data.update(amount="3.000.000")
    assert _post(client, data).status_code == 302
    gift = Donation.objects.get()
    assert [(i.description, i.value) for i in gift.items.all()] == [
        ("Gạo", 2_000_000),
        ("Mì tôm", 1_000_000),
    ]
    assert ledger.balance(fund=appeal, goods=True) == 3_000_000


def test_in_kind_without_a_valuer_is_refused(client, people, appeal):
    login(client, people.hn_officer)
    data = _form(appeal, method="in_kind", amount="", **_items(a=("Chăn", "chiếc", "5", "200000")))
    page = _post(client, data).content.decode()
    assert "Cần ghi người hoặc hội đồng định giá hiện vật." in page
    assert not Donation.objects.exists()


def test_earmark_to_an_area_outside_the_fund_is_refused(client, tree, people, appeal):
    login(client, people.hn_officer)
    data = _form(appeal, earmark_kind="area", earmark_unit=tree.ba_dinh.pk)
    assert _post(client, data).status_code == 302
    assert Donation.objects.get().earmark_key == f"a:{tree.ba_dinh.pk}"
    data = _form(appeal, earmark_kind="area")
    page = _post(client, data).content.decode()
    assert "Chưa chọn nơi được chỉ định." in page
    assert Donation.objects.count() == 1


def test_earmark_to_a_humanitarian_address(client, people, appeal, register):
    beneficiary = register("Phan Văn Tâm")
    login(client, people.hn_officer)
    found = client.get(
        reverse("donation_beneficiary_search"), {"beneficiary_query": "phan van tam"}
    )
    assert "Phan Văn Tâm" in found.content.decode()
    _post(client, _form(appeal, earmark_kind="beneficiary", earmark_beneficiary=beneficiary.pk))
    assert Donation.objects.get().earmark_beneficiary == beneficiary


def test_donor_search_as_you_type_is_scoped(client, tree, people, donor):
    services.donor_create(
        actor=actor(people.outsider),
        unit=tree.quang_tri,
        data=services.DonorData(kind="business", name="Công ty Hồng Hà Quảng Trị"),
    )
    login(client, people.hn_officer)
    page = client.get(reverse("donor_search"), {"donor_query": "hong ha"}).content.decode()
    assert f'data-id="{donor.pk}"' in page and "Quảng Trị" not in page


def test_list_filters_totals_and_export(client, people, appeal, activity_fund, donor, give):
    give(appeal, 1_000_000, donor=donor, method="transfer")
    give(appeal, 250_000)
    reversed_gift = give(activity_fund, 70_000, unit=activity_fund.unit)
    services.donation_reverse(
        actor=actor(people.hn_officer), donation=reversed_gift, reason="Ghi trùng"
    )
    login(client, people.hn_officer)
    page = client.get(reverse("donation_list")).content.decode()
    assert "tổng 1.250.000 đ" in page
    page = client.get(reverse("donation_list"), {"method": "transfer"}).content.decode()
    assert "Đã ghi nhận 1 khoản, tổng 1.000.000 đ" in page
    page = client.get(reverse("donation_list"), {"q": "hong ha"}).content.decode()
    assert "Đã ghi nhận 1 khoản" in page
    page = client.get(reverse("donation_list"), {"fund": activity_fund.pk}).content.decode()
    assert "Đã ghi nhận 0 khoản" in page and "Ghi trùng" not in page
    response = client.get(reverse("donation_export"), {"fund": appeal.pk})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    values = [c for row in rows.to_python() for c in row]
    assert "Công ty TNHH Thương mại Hồng Hà" in values and 1_000_000 in values
    login(client, people.outsider)
    page = client.get(reverse("donation_list")).content.decode()
    assert "Hồng Hà" not in page and "Đã ghi nhận 0 khoản" in page


def test_reversal_with_a_reason_and_the_spent_money_message(client, tree, people, appeal, give):
    gift = give(appeal, 400_000)
    give(appeal, 300_000)
    ledger.disburse(
        fund=appeal,
        unit=tree.hanoi,
        amount=500_000,
        posted_on=TODAY,
        actor=actor(people.hn_officer),
        description="Mua gạo cứu trợ",
    )
    login(client, people.hn_officer)
    url = reverse("donation_reverse", args=[gift.pk])
    page = client.post(url, {"reason": ""}).content.decode()
    assert "field-error" in page
    page = client.post(url, {"reason": "Ghi nhầm quỹ"}).content.decode()
    assert "Số dư không đủ: còn 200.000 đ, cần 400.000 đ." in page
    assert Donation.objects.get(pk=gift.pk).status == "recorded"
    give(appeal, 600_000)
    response = client.post(url, {"reason": "Ghi nhầm quỹ"})
    assert response.status_code == 302
    page = client.get(reverse("donation_detail", args=[gift.pk])).content.decode()
    assert "Đã hủy bằng bút toán đảo" in page and "Ghi nhầm quỹ" in page and "-400.000 đ" in page
    assert Receipt.objects.get(donation=gift).voided
    assert ledger.pockets_mismatched() == []
