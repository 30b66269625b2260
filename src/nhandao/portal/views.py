"""The public disclosure site under /cong-khai/ (no login): funds and appeals, their figures,
accounts and VietQR, the received list with its downloads, what was given, the documents and the
yearly statements; a printable poster and the dynamic-QR request form.

Views stay thin: reads come from ``nhandao.funds.public``, the one write from ``services``.
Pages are light (their own small stylesheet, no script) and say to browsers and proxies that
they may keep them a minute (``Cache-Control: public, max-age=60``); the form and a donor's own
QR page are private.
"""

from __future__ import annotations

import hashlib
import os
from html import escape as html_escape
from typing import Any

import qrcode
import qrcode.image.svg
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_GET, require_http_methods

from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.money import format_vnd
from nhandao.core.signals import client_ip
from nhandao.funds import public
from nhandao.funds.models import FundKind

from . import exports, selectors, services
from .forms import GiveForm, SearchForm
from .middleware import PAGE_TTL, keys_for

PUBLIC_MAX_AGE = 60
QR_MAX_AGE = 3600
FUNDS_PER_PAGE = 20
LATEST_SHOWN = 10

public_page = cache_control(public=True, max_age=PUBLIC_MAX_AGE)


def qr_svg(text: str, box_size: int = 6) -> str:
    image = qrcode.make(
        text, image_factory=qrcode.image.svg.SvgPathImage, box_size=box_size, border=2
    )
    svg: str = image.to_string(encoding="unicode")
    return svg


def rows_html(rows: list[public.PublicDonation]) -> SafeString:
    """The received list's table rows, written here rather than by the template engine (50 rows
    of four formatted cells are most of a list page's time); every text is escaped (the
    standard library's ``html.escape``, which Django's ``escape`` wraps at a cost per call)."""
    if not rows:
        empty = escape(_("Không có khoản ủng hộ nào."))
        return mark_safe(f'<tr><td colspan="4" class="muted">{empty}</td></tr>')  # noqa: S308
    out = [
        f'<tr><td class="nowrap">{d.received_on:%d/%m/%Y}</td><td>{html_escape(d.name)}</td>'
        f'<td class="num">{format_vnd(d.amount)}</td>'
        f'<td class="small">{html_escape(d.note)}</td></tr>'
        for d in rows
    ]
    return mark_safe("".join(out))  # noqa: S308 - built from escaped values


def _account(fund: Any) -> dict[str, Any]:
    payload = services.static_payload(fund)
    unit = fund.unit
    return {
        "payload": payload,
        "has_qr": bool(payload),
        # Without an account number there is nothing to transfer to: the page says whom to
        # contact instead of a bank block of dashes.
        "has_account": bool(fund.account_no),
        "contact": [
            (label, value, href)
            for label, value, href in (
                (_("Địa chỉ"), unit.address, ""),
                (_("Điện thoại"), unit.phone, "tel:" + "".join(unit.phone.split())),
                (_("Thư điện tử"), unit.email, "mailto:" + unit.email),
            )
            if value
        ],
        "receiving": public.receiving_open(fund),
    }


@require_GET
@public_page
def portal_home(request: HttpRequest) -> HttpResponse:
    page = Paginator(public.public_funds(), FUNDS_PER_PAGE).get_page(request.GET.get("page"))
    funds = list(page.object_list)
    figures = public.figures_for(funds)
    today = timezone.localdate()
    rows = [(f, figures[f.pk], public.status_label(f, today)) for f in funds]
    return render(request, "portal/home.html", {"page": page, "rows": rows})


