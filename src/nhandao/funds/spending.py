"""The fund-manage actions around the ledger: spending (with the earmark and deadline rules),
allocation, transfer between funds, reversal of an entry, and the documents of an appeal.

Each checks the actor's "fund.manage" right at the unit concerned, calls ``ledger.py`` (the only
code that writes entries) inside one transaction, and audits what it did. A refused action leaves
nothing behind.

Spending rules (rules.md, Decree 93/2021):

* never more than the pocket holds (the ledger refuses it);
* earmarked money only on its earmark, and then only against the aid it paid for: a "beneficiary"
  earmark pays aid records of that beneficiary's person or household; an "area" earmark aid
  records and distributions inside that unit's subtree; a "campaign" earmark distributions and
  aid records of that campaign;
* an appeal's money is spent by its distribution deadline; later spending needs an extension.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent

from . import ledger
from .ledger import UNRESTRICTED, Earmark, check_amount
from .models import (
    DocumentKind,
    Entry,
    EntryKind,
    Fund,
    FundDocument,
    FundKind,
    FundStatus,
    Pocket,
)
from .services import d, require

A = AuditEvent.Action
DOCUMENT_EXTENSIONS = (".pdf", ".docx", ".xlsx", ".jpg", ".jpeg", ".png")
DOCUMENT_MAX_BYTES = 10 * 1024 * 1024


def _check_day(day: Any, field: str = "posted_on") -> dt.date:
    if not isinstance(day, dt.date):
        raise ApplicationError(_("Chưa nhập ngày."), field=field)
    if day > timezone.localdate():
        raise ApplicationError(_("Ngày ghi sổ không được sau hôm nay."), field=field)
    return day


def _existing_pocket(fund: Fund, unit: Any, goods: bool, earmark: Earmark) -> Pocket:
    """The pocket money leaves from; a pocket never filled holds nothing to move."""
    found = Pocket.objects.filter(fund=fund, unit=unit, goods=goods, key=earmark.key).first()
    if found is None:
        raise ApplicationError(
            _("%(unit)s không có khoản tiền này trong «%(fund)s» (số dư 0 đ).")
            % {"unit": unit.name, "fund": fund.name},
            field="amount",
        )
    return found


def _check_in_fund(fund: Fund, unit: Any, field: str = "unit") -> None:
    if not unit.path.startswith(fund.unit.path):
        raise ApplicationError(
            _("%(unit)s không thuộc phạm vi của quỹ %(fund)s.")
            % {"unit": unit.name, "fund": fund.name},
            field=field,
        )


# --- spending --------------------------------------------------------------------------------


def deadline_problem(fund: Fund, day: dt.date) -> str:
    """Why an appeal's money cannot be spent on ``day`` ("" when it can)."""
    if fund.kind != FundKind.APPEAL or fund.distribution_ends_on is None:
        return ""
    if day > fund.distribution_ends_on:
        return _(
            "«%(fund)s» đã quá hạn phân phối ngày %(end)s; hãy ghi quyết định gia hạn (trang "
            "cuộc vận động, «Gia hạn») trước khi chi tiếp."
        ) % {"fund": fund.name, "end": d(fund.distribution_ends_on)}
    return ""


