"""The receipt ("GIẤY XÁC NHẬN ỦNG HỘ") and thank-you letters ("THƯ CẢM ƠN") as Word documents in
the Decree 30 layout, and sending a receipt by e-mail with the document attached. The receipt's
content (``receipt_content``) is also written as a PDF by ``receipt_pdf``."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.documents import OfficialDocument, place_of
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.money import amount_in_words, format_vnd
from nhandao.core.text import STORED_LANGUAGE
from nhandao.orgs.selectors import unit_parent_name

from .models import Donation, DonationMethod, Donor, Receipt
from .selectors_donations import earmark_label
from .services import d, require

A = AuditEvent.Action
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF = "application/pdf"


def _document(unit: Any, day: dt.date, *, doc_type: str, number: str = "") -> OfficialDocument:
    return OfficialDocument(
        managing_body=unit_parent_name(unit),
        issuing_body=unit.name,
        doc_type=doc_type,
        issuer_code=unit.short_code or "HCTĐ",
        number=number,
        place=place_of(unit.name),
        date=day,
    )


def receipt_lines(receipt: Receipt) -> list[tuple[str, str]]:
    """The body of a receipt as (label, value), shared by the printed page and the .docx."""
    donation = receipt.donation
    rows = [
        (_("Đơn vị tiếp nhận"), receipt.unit.name),
        (_("Người ủng hộ"), receipt.donor_name),
    ]
    donor = donation.donor
    if donor is not None and donor.address:
        rows.append((_("Địa chỉ"), donor.address))
    rows += [
        (_("Số tiền"), format_vnd(receipt.amount)),
        (_("Bằng chữ"), receipt.amount_words),
        (_("Hình thức"), str(donation.get_method_display())),
        (_("Ủng hộ cho"), donation.fund.name),
        (_("Chỉ định"), earmark_label(donation)),
        (_("Ngày nhận"), d(donation.received_on)),
        (_("Mã tham chiếu"), donation.reference),
    ]
    if donation.method == DonationMethod.IN_KIND and donation.valued_by:
        rows.append((_("Người định giá"), donation.valued_by))
    if donation.note:
        rows.append((_("Ghi chú"), donation.note))
    return rows


@dataclass(frozen=True)
class ReceiptContent:
    """What a receipt says, in order: written out by the .docx and the PDF alike."""

    title: str
    subtitle: str
    void_note: str
    intro: str
    lines: list[tuple[str, str]]
    item_headers: list[str]
    item_rows: list[list[Any]]
    thanks: str
    on_behalf: str
    position: str
    recipients: list[str]


def receipt_content(receipt: Receipt) -> ReceiptContent:
    items = list(receipt.donation.items.all())
    return ReceiptContent(
        title=_("GIẤY XÁC NHẬN ỦNG HỘ"),
        subtitle=_("Số %(code)s") % {"code": receipt.code},
        void_note=_("(Giấy xác nhận này đã bị hủy cùng khoản ủng hộ.)") if receipt.voided else "",
        intro=_("%(unit)s xác nhận đã nhận khoản ủng hộ sau:") % {"unit": receipt.unit.name},
        lines=receipt_lines(receipt),
        item_headers=[
            _("STT"),
            _("Tên hàng"),
            _("Đơn vị tính"),
            _("Số lượng"),
            _("Đơn giá"),
            _("Thành tiền"),
        ]
        if items
        else [],
        item_rows=[
            [n, i.description, i.measure, i.quantity, format_vnd(i.unit_value), format_vnd(i.value)]
            for n, i in enumerate(items, start=1)
        ],
        thanks=_(
            "Hội Chữ thập đỏ trân trọng cảm ơn tấm lòng nhân ái của Quý vị. Khoản ủng hộ được sử "
            "dụng đúng mục đích và công khai theo quy định."
        ),
        on_behalf=_("TM. BAN THƯỜNG VỤ"),
        position=_("CHỦ TỊCH"),
        recipients=[receipt.donor_name],
    )


def receipt_docx(receipt: Receipt) -> bytes:
    content = receipt_content(receipt)
    doc = _document(receipt.unit, receipt.issued_on, doc_type="GXN", number=receipt.code)
    doc.title(content.title, content.subtitle)
    if content.void_note:
        doc.paragraph(content.void_note, italic=True)
    doc.paragraph(content.intro)
    for label, value in content.lines:
        doc.paragraph(f"{label}: {value}")
    if content.item_rows:
        doc.table(content.item_headers, content.item_rows)
    doc.paragraph(content.thanks)
    doc.signature(
        on_behalf=content.on_behalf, position=content.position, recipients=content.recipients
    )
    return doc.render()


def receipt_file_name(receipt: Receipt, extension: str = "docx") -> str:
    return f"giay-xac-nhan-{receipt.number:05d}-{receipt.year}.{extension}"


def thank_you_docx(donation: Donation, *, day: dt.date | None = None) -> bytes:
    """A thank-you letter for one donation."""
    day = day or timezone.localdate()
    doc = _document(donation.unit, day, doc_type="TCO")
    doc.title(_("THƯ CẢM ƠN"))
    doc.paragraph(_("Kính gửi: %(name)s") % {"name": donation.donor_name})
    doc.paragraph(
        _(
            "%(unit)s trân trọng cảm ơn Quý vị đã ủng hộ %(amount)s (%(words)s) cho «%(fund)s» "
            "ngày %(day)s."
        )
        % {
            "unit": donation.unit.name,
            "amount": format_vnd(donation.amount),
            "words": amount_in_words(donation.amount).lower() if donation.amount else "",
            "fund": donation.fund.name,
            "day": d(donation.received_on),
        }
    )
    _closing(doc, donation.donor_name)
    return doc.render()


def thank_you_year_docx(
    donor: Donor, donations: list[Donation], year: int, *, unit: Any, day: dt.date | None = None
) -> bytes:
    """A thank-you letter for everything a donor gave in a year, with the list of gifts."""
    day = day or timezone.localdate()
    total = sum(x.amount for x in donations)
    doc = _document(unit, day, doc_type="TCO")
    doc.title(_("THƯ CẢM ƠN"))
    doc.paragraph(_("Kính gửi: %(name)s") % {"name": donor.name})
    doc.paragraph(
        _(
            "%(unit)s trân trọng cảm ơn Quý vị đã đồng hành cùng công tác nhân đạo trong năm "
            "%(year)s với %(n)s lần ủng hộ, tổng giá trị %(amount)s (%(words)s)."
        )
        % {
            "unit": unit.name,
            "year": year,
            "n": len(donations),
            "amount": format_vnd(total),
            "words": amount_in_words(total).lower(),
        }
    )
    if donations:
        doc.table(
            [_("STT"), _("Ngày"), _("Ủng hộ cho"), _("Số tiền")],
            [
                [n, d(x.received_on), x.fund.name, format_vnd(x.amount)]
                for n, x in enumerate(donations, start=1)
            ],
        )
    _closing(doc, donor.name)
    return doc.render()


def _closing(doc: OfficialDocument, name: str) -> None:
    doc.paragraph(
        _(
            "Mỗi tấm lòng của Quý vị đã góp phần chia sẻ khó khăn với những người có hoàn cảnh "
            "khó khăn. Kính chúc Quý vị sức khỏe, hạnh phúc và thành công."
        )
    )
    doc.signature(on_behalf=_("TM. BAN THƯỜNG VỤ"), position=_("CHỦ TỊCH"), recipients=[name])


def receipt_address(receipt: Receipt) -> str:
    donor = receipt.donation.donor
    if donor is None:
        return ""
    if donor.email:
        return donor.email
    contact = donor.contacts.exclude(email="").first()
    return contact.email if contact is not None else ""


@transaction.atomic
def receipt_email(*, actor: Any, receipt: Receipt, to: str = "") -> Receipt:
    """Send the receipt to the donor's address with the PDF (what a phone opens) and the .docx
    attached; stamp and audit it."""
    require(actor, "donation.record", receipt.unit)
    if receipt.voided:
        raise ApplicationError(_("Giấy xác nhận đã hủy, không gửi được."))
    address = (to or receipt_address(receipt)).strip()
    if not address:
        raise ApplicationError(
            _("Nhà hảo tâm chưa có địa chỉ thư điện tử; hãy bổ sung trước khi gửi."), field="email"
        )
    # The letter and its attachments go to the donor: in Vietnamese whatever the language of
    # the officer's pages.
    with translation.override(STORED_LANGUAGE):
        message = EmailMessage(
            subject=_("Giấy xác nhận ủng hộ số %(code)s - %(unit)s")
            % {"code": receipt.code, "unit": receipt.unit.name},
            body=_(
                "Kính gửi %(name)s,\n\n%(unit)s trân trọng cảm ơn Quý vị đã ủng hộ %(amount)s cho "
                "«%(fund)s». Giấy xác nhận ủng hộ số %(code)s được gửi kèm thư này.\n\nTrân trọng."
            )
            % {
                "name": receipt.donor_name,
                "unit": receipt.unit.name,
                "amount": format_vnd(receipt.amount),
                "fund": receipt.donation.fund.name,
                "code": receipt.code,
            },
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[address],
        )
        from .receipt_pdf import receipt_pdf

        message.attach(receipt_file_name(receipt, "pdf"), receipt_pdf(receipt), PDF)
        message.attach(receipt_file_name(receipt), receipt_docx(receipt), DOCX)
    message.send()
    now = timezone.now()
    Receipt.objects.filter(pk=receipt.pk).update(emailed_to=address, emailed_at=now)
    receipt.emailed_to, receipt.emailed_at = address, now
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=receipt,
        unit_path=receipt.unit.path,
        changes={"emailed_to": address, "number": receipt.code},
    )
    return receipt
