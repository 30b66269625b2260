"""Writes of funds and appeals, donors, donations and receipts. Each is atomic and audited; the
ledger itself is written only through ``ledger.py``.

Pledges, donor merges, statements and sponsorships have their own modules (``pledges.py``,
``donors.py``, ``statements.py``, ``sponsorships.py``); they call these services to record money.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.money import amount_in_words, format_vnd
from nhandao.core.text import STORED_LANGUAGE, collation_key, fold, nfc
from nhandao.orgs.permissions import can

from . import ledger
from .ledger import Earmark, check_amount
from .models import (
    Donation,
    DonationItem,
    DonationMethod,
    DonationStatus,
    Donor,
    DonorKind,
    Entry,
    EntryKind,
    Fund,
    FundExtension,
    FundKind,
    FundRules,
    FundStatus,
    MatchStatus,
    PaymentRequest,
    Receipt,
    ReceiptCounter,
    StatementLine,
)

A = AuditEvent.Action
# Reference codes: no 0/O, 1/I/L, so a code read aloud or copied by hand is not mistaken.
REF_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REF_LENGTH = 7
REF_PREFIX = "UH"
CODE_RE = re.compile(r"^[A-Z0-9]{2,16}$")


def anonymous_donor_name() -> str:
    """The name stored for a donor or donation without one."""
    with translation.override(STORED_LANGUAGE):
        return pgettext("anonymous donor", "Nhà hảo tâm")


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def require(actor: Any, perm: str, unit: Any) -> None:
    if not can(actor, perm, unit):
        raise ApplicationError(
            _("Bạn không có quyền thực hiện việc này ở đơn vị %(unit)s.") % {"unit": unit.name}
        )


def rules_on(day: dt.date | None = None) -> FundRules:
    day = day or timezone.localdate()
    found = FundRules.objects.filter(valid_from__lte=day).order_by("-valid_from").first()
    return found or FundRules(valid_from=day)


# --- funds and appeals -----------------------------------------------------------------------


def fund_activity_for(unit: Any) -> Fund:
    """The unit's Red Cross Activity Fund, opened on first use."""
    found = Fund.objects.filter(unit=unit, kind=FundKind.ACTIVITY).first()
    if found is not None:
        return found
    with translation.override(STORED_LANGUAGE):
        name = _("Quỹ hoạt động chữ thập đỏ - %(unit)s") % {"unit": unit.name}
    try:
        with transaction.atomic():
            return Fund.objects.create(
                unit=unit,
                kind=FundKind.ACTIVITY,
                name=name,
                code=f"QHD{unit.pk}",
                opens_on=dt.date(2011, 1, 1),
                is_public=True,
            )
    except IntegrityError:
        return Fund.objects.get(unit=unit, kind=FundKind.ACTIVITY)


@dataclass
class AppealData:
    name: str
    code: str
    opens_on: dt.date
    bank_name: str = ""
    bank_bin: str = ""
    account_no: str = ""
    account_name: str = ""
    purpose: str = ""
    campaign: Any = None
    receiving_days: int | None = None  # the rules' default when None
    is_public: bool = True


def _check_account(data: AppealData, exclude: Any = None) -> None:
    if not data.account_no.strip():
        raise ApplicationError(
            _("Mỗi cuộc vận động phải có một tài khoản riêng; hãy nhập số tài khoản."),
            field="account_no",
        )
    if not re.fullmatch(r"[0-9A-Za-z]{4,30}", data.account_no.strip()):
        raise ApplicationError(_("Số tài khoản chỉ gồm chữ và số."), field="account_no")
    if data.bank_bin and not re.fullmatch(r"\d{6}", data.bank_bin):
        raise ApplicationError(_("Mã BIN ngân hàng gồm đúng 6 chữ số."), field="bank_bin")
    used = Fund.objects.filter(bank_bin=data.bank_bin, account_no=data.account_no.strip())
    if exclude is not None:
        used = used.exclude(pk=exclude.pk)
    other = used.first()
    if other is not None:
        raise ApplicationError(
            _(
                "Tài khoản %(no)s đã dùng cho «%(fund)s»; mỗi cuộc vận động một tài khoản riêng, "
                "không dùng lại."
            )
            % {"no": data.account_no, "fund": other.name},
            field="account_no",
        )


