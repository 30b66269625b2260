"""Writes of the public site: a donor asks for a dynamic VietQR (a ``PaymentRequest`` with its
own reference). When the bank statement line carrying that reference is imported, the
statements matcher turns the request into a donation by itself.

Light protection against abuse (the form is open to anyone): amount limits, a cap of requests
per address per hour (Django's cache), and the view's honeypot field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nhandao.core import vietqr
from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.money import format_vnd
from nhandao.core.text import nfc
from nhandao.funds.models import Fund, PaymentRequest
from nhandao.funds.public import receiving_open
from nhandao.funds.services import new_reference

# Defaults; an installation may change them in settings (NHANDAO_PORTAL_*).
MIN_AMOUNT = 10_000
MAX_AMOUNT = 1_000_000_000
REQUESTS_PER_HOUR = 20


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, f"NHANDAO_PORTAL_{name}", default))


@dataclass
class GiveData:
    amount: int
    donor_name: str = ""
    anonymous: bool = False
    email: str = ""
    note: str = ""


def qr_note(fund: Fund, reference: str) -> str:
    """The transfer note a dynamic QR carries: "<FUND CODE> <REFERENCE>", or the reference alone
    when both do not fit the banks' note length (the reference is what the matcher reads)."""
    both = f"{fund.code} {reference}"
    return both if len(both) <= vietqr.NOTE_MAX else reference


def static_payload(fund: Fund) -> str:
    """The fund account's static VietQR ("" when the fund has no usable bank account)."""
    if not (fund.bank_bin and fund.account_no):
        return ""
    try:
        return vietqr.payload(fund.bank_bin, fund.account_no, note=fund.code)
    except ValueError:
        return ""


def request_payload(request: PaymentRequest) -> str:
    fund = request.fund
    return vietqr.payload(
        fund.bank_bin, fund.account_no, request.amount, qr_note(fund, request.reference)
    )


def over_limit(ip: str | None) -> bool:
    """Whether this address already asked for as many QR codes as an hour allows."""
    return int(cache.get(f"portal:give:{ip or 'unknown'}", 0)) >= _setting(
        "REQUESTS_PER_HOUR", REQUESTS_PER_HOUR
    )


def _count(ip: str | None) -> None:
    key = f"portal:give:{ip or 'unknown'}"
    cache.add(key, 0, 3600)
    try:
        cache.incr(key)
    except ValueError:  # expired between the two calls
        cache.set(key, 1, 3600)


@transaction.atomic
def payment_request_create(*, fund: Fund, data: GiveData, ip: str | None = None) -> PaymentRequest:
    """A donor's dynamic-QR request: checked, saved with a new reference, audited."""
    if not receiving_open(fund):
        raise ApplicationError(
            _("«%(fund)s» hiện không tiếp nhận ủng hộ.") % {"fund": fund.name}, field="amount"
        )
    if not static_payload(fund):
        raise ApplicationError(_("Quỹ này chưa có tài khoản nhận chuyển khoản qua mã QR."))
    low, high = _setting("MIN_AMOUNT", MIN_AMOUNT), _setting("MAX_AMOUNT", MAX_AMOUNT)
    amount = data.amount
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ApplicationError(_("Số tiền phải là số đồng nguyên."), field="amount")
    if amount < low or amount > high:
        raise ApplicationError(
            _("Số tiền từ %(low)s đến %(high)s; khoản lớn hơn xin liên hệ trực tiếp đơn vị.")
            % {"low": format_vnd(low), "high": format_vnd(high)},
            field="amount",
        )
    name = nfc(data.donor_name)[:120]
    if not data.anonymous and not name:
        raise ApplicationError(
            _("Xin nhập họ tên, hoặc chọn «Ẩn danh» nếu không muốn công khai tên."),
            field="donor_name",
        )
    email = data.email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ApplicationError(_("Địa chỉ thư điện tử không hợp lệ."), field="email") from exc
    if over_limit(ip):
        raise ApplicationError(
            _("Có quá nhiều yêu cầu từ mạng của bạn trong một giờ qua. Xin hãy thử lại sau.")
        )
    request = PaymentRequest.objects.create(
        fund=fund,
        reference=new_reference(),
        amount=amount,
        donor_name=name or pgettext("anonymous donor", "Nhà hảo tâm"),
        anonymous=data.anonymous,
        email=email[:254],
        note=nfc(data.note)[:255],
    )
    _count(ip)
    audit_record(
        actor=str(_("Trang công khai")),
        action=AuditEvent.Action.CREATE,
        obj=request,
        unit_path=fund.unit.path,
        changes={"fund": fund.code, "amount": amount, "anonymous": data.anonymous},
        ip_address=ip,
    )
    return request


def payment_request_get(fund: Fund, reference: str) -> PaymentRequest | None:
    return (
        PaymentRequest.objects.filter(fund=fund, reference=(reference or "").upper())
        .select_related("fund")
        .first()
    )


__all__: list[Any] = [
    "GiveData",
    "over_limit",
    "payment_request_create",
    "payment_request_get",
    "qr_note",
    "request_payload",
    "static_payload",
]
