"""Fairs of "Hội chợ - Tặng quà - Vui Tết" (CMP-4): the fair and its stalls, vouchers issued to
eligible households, redeemed once at a stall, and reconciled at the end.

A voucher code is twelve symbols from an alphabet without look-alikes (no 0/O, no 1/I): eight
random ones and four of a keyed check (HMAC of the random part with a key derived from
``SECRET_KEY``). A forged or mistyped code fails the check before the database is asked. Issuing a
voucher records an ``AidRecord(kind=voucher)`` through ``aid_record`` (so the overlap rules hold);
redeeming is one conditional UPDATE, so two stalls scanning the same voucher redeem it once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nhandao.campaigns.models import Campaign, CampaignStatus
from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.money import format_vnd
from nhandao.core.scoping import get_visible_or_404
from nhandao.orgs.permissions import can

from .models import (
    Acknowledgement,
    AidKind,
    AidRecord,
    Fair,
    Partner,
    Stall,
    Voucher,
    VoucherStatus,
)
from .services import AidData, aid_record, aid_void, partner_of

A = AuditEvent.Action

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # 32 symbols, none easily misread for another
RANDOM_LEN = 8
CHECK_LEN = 4
CODE_LEN = RANDOM_LEN + CHECK_LEN
MAX_ISSUE = 5_000  # vouchers issued in one go


# --- Codes --------------------------------------------------------------------------------------


def _key() -> bytes:
    return hashlib.sha256(b"nhandao.aid.voucher:" + settings.SECRET_KEY.encode()).digest()


def _check_part(random_part: str) -> str:
    mac = hmac.new(_key(), random_part.encode("ascii"), hashlib.sha256).digest()
    n = int.from_bytes(mac[:8], "big")
    return "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(CHECK_LEN))


def code_new() -> str:
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LEN))
    return random_part + _check_part(random_part)


def code_normalise(text: str) -> str:
    """What a person types or a scanner fills in → the bare code: upper case, without spaces,
    dashes or dots; a scanned link keeps its last part."""
    text = (text or "").strip().rstrip("/")
    if "/" in text:
        text = text.rsplit("/", 1)[-1]
    return "".join(ch for ch in text.upper() if ch.isalnum())


def code_is_genuine(code: str) -> bool:
    """Does the code carry a valid keyed check? (No database access.)"""
    if len(code) != CODE_LEN or any(ch not in ALPHABET for ch in code):
        return False
    return hmac.compare_digest(code[RANDOM_LEN:], _check_part(code[:RANDOM_LEN]))


def code_display(code: str) -> str:
    """``ABCDEFGHJKLM`` → ``ABCD-EFGH-JKLM`` (how it is printed and read out)."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


# --- Selectors ----------------------------------------------------------------------------------


def fair_list(*, user: Any, campaign: Any = None) -> QuerySet[Fair]:
    """Fairs organised inside the user's scope; a partner organisation's login: those where it
    has a stall."""
    qs = Fair.objects.visible_to(user).select_related("unit", "campaign")
    partner = partner_of(user)
    if partner is not None:
        qs = qs.filter(pk__in=Stall.objects.filter(partner=partner).values("fair_id"))
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.order_by("-held_from", "name")


def fair_get(*, user: Any, pk: Any) -> Fair:
    """A fair organised inside the user's scope, or 404."""
    return get_visible_or_404(Fair.objects.select_related("unit", "campaign__unit"), user, pk=pk)


def stall_list(*, fair: Fair) -> list[Stall]:
    return list(Stall.objects.filter(fair=fair).select_related("partner").order_by("name"))


