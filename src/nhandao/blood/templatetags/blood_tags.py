"""Filters of the blood pages."""

from __future__ import annotations

from django import template

from nhandao.core.masking import mask_phone

register = template.Library()


@register.filter(name="mask_phone")
def mask_phone_filter(value: object) -> str:
    """A phone shown to a role without pii.view: 091****678."""
    return mask_phone(str(value or ""))


@register.filter(name="deferral_label")
def deferral_label_filter(code: object) -> str:
    """The words of a deferral reason code ("low_weight" → "Cân nặng chưa đủ")."""
    from nhandao.blood.services import deferral_label

    return str(deferral_label(str(code or "")))


@register.filter(name="kg")
def kg_filter(value: object) -> str:
    """A weight the Vietnamese way, without a needless decimal: 60 → "60", 60.5 → "60,5"."""
    from decimal import Decimal, InvalidOperation

    from nhandao.blood.eligibility import kg

    if value is None or value == "":
        return ""
    try:
        return kg(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)
