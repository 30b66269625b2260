"""Filters of the training pages."""

from __future__ import annotations

from django import template

from nhandao.core.masking import mask_phone

register = template.Library()


@register.filter(name="training_mask_phone")
def training_mask_phone(value: object) -> str:
    return mask_phone(str(value or ""))