@transaction.atomic
def appeal_create(*, actor: Any, unit: Any, data: AppealData) -> Fund:
    """Open an appeal with its own account; the receiving and distribution deadlines follow the
    rules in force on the launch day (90 and 20 days by default)."""
    require(actor, "fund.manage", unit)
    code = data.code.strip().upper()
    if not CODE_RE.match(code):
        raise ApplicationError(
            _("Mã cuộc vận động gồm 2–16 chữ cái không dấu hoặc chữ số, ví dụ LULUT2026."),
            field="code",
        )
    if Fund.objects.filter(code=code).exists():
        raise ApplicationError(_("Mã %(code)s đã được dùng.") % {"code": code}, field="code")
    if not data.name.strip():
        raise ApplicationError(_("Chưa nhập tên cuộc vận động."), field="name")
    _check_account(data)
    rules = rules_on(data.opens_on)
    days = data.receiving_days or rules.receiving_days
    if days < 1 or days > rules.receiving_days:
        raise ApplicationError(
            _("Thời gian tiếp nhận từ 1 đến %(n)s ngày; dài hơn cần quyết định gia hạn.")
            % {"n": rules.receiving_days},
            field="receiving_days",
        )
    receiving_end = data.opens_on + dt.timedelta(days=days - 1)
    fund = Fund.objects.create(
        unit=unit,
        kind=FundKind.APPEAL,
        name=nfc(data.name.strip()),
        code=code,
        campaign=data.campaign,
        purpose=nfc(data.purpose),
        bank_name=data.bank_name.strip(),
        bank_bin=data.bank_bin.strip(),
        account_no=data.account_no.strip(),
        account_name=nfc(data.account_name.strip()),
        opens_on=data.opens_on,
        receiving_ends_on=receiving_end,
        distribution_ends_on=receiving_end + dt.timedelta(days=rules.distribution_days),
        is_public=data.is_public,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=fund,
        unit_path=unit.path,
        changes={
            "code": code,
            "account_no": fund.account_no,
            "receiving_ends_on": d(receiving_end),
        },
    )
    return fund


@transaction.atomic
def appeal_extend(
    *,
    actor: Any,
    fund: Fund,
    decision_no: str,
    decided_on: dt.date,
    receiving_ends_on: dt.date,
    reason: str,
) -> FundExtension:
    """Record an extension decision; the distribution deadline moves with the receiving end."""
    require(actor, "fund.manage", fund.unit)
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if fund.kind != FundKind.APPEAL:
        raise ApplicationError(_("Chỉ cuộc vận động mới có hạn tiếp nhận."))
    if fund.status == FundStatus.CLOSED:
        raise ApplicationError(_("Cuộc vận động đã kết thúc, không gia hạn được."))
    if not decision_no.strip() or not reason.strip():
        raise ApplicationError(_("Cần số quyết định và lý do gia hạn."), field="decision_no")
    if fund.receiving_ends_on and receiving_ends_on <= fund.receiving_ends_on:
        raise ApplicationError(
            _("Hạn mới phải sau hạn hiện tại (%(day)s).") % {"day": d(fund.receiving_ends_on)},
            field="receiving_ends_on",
        )
    rules = rules_on(decided_on)
    old = {
        "receiving_ends_on": fund.receiving_ends_on,
        "distribution_ends_on": fund.distribution_ends_on,
    }
    fund.receiving_ends_on = receiving_ends_on
    fund.distribution_ends_on = receiving_ends_on + dt.timedelta(days=rules.distribution_days)
    fund.save(update_fields=["receiving_ends_on", "distribution_ends_on"])
    ext = FundExtension.objects.create(
        fund=fund,
        decision_no=decision_no.strip(),
        decided_on=decided_on,
        receiving_ends_on=receiving_ends_on,
        distribution_ends_on=fund.distribution_ends_on,
        reason=reason.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=fund,
        unit_path=fund.unit.path,
        changes={k: [d(v) if v else None, d(getattr(fund, k))] for k, v in old.items()}
        | {"decision_no": ext.decision_no},
    )
    return ext


