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

from .models import (
    Acknowledgement,
    AidKind,
    AidRecord,
    Distribution,
    DistributionStatus,
    Partner,
    Source,
)

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
    if distribution is not None and distribution.status == DistributionStatus.CANCELLED:
        raise ApplicationError(_("Đợt trao đã hủy: không ghi nhận thêm."))
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


# --- partner organisations (AID-3) ---------------------------------------------------------


@dataclass
class PartnerData:
    name: str
    kind: str = "business"
    tax_code: str = ""
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    note: str = ""
    is_active: bool = True


PARTNER_FIELDS = (
    "name",
    "kind",
    "tax_code",
    "address",
    "contact_name",
    "contact_phone",
    "contact_email",
    "note",
    "is_active",
)


def _partner_snapshot(partner: Partner) -> dict[str, Any]:
    return {name: getattr(partner, name) for name in PARTNER_FIELDS}


def _check_partner(data: PartnerData) -> None:
    from .models import PartnerKind

    if not data.name.strip():
        raise ApplicationError(_("Chưa ghi tên tổ chức, doanh nghiệp."), field="name")
    if data.kind not in PartnerKind.values:
        raise ApplicationError(_("Loại tổ chức không hợp lệ."), field="kind")
    if data.tax_code.strip() and not data.tax_code.strip().replace("-", "").isdigit():
        raise ApplicationError(_("Mã số thuế chỉ gồm chữ số (và dấu -)."), field="tax_code")


def _fill_partner(partner: Partner, data: PartnerData) -> None:
    from nhandao.core.text import nfc

    for name in PARTNER_FIELDS:
        value = getattr(data, name)
        setattr(partner, name, nfc(value).strip() if isinstance(value, str) else value)


@transaction.atomic
def partner_create(*, actor: Any, unit: Any, data: PartnerData) -> Partner:
    """Register an organisation or business that gives aid through ``unit``."""
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền thêm tổ chức phối hợp ở đơn vị này."))
    _check_partner(data)
    partner = Partner(unit=unit)
    _fill_partner(partner, data)
    partner.save()
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=partner,
        unit_path=unit.path,
        changes={
            k: [None, v] for k, v in _partner_snapshot(partner).items() if v not in ("", None)
        },
    )
    return partner


@transaction.atomic
def partner_update(*, actor: Any, partner: Partner, data: PartnerData) -> Partner:
    from nhandao.core.audit import diff

    partner = Partner.objects.select_for_update().select_related("unit").get(pk=partner.pk)
    if not can(actor, "data.edit", partner.unit):
        raise ApplicationError(_("Bạn không có quyền sửa tổ chức phối hợp này."))
    _check_partner(data)
    before = _partner_snapshot(partner)
    _fill_partner(partner, data)
    partner.save()
    changes = diff(before, _partner_snapshot(partner))
    if changes:
        audit_record(
            actor=actor, action=A.UPDATE, obj=partner, unit_path=partner.unit.path, changes=changes
        )
    return partner


@transaction.atomic
def partner_login_create(
    *, actor: Any, partner: Partner, username: str, full_name: str, password: str
) -> Any:
    """A login for ``partner``: a user with the role ``partner_org`` on the partner's unit, linked
    to the partner, so it records only in the partner's own distributions and sees only them.
    The user and the role are created by the organisation app (which checks ``user.manage``)."""
    from nhandao.orgs import services as orgs
    from nhandao.orgs.models import Role

    from .models import PartnerUser

    partner = Partner.objects.select_related("unit").get(pk=partner.pk)
    if not partner.is_active:
        raise ApplicationError(_("Tổ chức này đã ngừng phối hợp: không tạo thêm tài khoản."))
    if not full_name.strip():
        raise ApplicationError(_("Chưa ghi họ tên người dùng."), field="full_name")
    role = Role.objects.get(code=Role.PARTNER_ORG)
    user = orgs.user_create(
        actor=actor,
        username=username,
        full_name=full_name,
        password=password,
        unit=partner.unit,
        role=role,
    )
    link = PartnerUser.objects.create(partner=partner, user=user)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=link,
        object_repr=f"{user.get_username()} → {partner.name}"[:255],
        unit_path=partner.unit.path,
        changes={"partner": [None, partner.name], "user": [None, user.get_username()]},
    )
    return user


