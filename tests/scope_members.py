"""Scope registrations of the members pages and API paths (see tests/scope_registry.py): a member,
a unit whose members move on a merger, and a school branch, all in Quảng Trị."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.scope_registry import register, register_api


def _qt_member(tree: Any, people: Any) -> Any:
    from nhandao.members import services
    from nhandao.members.models import Member
    from nhandao.people.services import PersonData

    existing = Member.objects.filter(card_no="QT-000001").first()
    if existing is not None:
        return existing
    return services.member_register(
        actor=people.national,
        unit=tree.vl_branch,
        person=PersonData(full_name="Trần Văn Hiến", birth="12/03/1970", sex="male"),
        joined_on=dt.date(2020, 5, 1),
        card_no="QT-000001",
    )


def _qt_school(tree: Any, people: Any) -> Any:
    from nhandao.orgs import services
    from nhandao.orgs.models import Unit, UnitKind

    found = Unit.objects.filter(path__startswith=tree.vinh_linh.path, category="school").first()
    if found is not None:
        return found
    school = Unit(name="Chi hội Trường THCS Vĩnh Linh", kind=UnitKind.BRANCH, category="school")
    return services.unit_bulk_add_children(parent=tree.vinh_linh, units=[school])[0]


@register(
    "member_detail",
    "member_card",
    "member_card_issue",
    "member_status",
    "member_dues",
    "member_transfer",
)
def _member(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_member(tree, people).pk}


@register("unit_members_transfer")
def _unit(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": tree.vl_branch.pk}


@register("school_detail", "youth_create", "youth_export", "youth_promote", "youth_activity_create")
def _school(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_school(tree, people).pk}


@register_api(
    "/api/v1/members/{member_id}",
    "/api/v1/members/{member_id}/dues",
    "/api/v1/members/{member_id}/transfers",
)
def _api_member(tree: Any, people: Any) -> dict[str, Any]:
    return {"member_id": _qt_member(tree, people).pk}
