"""Whole public pages of a fund answered from the cache before the rest of the middleware runs.

The appeal page and its received list (first page, later pages, searches) are what the public
asks for most, often thousands of times between two donations. Each is kept per address,
language and day under the fund's state key (``funds.public.fund_keys``: one small query of its
counters and pockets, which every donation, reversal, spending or transfer changes). A process
reuses the keys it read for ``funds.public.KEYS_FRESH_S`` (one second), and the ledger forgets
them at once in the process that posts, so a reversed donation is gone from the next answer
there and within a second everywhere. A hit costs a cache read (and at most one query a second
per fund): no session, authentication, CSRF or URL resolution. A miss runs the whole stack and
keeps the answer only if it is plainly public (200, ``Cache-Control: public``, no cookie set,
not varying on the cookie). Other pages pass through untouched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from nhandao.funds import public

PAGE_TTL = (
    60  # seconds: what a page shows besides the figures (a name, a consent) follows within it
)
PAGE_RE = re.compile(r"^/cong-khai/(?P<code>[A-Za-z0-9]{2,16})/(?:danh-sach/)?$")


def keys_for(request: HttpRequest, code: str) -> public.FundKeys:
    """The fund's keys as this request's middleware read them, or read now."""
    keys = getattr(request, "portal_keys", None)
    if isinstance(keys, public.FundKeys) and keys.code == code.upper():
        return keys
    return public.fund_keys(code)


def _language(request: HttpRequest) -> str:
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    return chosen if any(chosen == code for code, _name in settings.LANGUAGES) else ""


def _keepable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and "public" in response.get("Cache-Control", "")
        and "cookie" not in response.get("Vary", "").lower()
    )


class PublicPageCacheMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = PAGE_RE.match(request.path_info) if request.method == "GET" else None
        if match is None:
            return self.get_response(request)
        try:
            keys = public.fund_keys_recent(match["code"])
        except Http404:
            return self.get_response(request)
        request.portal_keys = keys  # type: ignore[attr-defined]
        raw = "|".join(
            (request.get_full_path(), _language(request), keys.state, str(timezone.localdate()))
        )
        key = "portal:page:" + hashlib.sha256(raw.encode()).hexdigest()
        kept = cache.get(key)
        if kept is not None:
            headers, content = kept
            return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        if _keepable(response):
            cache.set(key, (dict(response.items()), response.content), PAGE_TTL)
        return response