# --- distributions and their planned lists ------------------------------------------------


@dataclass
class DistributionData:
    title: str
    held_on: dt.date
    place: str = ""
    kind: str = AidKind.GIFT
    unit_value: int = 0
    source: str = Source.CAMPAIGN
    donor_name: str = ""
    partner: Any = None
    note: str = ""


def _check_distribution(campaign: Campaign, unit: Any, data: DistributionData) -> None:
    if campaign.status != CampaignStatus.LAUNCHED:
        raise ApplicationError(_("Phong trào chưa phát động hoặc đã kết thúc."), field="campaign")
    if not unit.path.startswith(campaign.unit.path):
        raise ApplicationError(
            _("%(unit)s không thuộc địa bàn của phong trào «%(campaign)s».")
            % {"unit": unit.name, "campaign": campaign.name},
            field="campaign",
        )
    if not data.title.strip():
        raise ApplicationError(_("Chưa ghi tên đợt trao."), field="title")
    if not campaign.starts_on <= data.held_on <= campaign.ends_on:
        raise ApplicationError(
            _("Ngày trao %(date)s nằm ngoài thời gian của phong trào (%(start)s – %(end)s).")
            % {
                "date": data.held_on.strftime("%d/%m/%Y"),
                "start": campaign.starts_on.strftime("%d/%m/%Y"),
                "end": campaign.ends_on.strftime("%d/%m/%Y"),
            },
            field="held_on",
        )
    if data.kind not in AidKind.values:
        raise ApplicationError(_("Hình thức hỗ trợ không hợp lệ."), field="kind")
    if data.source not in Source.values:
        raise ApplicationError(_("Nguồn hỗ trợ không hợp lệ."), field="source")
    if data.source == Source.DONOR and not data.donor_name.strip():
        raise ApplicationError(_("Chưa ghi tên nhà tài trợ."), field="donor_name")
    if data.source == Source.PARTNER and data.partner is None:
        raise ApplicationError(
            _("Nguồn riêng của tổ chức phối hợp: hãy chọn tổ chức."), field="partner"
        )
    value = _money(data.unit_value, _("Giá trị mỗi suất"))
    if value and campaign.min_gift_value and value < campaign.min_gift_value:
        raise ApplicationError(
            _("Giá trị mỗi suất %(value)s thấp hơn mức tối thiểu của phong trào (%(min)s).")
            % {
                "value": f"{value:,} đ".replace(",", "."),
                "min": f"{campaign.min_gift_value:,} đ".replace(",", "."),
            },
            field="unit_value",
        )
    if data.partner is not None:
        if not data.partner.is_active:
            raise ApplicationError(_("Tổ chức này đã ngừng phối hợp."), field="partner")
        if not (
            unit.path.startswith(data.partner.unit.path)
            or data.partner.unit.path.startswith(unit.path)
        ):
            raise ApplicationError(
                _("Tổ chức «%(name)s» không phối hợp với đơn vị này.") % {"name": data.partner},
                field="partner",
            )


@transaction.atomic
def distribution_create(
    *, actor: Any, campaign: Campaign, unit: Any, data: DistributionData
) -> Distribution:
    """Plan a distribution of ``campaign`` held by ``unit`` (optionally for a partner)."""
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền lập đợt trao ở đơn vị này."))
    _check_distribution(campaign, unit, data)
    distribution = Distribution.objects.create(
        campaign=campaign,
        unit=unit,
        partner=data.partner,
        title=data.title.strip()[:255],
        held_on=data.held_on,
        place=data.place.strip()[:255],
        kind=data.kind,
        unit_value=data.unit_value,
        source=data.source,
        donor_name=data.donor_name.strip()[:255],
        note=data.note.strip(),
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=distribution,
        unit_path=unit.path,
        changes={
            "campaign": [None, campaign.name],
            "held_on": [None, data.held_on.isoformat()],
            "place": [None, distribution.place],
            "kind": [None, distribution.kind],
            "unit_value": [None, distribution.unit_value],
            "source": [None, distribution.source],
            **({"partner": [None, str(data.partner)]} if data.partner else {}),
        },
    )
    return distribution