@require_GET
@public_page
def portal_fund(request: HttpRequest, code: str) -> HttpResponse:
    # Whole answers are kept by ``middleware.PublicPageCacheMiddleware`` under the fund's state.
    keys = keys_for(request, code)
    fund = public.public_fund(code, keys)
    fig = public.figures_for([fund], {fund.pk: keys.balances})[fund.pk]
    given = public.given(fund, keys.spending)
    context = {
        "fund": fund,
        "is_appeal": fund.kind == FundKind.APPEAL,
        "status": public.status_label(fund),
        "fig": fig,
        "latest": rows_html(selectors.latest_donations(fund, LATEST_SHOWN)),
        "given": given,
        # Spending no aid record accounts for: said as such, never as "nothing was given".
        "spent_lines": (
            selectors.spent_lines(fund, keys.spending) if fig.spent and not given.total else []
        ),
        "documents": list(public.public_documents(fund)),
        "years": selectors.statement_years(fund, keys.state),
        **_account(fund),
    }
    return render(request, "portal/fund.html", context)


def _filter(form: SearchForm) -> tuple[public.DonationFilter, int | None]:
    if not form.is_valid():
        return public.DonationFilter(), None
    d = form.cleaned_data
    flt = public.DonationFilter(q=(d.get("q") or "").strip(), amount=d.get("amount"), day=d["day"])
    return flt, d.get("cursor")


@require_GET
@public_page
def portal_donations(request: HttpRequest, code: str) -> HttpResponse:
    form = SearchForm(request.GET or None)
    flt, cursor = _filter(form)
    keys = keys_for(request, code)
    fund = public.public_fund(code, keys)
    page = public.donations_page(fund, flt, cursor)
    query: dict[str, Any] = {
        k: v for k, v in request.GET.items() if k in ("q", "amount", "day") and v
    }
    next_url = ""
    if page.next_cursor:
        next_url = "?" + urlencode({**query, "cursor": page.next_cursor})
    pager = render_to_string(
        "portal/_pager.html",
        {"first_url": "?" + urlencode(query) if cursor else "", "next_url": next_url},
        request,
    )
    frame = _list_frame(request, fund, form, flt, query, keys.state)
    html = frame.replace(ROWS_HOLE, rows_html(page.rows), 1).replace(PAGER_HOLE, pager, 1)
    return HttpResponse(html)


# Where a page's rows and pager go in the list's frame (text a row cannot hold: it is escaped).
ROWS_HOLE = "<!--rows-->"
PAGER_HOLE = "<!--pager-->"


def _list_frame(
    request: HttpRequest,
    fund: Any,
    form: SearchForm,
    flt: public.DonationFilter,
    query: dict[str, Any],
    state: str,
) -> str:
    """The received list's page without its rows and pager: the same for every page of one
    search, so it is rendered once per fund state, language and search (a later page then
    costs its query and its rows)."""
    errors = form.errors.as_json() if form.is_bound and form.errors else ""
    raw = f"{state}|{get_language()}|{urlencode(sorted(query.items()))}|{errors}"
    key = "portal:frame:" + hashlib.sha256(raw.encode()).hexdigest()
    frame: str | None = cache.get(key)
    if frame is None:
        context = {
            "fund": fund,
            "form": form,
            "rows": mark_safe(ROWS_HOLE),  # noqa: S308 - a constant
            "pager": mark_safe(PAGER_HOLE),  # noqa: S308 - a constant
            "filtered": not flt.empty,
            "by_name": bool(flt.q and public.name_prefix(flt.q)),
            "download_query": urlencode(query),
            "xlsx_cap": public.XLSX_CAP,
        }
        frame = render_to_string("portal/donations.html", context, request)
        cache.set(key, frame, PAGE_TTL)
    return frame