@transaction.atomic
def fund_close(*, actor: Any, fund: Fund) -> Fund:
    require(actor, "fund.manage", fund.unit)
    if fund.kind == FundKind.ACTIVITY:
        raise ApplicationError(_("Quỹ hoạt động của đơn vị không đóng được."))
    fund = Fund.objects.select_for_update().get(pk=fund.pk)
    if fund.status == FundStatus.CLOSED:
        return fund
    fund.status = FundStatus.CLOSED
    fund.closed_at = timezone.now()
    fund.save(update_fields=["status", "closed_at"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=fund,
        unit_path=fund.unit.path,
        changes={"status": ["open", "closed"]},
    )
    return fund


def receiving_problem(fund: Fund, day: dt.date) -> str:
    """Why money cannot be received into ``fund`` on ``day`` ("" when it can)."""
    if fund.status == FundStatus.CLOSED:
        return _("«%(fund)s» đã kết thúc, không nhận thêm ủng hộ.") % {"fund": fund.name}
    if day < fund.opens_on:
        return _("Ngày nhận %(day)s trước ngày phát động %(open)s.") % {
            "day": d(day),
            "open": d(fund.opens_on),
        }
    if fund.receiving_ends_on and day > fund.receiving_ends_on:
        return _(
            "«%(fund)s» đã hết hạn tiếp nhận ngày %(end)s; cần quyết định gia hạn trước "
            "khi nhận thêm."
        ) % {"fund": fund.name, "end": d(fund.receiving_ends_on)}
    return ""


def deadline_warnings(fund: Fund, today: dt.date | None = None) -> list[str]:
    """Warnings shown ahead of an appeal's receiving end and distribution deadline."""
    today = today or timezone.localdate()
    if fund.kind != FundKind.APPEAL or fund.status == FundStatus.CLOSED:
        return []
    warn = rules_on(today).warn_days
    out: list[str] = []
    for end, label in (
        (fund.receiving_ends_on, _("hạn tiếp nhận")),
        (fund.distribution_ends_on, _("hạn phân phối")),
    ):
        if end is None:
            continue
        left = (end - today).days
        if left < 0:
            out.append(
                _("Đã quá %(label)s %(day)s (%(n)s ngày).")
                % {"label": label, "day": d(end), "n": -left}
            )
        elif left <= warn:
            out.append(
                _("Còn %(n)s ngày đến %(label)s %(day)s.")
                % {"n": left, "label": label, "day": d(end)}
            )
    return out


# --- donors ----------------------------------------------------------------------------------


@dataclass
class DonorData:
    kind: str
    name: str
    tax_code: str = ""
    id_number: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    country: str = ""
    public_name: bool = True
    note: str = ""


DONOR_FIELDS = (
    "kind",
    "name",
    "tax_code",
    "id_number",
    "phone",
    "email",
    "address",
    "country",
    "public_name",
    "note",
)


def _clean_donor(data: DonorData) -> dict[str, Any]:
    if data.kind not in DonorKind.values:
        raise ApplicationError(_("Loại nhà hảo tâm không hợp lệ."), field="kind")
    name = nfc(" ".join(data.name.split()))
    if data.kind == DonorKind.ANONYMOUS and not name:
        name = anonymous_donor_name()
    if not name:
        raise ApplicationError(_("Chưa nhập tên nhà hảo tâm."), field="name")
    if data.id_number and not re.fullmatch(r"\d{9}|\d{12}", data.id_number.strip()):
        raise ApplicationError(
            _("Số định danh gồm 12 chữ số (CMND cũ 9 chữ số)."), field="id_number"
        )
    values = {f: getattr(data, f) for f in DONOR_FIELDS}
    values["name"] = name
    for f in ("tax_code", "id_number", "phone", "email", "address", "country"):
        values[f] = nfc(str(values[f] or "").strip())
    values["name_key"] = fold(name)
    values["sort_key"] = collation_key(name)
    if data.kind == DonorKind.ANONYMOUS:
        values["public_name"] = False
    return values


@transaction.atomic
def donor_create(*, actor: Any, unit: Any, data: DonorData) -> Donor:
    require(actor, "donation.record", unit)
    donor = Donor.objects.create(unit=unit, created_by=actor, **_clean_donor(data))
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=donor,
        unit_path=unit.path,
        changes={"kind": donor.kind, "name": donor.name},
    )
    return donor


