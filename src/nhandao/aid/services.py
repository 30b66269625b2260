"""Every write of aid: record what one recipient was given (overlap refused by the database),
void a mistaken record, record a whole ticked list at once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.campaigns.models import Campaign, CampaignStatus, GiftRule
from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs.permissions import can

from .models import Acknowledgement, AidKind, AidRecord, Distribution, Source

A = AuditEvent.Action


@dataclass
class AidData:
    kind: str = AidKind.GIFT
    value: int = 0
    given_on: dt.date | None = None
    source: str = Source.CAMPAIGN
    donor_name: str = ""
    description: str = ""
    acknowledgement: str = ""
    override_reason: str = ""


def partner_of(user: Any) -> Any:
    """The partner organisation a login records for, or None for chapter staff."""
    from .models import PartnerUser

    if not getattr(user, "is_authenticated", False):
        return None
    link = PartnerUser.objects.filter(user_id=user.pk).select_related("partner").first()
    return link.partner if link else None


def _money(value: Any, label: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ApplicationError(_("%(label)s phải là số đồng.") % {"label": label}, field="value")
    if value < 0:
        raise ApplicationError(_("%(label)s không được âm.") % {"label": label}, field="value")
    return value


def _describe(record: AidRecord) -> str:
    by = record.partner.name if record.partner_id and record.partner else record.recorded_unit.name
    return _("%(kind)s ngày %(date)s do %(by)s trao") % {
        "kind": record.get_kind_display(),
        "date": record.given_on.strftime("%d/%m/%Y"),
        "by": by,
    }


def existing_gifts(*, campaign: Campaign, person: Any, kind: str) -> list[AidRecord]:
    """Live records of this kind in this campaign for the person (or, one gift per household,
    anyone recorded with the person's household)."""
    from django.db.models import Q

    q = Q(person_id=person.pk)
    if campaign.gift_rule == GiftRule.HOUSEHOLD and person.household_id:
        q |= Q(household_id=person.household_id, per_household=True)
    return list(
        AidRecord.objects.live()
        .filter(q, campaign=campaign, kind=kind)
        .select_related("recorded_unit", "partner", "person")
        .order_by("given_on", "pk")
    )


def _check_campaign(campaign: Campaign, data: AidData) -> None:
    if campaign.status != CampaignStatus.LAUNCHED:
        raise ApplicationError(_("Phong trào chưa phát động hoặc đã kết thúc."))
    if data.kind not in AidKind.values:
        raise ApplicationError(_("Hình thức hỗ trợ không hợp lệ."), field="kind")
    if data.source not in Source.values:
        raise ApplicationError(_("Nguồn hỗ trợ không hợp lệ."), field="source")
    if data.acknowledgement not in Acknowledgement.values:
        raise ApplicationError(_("Hình thức xác nhận không hợp lệ."), field="acknowledgement")
    if data.source == Source.DONOR and not data.donor_name.strip():
        raise ApplicationError(_("Chưa ghi tên nhà tài trợ."), field="donor_name")
    given_on = data.given_on or timezone.localdate()
    if not campaign.starts_on <= given_on <= campaign.ends_on:
        raise ApplicationError(
            _("Ngày trao %(date)s nằm ngoài thời gian của phong trào (%(start)s – %(end)s).")
            % {
                "date": given_on.strftime("%d/%m/%Y"),
                "start": campaign.starts_on.strftime("%d/%m/%Y"),
                "end": campaign.ends_on.strftime("%d/%m/%Y"),
            },
            field="given_on",
        )
    if given_on > timezone.localdate():
        raise ApplicationError(_("Ngày trao ở tương lai."), field="given_on")
    value = _money(data.value, _("Giá trị"))
    if campaign.min_gift_value and value < campaign.min_gift_value:
        raise ApplicationError(
            _("Giá trị %(value)s thấp hơn mức tối thiểu mỗi suất của phong trào (%(min)s).")
            % {
                "value": f"{value:,} đ".replace(",", "."),
                "min": f"{campaign.min_gift_value:,} đ".replace(",", "."),
            },
            field="value",
        )


def _recording_unit(actor: Any, person: Any, distribution: Distribution | None) -> tuple[Any, Any]:
    """(recording unit, partner) after checking the actor may record this gift."""
    partner = partner_of(actor)
    if partner is not None:
        if distribution is None or distribution.partner_id != partner.pk:
            raise ApplicationError(
                _("Tổ chức phối hợp chỉ ghi nhận trong đợt trao của chính mình.")
            )
        if not can(actor, "aid.partner", distribution.unit):
            raise ApplicationError(_("Bạn không có quyền ghi nhận ở đơn vị này."))
        return distribution.unit, partner
    unit = distribution.unit if distribution is not None else person.unit
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền ghi nhận hỗ trợ ở đơn vị này."))
    return unit, distribution.partner if distribution is not None else None


def _insert(record: AidRecord, message: str) -> AidRecord:
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError as exc:
        # Another station recorded the same gift between our check and our insert.
        raise ApplicationError(message, extra={"overlap": True}) from exc
    return record


@transaction.atomic
def aid_record(
    *,
    actor: Any,
    campaign: Campaign,
    person: Any,
    data: AidData,
    distribution: Distribution | None = None,
) -> AidRecord:
    """Record what ``person`` was given. A second gift of the same kind in the same campaign to
    the same person (or household, by the campaign's rule) is refused, unless ``override_reason``
    is given by an officer allowed to (``aid.override``); the database refuses it in any case."""
    if distribution is not None and distribution.campaign_id != campaign.pk:
        raise ApplicationError(_("Đợt trao không thuộc phong trào này."))
    _check_campaign(campaign, data)
    if person.merged_into_id:
        raise ApplicationError(
            _("Hồ sơ này đã được gộp vào hồ sơ khác: hãy ghi cho hồ sơ còn lại.")
        )
    if not person.unit.path.startswith(campaign.unit.path):
        raise ApplicationError(
            _("%(name)s không thuộc địa bàn của phong trào.") % {"name": person.full_name}
        )
    recorded_unit, partner = _recording_unit(actor, person, distribution)
    per_household = campaign.gift_rule == GiftRule.HOUSEHOLD
    source = data.source
    if partner is not None and source == Source.CAMPAIGN:
        source = Source.PARTNER  # a partner gives from its own resources unless told otherwise
    earlier = existing_gifts(campaign=campaign, person=person, kind=data.kind)
    reason = data.override_reason.strip()
    override_no = 0
    if earlier:
        first = earlier[0]
        message = _("%(name)s đã nhận %(what)s trong phong trào này.") % {
            "name": person.full_name,
            "what": _describe(first),
        }
        if not reason:
            raise ApplicationError(message, extra={"overlap": True, "earlier": first.pk})
        if not can(actor, "aid.override", recorded_unit):
            raise ApplicationError(
                message + " " + _("Chỉ cán bộ được phân quyền mới cho phép trao thêm.")
            )
        q = AidRecord.objects.filter(campaign=campaign, kind=data.kind)
        top = max(
            q.filter(person_id=person.pk).aggregate(m=Max("override_no"))["m"] or 0,
            (q.filter(household_id=person.household_id).aggregate(m=Max("override_no"))["m"] or 0)
            if per_household and person.household_id
            else 0,
        )
        override_no = top + 1
    record = AidRecord(
        campaign=campaign,
        distribution=distribution,
        unit=person.unit,
        recorded_unit=recorded_unit,
        partner=partner,
        person=person,
        household_id=person.household_id,
        per_household=per_household,
        kind=data.kind,
        area=campaign.area,
        value=data.value,
        description=data.description.strip()[:255],
        source=Source.PARTNER
        if partner is not None and data.source == Source.CAMPAIGN
        else data.source,
        donor_name=data.donor_name.strip()[:255],
        given_on=data.given_on or timezone.localdate(),
        acknowledgement=data.acknowledgement,
        override_no=override_no,
        override_reason=reason[:255] if override_no else "",
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _insert(
        record,
        _("%(name)s vừa được ghi nhận nhận quà ở nơi khác; không ghi trùng.")
        % {"name": person.full_name},
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=record,
        object_repr=f"{record.get_kind_display()} – {person.full_name}"[:255],
        unit_path=person.unit.path,
        changes={
            "campaign": [None, str(campaign)],
            "kind": [None, record.kind],
            "value": [None, record.value],
            "given_on": [None, record.given_on.isoformat()],
            "recorded_unit": [None, recorded_unit.name],
            **({"override_reason": [None, record.override_reason]} if override_no else {}),
        },
    )
    return record


@transaction.atomic
def aid_void(*, actor: Any, record: AidRecord, reason: str) -> AidRecord:
    """Void a mistaken record: it stays, marked, with its reason; the gift may be recorded again."""
    record = (
        AidRecord.objects.select_for_update()
        .select_related("unit", "recorded_unit")
        .get(pk=record.pk)
    )
    if record.voided_at is not None:
        raise ApplicationError(_("Bản ghi này đã được hủy."))
    if not can(actor, "data.edit", record.recorded_unit):
        raise ApplicationError(_("Bạn không có quyền hủy bản ghi này."))
    reason = reason.strip()
    if not reason:
        raise ApplicationError(_("Cần ghi lý do hủy."), field="reason")
    record.voided_at = timezone.now()
    record.void_reason = reason[:255]
    record.save(update_fields=["voided_at", "void_reason"])
    audit_record(
        actor=actor,
        action=A.DELETE,
        obj=record,
        unit_path=record.unit.path,
        changes={"voided": [None, reason]},
    )
    return record


@dataclass
class BulkResult:
    recorded: list[AidRecord]


@transaction.atomic
def aid_record_many(
    *, actor: Any, distribution: Distribution, people: list[Any], data: AidData
) -> BulkResult:
    """Record the same gift for every ticked person of a returned acknowledgement list. All or
    nothing: if anyone already received this kind in the campaign, nothing is written and the
    message names each of them."""
    campaign = Campaign.objects.select_related("unit").get(pk=distribution.campaign_id)
    problems: list[str] = []
    recorded: list[AidRecord] = []
    for person in people:
        try:
            with transaction.atomic():
                recorded.append(
                    aid_record(
                        actor=actor,
                        campaign=campaign,
                        person=person,
                        data=data,
                        distribution=distribution,
                    )
                )
        except ApplicationError as exc:
            problems.append(str(exc))
    if problems:
        transaction.set_rollback(True)
        raise ApplicationError(
            _("Chưa ghi nhận người nào vì %(n)d trường hợp cần xem lại: %(list)s")
            % {"n": len(problems), "list": " · ".join(problems[:20])},
            extra={"problems": problems},
        )
    return BulkResult(recorded=recorded)