def _earmark_problem(earmark: Earmark, distribution: Any, records: Sequence[Any]) -> str:
    """Why this spending does not fit its earmark ("" when it does)."""
    if not earmark.kind:
        return ""
    if earmark.kind == "beneficiary":
        from nhandao.beneficiaries.models import Beneficiary

        target = Beneficiary.objects.select_related("person").get(pk=earmark.beneficiary_id or 0)
        name = target.person.full_name
        if not records:
            return _(
                "Tiền chỉ định cho địa chỉ nhân đạo %(name)s chỉ được chi cho hỗ trợ đã trao cho "
                "người này hoặc hộ của họ: hãy chọn các lần trao."
            ) % {"name": name}
        household = target.person.household_id
        for r in records:
            if r.person_id != target.person_id and not (household and r.household_id == household):
                return _(
                    "Tiền chỉ định cho %(name)s không chi cho hỗ trợ của người khác (%(other)s)."
                ) % {"name": name, "other": r.person.full_name}
        return ""
    if earmark.kind == "area":
        from nhandao.orgs.models import Unit

        area = Unit.objects.get(pk=earmark.unit_id)
        if distribution is None and not records:
            return _(
                "Tiền chỉ định cho địa bàn %(area)s chỉ được chi cho đợt trao hoặc hỗ trợ tại "
                "địa bàn đó: hãy chọn đợt trao."
            ) % {"area": area.name}
        if distribution is not None and not distribution.unit.path.startswith(area.path):
            return _("Đợt trao «%(d)s» không thuộc địa bàn được chỉ định %(area)s.") % {
                "d": distribution.title,
                "area": area.name,
            }
        for r in records:
            if not r.unit.path.startswith(area.path):
                return _("Hỗ trợ cho %(who)s không thuộc địa bàn được chỉ định %(area)s.") % {
                    "who": r.person.full_name,
                    "area": area.name,
                }
        return ""
    # campaign
    from nhandao.campaigns.models import Campaign

    campaign = Campaign.objects.get(pk=earmark.campaign_id or 0)
    if distribution is None and not records:
        return _(
            "Tiền chỉ định cho «%(c)s» chỉ được chi cho đợt trao hoặc hỗ trợ của phong trào đó: "
            "hãy chọn đợt trao."
        ) % {"c": campaign.name}
    if distribution is not None and distribution.campaign_id != campaign.pk:
        return _("Đợt trao «%(d)s» không thuộc phong trào được chỉ định «%(c)s».") % {
            "d": distribution.title,
            "c": campaign.name,
        }
    for r in records:
        if r.campaign_id != campaign.pk:
            return _("Hỗ trợ cho %(who)s không thuộc phong trào được chỉ định «%(c)s».") % {
                "who": r.person.full_name,
                "c": campaign.name,
            }
    return ""


@transaction.atomic
def spend(
    *,
    actor: Any,
    fund: Fund,
    unit: Any,
    amount: Any,
    posted_on: Any,
    description: str,
    earmark: Earmark = UNRESTRICTED,
    goods: bool = False,
    distribution: Any = None,
    aid_records: Sequence[Any] = (),
) -> Entry:
    """Spend from the pocket (fund, unit, money/goods, earmark), linked to the distribution
    and/or aid records it paid for. The caller fetched ``distribution`` and ``aid_records``
    through the user's scope."""
    require(actor, "fund.manage", unit)
    _check_in_fund(fund, unit)
    check_amount(amount)
    day = _check_day(posted_on)
    problem = deadline_problem(fund, day)
    if problem:
        raise ApplicationError(problem, field="posted_on")
    _existing_pocket(fund, unit, goods, earmark)
    records = list(aid_records)
    if len({r.pk for r in records}) != len(records):
        raise ApplicationError(_("Một lần trao được chọn hai lần."), field="aid_records")
    for r in records:
        if r.voided_at is not None:
            raise ApplicationError(
                _("Lần trao cho %(who)s đã bị hủy.") % {"who": r.person.full_name},
                field="aid_records",
            )
        if distribution is not None and r.distribution_id not in (None, distribution.pk):
            raise ApplicationError(
                _("Lần trao cho %(who)s thuộc đợt trao khác.") % {"who": r.person.full_name},
                field="aid_records",
            )
    problem = _earmark_problem(earmark, distribution, records)
    if problem:
        raise ApplicationError(problem, field="earmark")
    entry = ledger.disburse(
        fund=fund,
        unit=unit,
        amount=amount,
        posted_on=day,
        actor=actor,
        description=description.strip(),
        earmark=earmark,
        goods=goods,
        distribution=distribution,
        aid_records=records,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=entry,
        unit_path=unit.path,
        changes={
            "fund": fund.code,
            "kind": EntryKind.DISBURSEMENT,
            "amount": amount,
            "earmark": earmark.key,
            "distribution": distribution.pk if distribution is not None else None,
            "aid_records": [r.pk for r in records],
        },
    )
    return entry


# --- allocation, transfer, reversal ----------------------------------------------------------


@transaction.atomic
def allocation_make(
    *,
    actor: Any,
    fund: Fund,
    from_unit: Any,
    to_unit: Any,
    amount: Any,
    posted_on: Any,
    earmark: Earmark = UNRESTRICTED,
    goods: bool = False,
    description: str = "",
) -> tuple[Entry, Entry]:
    """Allocate down the tree (province → commune) or forward up what a unit collected."""
    require(actor, "fund.manage", from_unit)
    check_amount(amount)
    day = _check_day(posted_on)
    _check_in_fund(fund, from_unit, "from_unit")
    _existing_pocket(fund, from_unit, goods, earmark)
    out, into = ledger.allocate(
        fund=fund,
        from_unit=from_unit,
        to_unit=to_unit,
        amount=check_amount(amount),
        posted_on=day,
        actor=actor,
        earmark=earmark,
        goods=goods,
        description=description.strip(),
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=out,
        unit_path=from_unit.path,
        changes={
            "fund": fund.code,
            "kind": EntryKind.ALLOCATION_OUT,
            "amount": amount,
            "to_unit": to_unit.name,
            "earmark": earmark.key,
        },
    )
    return out, into