@transaction.atomic
def donor_update(*, actor: Any, donor: Donor, data: DonorData) -> Donor:
    require(actor, "donation.record", donor.unit)
    values = _clean_donor(data)
    old = {f: getattr(donor, f) for f in DONOR_FIELDS}
    for k, v in values.items():
        setattr(donor, k, v)
    donor.save()
    from nhandao.core.audit import diff

    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=donor,
        unit_path=donor.unit.path,
        changes=diff(old, {f: getattr(donor, f) for f in DONOR_FIELDS}),
    )
    return donor


# --- donations and receipts ------------------------------------------------------------------


@dataclass
class ItemData:
    description: str
    measure: str
    quantity: int
    unit_value: int


@dataclass
class DonationData:
    fund: Fund
    amount: int
    received_on: dt.date
    method: str = DonationMethod.CASH
    donor: Donor | None = None
    donor_name: str = ""  # defaults to the donor's name
    anonymous: bool | None = None  # defaults to "the donor did not agree to be named"
    note: str = ""
    earmark: Earmark = field(default_factory=Earmark)
    items: list[ItemData] = field(default_factory=list)
    valued_by: str = ""
    pledge: Any = None
    issue_receipt: bool = True
    receipt_number: int | None = None  # a number from a paper receipt book
    reference: str = ""  # given when a statement line or a dynamic QR already named one


def new_reference() -> str:
    for _attempt in range(20):
        code = REF_PREFIX + "".join(secrets.choice(REF_ALPHABET) for _ in range(REF_LENGTH))
        if not (
            Donation.objects.filter(reference=code).exists()
            or PaymentRequest.objects.filter(reference=code).exists()
        ):
            return code
    raise ApplicationError(_("Không tạo được mã tham chiếu; hãy thử lại."))


def _check_earmark(actor: Any, fund: Fund, earmark: Earmark) -> None:
    if not earmark.kind:
        return
    earmark.key  # noqa: B018 - raises when the target is missing
    if earmark.kind == "area":
        from nhandao.orgs.models import Unit

        area = Unit.objects.filter(pk=earmark.unit_id or 0).first()
        if area is None or not area.path.startswith(fund.unit.path):
            raise ApplicationError(
                _("Địa bàn được chỉ định phải thuộc phạm vi của quỹ."), field="earmark_unit"
            )
    elif earmark.kind == "beneficiary":
        from nhandao.beneficiaries.models import Beneficiary

        target = (
            Beneficiary.objects.filter(pk=earmark.beneficiary_id or 0)
            .select_related("unit")
            .first()
        )
        if target is None or not target.unit.path.startswith(fund.unit.path):
            raise ApplicationError(
                _("Địa chỉ nhân đạo được chỉ định phải thuộc phạm vi của quỹ."),
                field="earmark_beneficiary",
            )
    elif earmark.kind == "campaign":
        from nhandao.campaigns.models import Campaign

        if not Campaign.objects.filter(pk=earmark.campaign_id or 0).exists():
            raise ApplicationError(
                _("Không tìm thấy phong trào được chỉ định."), field="earmark_campaign"
            )


