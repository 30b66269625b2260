"""Changing a donor's blood group and contact preferences (audited). Registration and donations
are B1's services; this is the edit of the donor's page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nhandao.core.audit import audit_record, diff
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent

from .models import Abo, BloodDonor, Rh

A = AuditEvent.Action

FIELDS = ("abo", "rh", "contact_sms", "contact_call", "opted_out")


@dataclass
class DonorPreferences:
    abo: str = ""
    rh: str = ""
    contact_sms: bool = True
    contact_call: bool = True
    opted_out: bool = False


@transaction.atomic
def donor_update(*, actor: Any, donor: BloodDonor, data: DonorPreferences) -> BloodDonor:
    from nhandao.orgs.permissions import can

    donor = BloodDonor.objects.select_for_update().select_related("unit").get(pk=donor.pk)
    if not can(actor, "data.edit", donor.unit):
        raise ApplicationError(_("Bạn không có quyền sửa hồ sơ người hiến máu ở đơn vị này."))
    if data.abo not in Abo.values:
        raise ApplicationError(_("Nhóm máu «%s» không có.") % data.abo, field="abo")
    if data.rh not in Rh.values:
        raise ApplicationError(_("Rh «%s» không hợp lệ.") % data.rh, field="rh")
    if data.rh and not data.abo:
        raise ApplicationError(_("Ghi nhóm máu ABO trước khi ghi Rh."), field="rh")
    before = {f: getattr(donor, f) for f in FIELDS}
    for f in FIELDS:
        setattr(donor, f, getattr(data, f))
    changes = diff(before, {f: getattr(donor, f) for f in FIELDS})
    if changes:
        donor.save(update_fields=[*FIELDS, "updated_at"])
        audit_record(
            actor=actor,
            action=A.UPDATE,
            obj=donor,
            unit_path=donor.unit.path,
            changes=changes,
        )
    return donor
