"""Scope registrations of the training pages and API paths (see tests/scope_registry.py): a
course of xã Vĩnh Linh (Quảng Trị) with one participant who holds a certificate."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.scope_registry import register, register_api


def _qt_course(tree: Any, people: Any) -> Any:
    from nhandao.training.models import Course

    return Course.objects.create(
        unit=tree.vinh_linh,
        topic="first_aid",
        title="Sơ cấp cứu ban đầu xã Vĩnh Linh",
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 3),
        certificate_valid_months=24,
    )


def _qt_person(tree: Any, people: Any) -> Any:
    from nhandao.people.models import Person

    return Person.objects.create(unit=tree.vinh_linh, full_name="Nguyễn Thị Sơn")


def _qt_participant(tree: Any, people: Any) -> Any:
    from nhandao.training.models import Participant

    n = Participant.objects.count() + 1
    return Participant.objects.create(
        course=_qt_course(tree, people),
        person=_qt_person(tree, people),
        unit=tree.vinh_linh,
        attended_days=2,
        result="passed",
        certificate_no=f"{n}/2026/CN-HCTĐ-VL",
        certificate_issued_on=dt.date(2026, 3, 3),
        certificate_expires_on=dt.date(2028, 3, 3),
    )


@register("training_course_detail", "training_participant_add")
def _course(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_course(tree, people).pk}


@register("training_participant_edit", "training_certificate")
def _participant(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_participant(tree, people).pk}


@register("training_person")
def _person(tree: Any, people: Any) -> dict[str, Any]:
    return {"person_id": _qt_participant(tree, people).person_id}


@register_api(
    "/api/v1/training/courses/{course_id}", "/api/v1/training/courses/{course_id}/participants"
)
def _api_course(tree: Any, people: Any) -> dict[str, Any]:
    return {"course_id": _qt_course(tree, people).pk}


@register_api(
    "/api/v1/training/participants/{participant_id}/result",
    "/api/v1/training/participants/{participant_id}/certificate",
)
def _api_participant(tree: Any, people: Any) -> dict[str, Any]:
    return {"participant_id": _qt_participant(tree, people).pk}
