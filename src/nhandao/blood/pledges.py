"""Pledges to donate tissue, organs or the body after death: registered, withdrawn (never
deleted), every change audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent

from .models import OrganPledge, PledgeKind

A = AuditEvent.Action


def _may_edit(actor: Any, unit: Any) -> None:
    from nhandao.orgs.permissions import can

    if not can(actor, "data.edit", unit):
        raise ApplicationError(_("Bạn không có quyền ghi đăng ký hiến ở đơn vị này."))


def pledge_register(
    *,
    actor: Any,
    person: Any,
    unit: Any,
    kind: str,
    registered_on: dt.date,
    details: str = "",
) -> OrganPledge:
    _may_edit(actor, unit)
    if kind not in PledgeKind.values:
        raise ApplicationError(_("Chưa chọn hình thức đăng ký hiến."), field="kind")
    if registered_on is None:
        raise ApplicationError(_("Chưa ghi ngày đăng ký."), field="registered_on")
    if registered_on > timezone.localdate():
        raise ApplicationError(_("Ngày đăng ký ở tương lai."), field="registered_on")
    try:
        with transaction.atomic():
            pledge = OrganPledge.objects.create(
                person=person,
                unit=unit,
                kind=kind,
                details=(details or "").strip()[:255],
                registered_on=registered_on,
                recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            audit_record(
                actor=actor,
                action=A.CREATE,
                obj=pledge,
                unit_path=unit.path,
                changes={"kind": [None, kind], "registered_on": [None, registered_on.isoformat()]},
            )
    except IntegrityError as exc:
        raise ApplicationError(
            _("%(name)s đã đăng ký «%(kind)s».")
            % {"name": person.full_name, "kind": PledgeKind(kind).label},
            field="kind",
        ) from exc
    return pledge


@transaction.atomic
def pledge_withdraw(*, actor: Any, pledge: OrganPledge, on: dt.date | None = None) -> OrganPledge:
    pledge = OrganPledge.objects.select_for_update().select_related("unit").get(pk=pledge.pk)
    _may_edit(actor, pledge.unit)
    on = on or timezone.localdate()
    if pledge.withdrawn_on is not None:
        raise ApplicationError(_("Đăng ký này đã được rút."))
    if on < pledge.registered_on or on > timezone.localdate():
        raise ApplicationError(
            _("Ngày rút đăng ký phải từ ngày đăng ký đến hôm nay."), field="withdrawn_on"
        )
    pledge.withdrawn_on = on
    pledge.save(update_fields=["withdrawn_on"])
    audit_record(
        actor=actor,
        action=A.UPDATE,
        obj=pledge,
        unit_path=pledge.unit.path,
        changes={"withdrawn_on": [None, on.isoformat()]},
    )
    return pledge
