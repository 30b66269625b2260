"""The scoping layer: the only way a view, an API endpoint, an export or a report reads scoped rows.

A user's scope is a set of tree paths (materialised paths of the chapter tree). A scoped row is
visible when the path of its owning unit starts with one of them. ``None`` means "everything"
(system administrators); an empty list means "nothing".
"""

from __future__ import annotations

from typing import Any, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

M = TypeVar("M", bound=models.Model)
MAX_ID = 2**63 - 1


def scope_paths(user: Any) -> list[str] | None:
    """Tree paths the user may see, or None for no restriction. Anonymous users see nothing."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    resolver = getattr(user, "scope_paths", None)
    if resolver is None:
        return []
    result: list[str] | None = resolver()
    return result


def path_filter(field: str, paths: list[str]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


class ScopedQuerySet(models.QuerySet[M]):
    """QuerySet of rows owned by a unit. Subclasses name the lookup that reaches the unit's path."""

    scope_path_field = "unit__path"

    def visible_to(self, user: Any) -> Self:
        paths = scope_paths(user)
        if paths is None:
            return self.all()
        if not paths:
            return self.none()
        return self.filter(path_filter(self.scope_path_field, paths))


def get_visible_or_404(queryset: models.QuerySet[M], user: Any, **lookup: Any) -> M:
    """Fetch one row through the user's scope; missing and out-of-scope answer the same 404."""
    for value in lookup.values():
        if isinstance(value, int) and not 0 < value <= MAX_ID:
            raise Http404  # out of range for a bigint primary key: it cannot exist
    visible = queryset.visible_to(user)  # type: ignore[attr-defined]
    try:
        obj: M = visible.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404 from exc
    return obj
