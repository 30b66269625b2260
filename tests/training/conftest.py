"""A first-aid course of phường Hoàn Kiếm (Hà Nội) and people of the registry to enrol."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from nhandao.people.services import PersonData, person_check, person_create
from nhandao.training import services
from tests.conftest import actor


@dataclass
class Course:
    course: Any
    hoa: Any
    minh: Any


def make_person(user: Any, unit: Any, full_name: str, birth: str = "1990", **more: Any) -> Any:
    checked = person_check(PersonData(full_name=full_name, birth=birth, **more))
    return person_create(actor=actor(user), unit=unit, checked=checked)


def first_aid(user: Any, unit: Any, **more: Any) -> Any:
    data = services.CourseData(
        topic="first_aid",
        title=more.pop("title", "Sơ cấp cứu ban đầu 2026"),
        starts_on=more.pop("starts_on", dt.date(2026, 3, 2)),
        ends_on=more.pop("ends_on", dt.date(2026, 3, 3)),
        place="Nhà văn hóa phường Hoàn Kiếm",
        trainers="BS. Phạm Văn Lâm",
        **more,
    )
    return services.course_create(actor=actor(user), unit=unit, data=data)


@pytest.fixture
def course(tree, people) -> Course:
    c = first_aid(people.hn_officer, tree.hoan_kiem)
    hoa = make_person(people.hn_officer, tree.hoan_kiem, "Trần Thị Hoa", "1995", phone="0912345678")
    minh = make_person(people.hn_officer, tree.hk_branch, "Lê Văn Minh", "1988")
    return Course(c, hoa, minh)


def passed(user: Any, course: Any, person: Any, days: int = 2) -> Any:
    p = services.participant_add(actor=actor(user), course=course, person=person)
    return services.participant_record(
        actor=actor(user), participant=p, attended_days=days, result="passed", score=None
    )