def stall_get(*, fair: Fair, pk: Any) -> Stall:
    """A stall of ``fair`` (which came from ``fair_get``), or 404."""
    try:
        return Stall.objects.select_related("partner").get(fair=fair, pk=int(pk))
    except (Stall.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404 from exc


def stall_get_visible(*, user: Any, pk: Any) -> Stall:
    """A stall of a fair inside the user's scope, or 404 (for the API, which names only the
    stall)."""
    try:
        pk = int(pk)
    except (ValueError, TypeError) as exc:
        raise Http404 from exc
    if not 0 < pk < 2**63:
        raise Http404
    stall = (
        Stall.objects.filter(pk=pk, fair__in=Fair.objects.visible_to(user))
        .select_related("fair__unit", "fair__campaign", "partner")
        .first()
    )
    if stall is None:
        raise Http404
    return stall


def voucher_list(*, fair: Fair, unit: Any = None) -> QuerySet[Voucher]:
    """The vouchers of ``fair`` (from ``fair_get``), in the recipients' name order."""
    qs = Voucher.objects.filter(fair=fair).select_related(
        "aid_record__person", "aid_record__household", "unit", "stall"
    )
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    return qs.order_by("aid_record__person__sort_key", "pk")


def voucher_search(*, fair: Fair, query: str, limit: int = 50) -> list[Voucher]:
    """Vouchers of ``fair`` by code (however typed) or by the recipient's name."""
    query = query.strip()[:100]
    if not query:
        return []
    code = code_normalise(query)
    q = Q(aid_record__person__full_name__icontains=query)
    if len(code) == CODE_LEN:
        q |= Q(code=code)
    return list(voucher_list(fair=fair).filter(q)[:limit])


def voucher_get(*, user: Any, pk: Any) -> Voucher:
    """A voucher whose recipient lies in the user's scope, or 404."""
    return get_visible_or_404(
        Voucher.objects.select_related("fair__unit", "unit", "aid_record__person"), user, pk=pk
    )


def is_expired(voucher: Voucher, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return voucher.status == VoucherStatus.ISSUED and voucher.valid_until < today


# --- Fairs and stalls ---------------------------------------------------------------------------


@dataclass
class FairData:
    name: str
    held_from: dt.date
    held_to: dt.date
    voucher_value: int
    place: str = ""


def _require_edit(actor: Any, unit: Any) -> None:
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền tổ chức hội chợ ở đơn vị này."))


@transaction.atomic
def fair_create(*, actor: Any, campaign: Campaign, unit: Any, data: FairData) -> Fair:
    _require_edit(actor, unit)
    if campaign.status != CampaignStatus.LAUNCHED:
        raise ApplicationError(_("Phong trào chưa phát động hoặc đã kết thúc."))
    if not unit.path.startswith(campaign.unit.path):
        raise ApplicationError(
            _("%(unit)s không thuộc địa bàn của phong trào.") % {"unit": unit.name}
        )
    name = data.name.strip()
    if not name:
        raise ApplicationError(_("Chưa có tên hội chợ."), field="name")
    if data.held_to < data.held_from:
        raise ApplicationError(_("Ngày kết thúc hội chợ trước ngày bắt đầu."), field="held_to")
    value = data.voucher_value
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ApplicationError(
            _("Mệnh giá phiếu phải là số đồng lớn hơn 0."), field="voucher_value"
        )
    if value > 10**12:
        raise ApplicationError(_("Mệnh giá phiếu quá lớn."), field="voucher_value")
    if campaign.min_gift_value and value < campaign.min_gift_value:
        raise ApplicationError(
            _("Mệnh giá phiếu %(value)s thấp hơn mức tối thiểu mỗi suất của phong trào (%(min)s).")
            % {"value": format_vnd(value), "min": format_vnd(campaign.min_gift_value)},
            field="voucher_value",
        )
    fair = Fair.objects.create(
        campaign=campaign,
        unit=unit,
        name=name[:255],
        place=data.place.strip()[:255],
        held_from=data.held_from,
        held_to=data.held_to,
        voucher_value=value,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=fair,
        unit_path=unit.path,
        changes={
            "campaign": [None, str(campaign)],
            "held": [None, f"{fair.held_from:%d/%m/%Y} – {fair.held_to:%d/%m/%Y}"],
            "voucher_value": [None, value],
        },
    )
    return fair


@transaction.atomic
def stall_add(*, actor: Any, fair: Fair, name: str, partner: Partner | None = None) -> Stall:
    _require_edit(actor, fair.unit)
    name = name.strip()
    if not name:
        raise ApplicationError(_("Chưa có tên gian hàng."), field="name")
    if Stall.objects.filter(fair=fair, name__iexact=name).exists():
        raise ApplicationError(
            _("Hội chợ đã có gian hàng «%(name)s».") % {"name": name}, field="name"
        )
    if partner is not None:
        here, theirs = fair.unit.path, partner.unit.path
        if not partner.is_active or not (here.startswith(theirs) or theirs.startswith(here)):
            raise ApplicationError(
                _("%(partner)s không phối hợp với đơn vị tổ chức hội chợ.")
                % {"partner": partner.name},
                field="partner",
            )
    stall = Stall.objects.create(fair=fair, name=name[:150], partner=partner)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=stall,
        unit_path=fair.unit.path,
        changes={
            "fair": [None, fair.name],
            "name": [None, stall.name],
            "partner": [None, partner.name if partner else None],
        },
    )
    return stall


# --- Issuing ------------------------------------------------------------------------------------


def _new_voucher(fair: Fair, record: AidRecord, valid_from: dt.date, valid_until: dt.date) -> Any:
    for _attempt in range(5):
        try:
            with transaction.atomic():
                return Voucher.objects.create(
                    fair=fair,
                    unit_id=record.unit_id,
                    aid_record=record,
                    code=code_new(),
                    value=record.value,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
        except IntegrityError:
            continue  # the same random code twice (2⁻⁴⁰): draw again
    raise ApplicationError(_("Không tạo được mã phiếu, hãy thử lại."))


@transaction.atomic
def voucher_issue(
    *,
    actor: Any,
    fair: Fair,
    people: list[Any],
    given_on: dt.date | None = None,
    valid_from: dt.date | None = None,
    valid_until: dt.date | None = None,
) -> list[Voucher]:
    """Issue one voucher to each person (a household's representative, by the campaign's rule).
    All or nothing: when anyone cannot get one (already received a voucher in the campaign,
    outside the area…), nothing is written and the message names each of them."""
    _require_edit(actor, fair.unit)
    if not people:
        raise ApplicationError(_("Không còn hộ nào chưa được phát phiếu."))
    if len(people) > MAX_ISSUE:
        raise ApplicationError(
            _("Mỗi lần phát tối đa %(n)s phiếu.") % {"n": f"{MAX_ISSUE:,}".replace(",", ".")}
        )
    valid_from = valid_from or fair.held_from
    valid_until = valid_until or fair.held_to
    if valid_until < valid_from:
        raise ApplicationError(_("Hạn dùng phiếu kết thúc trước khi bắt đầu."), field="valid_until")
    campaign = Campaign.objects.select_related("unit").get(pk=fair.campaign_id)
    data = AidData(
        kind=AidKind.VOUCHER,
        value=fair.voucher_value,
        given_on=given_on or timezone.localdate(),
        description=(_("Phiếu quà tặng %(fair)s") % {"fair": fair.name})[:255],
    )
    problems: list[str] = []
    issued: list[Voucher] = []
    for person in people:
        try:
            with transaction.atomic():
                record = aid_record(actor=actor, campaign=campaign, person=person, data=data)
                issued.append(_new_voucher(fair, record, valid_from, valid_until))
        except ApplicationError as exc:
            problems.append(str(exc))
    if problems:
        transaction.set_rollback(True)
        raise ApplicationError(
            _("Chưa phát phiếu nào vì %(n)d trường hợp cần xem lại: %(list)s")
            % {"n": len(problems), "list": " · ".join(problems[:20])},
            extra={"problems": problems},
        )
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=fair,
        unit_path=fair.unit.path,
        changes={
            "vouchers_issued": [None, len(issued)],
            "valid": [None, f"{valid_from:%d/%m/%Y} – {valid_until:%d/%m/%Y}"],
        },
    )
    return issued


def voucher_issue_uncovered(
    *,
    actor: Any,
    fair: Fair,
    unit: Any = None,
    limit: int | None = None,
    given_on: dt.date | None = None,
) -> list[Voucher]:
    """Issue vouchers to the eligible households under ``unit`` (the fair's unit by default)
    that have received nothing yet in the campaign."""
    from nhandao.campaigns.selectors import uncovered_list

    unit = unit or fair.unit
    if not unit.path.startswith(fair.unit.path):
        raise ApplicationError(_("Đơn vị không thuộc phạm vi của hội chợ."))
    campaign = Campaign.objects.select_related("unit").get(pk=fair.campaign_id)
    page = uncovered_list(campaign=campaign, unit=unit, limit=min(limit or MAX_ISSUE, MAX_ISSUE))
    return voucher_issue(actor=actor, fair=fair, people=page.people, given_on=given_on)


@transaction.atomic
def voucher_void(*, actor: Any, voucher: Voucher, reason: str) -> Voucher:
    """Cancel an unused voucher (lost, issued by mistake): its aid record is voided with the same
    reason, so the household counts as not reached again."""
    voucher = (
        Voucher.objects.select_for_update().select_related("fair__unit", "unit").get(pk=voucher.pk)
    )
    _require_edit(actor, voucher.fair.unit)
    if voucher.status != VoucherStatus.ISSUED:
        raise ApplicationError(
            _("Chỉ hủy được phiếu chưa sử dụng (phiếu %(code)s: %(status)s).")
            % {"code": code_display(voucher.code), "status": voucher.get_status_display()}
        )
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Cần ghi lý do hủy phiếu."), field="reason")
    record = AidRecord.objects.get(pk=voucher.aid_record_id)
    aid_void(actor=actor, record=record, reason=reason)
    voucher.status = VoucherStatus.VOID
    voucher.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=voucher,
        object_repr=code_display(voucher.code),
        unit_path=voucher.unit.path,
        changes={"status": [VoucherStatus.ISSUED, VoucherStatus.VOID], "reason": [None, reason]},
    )
    return voucher


