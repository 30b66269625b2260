"""``{% load portal %}``: ``{{ n|dots }}`` writes a count with "." for thousands (1.000.000)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter(name="dots")
def dots(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, int):
        return value
    return f"{value:,}".replace(",", ".")
