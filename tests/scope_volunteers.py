"""Scope registrations of the volunteers, teams, staff and applications pages and API paths (see
tests/scope_registry.py): each maker builds the object in Quảng Trị, outside Hà Nội."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.scope_registry import register, register_api


def _qt_volunteer(tree: Any, people: Any) -> Any:
    from nhandao.members import volunteers
    from nhandao.people.services import PersonData

    return volunteers.volunteer_register(
        actor=people.outsider,
        unit=tree.vinh_linh,
        person=PersonData(full_name="Trần Văn Hiếu", birth="12/03/2000"),
        data=volunteers.VolunteerData(joined_on=dt.date(2026, 1, 5)),
    )


def _qt_team(tree: Any) -> Any:
    from nhandao.orgs import services
    from nhandao.orgs.models import Unit, UnitKind

    team = Unit(name="Đội sơ cấp cứu Vĩnh Linh", kind=UnitKind.TEAM, category="first_aid")
    return services.unit_bulk_add_children(parent=tree.vinh_linh, units=[team])[0]


@register("volunteer_detail", "volunteer_edit", "volunteer_hours", "volunteer_team_add")
def _volunteer(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_volunteer(tree, people).pk}


@register_api("/api/v1/volunteers/{volunteer_id}", "/api/v1/volunteers/{volunteer_id}/hours")
def _api_volunteer(tree: Any, people: Any) -> dict[str, Any]:
    return {"volunteer_id": _qt_volunteer(tree, people).pk}


@register("team_detail")
def _team(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_team(tree).pk}


@register("team_member_remove")
def _team_member(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.members import volunteers

    team = _qt_team(tree)
    membership = volunteers.team_add(
        actor=people.outsider, team=team, volunteer=_qt_volunteer(tree, people)
    )
    return {"pk": team.pk, "membership_id": membership.pk}


@register("staff_detail", "staff_edit")
def _staff(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.members import staff
    from nhandao.people.services import PersonData

    s = staff.staff_add(
        actor=people.outsider,
        unit=tree.vinh_linh,
        person=PersonData(full_name="Lê Thị Thu", birth="1980"),
        data=staff.StaffData(
            position="Chủ tịch",
            employment="full_time",
            basis="elected",
            term_from=dt.date(2026, 1, 1),
            term_to=dt.date(2031, 12, 31),
        ),
    )
    return {"pk": s.pk}


@register("application_detail", "application_confirm", "application_reject")
def _application(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.members import applications

    app = applications.application_submit(
        data=applications.ApplicationData(
            kind="volunteer",
            unit_id=tree.vl_branch.pk,
            full_name="Phan Văn Long",
            birth="01/01/1999",
            phone="0912345678",
        ),
        ip="127.0.0.1",
    )
    return {"pk": app.pk}