def _check_plan(actor: Any, distribution: Distribution) -> None:
    if not can(actor, "data.edit", distribution.unit):
        raise ApplicationError(_("Bạn không có quyền sửa danh sách của đợt trao này."))
    if distribution.status == DistributionStatus.CANCELLED:
        raise ApplicationError(_("Đợt trao đã hủy."))


@transaction.atomic
def planned_add(*, actor: Any, distribution: Distribution, people: list[Any]) -> int:
    """Add people to the planned list (those already on it are skipped); returns how many were
    added. Everyone must live in the campaign's area and not be a merged record."""
    from .models import PlannedRecipient

    distribution = (
        Distribution.objects.select_for_update()
        .select_related("unit", "campaign__unit")
        .get(pk=distribution.pk)
    )
    _check_plan(actor, distribution)
    area = distribution.campaign.unit.path
    problems = [p.full_name for p in people if p.merged_into_id or not p.unit.path.startswith(area)]
    if problems:
        raise ApplicationError(
            _("Không thêm được vào danh sách (đã gộp hoặc ngoài địa bàn phong trào): %(list)s")
            % {"list": ", ".join(problems[:20])}
        )
    have = set(
        PlannedRecipient.objects.filter(distribution=distribution).values_list(
            "person_id", flat=True
        )
    )
    line = (
        PlannedRecipient.objects.filter(distribution=distribution).aggregate(m=Max("line"))["m"]
        or 0
    )
    rows = []
    for person in people:
        if person.pk in have:
            continue
        have.add(person.pk)
        line += 1
        rows.append(
            PlannedRecipient(
                distribution=distribution,
                person=person,
                household_id=person.household_id,
                line=line,
            )
        )
    PlannedRecipient.objects.bulk_create(rows)
    if rows:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=distribution,
            unit_path=distribution.unit.path,
            changes={
                "planned_added": [None, [f"{r.person.full_name} (#{r.person_id})" for r in rows]]
            },
        )
    return len(rows)


def planned_add_uncovered(*, actor: Any, distribution: Distribution, unit: Any) -> int:
    """Add every eligible household (or person) of ``unit`` with no gift yet in the campaign."""
    from nhandao.campaigns import selectors as campaigns

    page = campaigns.uncovered_list(campaign=distribution.campaign, unit=unit)
    return planned_add(actor=actor, distribution=distribution, people=page.people)


@transaction.atomic
def planned_remove(*, actor: Any, distribution: Distribution, planned: Any) -> None:
    _check_plan(actor, distribution)
    if planned.distribution_id != distribution.pk:
        raise ApplicationError(_("Dòng này không thuộc đợt trao."))
    name = planned.person.full_name
    planned.delete()
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=distribution,
        unit_path=distribution.unit.path,
        changes={"planned_removed": [f"{name} (#{planned.person_id})", None]},
    )


@transaction.atomic
def distribution_set_status(*, actor: Any, distribution: Distribution, status: str) -> Distribution:
    distribution = (
        Distribution.objects.select_for_update().select_related("unit").get(pk=distribution.pk)
    )
    if not can(actor, "data.edit", distribution.unit):
        raise ApplicationError(_("Bạn không có quyền sửa đợt trao này."))
    if status not in DistributionStatus.values:
        raise ApplicationError(_("Trạng thái không hợp lệ."))
    old = distribution.status
    if old != status:
        distribution.status = status
        distribution.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=distribution,
            unit_path=distribution.unit.path,
            changes={"status": [old, status]},
        )
    return distribution


def distribution_aid_data(distribution: Distribution, **overrides: Any) -> AidData:
    """The gift of a distribution as the data of one record (what the quick page records)."""
    data = AidData(
        kind=distribution.kind,
        value=distribution.unit_value,
        given_on=min(distribution.held_on, timezone.localdate()),
        source=distribution.source,
        donor_name=distribution.donor_name,
        acknowledgement=Acknowledgement.SIGNED_LIST,
    )
    for key, value in overrides.items():
        setattr(data, key, value)
    return data


# --- person merge ----------------------------------------------------------------------------