@require_GET
@public_page
def portal_donations_csv(request: HttpRequest, code: str) -> StreamingHttpResponse:
    fund = public.public_fund(code)
    flt, _cursor = _filter(SearchForm(request.GET or None))
    response = StreamingHttpResponse(
        exports.csv_lines(fund, flt), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="ung-ho-{fund.code}.csv"'
    return response


@require_GET
@public_page
def portal_donations_xlsx(request: HttpRequest, code: str) -> FileResponse:
    fund = public.public_fund(code)
    flt, _cursor = _filter(SearchForm(request.GET or None))
    out, _rows = exports.xlsx_file(fund, flt, timezone.localdate())
    return FileResponse(
        out,
        as_attachment=True,
        filename=f"ung-ho-{fund.code}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@require_GET
@cache_control(public=True, max_age=QR_MAX_AGE)
def portal_qr(request: HttpRequest, code: str) -> HttpResponse:
    """The fund account's static VietQR as an SVG image."""
    fund = public.public_fund(code)
    payload = services.static_payload(fund)
    if not payload:
        raise Http404
    return HttpResponse(qr_svg(payload), content_type="image/svg+xml")


@require_GET
@public_page
def portal_poster(request: HttpRequest, code: str) -> HttpResponse:
    fund = public.public_fund(code)
    context = {
        "fund": fund,
        "is_appeal": fund.kind == FundKind.APPEAL,
        "qr": qr_svg(services.static_payload(fund), 10) if services.static_payload(fund) else "",
        "page_url": request.build_absolute_uri(reverse("portal_fund", args=[fund.code])),
        "give_url": request.build_absolute_uri(reverse("portal_give", args=[fund.code])),
        **_account(fund),
    }
    return render(request, "portal/poster.html", context)


@require_GET
@public_page
def portal_document(request: HttpRequest, code: str, pk: str) -> FileResponse:
    fund = public.public_fund(code)
    doc = public.public_document(fund, int(pk))
    try:
        handle = doc.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=os.path.basename(doc.file.name))


@require_GET
@public_page
def portal_statement(request: HttpRequest, code: str, year: str) -> HttpResponse:
    fund = public.public_fund(code)
    state = public.state_key(fund)
    st = public.annual(fund, int(year), state)
    context = {
        "fund": fund,
        "st": st,
        "rows": st.rows(),
        "years": selectors.statement_years(fund, state),
        "publish_by": st.publish_by,
    }
    return render(request, "portal/statement.html", context)


@never_cache
@require_http_methods(["GET", "POST"])
def portal_give(request: HttpRequest, code: str) -> HttpResponse:
    """A donor asks for a QR code carrying the amount and a reference of their own."""
    fund = public.public_fund(code)
    account = _account(fund)
    form = GiveForm(request.POST or None)
    if request.method == "POST" and account["receiving"] and account["has_qr"]:
        if request.POST.get("website"):  # the honeypot: only a bot fills it
            return redirect("portal_fund", fund.code)
        if form.is_valid():
            d = form.cleaned_data
            data = services.GiveData(
                amount=d["amount"],
                donor_name=d.get("donor_name") or "",
                anonymous=bool(d.get("anonymous")),
                email=d.get("email") or "",
                note=d.get("note") or "",
            )
            try:
                made = services.payment_request_create(fund=fund, data=data, ip=client_ip(request))
            except ApplicationError as exc:
                show_error(form, exc)
            else:
                return redirect("portal_give_qr", fund.code, made.reference)
    return render(request, "portal/give.html", {"fund": fund, "form": form, **account})


@never_cache
@require_GET
def portal_give_qr(request: HttpRequest, code: str, reference: str) -> HttpResponse:
    """The donor's own QR: the amount and the note "<CODE> <REFERENCE>" filled in."""
    fund = public.public_fund(code)
    made = services.payment_request_get(fund, reference)
    if made is None:
        raise Http404
    payload = services.request_payload(made)
    context = {
        "fund": fund,
        "req": made,
        "note": services.qr_note(fund, made.reference),
        "qr": qr_svg(payload, 8),
        "payload": payload,
        "done": made.donation_id is not None,
    }
    return render(request, "portal/give_qr.html", context)


__all__ = [
    "portal_document",
    "portal_donations",
    "portal_donations_csv",
    "portal_donations_xlsx",
    "portal_fund",
    "portal_give",
    "portal_give_qr",
    "portal_home",
    "portal_poster",
    "portal_qr",
    "portal_statement",
]
