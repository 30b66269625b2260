"""Pages of funds, appeals and the ledger: the funds home, an appeal (create, page, extend,
close, documents), the ledger of a fund (filters, running balance, balance at a date, print,
"Sổ quỹ" workbook), the fund-manage actions (allocate, transfer, spend, reverse) and the yearly
receipts-and-use statement (page, .xlsx, .docx). Views only speak HTTP."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from nhandao.campaigns import selectors as campaigns
from nhandao.core.documents import OfficialDocument, place_of
from nhandao.core.errors import ApplicationError
from nhandao.core.forms import show_error
from nhandao.core.money import format_vnd
from nhandao.core.workbooks import official_list
from nhandao.orgs import selectors as orgs
from nhandao.orgs.permissions import active_unit as _unit
from nhandao.orgs.permissions import can
from nhandao.orgs.permissions import require_view as _may_view
from nhandao.orgs.selectors import unit_parent_name

from . import annual, selectors, services, spending
from .forms_funds import (
    AllocateForm,
    AnnualForm,
    AppealForm,
    DocumentForm,
    ExtendForm,
    FundFilterForm,
    LedgerFilterForm,
    ReverseForm,
    SpendForm,
    TransferForm,
)
from .ledger import Earmark
from .models import EntryKind, FundDocument, FundKind, FundStatus

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
EXPORT_LIMIT = 50_000


# --- helpers ---------------------------------------------------------------------------------


def _may_manage(request: HttpRequest, unit: Any) -> None:
    if not can(request.user, "fund.manage", unit):
        raise PermissionDenied


def _file(content: bytes, kind: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=kind)
    ext = ".xlsx" if kind == XLSX else ".docx"
    response["Content-Disposition"] = f'attachment; filename="{name}{ext}"'
    return response


def _optional_url(name: str, **kwargs: Any) -> str:
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return ""


def _fund(request: HttpRequest, pk: int) -> Any:
    fund = selectors.fund_get(user=request.user, pk=pk)
    _may_view(request)
    return fund


# --- funds home ------------------------------------------------------------------------------


@login_required
def fund_home(request: HttpRequest) -> HttpResponse:
    _may_view(request)
    assignment = getattr(request.user, "active_assignment", None)
    own = services.fund_activity_for(assignment.unit) if assignment is not None else None
    form = FundFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = selectors.fund_list(
        user=request.user,
        kind=data.get("kind") or "",
        status=data.get("status") or "",
        query=data.get("q") or "",
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    funds = list(page.object_list)
    today = timezone.localdate()
    rows = []
    for fund in funds:
        paths = selectors.fund_paths(user=request.user, fund=fund)
        fig = selectors.figures_for([fund], paths=paths)[fund.pk]
        rows.append(
            {
                "fund": fund,
                "fig": fig,
                "partial": paths is not None,
                "warnings": services.deadline_warnings(fund, today),
                "overdue": fund.kind == FundKind.APPEAL
                and fund.status == FundStatus.OPEN
                and any(
                    e and e < today for e in (fund.receiving_ends_on, fund.distribution_ends_on)
                ),
            }
        )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "own": own,
        "query_string": query.urlencode(),
        "may_create": assignment is not None and can(request.user, "fund.manage", assignment.unit),
    }
    return render(request, "funds/funds/home.html", context)


# --- appeals ---------------------------------------------------------------------------------


def _campaign_choices(request: HttpRequest) -> list[tuple[int, str]]:
    return [(c.pk, c.name) for c in campaigns.campaign_list(user=request.user)[:300]]


@login_required
def appeal_create(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    _may_manage(request, unit)
    form = AppealForm(
        request.POST or None,
        campaigns=_campaign_choices(request),
        initial={"opens_on": timezone.localdate(), "is_public": True},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        bank_name, bank_bin = form.bank_values()
        try:
            campaign = (
                campaigns.campaign_get(user=request.user, pk=data["campaign"])
                if data["campaign"]
                else None
            )
            fund = services.appeal_create(
                actor=request.user,
                unit=unit,
                data=services.AppealData(
                    name=data["name"],
                    code=data["code"],
                    opens_on=data["opens_on"],
                    bank_name=bank_name,
                    bank_bin=bank_bin,
                    account_no=data["account_no"],
                    account_name=data["account_name"],
                    purpose=data["purpose"],
                    campaign=campaign,
                    receiving_days=data["receiving_days"],
                    is_public=data["is_public"],
                ),
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã mở cuộc vận động «%s».") % fund.name)
            return redirect("fund_detail", pk=fund.pk)
    context = {
        "form": form,
        "title": _("Mở cuộc vận động, quyên góp"),
        "back": reverse("fund_home"),
    }
    return render(request, "funds/funds/form.html", context)


@login_required
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    paths = selectors.fund_paths(user=request.user, fund=fund)
    pockets = selectors.pockets(fund=fund, paths=paths)
    manage = can(request.user, "fund.manage", fund.unit)
    context = {
        "fund": fund,
        "partial": paths is not None,
        "fig": selectors.fund_figures(fund=fund, paths=paths),
        "pockets": [
            {
                "p": p,
                "earmark": selectors.earmark_label(p),
                "manage": can(request.user, "fund.manage", p.unit),
            }
            for p in pockets
        ],
        "spent_rows": selectors.spent_by_distribution(fund=fund, paths=paths),
        "warnings": services.deadline_warnings(fund),
        "extensions": selectors.extensions(fund=fund),
        "documents": selectors.documents(fund=fund),
        "manage": manage,
        "manage_any": manage or bool(selectors.manageable_pockets(user=request.user, fund=fund)),
        "is_appeal": fund.kind == FundKind.APPEAL,
        "statements_url": _optional_url("statement_list", fund_id=fund.pk),
        "year": timezone.localdate().year,
        "close_form": ReverseForm(),
    }
    return render(request, "funds/funds/detail.html", context)


@login_required
def appeal_extend(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    _may_manage(request, fund.unit)
    form = ExtendForm(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.appeal_extend(actor=request.user, fund=fund, **form.cleaned_data)
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã ghi quyết định gia hạn."))
            return redirect("fund_detail", pk=fund.pk)
    title = _("Gia hạn tiếp nhận «%s»") % fund.name
    context = {"form": form, "title": title, "back": reverse("fund_detail", args=[fund.pk])}
    return render(request, "funds/funds/form.html", context)


@login_required
@require_POST
def appeal_close(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    _may_manage(request, fund.unit)
    try:
        services.fund_close(actor=request.user, fund=fund)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã kết thúc cuộc vận động «%s».") % fund.name)
    return redirect("fund_detail", pk=fund.pk)


@login_required
def fund_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    _may_manage(request, fund.unit)
    form = DocumentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            spending.document_add(
                actor=request.user,
                fund=fund,
                kind=data["kind"],
                title=data["title"],
                upload=data["file"],
                is_public=data["is_public"],
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã tải lên văn bản."))
            return redirect("fund_detail", pk=fund.pk)
    context = {
        "form": form,
        "title": _("Tải lên văn bản của «%s»") % fund.name,
        "back": reverse("fund_detail", args=[fund.pk]),
        "multipart": True,
    }
    return render(request, "funds/funds/form.html", context)


@login_required
def fund_document(request: HttpRequest, pk: int) -> FileResponse:
    doc = FundDocument.objects.select_related("fund").filter(pk=pk).first() if pk < 2**63 else None
    if doc is None:
        raise Http404
    selectors.fund_get(user=request.user, pk=doc.fund_id)  # 404 out of scope
    _may_view(request)
    try:
        handle = doc.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return FileResponse(handle, as_attachment=True, filename=doc.file.name.rsplit("/", 1)[-1])


# --- the ledger ------------------------------------------------------------------------------


def _ledger_filter(request: HttpRequest, fund: Any) -> tuple[LedgerFilterForm, Any, Any]:
    units = selectors.fund_units(user=request.user, fund=fund)
    form = LedgerFilterForm(request.GET or None, units=[(u.pk, u.name) for u in units])
    data = form.cleaned_data if form.is_valid() else {}
    unit = orgs.unit_get(user=request.user, pk=data["unit"]) if data.get("unit") else None
    goods = {"0": False, "1": True}.get(data.get("goods") or "")
    f = selectors.LedgerFilter(
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
        kind=data.get("kind") or "",
        unit=unit,
        goods=goods,
    )
    return form, f, data.get("on")


@login_required
def entry_list(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    form, f, on = _ledger_filter(request, fund)
    qs = selectors.entry_list(user=request.user, fund=fund, f=f)
    page = Paginator(qs, 100).get_page(request.GET.get("page"))
    entries = list(page.object_list)
    running = not f.kind
    rows = []
    if entries:
        balance = selectors.balance_before(user=request.user, fund=fund, f=f, first=entries[0])
    else:
        balance = selectors.balance_before(user=request.user, fund=fund, f=f, first=None)
    opening = balance
    for e in entries:
        balance += e.amount
        rows.append(
            {
                "e": e,
                "into": e.amount if e.amount > 0 else None,
                "out": -e.amount if e.amount < 0 else None,
                "balance": balance if running else None,
            }
        )
    at = None
    if on:
        money, goods = selectors.balance_on(user=request.user, fund=fund, on=on, unit=f.unit)
        at = {"on": on, "money": money, "goods": goods}
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "fund": fund,
        "form": form,
        "page": page,
        "rows": rows,
        "opening": opening if running else None,
        "at": at,
        "query_string": query.urlencode(),
        "may_reverse": can(request.user, "fund.manage"),
    }
    return render(request, "funds/funds/ledger.html", context)


def _kind_label(kind: str) -> str:
    return str(dict(EntryKind.choices).get(kind, kind))


@login_required
def entry_export(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    _form, f, _on = _ledger_filter(request, fund)
    qs = selectors.entry_list(user=request.user, fund=fund, f=f)
    if qs.count() > EXPORT_LIMIT:
        limit = f"{EXPORT_LIMIT:,}".replace(",", ".")
        messages.error(request, _("Sổ quá %(n)s dòng: hãy lọc bớt trước khi xuất.") % {"n": limit})
        return redirect("entry_list", pk=fund.pk)
    first = qs.first()
    balance = selectors.balance_before(user=request.user, fund=fund, f=f, first=first)
    running = not f.kind

    def rows() -> Any:
        nonlocal balance
        yield ["", "", "", _("Số dư đầu kỳ"), "", "", "", balance if running else "", ""]
        for n, e in enumerate(qs.iterator(chunk_size=2000), start=1):
            balance += e.amount
            yield [
                n,
                e.posted_on.strftime("%d/%m/%Y"),
                e.unit.name,
                _kind_label(e.kind),
                e.description + (_(" (hiện vật)") if e.pocket.goods else ""),
                e.amount if e.amount > 0 else "",
                -e.amount if e.amount < 0 else "",
                balance if running else "",
                e.reason,
            ]

    unit = f.unit or fund.unit
    period = " – ".join(x.strftime("%d/%m/%Y") for x in (f.date_from, f.date_to) if x is not None)
    content = official_list(
        title=_("Sổ quỹ"),
        subtitle=f"{fund.name}" + (f" ({period})" if period else ""),
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        headers=[
            (_("STT"), 6),
            (_("Ngày"), 12),
            (_("Đơn vị"), 28),
            (_("Loại"), 20),
            (_("Nội dung"), 40),
            (_("Thu (đồng)"), 16),
            (_("Chi (đồng)"), 16),
            (_("Tồn (đồng)"), 16),
            (_("Lý do"), 28),
        ],
        rows=rows(),
        today=timezone.localdate(),
        sheet_name="So quy",
    )
    return _file(content, XLSX, f"so-quy-{fund.code}")


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(user=request.user, pk=pk)
    _may_view(request)
    form = ReverseForm()
    context = {
        "entry": entry,
        "records": list(entry.aid_records.select_related("person", "campaign")[:500]),
        "reversal": entry.reversed_by if hasattr(entry, "reversed_by") else None,
        "form": form,
        "may_reverse": entry.kind != EntryKind.REVERSAL
        and not hasattr(entry, "reversed_by")
        and can(request.user, "fund.manage", entry.unit),
    }
    return render(request, "funds/funds/entry.html", context)


@login_required
@require_POST
def entry_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_get(user=request.user, pk=pk)
    _may_manage(request, entry.unit)
    form = ReverseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Cần ghi lý do của bút toán đảo."))
    else:
        try:
            spending.entry_reverse(
                actor=request.user, entry=entry, reason=form.cleaned_data["reason"]
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã ghi bút toán đảo."))
    return redirect("entry_detail", pk=entry.pk)


# --- allocate, transfer, spend ---------------------------------------------------------------


def _pocket_choices(pockets: list[Any]) -> list[tuple[int, str]]:
    return [(p.pk, selectors.pocket_label(p)) for p in pockets]


def _no_source(request: HttpRequest, fund: Any) -> HttpResponse:
    messages.warning(
        request, _("Không có khoản tiền nào bạn được phép chuyển hoặc chi trong quỹ này.")
    )
    return redirect("fund_detail", pk=fund.pk)


@login_required
def fund_allocate(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    if not can(request.user, "fund.manage"):
        raise PermissionDenied
    sources = selectors.manageable_pockets(user=request.user, fund=fund)
    if not sources:
        return _no_source(request, fund)
    targets = selectors.allocation_targets(user=request.user, fund=fund, sources=sources)
    form = AllocateForm(
        request.POST or None,
        pockets=_pocket_choices(sources),
        units=[(u.pk, u.name) for u in targets],
        initial={"posted_on": timezone.localdate(), "pocket": request.GET.get("pocket")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pocket = next(p for p in sources if p.pk == data["pocket"])
        to_unit = next(u for u in targets if u.pk == data["to_unit"])
        try:
            spending.allocation_make(
                actor=request.user,
                fund=fund,
                from_unit=pocket.unit,
                to_unit=to_unit,
                amount=data["amount"],
                posted_on=data["posted_on"],
                earmark=Earmark.of(pocket),
                goods=pocket.goods,
                description=data["description"],
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã phân bổ %(amount)s cho %(unit)s.")
                % {"amount": format_vnd(data["amount"]), "unit": to_unit.name},
            )
            return redirect("fund_detail", pk=fund.pk)
    context = {
        "form": form,
        "title": _("Phân bổ «%s»") % fund.name,
        "back": reverse("fund_detail", args=[fund.pk]),
    }
    return render(request, "funds/funds/form.html", context)


@login_required
def fund_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    fund = _fund(request, pk)
    if not can(request.user, "fund.manage"):
        raise PermissionDenied
    sources = selectors.manageable_pockets(user=request.user, fund=fund, unrestricted_only=True)
    if not sources:
        return _no_source(request, fund)
    targets = selectors.transfer_targets(user=request.user, fund=fund, sources=sources)
    form = TransferForm(
        request.POST or None,
        pockets=_pocket_choices(sources),
        funds=[(f.pk, f"{f.name} ({f.code})") for f in targets],
        initial={"posted_on": timezone.localdate(), "pocket": request.GET.get("pocket")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        pocket = next(p for p in sources if p.pk == data["pocket"])
        to_fund = next(f for f in targets if f.pk == data["to_fund"])
        try:
            spending.transfer_make(
                actor=request.user,
                from_fund=fund,
                to_fund=to_fund,
                unit=pocket.unit,
                amount=data["amount"],
                posted_on=data["posted_on"],
                reason=data["reason"],
                goods=pocket.goods,
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã chuyển %(amount)s sang «%(fund)s».")
                % {"amount": format_vnd(data["amount"]), "fund": to_fund.name},
            )
            return redirect("fund_detail", pk=fund.pk)
    context = {
        "form": form,
        "title": _("Chuyển tiền từ «%s» sang quỹ khác") % fund.name,
        "back": reverse("fund_detail", args=[fund.pk]),
    }
    return render(request, "funds/funds/form.html", context)


@login_required
def fund_spend(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 1 (no ?pocket=): choose the money to spend. Step 2: the spending form, whose
    distributions and aid records follow the pocket's earmark."""
    fund = _fund(request, pk)
    if not can(request.user, "fund.manage"):
        raise PermissionDenied
    sources = selectors.manageable_pockets(user=request.user, fund=fund)
    if not sources:
        return _no_source(request, fund)
    chosen = request.POST.get("pocket") or request.GET.get("pocket")
    pocket = next((p for p in sources if str(p.pk) == str(chosen)), None)
    if pocket is None:
        context = {
            "fund": fund,
            "pockets": [(p, selectors.pocket_label(p)) for p in sources],
        }
        return render(request, "funds/funds/spend_pick.html", context)
    dist_id = request.POST.get("distribution") or request.GET.get("distribution") or None
    dists, records = selectors.spend_choices(
        user=request.user, fund=fund, pocket=pocket, distribution_id=dist_id
    )
    form = SpendForm(
        request.POST or None,
        distributions=[(x.pk, f"{x.held_on:%d/%m/%Y} · {x.title} · {x.unit.name}") for x in dists],
        records=[
            (
                r.pk,
                f"{r.given_on:%d/%m/%Y} · {r.person.full_name} · {r.get_kind_display()}"
                f" · {format_vnd(r.value)}",
            )
            for r in records
        ],
        initial={"posted_on": timezone.localdate(), "distribution": dist_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        distribution = next((x for x in dists if x.pk == data["distribution"]), None)
        chosen_records = [r for r in records if r.pk in set(data["aid_records"])]
        try:
            spending.spend(
                actor=request.user,
                fund=fund,
                unit=pocket.unit,
                amount=data["amount"],
                posted_on=data["posted_on"],
                description=data["description"],
                earmark=Earmark.of(pocket),
                goods=pocket.goods,
                distribution=distribution,
                aid_records=chosen_records,
            )
        except ApplicationError as exc:
            show_error(form, exc)
        else:
            messages.success(request, _("Đã ghi khoản chi %s.") % format_vnd(data["amount"]))
            return redirect("fund_detail", pk=fund.pk)
    context = {
        "fund": fund,
        "form": form,
        "pocket": pocket,
        "pocket_label": selectors.pocket_label(pocket),
        "deadline": fund.distribution_ends_on if fund.kind == FundKind.APPEAL else None,
    }
    return render(request, "funds/funds/spend.html", context)


# --- the yearly statement --------------------------------------------------------------------


def _annual(request: HttpRequest, pk: int) -> tuple[Any, AnnualForm, annual.AnnualStatement]:
    fund = _fund(request, pk)
    paths = selectors.fund_paths(user=request.user, fund=fund)
    units = selectors.fund_units(user=request.user, fund=fund)
    default_year = timezone.localdate().year
    form = AnnualForm(request.GET or {"year": default_year}, units=[(u.pk, u.name) for u in units])
    data = form.cleaned_data if form.is_valid() else {}
    year = data.get("year") or default_year
    unit = orgs.unit_get(user=request.user, pk=data["unit"]) if data.get("unit") else None
    if unit is None and paths is not None:
        # The user sees only part of the fund: the statement of their own unit's subtree.
        unit = _unit(request)
        if not unit.path.startswith(fund.unit.path):
            raise Http404
    return fund, form, annual.annual_statement(fund, year, unit=unit)


@login_required
def fund_annual(request: HttpRequest, pk: int) -> HttpResponse:
    fund, form, st = _annual(request, pk)
    query = request.GET.urlencode()
    context = {"fund": fund, "form": form, "st": st, "query": query}
    return render(request, "funds/funds/annual.html", context)


def _annual_title(st: annual.AnnualStatement) -> str:
    return _("BÁO CÁO THU, CHI QUỸ NĂM %(y)s") % {"y": st.year}


@login_required
def fund_annual_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    fund, _form, st = _annual(request, pk)
    unit = st.unit or fund.unit
    rows: list[list[Any]] = [[n, label, amount] for n, (label, amount) in enumerate(st.rows(), 1)]
    rows.append(["", _("Thu theo loại nhà hảo tâm"), ""])
    rows += [["", f"  {label}", amount] for label, amount in st.receipts_by_kind]
    rows.append(["", _("Chi theo đợt trao"), ""])
    rows += [["", f"  {label}", amount] for label, amount in st.spent_by_distribution]
    check = pgettext("check result", "Khớp") if st.balanced else _("KHÔNG KHỚP")
    rows.append(["", _("Kiểm tra: đầu năm + phát sinh = cuối năm"), check])
    content = official_list(
        title=_annual_title(st),
        subtitle=fund.name + (f" — {unit.name}" if st.unit is not None else ""),
        unit_name=unit.name,
        parent_name=unit_parent_name(unit),
        headers=[(_("STT"), 6), (_("Nội dung"), 60), (_("Số tiền (đồng)"), 20)],
        rows=rows,
        today=timezone.localdate(),
        sheet_name=f"Thu chi {st.year}",
    )
    return _file(content, XLSX, f"thu-chi-{fund.code}-{st.year}")


@login_required
def fund_annual_docx(request: HttpRequest, pk: int) -> HttpResponse:
    fund, _form, st = _annual(request, pk)
    unit = st.unit or fund.unit
    today = timezone.localdate()
    doc = OfficialDocument(
        managing_body=unit_parent_name(unit).upper(),
        issuing_body=unit.name.upper(),
        doc_type="BC",
        place=place_of(unit.name),
        date=today,
    )
    doc.title(_annual_title(st), fund.name)
    doc.paragraph(
        _(
            "Thực hiện quy định về công khai thu, chi của quỹ, %(unit)s báo cáo kết quả tiếp "
            "nhận và sử dụng %(fund)s từ ngày 01/01/%(y)s đến ngày 31/12/%(y)s như sau:"
        )
        % {"unit": unit.name, "fund": fund.name, "y": st.year}
    )
    doc.heading(_("I. Tổng hợp thu, chi"))
    doc.table(
        [_("STT"), _("Nội dung"), _("Số tiền (đồng)")],
        [[str(n), label, format_vnd(amount)] for n, (label, amount) in enumerate(st.rows(), 1)],
    )
    if st.receipts_by_kind:
        doc.heading(_("II. Thu theo loại nhà hảo tâm"))
        doc.table(
            [_("Loại"), _("Số tiền (đồng)")],
            [[label, format_vnd(amount)] for label, amount in st.receipts_by_kind],
        )
    if st.spent_by_distribution:
        doc.heading(_("III. Chi theo đợt trao"))
        doc.table(
            [pgettext("singular", "Đợt trao"), _("Số tiền (đồng)")],
            [[label, format_vnd(amount)] for label, amount in st.spent_by_distribution],
        )
    doc.paragraph(
        _("Số dư đầu năm %(a)s, phát sinh %(b)s, số dư cuối năm %(c)s: %(check)s.")
        % {
            "a": format_vnd(st.opening),
            "b": format_vnd(st.movements),
            "c": format_vnd(st.closing),
            "check": _("khớp") if st.balanced else _("không khớp"),
        },
        italic=True,
    )
    doc.signature(
        on_behalf=_("TM. BAN THƯỜNG VỤ"),
        position=_("CHỦ TỊCH"),
        recipients=[_("Ban Thường vụ Hội cấp trên"), _("Trang thông tin công khai")],
    )
    return _file(doc.render(), DOCX, f"bao-cao-thu-chi-{fund.code}-{st.year}")