MERGE_REASON = "Gộp hồ sơ trùng: đã nhận hai lần"


def _renumber(actor: Any, record: AidRecord, top: Any, survivor: Any) -> None:
    old = record.override_no
    record.override_no = (top.aggregate(m=Max("override_no"))["m"] or 0) + 1
    record.override_reason = (
        f"{record.override_reason}; {MERGE_REASON}" if record.override_reason else MERGE_REASON
    )[:255]
    record.save(update_fields=["override_no", "override_reason"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=record,
        unit_path=record.unit.path,
        changes={
            "override_no": [old, record.override_no],
            "override_reason": [None, record.override_reason],
            "merged_into": [None, f"{survivor} (#{survivor.pk})"],
        },
    )


def before_household_merge(*, actor: Any, survivor: Any, merged: Any) -> None:
    """As :func:`before_person_merge`, for two households that both got a gift of one kind in a
    campaign whose rule is one per household."""
    from django.db.models import Q

    records = list(
        AidRecord.objects.select_for_update()
        .live()
        .filter(household_id=merged.pk, per_household=True)
        .select_related("unit")
        .order_by("pk")
    )
    for record in records:
        clash = (
            AidRecord.objects.live()
            .filter(
                campaign_id=record.campaign_id,
                kind=record.kind,
                household_id=survivor.pk,
                per_household=True,
                override_no=record.override_no,
            )
            .exists()
        )
        if clash:
            q = Q(household_id__in=[survivor.pk, merged.pk]) | Q(person_id=record.person_id)
            top = AidRecord.objects.filter(q, campaign_id=record.campaign_id, kind=record.kind)
            _renumber(actor, record, top, survivor)


def before_person_merge(*, actor: Any, survivor: Any, merged: Any) -> None:
    """Called by the person merge before it points every reference of ``merged`` at
    ``survivor``: a gift both records got (same campaign, same kind) would break the one-gift
    constraint, so the merged record's clashing gifts take the next free ``override_no`` with the
    reason "received twice"; a planned line both have in one distribution is dropped."""
    from django.db.models import Q

    from .models import PlannedRecipient

    records = list(
        AidRecord.objects.select_for_update()
        .live()
        .filter(person_id=merged.pk)
        .select_related("unit", "campaign")
        .order_by("pk")
    )
    for record in records:
        q = Q(person_id__in=[survivor.pk, merged.pk])
        if record.per_household and record.household_id:
            q |= Q(household_id=record.household_id)
        same = AidRecord.objects.live().filter(q, campaign_id=record.campaign_id, kind=record.kind)
        clash = (
            same.filter(person_id=survivor.pk, override_no=record.override_no)
            .exclude(pk=record.pk)
            .exists()
        )
        if not clash:
            continue
        top = AidRecord.objects.filter(q, campaign_id=record.campaign_id, kind=record.kind)
        _renumber(actor, record, top, survivor)
    both = PlannedRecipient.objects.filter(
        person_id=merged.pk,
        distribution_id__in=PlannedRecipient.objects.filter(person_id=survivor.pk).values(
            "distribution_id"
        ),
    )
    both.delete()


# --- the import of a list of aid given (aid/importers.py) ------------------------------------


def import_campaigns(*, actor: Any, names: set[str]) -> dict[str, Campaign]:
    """The campaigns a list names, by number or exact name, among those the actor sees."""
    from django.db.models import Q

    numbers = [int(n) for n in names if n.isdigit()]
    found = (
        Campaign.objects.visible_to(actor)
        .filter(Q(pk__in=numbers) | Q(name__in=list(names)))
        .select_related("unit")
    )
    out: dict[str, Campaign] = {}
    for campaign in found:
        out[str(campaign.pk)] = campaign
        out.setdefault(campaign.name, campaign)
    return out


def import_recipients(*, actor: Any, unit: Any, rows: list[dict[str, Any]]) -> list[Any]:
    """For each row, the person it names under ``unit`` (by code, citizen ID, or name with birth
    year; a merged record gives its survivor), or a message saying why none: one query per way
    of naming."""
    from nhandao.people import selectors as people

    base = (
        people.person_list(user=actor)
        .filter(unit__path__startswith=unit.path)
        .select_related("unit", "merged_into__unit")
    )
    codes = {r["person_pk"] for r in rows if r.get("person_pk")}
    ids = {r["id_number"] for r in rows if not r.get("person_pk") and r.get("id_number")}
    names = {
        r["name_key"]
        for r in rows
        if not r.get("person_pk") and not r.get("id_number") and r.get("name_key")
    }
    by_pk = {p.pk: p for p in base.filter(pk__in=codes)} if codes else {}
    by_id: dict[str, list[Any]] = {}
    for p in base.filter(id_number__in=ids) if ids else []:
        by_id.setdefault(p.id_number, []).append(p)
    by_name: dict[tuple[str, int | None], list[Any]] = {}
    for p in base.filter(name_key__in=names) if names else []:
        year = p.birth_date.year if p.birth_date else None
        by_name.setdefault((p.name_key, year), []).append(p)
    out: list[Any] = []
    for r in rows:
        if r.get("person_pk"):
            found = [by_pk[r["person_pk"]]] if r["person_pk"] in by_pk else []
            label = f"P{r['person_pk']}"
        elif r.get("id_number"):
            found = by_id.get(r["id_number"], [])
            label = _("số CCCD %s") % r["id_number"]
        else:
            found = by_name.get((r["name_key"], r.get("birth_year")), [])
            label = f"{r.get('full_name')} ({r.get('birth_year')})"
        survivors = {p.merged_into_id or p.pk: p for p in found}
        if not survivors:
            out.append(
                _("không tìm thấy người nhận %(who)s trong danh sách của %(unit)s.")
                % {"who": label, "unit": unit.name}
            )
        elif len(survivors) > 1:
            out.append(
                _("có %(n)d người cùng %(who)s: hãy ghi mã người nhận hoặc số CCCD.")
                % {"n": len(survivors), "who": label}
            )
        else:
            p = next(iter(survivors.values()))
            out.append(p.merged_into if p.merged_into_id else p)
    return out


# --- acknowledgement photo -------------------------------------------------------------------

PHOTO_MAX = 5 * 1024 * 1024
PHOTO_MAGIC = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png", b"RIFF": "webp"}


@transaction.atomic
def aid_set_photo(*, actor: Any, record: AidRecord, name: str, data: bytes) -> AidRecord:
    """A photo acknowledging the gift (JPEG, PNG or WebP up to 5 MB), served only through the
    scoped view. The chapter unit that gave it, or the partner organisation that gave it."""
    from django.core.files.base import ContentFile

    record = (
        AidRecord.objects.select_for_update()
        .select_related("unit", "recorded_unit")
        .get(pk=record.pk)
    )
    partner = partner_of(actor)
    if partner is not None:
        allowed = record.partner_id == partner.pk and can(
            actor, "aid.partner", record.recorded_unit
        )
    else:
        allowed = can(actor, "data.edit", record.recorded_unit)
    if not allowed:
        raise ApplicationError(_("Bạn không có quyền sửa bản ghi này."))
    if record.voided_at is not None:
        raise ApplicationError(_("Bản ghi này đã được hủy."))
    if len(data) > PHOTO_MAX:
        raise ApplicationError(_("Ảnh «%s» lớn hơn 5 MB.") % name, field="photo")
    kind = next((ext for magic, ext in PHOTO_MAGIC.items() if data.startswith(magic)), None)
    if kind is None or (kind == "webp" and data[8:12] != b"WEBP"):
        raise ApplicationError(
            _("Tệp «%s» không phải ảnh JPEG, PNG hay WebP.") % name, field="photo"
        )
    if record.photo:
        record.photo.delete(save=False)
    record.photo.save(f"{record.pk}.{kind}", ContentFile(data), save=False)
    before = record.acknowledgement
    if not record.acknowledgement:
        record.acknowledgement = Acknowledgement.PHOTO
    record.save(update_fields=["photo", "acknowledgement"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=record,
        unit_path=record.unit.path,
        changes={
            "photo": [None, kind],
            **(
                {"acknowledgement": [before, record.acknowledgement]}
                if before != record.acknowledgement
                else {}
            ),
        },
    )
    return record
