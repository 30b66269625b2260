"""Every read of the chapter tree, users and assignments, always through the user's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from nhandao.core.audit import audit_events_for
from nhandao.core.models import AuditEvent
from nhandao.core.scoping import get_visible_or_404, path_filter, scope_paths
from nhandao.core.text import fold

from .models import ApiToken, Role, RoleAssignment, Unit, UnitKind, User

STEPLEN = Unit.steplen


def assignment_list_for_user(*, user: Any) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.filter(user=user, is_active=True, unit__is_active=True)
        .select_related("unit", "role")
        .order_by("role__rank", "unit__path")
    )


def unit_get(*, user: Any, pk: Any) -> Unit:
    """Fetch-and-authorise: out of scope answers the same 404 as a missing unit."""
    return get_visible_or_404(Unit.objects.all(), user, pk=pk)


def unit_list(
    *,
    user: Any,
    query: str = "",
    kind: str = "",
    active: bool | None = None,
    parent: Unit | None = None,
) -> QuerySet[Unit]:
    qs = Unit.objects.visible_to(user)
    if query:
        qs = qs.filter(search_key__contains=fold(query))
    if kind:
        qs = qs.filter(kind=kind)
    if active is not None:
        qs = qs.filter(is_active=active)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    return qs.order_by("depth", "sort_key", "pk")


def unit_parent_name(unit: Unit) -> str:
    """The name of the unit right above ``unit`` ("" for the national office): the managing body
    an official list or document names above the unit that issues it."""
    parent = type(unit).objects.get_parent(unit) if unit.depth > 1 else None
    return parent.name if parent is not None else ""


def unit_ward_id(unit: Unit) -> int | None:
    """The commune a unit works in: its own, or that of the nearest unit above it that has one
    (a branch or team of a commune chapter); None above the communes."""
    if unit.ward_id:
        return unit.ward_id
    ancestors = type(unit).objects.get_ancestors(unit).exclude(ward_id=None).order_by("-depth")
    return ancestors.values_list("ward_id", flat=True).first()


def unit_scope_roots(*, user: Any) -> list[Unit]:
    """The top units a user can see: their assignment units, or the root for system admins."""
    paths = scope_paths(user)
    if paths is None:
        return list(Unit.objects.filter(depth=1).order_by("path"))
    if not paths:
        return []
    return list(Unit.objects.filter(path__in=paths).order_by("sort_key"))


def unit_children(
    *, user: Any, unit: Unit, include_inactive: bool = True, limit: int | None = None
) -> list[Unit]:
    qs = unit_list(user=user, parent=unit)
    if not include_inactive:
        qs = qs.filter(is_active=True)
    qs = qs.select_related("merged_into").order_by("-is_active", "kind", "sort_key")
    return list(qs[:limit] if limit else qs)


def unit_ancestors(*, user: Any, unit: Unit) -> list[Unit]:
    """Breadcrumb: the visible ancestors of a unit, top first (one query)."""
    prefixes = [unit.path[:i] for i in range(STEPLEN, len(unit.path), STEPLEN)]
    if not prefixes:
        return []
    return list(Unit.objects.visible_to(user).filter(path__in=prefixes).order_by("depth"))


def unit_search(*, user: Any, query: str, limit: int = 50) -> list[tuple[Unit, str]]:
    """Units whose name matches with or without diacritics, each with its place in the tree."""
    key = fold(query)
    if not key:
        return []
    units = list(
        Unit.objects.visible_to(user)
        .filter(search_key__contains=key)
        .order_by("-is_active", "depth", "sort_key")[:limit]
    )
    prefixes = {u.path[:i] for u in units for i in range(STEPLEN, len(u.path), STEPLEN)}
    names = dict(Unit.objects.filter(path__in=prefixes).values_list("path", "name"))
    result = []
    for u in units:
        trail = [
            names[u.path[:i]] for i in range(STEPLEN, len(u.path), STEPLEN) if u.path[:i] in names
        ]
        result.append((u, " › ".join(trail[-2:])))
    return result


@dataclass(frozen=True)
class LevelCount:
    kind: str
    label: str
    active: int
    inactive: int


def unit_subtree_counts(*, unit: Unit) -> list[LevelCount]:
    """Counts per level in a subtree, in tree order (one aggregate query)."""
    rows = (
        Unit.objects.filter(path__startswith=unit.path)
        .order_by()
        .values("kind")
        .annotate(
            active=Count("pk", filter=Q(is_active=True)),
            inactive=Count("pk", filter=Q(is_active=False)),
        )
    )
    by_kind = {r["kind"]: r for r in rows}
    return [
        LevelCount(
            kind=k.value,
            label=str(k.label),
            active=by_kind[k]["active"],
            inactive=by_kind[k]["inactive"],
        )
        for k in UnitKind
        if k in by_kind
    ]


def unit_history(*, unit: Unit) -> QuerySet[AuditEvent]:
    return audit_events_for(object_type="orgs.unit", object_id=str(unit.pk))


def unit_merge_candidates(*, user: Any, target: Unit) -> list[Unit]:
    """Active units of the same kind under the same parent as the target, inside the scope."""
    parent_path = target.path[:-STEPLEN]
    return list(
        Unit.objects.visible_to(user)
        .filter(path__startswith=parent_path, depth=target.depth, kind=target.kind, is_active=True)
        .exclude(pk=target.pk)
        .order_by("sort_key")
    )


def unit_move_targets(*, user: Any, unit: Unit, query: str = "") -> list[Unit]:
    from .rules import ALLOWED_PARENTS

    qs = (
        Unit.objects.visible_to(user)
        .filter(is_active=True, kind__in=ALLOWED_PARENTS[unit.kind])
        .exclude(path__startswith=unit.path)
    )
    if query:
        qs = qs.filter(search_key__contains=fold(query))
    return list(qs.order_by("depth", "sort_key")[:200])


def role_list() -> QuerySet[Role]:
    return Role.objects.all()


def roles_grantable(*, user: Any) -> QuerySet[Role]:
    qs = Role.objects.all()
    if scope_paths(user) is not None:
        qs = qs.exclude(code=Role.SYSTEM_ADMIN)
    return qs


def user_list(*, user: Any, query: str = "") -> QuerySet[User]:
    """Users with at least one assignment inside the viewer's scope."""
    paths = scope_paths(user)
    qs = User.objects.all()
    if paths is not None:
        qs = qs.filter(path_filter("assignments__unit__path", paths)).distinct()
    if query:
        qs = qs.filter(Q(username__icontains=query) | Q(full_name__icontains=query))
    return qs.order_by("sort_key", "username").prefetch_related(
        "assignments__unit", "assignments__role"
    )


