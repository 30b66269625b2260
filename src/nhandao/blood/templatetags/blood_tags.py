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
