"""Path converters shared by the API routers."""

from __future__ import annotations

from django.urls import register_converter


class SignedId:
    """An id in a path: digits with an optional minus, so that "/funds/-5" reaches the view and
    answers the JSON 404 of a missing row, while a word ("/beneficiaries/unsponsored") is left to
    the route that names it."""

    regex = "-?[0-9]+"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(SignedId, "signedid")
