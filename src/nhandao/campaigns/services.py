"""Every write to campaigns: create, update, launch, close, targets, the frozen eligible list and
good examples. Each is atomic and audited."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nhandao.core import lunar
from nhandao.core.areas import ActivityArea
from nhandao.core.audit import audit_list_view, audit_record, diff
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.core.text import STORED_LANGUAGE
from nhandao.orgs.permissions import can

from . import eligibility
from .models import (
    Campaign,
    CampaignKind,
    CampaignStatus,
    EligibleEntry,
    GiftRule,
    GoodExample,
    Metric,
    Target,
)

A = AuditEvent.Action

# Defaults per kind (rules.md, "Campaign calendar"); every one can be changed on the form.
DEFAULT_AREA = {
    CampaignKind.TET: ActivityArea.RELIEF,
    CampaignKind.HUMANITARIAN_MONTH: ActivityArea.RELIEF,
    CampaignKind.GOOD_DEEDS: ActivityArea.VALUES,
    CampaignKind.MILLION_STEPS: ActivityArea.RELIEF,
    CampaignKind.BLOOD_DRIVE: ActivityArea.BLOOD,
    CampaignKind.RELIEF_APPEAL: ActivityArea.RELIEF,
    CampaignKind.CUSTOM: ActivityArea.RELIEF,
}
# The 2026 national plan ran from 22 days before Tết to 7 days before it (26/1–10/2/2026).
TET_WINDOW_BEFORE = 22
TET_WINDOW_END_BEFORE = 7


@dataclass
class CampaignData:
    kind: str
    year: int | None = None
    lunar_year: int | None = None
    name: str = ""
    theme: str = ""
    area: str = ""
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    peak_from: dt.date | None = None
    peak_to: dt.date | None = None
    groups: list[str] = field(default_factory=list)
    gift_rule: str = GiftRule.HOUSEHOLD
    min_gift_value: int = 0
    description: str = ""


def campaign_defaults(data: CampaignData) -> CampaignData:
    """Fill what the kind and the (lunar) year decide: the Tết Nhân ái name and window, May for
    Tháng Nhân đạo with its peak 8–19/5, and the activity area."""
    kind = data.kind
    if kind not in CampaignKind.values:
        raise ApplicationError(_("Loại phong trào không hợp lệ."), field="kind")
    if kind == CampaignKind.TET:
        if data.lunar_year is None:
            if data.year is None:
                raise ApplicationError(
                    _("Tết Nhân ái cần năm âm lịch (ví dụ 2027)."), field="lunar_year"
                )
            data.lunar_year = data.year
        try:
            tet = lunar.tet_date(data.lunar_year)
        except ValueError as exc:
            raise ApplicationError(
                _("Năm âm lịch %(year)s nằm ngoài lịch.") % {"year": data.lunar_year},
                field="lunar_year",
            ) from exc
        data.year = data.lunar_year
        if not data.name:
            with translation.override(STORED_LANGUAGE):  # a record's name, read by all
                data.name = lunar.tet_campaign_title(data.lunar_year)
        data.starts_on = data.starts_on or tet - dt.timedelta(days=TET_WINDOW_BEFORE)
        data.ends_on = data.ends_on or tet - dt.timedelta(days=TET_WINDOW_END_BEFORE)
    elif kind == CampaignKind.HUMANITARIAN_MONTH:
        year = data.year or timezone.localdate().year
        data.year = year
        if not data.name:
            with translation.override(STORED_LANGUAGE):
                data.name = _("Tháng Nhân đạo năm %(year)d") % {"year": year}
        data.starts_on = data.starts_on or dt.date(year, 5, 1)
        data.ends_on = data.ends_on or dt.date(year, 5, 31)
        data.peak_from = data.peak_from or dt.date(year, 5, 8)
        data.peak_to = data.peak_to or dt.date(year, 5, 19)
    data.area = data.area or DEFAULT_AREA[CampaignKind(kind)]
    if data.year is None and data.starts_on is not None:
        data.year = data.starts_on.year
    return data


def _check(data: CampaignData) -> None:
    if not data.name.strip():
        raise ApplicationError(_("Chưa có tên phong trào."), field="name")
    if data.starts_on is None or data.ends_on is None:
        raise ApplicationError(_("Chưa có thời gian bắt đầu và kết thúc."), field="starts_on")
    if data.ends_on < data.starts_on:
        raise ApplicationError(_("Ngày kết thúc trước ngày bắt đầu."), field="ends_on")
    if (data.peak_from is None) != (data.peak_to is None):
        raise ApplicationError(_("Cao điểm cần cả ngày bắt đầu và kết thúc."), field="peak_from")
    if data.peak_from and data.peak_to:
        if data.peak_to < data.peak_from:
            raise ApplicationError(_("Cao điểm kết thúc trước khi bắt đầu."), field="peak_to")
        if data.peak_from < data.starts_on or data.peak_to > data.ends_on:
            raise ApplicationError(
                _("Cao điểm phải nằm trong thời gian của phong trào."), field="peak_from"
            )
    if data.area not in ActivityArea.values:
        raise ApplicationError(_("Lĩnh vực hoạt động không hợp lệ."), field="area")
    if data.gift_rule not in GiftRule.values:
        raise ApplicationError(_("Quy tắc trao không hợp lệ."), field="gift_rule")
    if isinstance(data.min_gift_value, bool) or not isinstance(data.min_gift_value, int):
        raise ApplicationError(_("Giá trị tối thiểu phải là số đồng."), field="min_gift_value")
    if data.min_gift_value < 0:
        raise ApplicationError(_("Giá trị tối thiểu không được âm."), field="min_gift_value")
    from nhandao.beneficiaries.selectors import group_list

    known = set(group_list().values_list("code", flat=True))
    unknown = sorted(set(data.groups) - known)
    if unknown:
        raise ApplicationError(
            _("Không có đối tượng: %(codes)s.") % {"codes": ", ".join(unknown)}, field="groups"
        )


def _require(actor: Any, unit: Any) -> None:
    if not can(actor, "campaign.manage", unit):
        raise ApplicationError(_("Bạn không có quyền phát động phong trào ở đơn vị này."))


FIELDS = (
    "kind",
    "name",
    "theme",
    "area",
    "year",
    "lunar_year",
    "starts_on",
    "ends_on",
    "peak_from",
    "peak_to",
    "gift_rule",
    "min_gift_value",
    "description",
)


def _snapshot(campaign: Campaign) -> dict[str, Any]:
    values = {name: getattr(campaign, name) for name in FIELDS}
    values["status"] = campaign.status
    values["groups"] = sorted(campaign.groups.values_list("code", flat=True))
    return values


@transaction.atomic
def campaign_create(*, actor: Any, unit: Any, data: CampaignData) -> Campaign:
    _require(actor, unit)
    data = campaign_defaults(data)
    _check(data)
    campaign = Campaign.objects.create(
        unit=unit,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        **{name: getattr(data, name) for name in FIELDS},
    )
    campaign.groups.set(data.groups)
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=campaign,
        unit_path=unit.path,
        changes=diff({}, _snapshot(campaign)),
    )
    return campaign


@transaction.atomic
def campaign_update(*, actor: Any, campaign: Campaign, data: CampaignData) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    _require(actor, campaign.unit)
    data = campaign_defaults(data)
    _check(data)
    before = _snapshot(campaign)
    if data.gift_rule != campaign.gift_rule and _has_aid(campaign):
        raise ApplicationError(
            _("Không đổi được quy tắc trao: phong trào đã có hỗ trợ được ghi nhận."),
            field="gift_rule",
        )
    for name in FIELDS:
        setattr(campaign, name, getattr(data, name))
    campaign.save()
    campaign.groups.set(data.groups)
    changes = diff(before, _snapshot(campaign))
    if changes:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=campaign,
            unit_path=campaign.unit.path,
            changes=changes,
        )
    return campaign


def _has_aid(campaign: Campaign) -> bool:
    from nhandao.aid.selectors import campaign_has_aid

    return campaign_has_aid(campaign=campaign)


@transaction.atomic
def campaign_launch(*, actor: Any, campaign: Campaign) -> Campaign:
    """Launch: the campaign appears on the dashboard of every unit below."""
    campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    _require(actor, campaign.unit)
    if campaign.status != CampaignStatus.DRAFT:
        raise ApplicationError(_("Phong trào đã được phát động."))
    campaign.status = CampaignStatus.LAUNCHED
    campaign.launched_at = timezone.now()
    campaign.save(update_fields=["status", "launched_at", "updated_at"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=campaign,
        unit_path=campaign.unit.path,
        changes={"status": [CampaignStatus.DRAFT, CampaignStatus.LAUNCHED]},
    )
    return campaign


@transaction.atomic
def campaign_close(*, actor: Any, campaign: Campaign) -> Campaign:
    campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    _require(actor, campaign.unit)
    if campaign.status != CampaignStatus.LAUNCHED:
        raise ApplicationError(_("Chỉ kết thúc được phong trào đang diễn ra."))
    campaign.status = CampaignStatus.CLOSED
    campaign.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=campaign,
        unit_path=campaign.unit.path,
        changes={"status": [CampaignStatus.LAUNCHED, CampaignStatus.CLOSED]},
    )
    return campaign


# --- The frozen eligible list -------------------------------------------------------------------


def _freeze_parts(campaign: Campaign) -> list[tuple[str, bool]]:
    """The parts of the tree the freeze takes one at a time: the campaign's own unit alone, then
    the subtree of each unit directly below it."""
    from nhandao.orgs.models import Unit

    below = Unit.objects.filter(
        path__startswith=campaign.unit.path, depth=campaign.unit.depth + 1
    ).order_by("path")
    return [(campaign.unit.path, True), *((u.path, False) for u in below.only("path"))]


def _freeze_part(campaign: Campaign, path: str, exact: bool, user_id: Any, now: Any) -> int:
    """Insert one part of the snapshot; a household or person already on the list (from another
    part, or from an earlier try of this part) is not added again."""
    select_sql, params = eligibility.live_sql(campaign=campaign, within_path=path, exact=exact)
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO campaigns_eligibleentry"
            " (campaign_id, unit_id, household_id, person_id, after_freeze, added_at,"
            "  added_by_id, note)"
            f" SELECT %s, e.unit_id, e.household_id, e.person_id, %s, %s, %s, ''"
            f" FROM ({select_sql}) e"
            " WHERE NOT EXISTS (SELECT 1 FROM campaigns_eligibleentry x"
            "  WHERE x.campaign_id = %s AND x.person_id = e.person_id)"
            " AND (e.household_id IS NULL OR NOT EXISTS (SELECT 1 FROM campaigns_eligibleentry y"
            "  WHERE y.campaign_id = %s AND y.household_id = e.household_id))",
            [campaign.pk, False, now, user_id, *params, campaign.pk, campaign.pk],
        )
        return int(cursor.rowcount)


def campaign_freeze_start(*, actor: Any, campaign: Campaign) -> Campaign:
    """Mark the freeze as started; the caller runs it (``freeze_run``), inline or as a job."""
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
        _require(actor, campaign.unit)
        if campaign.frozen_at is not None:
            raise ApplicationError(_("Danh sách đối tượng của phong trào đã được chốt."))
        if campaign.freeze_started_at is None:
            campaign.freeze_started_at = timezone.now()
            campaign.freeze_done = 0
            campaign.freeze_total = len(_freeze_parts(campaign))
        campaign.freeze_error = ""
        campaign.save(
            update_fields=["freeze_started_at", "freeze_done", "freeze_total", "freeze_error"]
        )
    return campaign


def freeze_run(*, campaign_id: int, actor: Any) -> int:
    """Take the snapshot of the eligible list part by part, each part in its own transaction, so
    a large list never holds a lock for long and a stopped job resumes where it stopped. Later
    edits of the registry no longer move what was planned. Returns the entries on the list."""
    campaign = Campaign.objects.select_related("unit").get(pk=campaign_id)
    if campaign.frozen_at is not None or campaign.freeze_started_at is None:
        return EligibleEntry.objects.filter(campaign=campaign).count()
    parts = _freeze_parts(campaign)
    user_id = actor.pk if getattr(actor, "is_authenticated", False) else None
    now = campaign.freeze_started_at
    try:
        for index in range(campaign.freeze_done, len(parts)):
            path, exact = parts[index]
            with transaction.atomic():
                _freeze_part(campaign, path, exact, user_id, now)
                Campaign.objects.filter(pk=campaign.pk).update(
                    freeze_done=index + 1, freeze_total=len(parts)
                )
    except Exception as exc:
        Campaign.objects.filter(pk=campaign.pk).update(freeze_error=str(exc)[:2000])
        raise
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
        count = EligibleEntry.objects.filter(campaign=campaign).count()
        campaign.frozen_at = timezone.now()
        campaign.save(update_fields=["frozen_at", "updated_at"])
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=campaign,
            unit_path=campaign.unit.path,
            changes={
                "frozen_at": [None, campaign.frozen_at.isoformat()],
                "eligible": [None, count],
            },
        )
    return count


def campaign_freeze(*, actor: Any, campaign: Campaign) -> int:
    """Freeze the eligible list now, in this process (the CLI, the API and small lists); the page
    starts the same work as a background job with a progress bar. Returns the entries."""
    campaign = campaign_freeze_start(actor=actor, campaign=campaign)
    return freeze_run(campaign_id=campaign.pk, actor=actor)


@transaction.atomic
def campaign_freeze_cancel(*, actor: Any, campaign: Campaign) -> Campaign:
    """Roll back a freeze that has not finished: the part of the list already taken is removed."""
    campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    _require(actor, campaign.unit)
    if campaign.frozen_at is not None:
        raise ApplicationError(_("Danh sách đã chốt xong, không hủy được."))
    removed, _detail = EligibleEntry.objects.filter(campaign=campaign).delete()
    campaign.freeze_started_at = None
    campaign.freeze_done = campaign.freeze_total = 0
    campaign.freeze_error = ""
    campaign.save(
        update_fields=["freeze_started_at", "freeze_done", "freeze_total", "freeze_error"]
    )
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=campaign,
        unit_path=campaign.unit.path,
        changes={"freeze": ["started", "cancelled"], "removed": removed},
    )
    return campaign


@transaction.atomic
def eligible_add(*, actor: Any, campaign: Campaign, person: Any, note: str = "") -> EligibleEntry:
    """Add a person (their household, by the campaign's rule) to a frozen list: recorded as an
    addition after the freeze."""
    campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    if campaign.frozen_at is None:
        raise ApplicationError(
            _("Danh sách chưa chốt: người mới trong sổ được tính vào danh sách tự động.")
        )
    if not can(actor, "data.edit", person.unit):
        raise ApplicationError(_("Bạn không có quyền với hồ sơ này."))
    if not person.unit.path.startswith(campaign.unit.path):
        raise ApplicationError(_("Người này không thuộc địa bàn của phong trào."))
    if person.merged_into_id:
        raise ApplicationError(_("Hồ sơ này đã được gộp vào hồ sơ khác."))
    household_id = person.household_id
    per_household = campaign.gift_rule == GiftRule.HOUSEHOLD
    existing = EligibleEntry.objects.filter(campaign=campaign)
    if per_household and household_id and existing.filter(household_id=household_id).exists():
        raise ApplicationError(_("Hộ của người này đã có trong danh sách."))
    if existing.filter(person=person).exists():
        raise ApplicationError(_("Người này đã có trong danh sách."))
    entry = EligibleEntry.objects.create(
        campaign=campaign,
        unit=person.unit,
        household_id=household_id,
        person=person,
        after_freeze=True,
        added_by=actor if getattr(actor, "is_authenticated", False) else None,
        note=note.strip()[:255],
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=entry,
        object_repr=str(person),
        unit_path=person.unit.path,
        changes={
            "campaign": [None, str(campaign)],
            "after_freeze": [None, True],
            "note": [None, note],
        },
    )
    return entry


# --- Targets ----------------------------------------------------------------------------------


@dataclass
class TargetRow:
    unit: Any
    metric: str
    value: int
    group: str | None = None


def _check_target_row(campaign: Campaign, row: TargetRow, groups: set[str]) -> None:
    if row.metric not in Metric.values:
        raise ApplicationError(_("Chỉ tiêu không hợp lệ: %(m)s.") % {"m": row.metric})
    if row.group is not None and row.group not in groups:
        raise ApplicationError(_("Không có đối tượng: %(code)s.") % {"code": row.group})
    if isinstance(row.value, bool) or not isinstance(row.value, int):
        raise ApplicationError(
            _("Chỉ tiêu của %(unit)s phải là số nguyên.") % {"unit": row.unit.name}
        )
    if row.value < 0:
        raise ApplicationError(_("Chỉ tiêu của %(unit)s bị âm.") % {"unit": row.unit.name})
    if not row.unit.path.startswith(campaign.unit.path):
        raise ApplicationError(
            _("%(unit)s không thuộc đơn vị phát động phong trào.") % {"unit": row.unit.name}
        )


@transaction.atomic
def targets_set(
    *, actor: Any, campaign: Campaign, parent: Any, rows: list[TargetRow]
) -> list[Target]:
    """Set the targets of ``parent`` and of its sub-units for some metrics. The sub-units'
    targets of a metric (and group) must add up to the parent's when the parent has one."""
    campaign = Campaign.objects.select_for_update().select_related("unit").get(pk=campaign.pk)
    if not can(actor, "campaign.manage", parent):
        raise ApplicationError(_("Bạn không có quyền giao chỉ tiêu ở đơn vị này."))
    if not parent.path.startswith(campaign.unit.path):
        raise ApplicationError(_("Đơn vị không thuộc phạm vi của phong trào."))
    from nhandao.beneficiaries.selectors import group_list

    known_groups = set(group_list().values_list("code", flat=True))
    for row in rows:
        _check_target_row(campaign, row, known_groups)
        is_child = row.unit.depth == parent.depth + 1 and row.unit.path.startswith(parent.path)
        if row.unit.pk != parent.pk and not is_child:
            raise ApplicationError(
                _("%(unit)s không phải đơn vị trực thuộc %(parent)s.")
                % {"unit": row.unit.name, "parent": parent.name}
            )
    saved: list[Target] = []
    changes: dict[str, Any] = {}
    for row in rows:
        label = f"{row.unit.name} · {row.metric} · {row.group or ''}"
        target, created = Target.objects.get_or_create(
            campaign=campaign,
            unit=row.unit,
            group_id=row.group,
            metric=row.metric,
            defaults={"value": row.value},
        )
        if not created and target.value != row.value:
            changes[f"{row.unit.name} · {row.metric} · {row.group or ''}"] = [
                target.value,
                row.value,
            ]
            target.value = row.value
            target.save(update_fields=["value", "updated_at"])
        elif created:
            changes[label] = [None, row.value]
        saved.append(target)
    _check_sums(campaign, parent, {(r.metric, r.group) for r in rows})
    if changes:
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=campaign,
            unit_path=parent.path,
            changes={"targets": [None, changes]},
        )
    return saved


