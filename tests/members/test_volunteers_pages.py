"""The volunteers' pages: register with the duplicate check, the page with hours and teams, the
list with filters, printable and exported; teams; the rule page; the volunteers import."""

from __future__ import annotations

import contextlib
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from nhandao.core.errors import ApplicationError
from nhandao.imports import services as imports
from nhandao.members.models import ServiceHours, TeamMembership, Volunteer, VolunteerRule
from nhandao.orgs import services as orgs
from nhandao.orgs.models import Unit, UnitKind
from nhandao.people.models import Person
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def team(parent, name="Đội sơ cấp cứu Hoàn Kiếm"):
    unit = Unit(name=name, kind=UnitKind.TEAM, category="first_aid")
    return orgs.unit_bulk_add_children(parent=parent, units=[unit])[0]


def create(client, **kw):
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "birth": "12/03/2001",
        "phone": "0912345678",
        "kind": "volunteer",
        "skills": ["first_aid"],
        "availability": "Cuối tuần",
    }
    data.update(kw)
    return client.post(reverse("volunteer_create"), data)


def test_register_on_the_page_then_hours_and_team(client, tree, people):
    t = team(tree.hanoi)
    login(client, people.hn_officer)
    assert client.get(reverse("volunteer_create")).status_code == 200
    response = create(client)
    v = Volunteer.objects.get()
    assert response["Location"] == reverse("volunteer_detail", args=[v.pk])
    client.post(
        reverse("volunteer_hours", args=[v.pk]),
        {"served_on": TODAY.strftime("%d/%m/%Y"), "hours": "3,5", "activity": "Sơ cứu tại lễ hội"},
    )
    client.post(reverse("volunteer_team_add", args=[v.pk]), {"team": t.pk, "role": "Đội viên"})
    page = client.get(reverse("volunteer_detail", args=[v.pk])).content.decode()
    assert "Sơ cứu tại lễ hội" in page and "3,5" in page and t.name in page
    bad = client.post(
        reverse("volunteer_hours", args=[v.pk]),
        {"served_on": TODAY.strftime("%d/%m/%Y"), "hours": "30", "activity": "X"},
        follow=True,
    )
    assert "không quá 24 giờ" in bad.content.decode()
    m = TeamMembership.objects.get()
    team_page = client.get(reverse("team_detail", args=[t.pk])).content.decode()
    assert "Nguyễn Thị Hoa" in team_page and "Rời đội" in team_page
    client.post(reverse("team_member_remove", args=[t.pk, m.pk]))
    m.refresh_from_db()
    assert m.left_on == TODAY
    assert ServiceHours.objects.count() == 1
    assert client.get(reverse("team_list")).status_code == 200


def test_under_18_is_refused_on_the_page(client, tree, people):
    login(client, people.hn_officer)
    response = create(client, birth=f"01/01/{TODAY.year - 16}")
    assert "đủ 18 tuổi" in response.content.decode()
    assert not Person.objects.exists()


def test_duplicate_check_while_typing_and_picking_the_same_person(client, tree, people, register):
    existing = register("Nguyễn Thị Hoa", birth="12/03/2001", phone="0912345678").person
    login(client, people.hn_officer)
    found = client.get(
        reverse("volunteer_match"), {"full_name": "Nguyen Thi Hoa", "birth": "12/03/2001"}
    ).content.decode()
    assert "Cùng một người" in found and f'value="{existing.pk}"' in found
    create(client, existing=existing.pk)
    assert Volunteer.objects.get().person == existing and Person.objects.count() == 1


def test_list_filters_print_and_export(client, tree, people):
    login(client, people.hn_officer)
    create(client)
    create(client, full_name="Trần Văn Bình", phone="0987654321", kind="collaborator", skills=[])
    listing = client.get(reverse("volunteer_list"))
    assert listing.status_code == 200 and "window.print()" in listing.content.decode()
    only = client.get(reverse("volunteer_list"), {"kind": "collaborator"}).content.decode()
    assert "Trần Văn Bình" in only and "Nguyễn Thị Hoa" not in only
    skill = client.get(reverse("volunteer_list"), {"skill": "first_aid"}).content.decode()
    assert "Nguyễn Thị Hoa" in skill and "Trần Văn Bình" not in skill
    export = client.get(reverse("volunteer_export"), {"kind": "volunteer"})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0)
    cells = [str(v) for row in rows.to_python() for v in row if v not in ("", None)]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells
    assert "DANH SÁCH TÌNH NGUYỆN VIÊN, CỘNG TÁC VIÊN" in cells
    assert "Nguyễn Thị Hoa" in cells and "Trần Văn Bình" not in cells


def test_rule_page_for_administrators_only(client, tree, people):
    login(client, people.hn_officer)
    page = client.get(reverse("volunteer_rules"))
    assert page.status_code == 200 and "Lưu tiêu chí" not in page.content.decode()
    login(client, people.hn_admin)
    client.post(
        reverse("volunteer_rules"),
        {"unit": tree.hoan_kiem.pk, "min_hours": "8", "period_months": 3},
    )
    rule = VolunteerRule.objects.get()
    assert rule.unit == tree.hoan_kiem and rule.min_hours == 8
    assert client.post(reverse("volunteer_rules"), {"unit": tree.vinh_linh.pk}).status_code == 404