@transaction.atomic
def transfer_make(
    *,
    actor: Any,
    from_fund: Fund,
    to_fund: Fund,
    unit: Any,
    amount: Any,
    posted_on: Any,
    reason: str,
    goods: bool = False,
) -> tuple[Entry, Entry]:
    """Move unrestricted money between two funds held at one unit, with the reason."""
    require(actor, "fund.manage", unit)
    _check_in_fund(from_fund, unit, "unit")
    check_amount(amount)
    day = _check_day(posted_on)
    _existing_pocket(from_fund, unit, goods, ledger.UNRESTRICTED)
    # The target's status is read under lock: a closing at the same moment cannot slip past.
    to_fund = Fund.objects.select_for_update().get(pk=to_fund.pk)
    if to_fund.status == FundStatus.CLOSED:
        raise ApplicationError(
            _("«%(fund)s» đã kết thúc, không nhận tiền chuyển đến.") % {"fund": to_fund.name},
            field="to_fund",
        )
    out, into = ledger.transfer(
        from_fund=from_fund,
        to_fund=to_fund,
        unit=unit,
        amount=check_amount(amount),
        posted_on=day,
        actor=actor,
        reason=reason.strip(),
        goods=goods,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=out,
        unit_path=unit.path,
        changes={
            "fund": from_fund.code,
            "to_fund": to_fund.code,
            "kind": EntryKind.TRANSFER_OUT,
            "amount": amount,
            "reason": reason,
        },
    )
    return out, into


@transaction.atomic
def entry_reverse(*, actor: Any, entry: Entry, reason: str) -> list[Entry]:
    """Cancel an entry with a reversing entry and the reason. A donation's receipt is cancelled
    through the donation (its receipt voided, its statement line sent back to the queue)."""
    if entry.kind == EntryKind.RECEIPT and entry.donation is not None:
        from .services import donation_reverse

        donation_reverse(actor=actor, donation=entry.donation, reason=reason)
        return list(Entry.objects.filter(reverses=entry))
    require(actor, "fund.manage", entry.unit)
    made = ledger.reverse(entry, actor=actor, reason=reason)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=made[0],
        unit_path=entry.unit.path,
        changes={
            "fund": entry.fund.code,
            "kind": EntryKind.REVERSAL,
            "reverses": [e.reverses_id for e in made],
            "amount": [e.amount for e in made],
            "reason": reason,
        },
    )
    return made


# --- documents -------------------------------------------------------------------------------


@transaction.atomic
def document_add(
    *, actor: Any, fund: Fund, kind: str, title: str, upload: Any, is_public: bool = True
) -> FundDocument:
    """Attach a decision, notice, report or minutes (pdf, docx, xlsx, jpg, png; up to 10 MB)."""
    require(actor, "fund.manage", fund.unit)
    if kind not in DocumentKind.values:
        raise ApplicationError(_("Loại văn bản không hợp lệ."), field="kind")
    if not title.strip():
        raise ApplicationError(_("Chưa nhập tên văn bản."), field="title")
    if upload is None:
        raise ApplicationError(_("Chưa chọn tệp."), field="file")
    ext = os.path.splitext(upload.name or "")[1].lower()
    if ext not in DOCUMENT_EXTENSIONS:
        raise ApplicationError(
            _("Chỉ nhận tệp PDF, Word (.docx), Excel (.xlsx) hoặc ảnh JPG, PNG."), field="file"
        )
    if upload.size > DOCUMENT_MAX_BYTES:
        raise ApplicationError(
            _("Tệp lớn quá 10 MB (%(mb).1f MB).") % {"mb": upload.size / 1024 / 1024},
            field="file",
        )
    doc = FundDocument.objects.create(
        fund=fund,
        kind=kind,
        title=title.strip()[:255],
        file=upload,
        is_public=is_public,
        uploaded_by=actor,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=doc,
        unit_path=fund.unit.path,
        changes={"fund": fund.code, "kind": kind, "title": doc.title, "public": is_public},
    )
    return doc