def _check_sums(campaign: Campaign, parent: Any, keys: set[tuple[str, str | None]]) -> None:
    for metric, group in sorted(keys, key=lambda k: (k[0], k[1] or "")):
        own = Target.objects.filter(
            campaign=campaign, unit=parent, metric=metric, group_id=group
        ).first()
        children = Target.objects.filter(
            campaign=campaign,
            metric=metric,
            group_id=group,
            unit__depth=parent.depth + 1,
            unit__path__startswith=parent.path,
        )
        if own is None or not children.exists():
            continue
        total = sum(children.values_list("value", flat=True))
        if total != own.value:
            raise ApplicationError(
                _(
                    "Chỉ tiêu “%(metric)s” của các đơn vị trực thuộc cộng lại %(total)s,"
                    " khác chỉ tiêu của %(parent)s là %(own)s."
                )
                % {
                    "metric": Metric(metric).label,
                    "total": f"{total:,}".replace(",", "."),
                    "parent": parent.name,
                    "own": f"{own.value:,}".replace(",", "."),
                }
            )


def split_in_proportion(total: int, weights: dict[Any, int]) -> dict[Any, int]:
    """Split ``total`` in proportion to ``weights`` by the largest remainder (the parts add up to
    the total exactly). Equal shares when every weight is zero."""
    if total < 0:
        raise ApplicationError(_("Tổng chỉ tiêu không được âm."))
    if not weights:
        return {}
    keys = list(weights)
    base = sum(weights.values())
    if base == 0:
        weights = dict.fromkeys(keys, 1)
        base = len(keys)
    shares = {k: total * weights[k] // base for k in keys}
    remainders = sorted(keys, key=lambda k: (-(total * weights[k] % base), str(k)))
    for k in remainders[: total - sum(shares.values())]:
        shares[k] += 1
    return shares


@transaction.atomic
def targets_split(
    *,
    actor: Any,
    campaign: Campaign,
    parent: Any,
    metric: str,
    total: int,
    group: str | None = None,
) -> list[Target]:
    """Give ``parent`` the target ``total`` and split it among its sub-units in proportion to each
    one's eligible households (or people, by the campaign's rule)."""
    from nhandao.orgs.selectors import unit_children

    children = list(unit_children(user=actor, unit=parent, include_inactive=False))
    if not children:
        raise ApplicationError(_("%(unit)s không có đơn vị trực thuộc.") % {"unit": parent.name})
    counts = eligibility.eligible_by_child(campaign=campaign, parent=parent)
    shares = split_in_proportion(total, {c.pk: counts.get(c.path, 0) for c in children})
    rows = [TargetRow(unit=parent, metric=metric, value=total, group=group)]
    rows += [TargetRow(unit=c, metric=metric, value=shares[c.pk], group=group) for c in children]
    return targets_set(actor=actor, campaign=campaign, parent=parent, rows=rows)


# --- Good examples ------------------------------------------------------------------------------


@transaction.atomic
def example_record(
    *, actor: Any, campaign: Campaign, unit: Any, title: str, who: str = "", description: str = ""
) -> GoodExample:
    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền ghi nhận ở đơn vị này."))
    if not unit.path.startswith(campaign.unit.path):
        raise ApplicationError(_("Đơn vị không thuộc phạm vi của phong trào."))
    if not title.strip():
        raise ApplicationError(_("Chưa có tên gương, mô hình."), field="title")
    example = GoodExample.objects.create(
        campaign=campaign,
        unit=unit,
        title=title.strip()[:255],
        who=who.strip()[:255],
        description=description.strip(),
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    audit_record(
        actor=actor,
        action=A.CREATE,
        obj=example,
        unit_path=unit.path,
        changes={"title": [None, example.title], "who": [None, example.who]},
    )
    return example


# --- Audit of sensitive reads -------------------------------------------------------------------


def record_uncovered_view(*, campaign: Campaign, unit: Any, **kwargs: Any) -> None:
    """The uncovered list of ``campaign`` under ``unit`` served with citizen IDs or sensitive
    groups in full (the coverage page, its printable list), logged once
    (``core.audit.audit_list_view``)."""
    audit_list_view(obj=campaign, unit_path=unit.path, **kwargs)