def _check_items(data: DonationData) -> list[DonationItem]:
    if data.method != DonationMethod.IN_KIND:
        if data.items:
            raise ApplicationError(
                _("Chỉ khoản ủng hộ hiện vật mới có danh sách hàng."), field="items"
            )
        return []
    if not data.items:
        raise ApplicationError(_("Ủng hộ hiện vật cần ít nhất một mặt hàng."), field="items")
    if not data.valued_by.strip():
        raise ApplicationError(
            _("Cần ghi người hoặc hội đồng định giá hiện vật."), field="valued_by"
        )
    rows: list[DonationItem] = []
    for n, item in enumerate(data.items, start=1):
        if not item.description.strip() or not item.measure.strip():
            raise ApplicationError(
                _("Hàng thứ %(n)s: cần tên hàng và đơn vị tính.") % {"n": n}, field="items"
            )
        if (
            isinstance(item.quantity, bool)
            or not isinstance(item.quantity, int)
            or item.quantity <= 0
        ):
            raise ApplicationError(
                _("Hàng thứ %(n)s: số lượng phải là số nguyên dương.") % {"n": n}, field="items"
            )
        check_amount(item.unit_value, "items")
        rows.append(
            DonationItem(
                description=nfc(item.description.strip()),
                measure=nfc(item.measure.strip()),
                quantity=item.quantity,
                unit_value=item.unit_value,
                value=item.quantity * item.unit_value,
            )
        )
    total = sum(r.value for r in rows)
    if total != data.amount:
        raise ApplicationError(
            _("Tổng giá trị hàng (%(items)s) khác giá trị quy đổi (%(amount)s).")
            % {"items": format_vnd(total), "amount": format_vnd(data.amount)},
            field="amount",
        )
    return rows


@transaction.atomic
def donation_record(*, actor: Any, unit: Any, data: DonationData) -> Donation:
    """Record a gift: checked, saved, posted to the ledger and (by default) given its numbered
    receipt, all or nothing."""
    require(actor, "donation.record", unit)
    fund = data.fund
    if data.method not in DonationMethod.values:
        raise ApplicationError(_("Hình thức ủng hộ không hợp lệ."), field="method")
    check_amount(data.amount)
    if not unit.path.startswith(fund.unit.path):
        raise ApplicationError(
            _("%(unit)s không thuộc phạm vi của «%(fund)s».")
            % {"unit": unit.name, "fund": fund.name},
            field="fund",
        )
    if data.received_on > timezone.localdate():
        raise ApplicationError(_("Ngày nhận không được sau hôm nay."), field="received_on")
    problem = receiving_problem(fund, data.received_on)
    if problem:
        raise ApplicationError(problem, field="fund")
    _check_earmark(actor, fund, data.earmark)
    items = _check_items(data)
    donor = data.donor
    if donor is not None and donor.merged_into_id:
        donor = donor.merged_into
    name = nfc(" ".join((data.donor_name or (donor.name if donor else "")).split()))
    if not name:
        name = anonymous_donor_name()
    anonymous = data.anonymous
    if anonymous is None:
        anonymous = donor is None or not donor.public_name
    if data.pledge is not None and (donor is None or data.pledge.donor_id != donor.pk):
        raise ApplicationError(_("Cam kết này là của nhà hảo tâm khác."), field="pledge")
    reference = data.reference.strip().upper() or new_reference()
    if Donation.objects.filter(reference=reference).exists():
        raise ApplicationError(
            _("Mã tham chiếu %(ref)s đã được dùng.") % {"ref": reference}, field="reference"
        )
    donation = Donation.objects.create(
        unit=unit,
        fund=fund,
        donor=donor,
        donor_name=name[:255],
        anonymous=anonymous,
        method=data.method,
        amount=data.amount,
        received_on=data.received_on,
        reference=reference,
        note=nfc(data.note.strip())[:255],
        valued_by=data.valued_by.strip(),
        pledge=data.pledge,
        recorded_by=actor,
        **data.earmark.fields(),
    )
    for item in items:
        item.donation = donation
    DonationItem.objects.bulk_create(items)
    ledger.post_receipt(donation, actor=actor)
    if data.issue_receipt:
        receipt_issue(actor=actor, donation=donation, number=data.receipt_number)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=donation,
        unit_path=unit.path,
        changes={
            "fund": fund.code,
            "amount": donation.amount,
            "method": donation.method,
            "donor": name,
            "earmark": data.earmark.key,
        },
    )
    return donation


