"""The receipt as a PDF: the same text as the .docx with its Vietnamese letters intact (read back
from the file), one A4 page that flows on for a long items table, the voided mark, the download
beside the .docx (page and API) and the e-mail carrying both files."""

from __future__ import annotations

import io

import pytest
from django.core import mail
from django.urls import reverse
from pypdf import PdfReader

from nhandao.core.errors import ApplicationError
from nhandao.funds import receipts, services
from nhandao.funds.receipt_pdf import receipt_pdf
from nhandao.funds.receipts import PDF
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


def _pages(content: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(content))
    return [page.extract_text() for page in reader.pages]


def _text(content: bytes) -> str:
    return "\n".join(_pages(content))


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_pdf_has_the_number_the_donor_and_the_amount_in_words(appeal, donor, give):
    gift = give(appeal, 2_150_000, donor=donor)
    content = receipt_pdf(gift.receipt)
    assert content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (210, 297)
    text = _flat(_text(content))
    assert "GIẤY XÁC NHẬN ỦNG HỘ" in text
    assert gift.receipt.code in text
    assert "Công ty TNHH Thương mại Hồng Hà" in text
    assert "2.150.000 đ" in text
    assert "Hai triệu một trăm năm mươi nghìn đồng" in text
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "Độc lập - Tự do - Hạnh phúc" in text
    assert "HỘI CHỮ THẬP ĐỎ THÀNH PHỐ HÀ NỘI" in text
    assert "TM. BAN THƯỜNG VỤ" in text and "CHỦ TỊCH" in text and "Nơi nhận:" in text
    assert "ĐÃ HỦY" not in text
    fonts = {
        str(f["/BaseFont"]) for page in reader.pages for f in page["/Resources"]["/Font"].values()
    }
    assert any("DejaVuSerif" in name for name in fonts)


def test_a_voided_receipt_is_marked(people, appeal, donor, give):
    gift = give(appeal, 500_000, donor=donor)
    services.donation_reverse(actor=actor(people.hn_officer), donation=gift, reason="Ghi nhầm")
    gift.receipt.refresh_from_db()
    assert gift.receipt.voided
    text = _flat(_text(receipt_pdf(gift.receipt)))
    assert "ĐÃ HỦY" in text
    assert "Giấy xác nhận này đã bị hủy cùng khoản ủng hộ" in text


def test_a_long_items_table_flows_onto_more_pages(appeal, give):
    items = [services.ItemData(f"Thùng mì tôm loại {n}", "thùng", 2, 100_000) for n in range(60)]
    gift = give(appeal, 12_000_000, method="in_kind", valued_by="Tổ định giá", items=items)
    pages = _pages(receipt_pdf(gift.receipt))
    assert len(pages) > 1
    text = _flat("\n".join(pages))
    assert "Thùng mì tôm loại 0" in text and "Thùng mì tôm loại 59" in text
    assert "Tên hàng" in _flat(pages[1])  # the headings again on the next page
    assert "CHỦ TỊCH" in _flat(pages[-1])


def test_missing_fonts_are_a_clear_error(settings, appeal, give, tmp_path):
    gift = give(appeal, 100_000)
    settings.NHANDAO_PDF_FONT_DIR = tmp_path
    with pytest.raises(ApplicationError, match="Không tìm thấy phông chữ"):
        receipt_pdf(gift.receipt)


def test_download_beside_the_docx(client, people, appeal, donor, give):
    gift = give(appeal, 500_000, donor=donor)
    login(client, people.hn_officer)
    url = reverse("receipt_pdf", args=[gift.pk])
    detail = client.get(reverse("donation_detail", args=[gift.pk])).content.decode()
    page = client.get(reverse("receipt_print", args=[gift.pk])).content.decode()
    assert url in detail and url in page
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == PDF
    name = f"giay-xac-nhan-{gift.receipt.number:05d}-{gift.receipt.year}.pdf"
    assert f'filename="{name}"' in response["Content-Disposition"]
    assert "Năm trăm nghìn đồng" in _flat(_text(response.content))


def test_out_of_scope_user_gets_404(client, people, appeal, give):
    gift = give(appeal, 500_000)
    login(client, people.outsider)
    assert client.get(reverse("receipt_pdf", args=[gift.pk])).status_code == 404


def test_missing_fonts_on_the_page_go_back_with_a_message(
    client, settings, people, appeal, give, tmp_path
):
    gift = give(appeal, 500_000)
    settings.NHANDAO_PDF_FONT_DIR = tmp_path
    login(client, people.hn_officer)
    response = client.get(reverse("receipt_pdf", args=[gift.pk]), follow=True)
    assert "Không tìm thấy phông chữ" in response.content.decode()


def test_email_carries_the_pdf_and_the_docx(client, people, appeal, donor, give):
    gift = give(appeal, 1_000_000, donor=donor)
    login(client, people.hn_officer)
    client.post(reverse("receipt_email", args=[gift.pk]))
    assert len(mail.outbox) == 1
    files = {name: (content, kind) for name, content, kind in mail.outbox[0].attachments}
    stem = f"giay-xac-nhan-{gift.receipt.number:05d}-{gift.receipt.year}"
    assert files[f"{stem}.docx"][1] == receipts.DOCX
    pdf, kind = files[f"{stem}.pdf"]
    assert kind == PDF and "Một triệu đồng" in _flat(_text(pdf))


def _bearer(user):
    _token, raw = orgs.token_create(
        actor=user, assignment=RoleAssignment.objects.get(user=user), name="t"
    )
    return {"Authorization": f"Bearer {raw}"}


def test_api_answers_the_pdf_beside_the_docx(client, people, appeal, give):
    gift = give(appeal, 600_000)
    url = f"/api/v1/funds/donations/{gift.pk}/receipt.pdf"
    r = client.get(url, headers=_bearer(people.hn_officer))
    assert r.status_code == 200 and r["Content-Type"] == PDF
    assert r["Content-Disposition"].endswith('.pdf"')
    assert "Sáu trăm nghìn đồng" in _flat(_text(r.content))
    assert client.get(url, headers=_bearer(people.outsider)).status_code == 404
