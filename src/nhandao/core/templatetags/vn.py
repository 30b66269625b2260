"""Template filters for Vietnamese display: ``{% load vn %}``.

``{{ amount|vnd }}`` "1.500.000 đ", ``{{ amount|amount_words }}`` (``:"south"`` for "lẻ"),
``{{ day|vndate }}`` "05/03/1960", ``{{ number|phone }}`` "0912 345 678".

Like Django's own filters they never break a page: a value they cannot handle is shown as it is,
and None shows as an empty string.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import template
from django.http import QueryDict

from nhandao.core.dates import PartialDate, format_date
from nhandao.core.money import amount_in_words, format_vnd
from nhandao.core.phone import InvalidPhone, format_phone

register = template.Library()


def _as_int(value: object) -> int | None:
    """Whole đồng from an int or an integral Decimal (as DecimalField returns), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    return None


@register.filter(name="vnd")
def vnd(value: object) -> object:
    if value is None or value == "":
        return ""
    amount = _as_int(value)
    return value if amount is None else format_vnd(amount)


@register.filter(name="amount_words")
def amount_words(value: object, dialect: str = "north") -> object:
    if value is None or value == "":
        return ""
    amount = _as_int(value)
    if amount is None:
        return value
    try:
        return amount_in_words(amount, dialect=dialect)
    except ValueError:
        return value


@register.filter(name="vndate")
def vndate(value: object) -> object:
    if value is None or value == "":
        return ""
    if isinstance(value, PartialDate):
        return value.display()
    if isinstance(value, date):
        try:
            return format_date(value)
        except ValueError:
            return value
    return value


@register.filter(name="phone")
def phone(value: object) -> object:
    if value is None or value == "":
        return ""
    if not isinstance(value, str):
        return value
    try:
        return format_phone(value)
    except InvalidPhone:
        return value


@register.filter(name="mask_id")
def mask_id_filter(value: object) -> str:
    """An identifier shown to a role without the right to see it: 0011******45."""
    from nhandao.core.masking import mask_id

    return mask_id(str(value or ""))


@register.simple_tag(takes_context=True)
def page_url(context: dict[str, Any], number: int) -> str:
    """The current URL's query with ``page`` set to ``number``: paging keeps every filter."""
    request = context.get("request")
    params = request.GET.copy() if request is not None else QueryDict(mutable=True)
    params["page"] = str(number)
    return "?" + params.urlencode()