def user_get(*, user: Any, pk: Any) -> User:
    from django.http import Http404

    try:
        return user_list(user=user).get(pk=pk)
    except (User.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc


def assignment_get(*, user: Any, pk: Any) -> RoleAssignment:
    return get_visible_or_404(
        RoleAssignment.objects.select_related("unit", "role", "user"), user, pk=pk
    )


def assignments_visible(*, user: Any, of_user: User) -> list[RoleAssignment]:
    return list(
        RoleAssignment.objects.visible_to(user)
        .filter(user=of_user)
        .select_related("unit", "role")
        .order_by("-is_active", "role__rank")
    )


def token_list(*, user: Any, of_user: User) -> list[ApiToken]:
    qs: Any = ApiToken.objects.filter(user=of_user).select_related(
        "assignment__unit", "assignment__role"
    )
    if of_user.pk != user.pk:
        qs = qs.visible_to(user)
    return list(qs.order_by("-created_at"))


def token_get(*, user: Any, pk: Any) -> ApiToken:
    from django.http import Http404

    qs = ApiToken.objects.select_related("assignment__unit", "assignment__role", "user")
    try:
        token = qs.get(pk=pk)
    except (ApiToken.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    if token.user_id == user.pk:
        return token
    return get_visible_or_404(qs, user, pk=pk)


@dataclass
class AuditFilters:
    actor: str = ""
    action: str = ""
    object_type: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None


def audit_list(*, user: Any, filters: AuditFilters | None = None) -> QuerySet[AuditEvent]:
    paths = scope_paths(user)
    qs = AuditEvent.objects.select_related("actor")
    if paths is not None:
        qs = qs.filter(path_filter("unit_path", paths))
    f = filters or AuditFilters()
    if f.actor:
        qs = qs.filter(actor_label__icontains=f.actor.strip())
    if f.action:
        qs = qs.filter(action=f.action)
    if f.object_type:
        qs = qs.filter(object_type=f.object_type)
    # Days as Vietnam reckons them (the events' times are UTC).
    tz = timezone.get_current_timezone()
    if f.date_from:
        qs = qs.filter(at__gte=dt.datetime.combine(f.date_from, dt.time.min, tzinfo=tz))
    if f.date_to:
        qs = qs.filter(
            at__lt=dt.datetime.combine(f.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        )
    return qs


def audit_object_types() -> list[str]:
    """The kinds of record the trail may name (its filter's choices): the system's own models,
    read from the code, not from the trail (a DISTINCT over every event in scope on each page
    would grow with the trail, which logs every view of personal data)."""
    from django.apps import apps

    return [m._meta.label_lower for m in apps.get_models() if m.__module__.startswith("nhandao.")]


def user_by_username(*, username: str) -> User:
    from django.utils.translation import gettext as _

    from nhandao.core.errors import ApplicationError

    found = User.objects.filter(username=username.strip().lower(), is_active=True).first()
    if found is None:
        raise ApplicationError(_("Không có người dùng «%s».") % username, field="username")
    return found


def unit_assignments(*, user: Any, unit: Unit) -> list[RoleAssignment]:
    """Active assignments held at this unit (not below it)."""
    return list(
        RoleAssignment.objects.visible_to(user)
        .filter(unit=unit, is_active=True)
        .select_related("user", "role")
        .order_by("role__rank", "user__username")
    )


def unit_ids_by_path(*, paths: set[str]) -> dict[str, int]:
    """Primary keys of the units at these paths (used to give parent ids without a join per row)."""
    return dict(Unit.objects.filter(path__in=paths).values_list("path", "pk"))
