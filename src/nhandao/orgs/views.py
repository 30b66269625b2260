"""Pages of the chapter tree, users and tokens. Views only speak HTTP."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nhandao.core.audit import change_rows, object_type_label
from nhandao.core.errors import ApplicationError
from nhandao.core.text import collation_key

from . import selectors, services
from .forms import (
    AssignmentForm,
    AuditFilterForm,
    TokenForm,
    UnitDeactivateForm,
    UnitEditForm,
    UnitForm,
    UnitMergeForm,
    UnitMoveForm,
    UserCreateForm,
)
from .middleware import SESSION_KEY
from .models import Unit, User
from .permissions import can, can_below
from .rules import ALLOWED_PARENTS


def _require(request: HttpRequest, perm: str, unit: Unit | None = None) -> None:
    if not can(request.user, perm, unit):
        raise PermissionDenied


def _form_error(form: Any, exc: ApplicationError) -> None:
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    assignment = request.user.active_assignment  # type: ignore[union-attr]
    unit = assignment.unit if assignment else None
    context: dict[str, Any] = {"unit": unit}
    if unit is not None:
        context["counts"] = selectors.unit_subtree_counts(unit=unit)
        context["children"] = selectors.unit_children(
            user=request.user, unit=unit, include_inactive=False, limit=30
        )
    return render(request, "orgs/dashboard.html", context)


@login_required
def unit_tree(request: HttpRequest) -> HttpResponse:
    _require(request, "unit.view")
    query = request.GET.get("q", "").strip()[:100]
    context: dict[str, Any] = {"query": query}
    if query:
        context["results"] = selectors.unit_search(user=request.user, query=query)
    else:
        context["roots"] = selectors.unit_scope_roots(user=request.user)
    return render(request, "orgs/unit_tree.html", context)


@login_required
def unit_children(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, pk=pk)
    children = selectors.unit_children(user=request.user, unit=unit)
    return render(request, "orgs/_unit_children.html", {"unit": unit, "children": children})


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, pk=pk)
    user = request.user
    context = {
        "unit": unit,
        "ancestors": selectors.unit_ancestors(user=user, unit=unit),
        "children": selectors.unit_children(user=user, unit=unit),
        "counts": selectors.unit_subtree_counts(unit=unit),
        "history": selectors.unit_history(unit=unit)[:20],
        "may_manage": can(user, "unit.manage", unit),
        "may_move": can_below(user, "unit.manage", unit),
        "may_merge": can(user, "unit.merge", unit),
        "may_users": can(user, "user.manage", unit),
        "child_kinds": [k for k, parents in ALLOWED_PARENTS.items() if unit.kind in parents],
    }
    return render(request, "orgs/unit_detail.html", context)


@login_required
def unit_history(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, pk=pk)
    page = Paginator(selectors.unit_history(unit=unit), 50).get_page(request.GET.get("page"))
    return render(request, "orgs/unit_history.html", {"unit": unit, "page": page})


@login_required
def unit_create(request: HttpRequest, pk: int) -> HttpResponse:
    parent = selectors.unit_get(user=request.user, pk=pk)
    _require(request, "unit.manage", parent)
    kinds = [k for k, parents in ALLOWED_PARENTS.items() if parent.kind in parents]
    form = UnitForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=request.user, parent=parent, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã tạo đơn vị «%s».") % unit.name)
            return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "orgs/unit_form.html",
        {"form": form, "parent": parent, "title": _("Thêm đơn vị trực thuộc")},
    )


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, pk=pk)
    _require(request, "unit.manage", unit)
    initial = {f: getattr(unit, f) for f in UnitEditForm.base_fields if hasattr(unit, f)}
    form = UnitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "orgs/unit_form.html",
        {"form": form, "unit": unit, "title": _("Sửa thông tin đơn vị")},
    )


@login_required
def unit_move(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, pk=pk)
    if not can_below(request.user, "unit.manage", unit):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:100]
    targets = selectors.unit_move_targets(user=request.user, unit=unit, query=query)
    form = UnitMoveForm(request.POST or None, targets=targets)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(
                actor=request.user, unit=unit, new_parent=form.cleaned_data["new_parent"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã chuyển đơn vị."))
            return redirect("unit_detail", pk=unit.pk)
    return render(request, "orgs/unit_move.html", {"form": form, "unit": unit, "query": query})


@login_required
def unit_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(user=request.user, pk=pk)
    if not can_below(request.user, "unit.manage", unit):
        raise PermissionDenied
    form = UnitDeactivateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_deactivate(actor=request.user, unit=unit, **form.cleaned_data)
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đơn vị đã ngừng hoạt động."))
            return redirect("unit_detail", pk=unit.pk)
    return render(
        request,
        "orgs/unit_confirm.html",
        {"form": form, "unit": unit, "title": _("Ngừng hoạt động đơn vị")},
    )


@login_required
def unit_merge(request: HttpRequest, pk: int) -> HttpResponse:
    target = selectors.unit_get(user=request.user, pk=pk)
    _require(request, "unit.merge", target)
    candidates = selectors.unit_merge_candidates(user=request.user, target=target)
    form = UnitMergeForm(request.POST or None, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_merge(
                actor=request.user,
                sources=list(data["sources"]),
                target=target,
                merge_date=data["merge_date"],
                new_name=data["new_name"],
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("Đã hợp nhất %d đơn vị.") % len(data["sources"]))
            return redirect("unit_detail", pk=target.pk)
    return render(
        request,
        "orgs/unit_confirm.html",
        {"form": form, "unit": target, "title": _("Hợp nhất vào đơn vị này")},
    )


@login_required
def unit_users(request: HttpRequest, pk: int) -> HttpResponse:
    """Create a user at this unit, or give an existing user a role here."""
    unit = selectors.unit_get(user=request.user, pk=pk)
    _require(request, "user.manage", unit)
    roles = selectors.roles_grantable(user=request.user)
    create_form = UserCreateForm(request.POST if "create" in request.POST else None, roles=roles)
    grant_form = AssignmentForm(request.POST if "grant" in request.POST else None, roles=roles)
    if request.method == "POST":
        form = create_form if "create" in request.POST else grant_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if form is create_form:
                    new = services.user_create(actor=request.user, unit=unit, **data)
                else:
                    new = selectors.user_by_username(username=data["username"])
                    services.assignment_grant(
                        actor=request.user, user=new, unit=unit, role=data["role"]
                    )
            except ApplicationError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("Đã phân quyền cho «%s».") % new.username)
                return redirect("user_detail", pk=new.pk)
    return render(
        request,
        "orgs/unit_users.html",
        {
            "unit": unit,
            "create_form": create_form,
            "grant_form": grant_form,
            "assignments": selectors.unit_assignments(user=request.user, unit=unit),
        },
    )


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    _require(request, "user.manage")
    query = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.user_list(user=request.user, query=query), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "orgs/user_list.html", {"page": page, "query": query})


@login_required
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = selectors.user_get(user=request.user, pk=pk)
    _require(request, "user.manage")
    assignments = selectors.assignments_visible(user=request.user, of_user=subject)
    active = [a for a in assignments if a.is_active]
    form = TokenForm(request.POST or None, assignments=active)
    raw_key = None
    if request.method == "POST" and form.is_valid():
        chosen = next(a for a in active if a.pk == form.cleaned_data["assignment"])
        try:
            _token, raw_key = services.token_create(
                actor=request.user, assignment=chosen, name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            form = TokenForm(assignments=active)
    return render(
        request,
        "orgs/user_detail.html",
        {
            "subject": subject,
            "assignments": assignments,
            "tokens": selectors.token_list(user=request.user, of_user=subject),
            "form": form,
            "raw_key": raw_key,
        },
    )


@login_required
@require_POST
def assignment_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_get(user=request.user, pk=pk)
    try:
        services.assignment_revoke(actor=request.user, assignment=assignment)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thu hồi vai trò."))
    return redirect("user_detail", pk=assignment.user_id)


@login_required
@require_POST
def switch_assignment(request: HttpRequest) -> HttpResponse:
    wanted = request.POST.get("assignment", "")
    mine = {str(a.pk): a for a in getattr(request, "assignments", [])}
    if wanted in mine:
        request.session[SESSION_KEY] = mine[wanted].pk
        messages.success(request, _("Đang làm việc với vai trò: %s") % mine[wanted])
    else:
        messages.error(request, _("Vai trò không hợp lệ."))
    return redirect("dashboard")


@login_required
def my_tokens(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    assignments = getattr(request, "assignments", [])
    form = TokenForm(request.POST or None, assignments=assignments)
    raw_key = None
    if request.method == "POST" and form.is_valid():
        chosen = next(a for a in assignments if a.pk == form.cleaned_data["assignment"])
        try:
            _token, raw_key = services.token_create(
                actor=user, assignment=chosen, name=form.cleaned_data["name"]
            )
        except ApplicationError as exc:
            _form_error(form, exc)
        else:
            form = TokenForm(assignments=assignments)
    return render(
        request,
        "orgs/tokens.html",
        {
            "form": form,
            "raw_key": raw_key,
            "tokens": selectors.token_list(user=user, of_user=user),
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = selectors.token_get(user=request.user, pk=pk)
    try:
        services.token_revoke(actor=request.user, token=token)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thu hồi khóa API."))
    if token.user_id == request.user.pk:
        return redirect("my_tokens")
    return redirect("user_detail", pk=token.user_id)


@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    _require(request, "audit.view")
    types = sorted(
        ((t, object_type_label(t)) for t in selectors.audit_object_types()),
        key=lambda choice: collation_key(choice[1]),
    )
    form = AuditFilterForm(request.GET or None, object_types=types)
    filters = selectors.AuditFilters()
    if form.is_valid():
        filters = selectors.AuditFilters(**form.cleaned_data)
    qs = selectors.audit_list(user=request.user, filters=filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    rows = [(e, object_type_label(e.object_type), change_rows(e)) for e in page.object_list]
    return render(request, "orgs/audit_list.html", {"page": page, "rows": rows, "form": form})
