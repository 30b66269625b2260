"""A list of aid given, through the one import pipeline: recipients found by code, citizen ID or
name with birth year; unknown people and refused gifts named by row; all or nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.aid.importers import parse_kind
from nhandao.aid.models import AidRecord
from nhandao.campaigns.models import Campaign
from nhandao.core.errors import ApplicationError
from nhandao.imports import services
from nhandao.imports.models import ImportResult
from tests.campaigns.conftest import TetSetup, make_campaign, tet  # noqa: F401
from tests.conftest import actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HEADER = "STT,Phong trào,Mã người nhận,Số CCCD,Họ và tên,Năm sinh,Hình thức,Giá trị,Ngày trao\n"


@pytest.fixture
def running(tet):  # noqa: F811
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=40)
    )
    tet.campaign.refresh_from_db()
    return tet


def _import(user, unit, body: str):
    job = services.import_upload(
        actor=actor(user),
        unit=unit,
        kind="aid",
        filename="ds-nhan-qua.csv",
        data=(HEADER + body).encode(),
    )
    mapping = {int(k): v for k, v in job.mapping.items()}
    job = services.import_set_mapping(actor=actor(user), job=job, mapping=mapping)
    return services.import_validate(job_id=job.pk)


def test_kind_words():
    assert parse_kind("Tiền mặt") == "cash"
    assert parse_kind("Quà Tết") == "gift"
    assert parse_kind("") == "gift"
    assert parse_kind("Bò giống") == "livelihood"
    assert parse_kind("xyz") is None


def test_a_list_of_gifts_is_recorded(running, people, tree, register):
    em = register("Hoàng Văn Em", groups=["poor"], birth="1955", id_number="001055012345").person
    day = TODAY.strftime("%d/%m/%Y")
    name = running.campaign.name
    job = _import(
        people.hn_officer,
        tree.hoan_kiem,
        f"1,{name},P{running.an.pk},,,,Quà,500.000,{day}\n"
        f"2,{running.campaign.pk},,001055012345,,,Tiền mặt,1.000.000,{day}\n"
        f"3,{name},,,Lê Văn Bình,1960,Quà,500000,{day}\n",
    )
    assert job.counts.get("error", 0) == 0, job.counts
    job = services.import_commit(actor=actor(people.hn_officer), job=job)
    records = AidRecord.objects.order_by("pk")
    assert [(r.person_id, r.kind, r.value) for r in records] == [
        (running.an.pk, "gift", 500_000),
        (em.pk, "cash", 1_000_000),
        (running.binh.pk, "gift", 500_000),
    ]
    assert ImportResult.objects.filter(job=job).count() == 3


def test_bad_values_are_named_at_validation(running, people, tree):
    job = _import(
        people.hn_officer,
        tree.hoan_kiem,
        f"1,{running.campaign.pk},X12,,,,Quà,500.000,\n"
        f"2,{running.campaign.pk},,,Lê Văn Bình,,Quà,500.000,\n"
        f"3,{running.campaign.pk},P1,,,,Kẹo kéo,-5,\n",
    )
    problems = [p["message"] for row in job.rows.order_by("row_number") for p in row.problems]
    text = " ".join(problems)
    assert "không đúng dạng" in text and "cần thêm năm sinh" in text
    assert "Không rõ hình thức" in text and "không được âm" in text


def test_unknown_people_and_overlaps_write_nothing(running, people, tree):
    day = TODAY.strftime("%d/%m/%Y")
    c = running.campaign.pk
    job = _import(
        people.hn_officer,
        tree.hoan_kiem,
        f"1,{c},P{running.binh.pk},,,,Quà,500.000,{day}\n"
        f"2,{c},,,Không Có Ai,1999,Quà,500.000,{day}\n"
        f"3,{c},P{running.an_wife.pk},,,,Quà,500.000,{day}\n"
        f"4,{c},P{running.an.pk},,,,Quà,500.000,{day}\n"
        f"5,{c},P{running.cuc.pk},,,,Quà,500.000,{day}\n",
    )
    with pytest.raises(ApplicationError) as caught:
        services.import_commit(actor=actor(people.hn_officer), job=job)
    message = caught.value.message
    assert "Dòng 3" in message and "Không Có Ai" in message  # row 2 of data is line 3
    assert "Dòng 5" in message and "đã nhận" in message  # An's household already got one
    assert "Dòng 6" in message  # Cúc lives in Ba Đình, outside the job's unit
    assert not AidRecord.objects.exists()


def test_the_list_is_offered_with_its_template(client, people):
    from django.urls import reverse

    from tests.conftest import login

    login(client, people.clerk)
    assert "Danh sách nhận hỗ trợ" in client.get(reverse("import_list")).content.decode()
    response = client.get(reverse("import_template", args=["aid"]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