def test_viewer_and_anonymous(client, tree, people):
    assert client.get(reverse("volunteer_list")).status_code == 302  # to the sign-in page
    login(client, people.outsider)
    assert client.get(reverse("volunteer_list")).status_code == 200


HEADER = "STT,Họ và tên,Ngày sinh,Giới tính,Số điện thoại,Loại,Kỹ năng,Ngày tham gia\n"


def _import(user, unit, body):
    job = imports.import_upload(
        actor=actor(user),
        unit=unit,
        kind="volunteers",
        filename="tnv.csv",
        data=(HEADER + body).encode(),
    )
    mapping = {int(k): v for k, v in job.mapping.items()}
    job = imports.import_set_mapping(actor=actor(user), job=job, mapping=mapping)
    return imports.import_validate(job_id=job.pk)


def test_import_a_list_of_volunteers(tree, people):
    day = (TODAY - dt.timedelta(days=10)).strftime("%d/%m/%Y")
    job = _import(
        people.hn_officer,
        tree.hoan_kiem,
        f'1,Lê Văn An,1990,Nam,0912000001,Tình nguyện viên,"Sơ cấp cứu",{day}\n'
        f"2,Phạm Thị Bích,05/06/2010,Nữ,0912000002,CTV,,{day}\n",
    )
    assert job.counts.get("error", 0) == 0, job.counts
    imports.import_commit(actor=actor(people.hn_officer), job=job)
    rows = {v.person.full_name: v for v in Volunteer.objects.select_related("person")}
    assert rows["Lê Văn An"].kind == "volunteer" and rows["Phạm Thị Bích"].kind == "collaborator"
    assert [s.code for s in rows["Lê Văn An"].skills.all()] == ["first_aid"]


def test_import_names_bad_rows(tree, people):
    job = _import(
        people.hn_officer,
        tree.hoan_kiem,
        f"1,Lê Văn An,05/06/{TODAY.year - 15},Nam,0912000001,TNV,,\n"
        "2,Phạm Thị Bích,1990,Nữ,0912000002,Hội viên,Bay lượn,\n",
    )
    text = " ".join(p["message"] for row in job.rows.order_by("row_number") for p in row.problems)
    assert "đủ 18 tuổi" in text and "Loại «Hội viên»" in text and "Bay lượn" in text
    with contextlib.suppress(ApplicationError):  # rows in error are never written
        imports.import_commit(actor=actor(people.hn_officer), job=job)
    assert not Volunteer.objects.exists()


def _queries(client, url, params=None):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url, params or {}).status_code == 200
    return len(captured)


def test_lists_do_not_grow_queries_with_rows(client, tree, people):
    from nhandao.members import volunteers
    from nhandao.people.services import PersonData

    login(client, people.hn_officer)
    volunteers.rule_set(actor=actor(people.national), unit=tree.hanoi, min_hours=2, period_months=3)

    def add(n):
        for i in range(n):
            volunteers.volunteer_register(
                actor=actor(people.hn_officer),
                unit=tree.hoan_kiem,
                person=PersonData(full_name=f"Nguyễn Văn {'ABCDEGHIKL'[i]}", birth="1990"),
                data=volunteers.VolunteerData(skills=["first_aid"]),
            )

    add(2)
    pages = [reverse("volunteer_list"), "/api/v1/volunteers"]
    before = [_queries(client, url, q) for url in pages for q in ({}, {"active": "no"})]
    Volunteer.objects.all().delete()
    add(8)
    after = [_queries(client, url, q) for url in pages for q in ({}, {"active": "no"})]
    assert before == after
    assert "Nguyễn Văn I" in client.get(reverse("volunteer_list")).content.decode()


def test_edit_a_volunteer(client, tree, people):
    login(client, people.hn_officer)
    create(client, kind="collaborator", birth=f"01/01/{TODAY.year - 16}")
    v = Volunteer.objects.get()
    url = reverse("volunteer_edit", args=[v.pk])
    assert client.get(url).status_code == 200
    refused = client.post(url, {"kind": "volunteer", "skills": [], "rank": "Hạng 1"})
    assert "đủ 18 tuổi" in refused.content.decode()  # a minor collaborator stays one
    client.post(url, {"kind": "collaborator", "skills": ["first_aid"], "rank": "Hạng 1"})
    v.refresh_from_db()
    assert v.rank == "Hạng 1" and [s.code for s in v.skills.all()] == ["first_aid"]


def test_the_pager_keeps_the_filters(client, tree, people):
    from nhandao.members import volunteers
    from nhandao.people.services import PersonData

    for i in range(51):
        volunteers.volunteer_register(
            actor=actor(people.hn_officer),
            unit=tree.hoan_kiem,
            person=PersonData(full_name="Nguyễn Văn An", birth=str(1950 + i)),
            data=volunteers.VolunteerData(kind="collaborator"),
        )
    login(client, people.hn_officer)
    page = client.get(reverse("volunteer_list"), {"kind": "collaborator", "page": 1})
    assert (
        "?q=&amp;kind=collaborator&amp;skill=&amp;team=&amp;active=&amp;page=2"
        in (page.content.decode())
        or "kind=collaborator&amp;page=2" in page.content.decode()
    )
