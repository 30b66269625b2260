"""Who sees a donor's identifiers (citizen ID, phone, its contacts' phones) in full, and the audit
trail of every page, workbook and API answer that shows them so (Law 91/2025).

A role without ``pii.view`` at the donor's unit sees them masked, as everywhere else; each answer
served with unmasked values is logged once as ``VIEW_SENSITIVE``: which answer, how many records
and with which filters, never the values themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nhandao.core.audit import audit_list_view, audit_record
from nhandao.core.masking import mask_id, mask_phone
from nhandao.core.models import AuditEvent
from nhandao.orgs.permissions import can

from .models import Donor


def shows_pii(user: Any, donor: Donor) -> bool:
    """May ``user`` see this donor's identifiers unmasked?"""
    return can(user, "pii.view", donor.unit)


def id_number_for(user: Any, donor: Donor) -> str:
    return donor.id_number if shows_pii(user, donor) else mask_id(donor.id_number)


def phone_for(user: Any, donor: Donor, value: str | None = None) -> str:
    """The donor's phone (or ``value``, a phone of its contacts) as ``user`` may see it."""
    phone = donor.phone if value is None else value
    return phone if shows_pii(user, donor) else mask_phone(phone)


def phone_kept(user: Any, donor: Donor, submitted: str) -> str:
    """The phone to save from a form or API body: the masked value a role without pii.view was
    shown, sent back unchanged, keeps the stored number (it is never written back)."""
    submitted = (submitted or "").strip()
    if not shows_pii(user, donor) and donor.phone and submitted == mask_phone(donor.phone):
        return donor.phone
    return submitted


def holds_unmasked(user: Any, donor: Donor, *, contacts: Iterable[Any] = ()) -> bool:
    """Would showing ``donor`` to ``user`` show an identifier in full?"""
    if not shows_pii(user, donor):
        return False
    return bool(donor.id_number or donor.phone or any(c.phone for c in contacts))


def donor_viewed(*, actor: Any, donor: Donor, ip: str | None, what: str) -> None:
    """One donor's identifiers were shown in full (its page, the review of a pair, the API)."""
    audit_record(
        actor=actor,
        action=AuditEvent.Action.VIEW_SENSITIVE,
        obj=donor,
        unit_path=donor.unit.path,
        changes={"viewed": [None, what]},
        ip_address=ip,
    )


def donors_listed(**kwargs: Any) -> None:
    """A list of donors served with identifiers in full (a page, a workbook, a page of the
    API), logged once (``core.audit.audit_list_view``)."""
    audit_list_view(object_type=Donor._meta.label_lower, **kwargs)