# --- Redeeming ----------------------------------------------------------------------------------


def _require_redeem(actor: Any, fair: Fair, stall: Stall) -> None:
    partner = partner_of(actor)
    if partner is not None:
        if stall.partner_id != partner.pk or not can(actor, "aid.partner", fair.unit):
            raise ApplicationError(_("Gian hàng này không phải của tổ chức bạn."))
        return
    if not can(actor, "data.edit", fair.unit):
        raise ApplicationError(_("Bạn không có quyền nhận phiếu ở hội chợ này."))


def _when(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M ngày %d/%m/%Y")


@transaction.atomic
def voucher_redeem(
    *, actor: Any, fair: Fair, stall: Stall, code: str, now: dt.datetime | None = None
) -> Voucher:
    """Redeem a voucher at a stall: one conditional UPDATE (issued and valid today → redeemed),
    so of two stalls scanning it at the same moment exactly one succeeds. Every refusal says
    why: forged or mistyped, unknown, not yet valid, expired, already used (when and where),
    cancelled."""
    if stall.fair_id != fair.pk:
        raise ApplicationError(_("Gian hàng không thuộc hội chợ này."))
    _require_redeem(actor, fair, stall)
    normal = code_normalise(code)
    if not normal:
        raise ApplicationError(_("Chưa nhập mã phiếu."), field="code")
    shown = code_display(normal) if len(normal) == CODE_LEN else (code or "").strip()[:40]
    if not code_is_genuine(normal):
        raise ApplicationError(
            _(
                "Mã phiếu «%(code)s» không hợp lệ: phiếu giả hoặc gõ nhầm."
                " Hãy kiểm tra lại từng ký tự."
            )
            % {"code": shown},
            field="code",
        )
    now = now or timezone.now()
    today = timezone.localdate(now)
    user = actor if getattr(actor, "is_authenticated", False) else None
    updated = Voucher.objects.filter(
        code=normal,
        fair=fair,
        status=VoucherStatus.ISSUED,
        valid_from__lte=today,
        valid_until__gte=today,
    ).update(status=VoucherStatus.REDEEMED, stall=stall, redeemed_at=now, redeemed_by=user)
    voucher = (
        Voucher.objects.filter(code=normal, fair=fair)
        .select_related("stall", "unit", "aid_record__person")
        .first()
    )
    if updated == 1 and voucher is not None:
        AidRecord.objects.filter(pk=voucher.aid_record_id).update(
            acknowledgement=Acknowledgement.VOUCHER
        )
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=voucher,
            object_repr=code_display(voucher.code),
            unit_path=voucher.unit.path,
            changes={
                "status": [VoucherStatus.ISSUED, VoucherStatus.REDEEMED],
                "stall": [None, stall.name],
                "value": [None, voucher.value],
            },
        )
        return voucher
    if voucher is None:
        raise ApplicationError(
            _("Không có phiếu mã %(code)s ở hội chợ này.") % {"code": shown}, field="code"
        )
    if voucher.status == VoucherStatus.REDEEMED:
        raise ApplicationError(
            _("Phiếu %(code)s đã được sử dụng lúc %(when)s tại gian hàng «%(stall)s».")
            % {
                "code": shown,
                "when": _when(voucher.redeemed_at) if voucher.redeemed_at else "",
                "stall": voucher.stall.name if voucher.stall else "",
            },
            field="code",
            extra={"redeemed": True},
        )
    if voucher.status == VoucherStatus.VOID:
        raise ApplicationError(_("Phiếu %(code)s đã bị hủy.") % {"code": shown}, field="code")
    if today > voucher.valid_until:
        raise ApplicationError(
            _("Phiếu %(code)s đã hết hạn (chỉ có giá trị đến ngày %(date)s).")
            % {"code": shown, "date": voucher.valid_until.strftime("%d/%m/%Y")},
            field="code",
        )
    raise ApplicationError(
        _("Phiếu %(code)s chỉ có giá trị từ ngày %(date)s.")
        % {"code": shown, "date": voucher.valid_from.strftime("%d/%m/%Y")},
        field="code",
    )


