"""Receipts: the printable "GIẤY XÁC NHẬN ỦNG HỘ" page and its .docx (number, unit, donor, amount
in figures and in words, fund, earmark, date, signature block), issuing one for a donation
recorded without it, sending it by e-mail with the .docx attached; thank-you letters."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.urls import reverse
from docx import Document

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.funds import receipts, services
from nhandao.funds.ledger import Earmark
from nhandao.funds.models import Receipt
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


def _text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_receipt_docx_has_the_number_the_amount_in_words_and_the_earmark(tree, appeal, donor, give):
    gift = give(appeal, 2_150_000, donor=donor, earmark=Earmark("area", unit_id=tree.ba_dinh.pk))
    text = _text(receipts.receipt_docx(gift.receipt))
    assert "GIẤY XÁC NHẬN ỦNG HỘ" in text
    assert gift.receipt.code in text
    assert "2.150.000 đ" in text
    assert "Hai triệu một trăm năm mươi nghìn đồng" in text
    assert "Công ty TNHH Thương mại Hồng Hà" in text
    assert "Ủng hộ đồng bào bị thiệt hại do bão số 3" in text
    assert "Địa bàn: Hội Chữ thập đỏ phường Ba Đình" in text
    assert "HỘI CHỮ THẬP ĐỎ THÀNH PHỐ HÀ NỘI" in text and "CHỦ TỊCH" in text


def test_in_kind_receipt_lists_the_items(appeal, give):
    gift = give(
        appeal,
        1_000_000,
        method="in_kind",
        valued_by="Tổ định giá phường",
        items=[services.ItemData("Gạo tẻ", "kg", 50, 20_000)],
    )
    text = _text(receipts.receipt_docx(gift.receipt))
    assert "Gạo tẻ" in text and "Tổ định giá phường" in text and "Hiện vật" in text


def test_print_page_and_docx_download(client, people, appeal, give):
    gift = give(appeal, 500_000)
    login(client, people.hn_officer)
    page = client.get(reverse("receipt_print", args=[gift.pk])).content.decode()
    assert "GIẤY XÁC NHẬN ỦNG HỘ" in page and "Năm trăm nghìn đồng" in page
    assert "size: A5" in page
    assert (
        "size: A4"
        in client.get(reverse("receipt_print", args=[gift.pk]), {"paper": "a4"}).content.decode()
    )
    response = client.get(reverse("receipt_docx", args=[gift.pk]))
    assert response["Content-Type"] == receipts.DOCX
    assert "Năm trăm nghìn đồng" in _text(response.content)


def test_issue_a_receipt_for_a_gift_recorded_without_one(client, people, appeal, give):
    first = give(appeal, 100_000, issue_receipt=False)
    give(appeal, 100_000, receipt_number=5)
    login(client, people.hn_officer)
    url = reverse("receipt_issue", args=[first.pk])
    client.post(url, {"number": "5"})
    assert not Receipt.objects.filter(donation=first).exists()  # 5 is taken
    client.post(url, {"number": ""})
    assert Receipt.objects.get(donation=first).number == 6
    with pytest.raises(ApplicationError, match="đã có giấy xác nhận"):
        services.receipt_issue(actor=actor(people.hn_officer), donation=first)


def test_receipt_is_emailed_with_the_docx_attached(client, people, appeal, donor, give):
    gift = give(appeal, 1_000_000, donor=donor)
    login(client, people.hn_officer)
    client.post(reverse("receipt_email", args=[gift.pk]))
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lienhe@hongha.vn"]
    assert gift.receipt.code in message.subject
    _name, content, kind = next(a for a in message.attachments if a[0].endswith(".docx"))
    assert kind == receipts.DOCX  # the PDF beside it: tests/funds/test_receipt_pdf.py
    assert "Một triệu đồng" in _text(content)
    receipt = Receipt.objects.get(donation=gift)
    assert receipt.emailed_to == "lienhe@hongha.vn" and receipt.emailed_at is not None
    assert AuditEvent.objects.filter(
        object_type="funds.receipt", changes__emailed_to="lienhe@hongha.vn"
    ).exists()


def test_no_address_no_email(people, appeal, give):
    gift = give(appeal, 1_000_000)
    with pytest.raises(ApplicationError, match="chưa có địa chỉ thư điện tử"):
        receipts.receipt_email(actor=actor(people.hn_officer), receipt=gift.receipt)
    assert mail.outbox == []


def test_thank_you_letters_per_gift_and_per_year(client, people, appeal, donor, give):
    gift = give(appeal, 300_000, donor=donor)
    give(appeal, 700_000, donor=donor)
    login(client, people.hn_officer)
    one = _text(client.get(reverse("donation_thanks", args=[gift.pk])).content)
    assert "THƯ CẢM ƠN" in one and "300.000 đ" in one and "ba trăm nghìn đồng" in one
    year = gift.received_on.year
    both = _text(client.get(reverse("donor_thanks_year", args=[donor.pk, year])).content)
    assert "2 lần ủng hộ" in both and "1.000.000 đ" in both and "Một triệu đồng".lower() in both