@transaction.atomic
def receipt_issue(
    *,
    actor: Any,
    donation: Donation,
    number: int | None = None,
    issued_on: dt.date | None = None,
) -> Receipt:
    """Give a donation its receipt: the next number of the unit's year, or a number from a paper
    receipt book that must not have been used."""
    require(actor, "donation.record", donation.unit)
    if Receipt.objects.filter(donation=donation).exists():
        raise ApplicationError(_("Khoản ủng hộ này đã có giấy xác nhận."))
    if donation.status != DonationStatus.RECORDED:
        raise ApplicationError(_("Khoản ủng hộ đã hủy, không lập giấy xác nhận."))
    issued_on = issued_on or timezone.localdate()
    year = donation.received_on.year
    counter, _created = ReceiptCounter.objects.get_or_create(unit=donation.unit, year=year)
    counter = ReceiptCounter.objects.select_for_update().get(pk=counter.pk)
    if number is None:
        number = counter.last + 1
        while Receipt.objects.filter(unit=donation.unit, year=year, number=number).exists():
            number += 1
        manual = False
    else:
        if isinstance(number, bool) or not isinstance(number, int) or number <= 0:
            raise ApplicationError(_("Số giấy xác nhận phải là số nguyên dương."), field="number")
        manual = True
        taken = Receipt.objects.filter(unit=donation.unit, year=year, number=number).first()
        if taken is not None:
            raise ApplicationError(
                _("Số %(no)s năm %(year)s đã dùng cho giấy xác nhận của %(name)s.")
                % {"no": number, "year": year, "name": taken.donor_name},
                field="receipt_number",
            )
    if number > counter.last:
        counter.last = number
        counter.save(update_fields=["last"])
    receipt = Receipt.objects.create(
        unit=donation.unit,
        year=year,
        number=number,
        donation=donation,
        issued_on=issued_on,
        donor_name=donation.donor_name,
        amount=donation.amount,
        amount_words=amount_in_words(donation.amount),
        manual_number=manual,
        issued_by=actor,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=receipt,
        unit_path=donation.unit.path,
        changes={"number": receipt.code, "amount": receipt.amount},
    )
    return receipt


@transaction.atomic
def donation_reverse(*, actor: Any, donation: Donation, reason: str) -> Donation:
    """Cancel a donation recorded by mistake: a reversing entry, the receipt voided, a matched
    statement line sent back to the queue. Refused when the money has already been spent."""
    require(actor, "donation.record", donation.unit)
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if donation.status == DonationStatus.REVERSED:
        raise ApplicationError(_("Khoản ủng hộ này đã được hủy."))
    if not reason.strip():
        raise ApplicationError(_("Cần ghi lý do hủy."), field="reason")
    entry = Entry.objects.get(donation=donation, kind=EntryKind.RECEIPT)
    ledger.reverse(entry, actor=actor, reason=reason)
    donation.status = DonationStatus.REVERSED
    donation.reversed_reason = reason.strip()[:255]
    donation.reversed_at = timezone.now()
    donation.reversed_by = actor
    donation.save(update_fields=["status", "reversed_reason", "reversed_at", "reversed_by"])
    Receipt.objects.filter(donation=donation).update(voided=True)
    StatementLine.objects.filter(donation=donation).update(
        donation=None,
        status=MatchStatus.UNMATCHED,
        match_note="",
        matched_by=None,
        matched_at=None,
    )
    audit_record(
        actor=actor,
        action=A.DEACTIVATE,
        obj=donation,
        unit_path=donation.unit.path,
        changes={"status": ["recorded", "reversed"], "reason": reason},
    )
    return donation