# --- Reconciling --------------------------------------------------------------------------------


@dataclass
class Tally:
    count: int = 0
    value: int = 0


@dataclass
class StallLine:
    stall: Stall
    count: int
    value: int


@dataclass
class Reconciliation:
    fair: Fair
    today: dt.date
    issued: Tally = field(default_factory=Tally)
    redeemed: Tally = field(default_factory=Tally)
    outstanding: Tally = field(default_factory=Tally)  # still valid, not yet used
    expired: Tally = field(default_factory=Tally)
    void: Tally = field(default_factory=Tally)
    stalls: list[StallLine] = field(default_factory=list)


def reconcile(*, fair: Fair, today: dt.date | None = None) -> Reconciliation:
    """Issued, redeemed, still valid, expired and cancelled vouchers of ``fair`` (from
    ``fair_get``), counts and value, and the value redeemed at each stall."""
    today = today or timezone.localdate()
    issued = Q(status=VoucherStatus.ISSUED)
    buckets = {
        "issued": Q(),
        "redeemed": Q(status=VoucherStatus.REDEEMED),
        "outstanding": issued & Q(valid_until__gte=today),
        "expired": issued & Q(valid_until__lt=today),
        "void": Q(status=VoucherStatus.VOID),
    }
    aggregates: dict[str, Any] = {}
    for name, q in buckets.items():
        aggregates[f"{name}_n"] = Count("pk", filter=q)
        aggregates[f"{name}_v"] = Sum("value", filter=q)
    totals = Voucher.objects.filter(fair=fair).aggregate(**aggregates)
    result = Reconciliation(fair=fair, today=today)
    for name in buckets:
        setattr(result, name, Tally(int(totals[f"{name}_n"] or 0), int(totals[f"{name}_v"] or 0)))
    by_stall = {
        row["stall_id"]: row
        for row in Voucher.objects.filter(fair=fair, status=VoucherStatus.REDEEMED)
        .values("stall_id")
        .annotate(n=Count("pk"), v=Sum("value"))
    }
    for stall in stall_list(fair=fair):
        row = by_stall.get(stall.pk, {})
        result.stalls.append(StallLine(stall, int(row.get("n") or 0), int(row.get("v") or 0)))
    result.stalls.sort(key=lambda line: (-line.value, line.stall.name))
    return result


