"""JSON API of the chapter tree and the current user; same selectors, same scope as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import PageNumberPagination, paginate

from nhandao.core.pagination import PageSource

from . import selectors
from .models import RoleAssignment, Unit

router = Router(tags=["units"])


class Pages(PageNumberPagination):
    """Page numbers bounded so that a huge page can never reach the database as an OFFSET."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=100_000)
        page_size: int | None = Field(None, ge=1, le=500)


class ErrorOut(Schema):
    detail: str


ERRORS = {401: ErrorOut, 404: ErrorOut}


class AssignmentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    role: str
    role_name: str


class MeOut(Schema):
    id: int
    username: str
    full_name: str
    active_assignment: AssignmentOut | None
    assignments: list[AssignmentOut]


class UnitOut(Schema):
    id: int
    name: str
    short_code: str | None
    kind: str
    kind_label: str
    category: str
    depth: int
    parent_id: int | None
    is_active: bool
    active_from: dt.date | None
    active_to: dt.date | None
    merged_into_id: int | None
    province_code: int | None
    ward_code: int | None
    child_count: int


def _assignment_out(a: RoleAssignment) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk, unit_id=a.unit_id, unit_name=a.unit.name, role=a.role_id, role_name=a.role.name
    )


def _unit_out(u: Unit, parent_ids: dict[str, int]) -> UnitOut:
    return UnitOut(
        id=u.pk,
        name=u.name,
        short_code=u.short_code,
        kind=u.kind,
        kind_label=str(u.get_kind_display()),
        category=u.category,
        depth=u.depth,
        parent_id=parent_ids.get(u.path[: -Unit.steplen]),
        is_active=u.is_active,
        active_from=u.active_from,
        active_to=u.active_to,
        merged_into_id=u.merged_into_id,
        province_code=u.province_id,
        ward_code=u.ward_id,
        child_count=u.numchild,
    )


def _parent_ids(units: list[Unit]) -> dict[str, int]:
    paths = {u.path[: -Unit.steplen] for u in units if u.depth > 1}
    return selectors.unit_ids_by_path(paths=paths)


@router.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["me"], summary="Người dùng hiện tại")
def me(request: HttpRequest) -> MeOut:
    user = request.auth  # type: ignore[attr-defined]
    assignments = selectors.assignment_list_for_user(user=user)
    active = user.active_assignment
    return MeOut(
        id=user.pk,
        username=user.username,
        full_name=user.full_name,
        active_assignment=_assignment_out(active) if active else None,
        assignments=[_assignment_out(a) for a in assignments],
    )


@router.get(
    "/units", response={200: list[UnitOut], **ERRORS}, summary="Danh sách đơn vị trong phạm vi"
)
@paginate(Pages, page_size=100)
def unit_list(
    request: HttpRequest,
    q: str = "",
    kind: str = "",
    active: bool | None = None,
    parent: int | None = None,
) -> list[UnitOut]:
    user = request.auth  # type: ignore[attr-defined]
    parent_unit = selectors.unit_get(user=user, pk=parent) if parent is not None else None
    qs = selectors.unit_list(user=user, query=q[:100], kind=kind, active=active, parent=parent_unit)
    return PageSource(qs, _units_out)  # type: ignore[return-value]


def _units_out(units: list[Unit]) -> list[UnitOut]:
    parents = _parent_ids(units)
    return [_unit_out(u, parents) for u in units]


@router.get("/units/{unit_id}", response={200: UnitOut, **ERRORS}, summary="Một đơn vị")
def unit_detail(request: HttpRequest, unit_id: int) -> UnitOut:
    unit = selectors.unit_get(user=request.auth, pk=unit_id)  # type: ignore[attr-defined]
    return _unit_out(unit, _parent_ids([unit]))


@router.get(
    "/units/{unit_id}/children",
    response={200: list[UnitOut], **ERRORS},
    summary="Đơn vị trực thuộc",
)
def unit_children(request: HttpRequest, unit_id: int) -> list[UnitOut]:
    user = request.auth  # type: ignore[attr-defined]
    unit = selectors.unit_get(user=user, pk=unit_id)
    children = selectors.unit_children(user=user, unit=unit)
    return [_unit_out(c, {unit.path: unit.pk}) for c in children]
