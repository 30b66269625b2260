"""A course's participants through the one import pipeline (list kind ``course_participants``):
people found by code, citizen ID or name with birth year; results recorded; problems named by row
and nothing written."""

from __future__ import annotations

import pytest

from nhandao.core.errors import ApplicationError
from nhandao.imports import services
from nhandao.imports.models import ImportResult
from nhandao.training.models import Participant
from tests.conftest import actor

from .conftest import make_person

pytestmark = pytest.mark.django_db
HEADER = "STT,Lớp tập huấn,Mã người,Số CCCD,Họ và tên,Năm sinh,Số buổi tham dự,Kết quả,Điểm\n"


def _import(user, unit, body: str):
    job = services.import_upload(
        actor=actor(user),
        unit=unit,
        kind="course_participants",
        filename="hoc-vien.csv",
        data=(HEADER + body).encode(),
    )
    mapping = {int(k): v for k, v in job.mapping.items()}
    job = services.import_set_mapping(actor=actor(user), job=job, mapping=mapping)
    return services.import_validate(job_id=job.pk)


def test_a_list_of_participants_is_enrolled_with_results(tree, people, course):
    lan = make_person(
        people.hn_officer, tree.hoan_kiem, "Phạm Thị Lan", "1992", id_number="001192012345"
    )
    c = course.course
    job = _import(
        people.hn_officer,
        tree.hoan_kiem,
        f'1,{c.pk},P{course.hoa.pk},,,,2,Đạt,"8,5"\n'
        f"2,{c.title},,001192012345,,,1,Không đạt,\n"
        f"3,{c.pk},,,Lê Văn Minh,1988,,,\n",
    )
    assert job.counts.get("error", 0) == 0, job.counts
    job = services.import_commit(actor=actor(people.hn_officer), job=job)
    rows = Participant.objects.order_by("pk")
    assert [(p.person_id, p.attended_days, p.result, str(p.score)) for p in rows] == [
        (course.hoa.pk, 2, "passed", "8.5"),
        (lan.pk, 1, "failed", "None"),
        (course.minh.pk, 0, "", "None"),
    ]
    assert ImportResult.objects.filter(job=job).count() == 3


def test_bad_rows_are_named_and_nothing_is_written(tree, people, course):
    c = course.course
    job = _import(people.hn_officer, tree.hoan_kiem, f"1,{c.pk},X1,,,,hai,Giỏi,\n")
    text = " ".join(p["message"] for row in job.rows.all() for p in row.problems)
    assert "không đúng dạng" in text and "không phải số" in text and "Đạt hoặc Không đạt" in text
    job = _import(
        people.hn_officer,
        tree.hoan_kiem,
        f"1,{c.pk},P{course.hoa.pk},,,,2,Đạt,\n"
        f"2,{c.pk},,,Không Có Ai,1999,,,\n"
        f"3,9999,P{course.minh.pk},,,,,,\n",
    )
    with pytest.raises(ApplicationError) as caught:
        services.import_commit(actor=actor(people.hn_officer), job=job)
    assert "Dòng 3" in caught.value.message and "Không Có Ai" in caught.value.message
    assert "Dòng 4" in caught.value.message and "9999" in caught.value.message
    assert not Participant.objects.exists()


def test_the_list_is_offered_with_its_template(client, people):
    from django.urls import reverse

    from tests.conftest import login

    login(client, people.clerk)
    assert "Danh sách học viên lớp tập huấn" in client.get(reverse("import_list")).content.decode()
    response = client.get(reverse("import_template", args=["course_participants"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