def reconcile_workbook(*, rec: Reconciliation) -> bytes:
    """The reconciliation as .xlsx: totals, then the value redeemed at each stall."""
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    sheet = book.add_worksheet(_("Đối soát"))
    font = {"font_name": "Times New Roman", "font_size": 12}
    title = book.add_format({**font, "bold": True, "align": "center", "font_size": 14})
    italic = book.add_format({**font, "italic": True, "align": "center"})
    head = book.add_format({**font, "bold": True, "border": 1, "bg_color": "#F2F2F2"})
    cell = book.add_format({**font, "border": 1})
    money = book.add_format({**font, "border": 1, "num_format": "#,##0"})
    sheet.set_column(0, 0, 34)
    sheet.set_column(1, 2, 18)
    fair = rec.fair
    sheet.merge_range(0, 0, 0, 2, _("ĐỐI SOÁT PHIẾU QUÀ TẶNG"), title)
    sheet.merge_range(1, 0, 1, 2, fair.name, italic)
    sheet.merge_range(
        2,
        0,
        2,
        2,
        _("%(place)s, từ %(start)s đến %(end)s · số liệu đến ngày %(today)s")
        % {
            "place": fair.place or fair.unit.name,
            "start": fair.held_from.strftime("%d/%m/%Y"),
            "end": fair.held_to.strftime("%d/%m/%Y"),
            "today": rec.today.strftime("%d/%m/%Y"),
        },
        italic,
    )
    r = 4
    for col, label in enumerate([_("Phiếu"), _("Số phiếu"), _("Giá trị (đồng)")]):
        sheet.write_string(r, col, label, head)
    for label, tally in (
        (_("Đã phát"), rec.issued),
        (_("Đã sử dụng"), rec.redeemed),
        (_("Còn hạn, chưa sử dụng"), rec.outstanding),
        (_("Hết hạn, chưa sử dụng"), rec.expired),
        (pgettext("voided", "Đã hủy"), rec.void),
    ):
        r += 1
        sheet.write_string(r, 0, label, cell)
        sheet.write_number(r, 1, tally.count, cell)
        sheet.write_number(r, 2, tally.value, money)
    r += 2
    for col, label in enumerate([_("Gian hàng"), _("Số phiếu đã nhận"), _("Giá trị (đồng)")]):
        sheet.write_string(r, col, label, head)
    for line in rec.stalls:
        r += 1
        sheet.write_string(r, 0, line.stall.name, cell)
        sheet.write_number(r, 1, line.count, cell)
        sheet.write_number(r, 2, line.value, money)
    r += 1
    sheet.write_string(r, 0, _("Cộng"), head)
    sheet.write_number(r, 1, sum(x.count for x in rec.stalls), head)
    sheet.write_number(r, 2, sum(x.value for x in rec.stalls), money)
    book.close()
    return buffer.getvalue()


def qr_svg(text: str) -> str:
    """An inline SVG QR code of ``text`` (drawn on the server; nothing fetched)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=6, border=2)
    svg: str = image.to_string(encoding="unicode")
    return svg
