"""The members pages: dashboard, list with filters, register with the duplicate check, the
member's page, the printable card, dues refused with a clear message, transfers, a merger's bulk
transfer, the .xlsx, and the branches in agencies and enterprises."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.members import services
from nhandao.members.models import Dues, Member
from nhandao.orgs import services as orgs
from nhandao.orgs.models import Unit, UnitKind
from nhandao.people.services import PersonData
from tests.conftest import actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
D = TODAY.strftime("%d/%m/%Y")


def member(people, unit, name="Nguyễn Thị Lan", **kw):
    return services.member_register(
        actor=actor(people.hn_admin),
        unit=unit,
        person=PersonData(full_name=name, birth="12/03/1980", sex="female"),
        joined_on=kw.get("joined", dt.date(TODAY.year - 1, 5, 1)),
        card_no=kw.get("card_no", ""),
    )


def test_dashboard_and_list(people, tree, as_user):
    member(people, tree.hk_branch)
    member(people, tree.ba_dinh, name="Trần Văn Bình")
    c = as_user(people.hn_officer)
    r = c.get("/members/")
    body = r.content.decode()
    assert r.status_code == 200 and tree.hoan_kiem.name in body and tree.ba_dinh.name in body
    r = c.get("/members/list/?q=tran van")
    body = r.content.decode()
    assert "Trần Văn Bình" in body and "Nguyễn Thị Lan" not in body
    r = c.get("/members/list/export.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    assert (
        as_user(people.outsider)
        .get("/members/list/?q=lan")
        .content.decode()
        .count("Nguyễn Thị Lan")
        == 0
    )


def test_register_offers_the_existing_person_first(people, tree, as_user, register):
    existing = register("Lê Thị Cúc", birth="05/06/1975", id_number="001175012345").person
    c = as_user(people.hn_admin)
    form = {
        "full_name": "Lê Thị Cúc",
        "birth": "05/06/1975",
        "sex": "female",
        "id_number": "001175012345",
        "phone": "",
        "unit": tree.hk_branch.pk,
        "joined_on": D,
        "card_no": "",
    }
    r = c.post("/members/new/", form)
    assert r.status_code == 200 and "Đúng người này" in r.content.decode()
    r = c.post("/members/new/", {**form, "person": existing.pk, "confirm": "1"})
    assert r.status_code == 302
    m = Member.objects.get()
    assert m.person_id == existing.pk and m.unit_id == tree.hk_branch.pk


def test_member_page_card_dues_transfer(people, tree, as_user):
    m = member(people, tree.hk_branch)
    c = as_user(people.hn_admin)
    r = c.post(f"/members/{m.pk}/card/issue/", {"card_no": "", "on": D})
    assert r.status_code == 302
    m.refresh_from_db()
    assert m.card_no.endswith("000001")
    r = c.get(f"/members/{m.pk}/card/")
    body = r.content.decode()
    assert r.status_code == 200 and m.card_no in body and "<svg" in body and "85.6mm" in body
    r = c.post(
        f"/members/{m.pk}/dues/", {"year": TODAY.year - 3, "status": "paid", "amount": "24.000"}
    )
    assert r.status_code == 400
    assert "trước năm vào Hội" in r.content.decode()
    r = c.post(
        f"/members/{m.pk}/dues/",
        {"year": TODAY.year, "status": "paid", "amount": "24.000", "paid_on": D},
    )
    assert r.status_code == 302 and Dues.objects.get().amount == 24_000
    r = c.post(
        f"/members/{m.pk}/transfer/", {"unit": tree.ba_dinh.pk, "on": D, "reason": "Chuyển nhà"}
    )
    assert r.status_code == 302
    r = c.post(f"/members/{m.pk}/status/", {"status": "lapsed", "on": D})
    assert r.status_code == 302
    body = c.get(f"/members/{m.pk}/").content.decode()
    assert "Chuyển nhà" in body and "24.000" in body and "Không sinh hoạt" in body


def test_merger_moves_all_members_from_the_page(people, tree, as_user):
    member(people, tree.hk_branch)
    member(people, tree.hk_branch, name="Trần Văn Bình")
    c = as_user(people.hn_admin)
    r = c.post(
        f"/members/units/{tree.hk_branch.pk}/transfer/", {"unit": tree.hoan_kiem.pk, "on": D}
    )
    assert r.status_code == 302
    assert Member.objects.filter(unit=tree.hoan_kiem).count() == 2


def test_agency_branches(people, tree, as_user):
    agency = Unit(name="Chi hội Sở Y tế", kind=UnitKind.BRANCH, category="agency")
    agency = orgs.unit_bulk_add_children(parent=tree.hoan_kiem, units=[agency])[0]
    member(people, agency)
    r = as_user(people.hn_officer).get("/members/agencies/")
    body = r.content.decode()
    assert r.status_code == 200 and "Chi hội Sở Y tế" in body
    assert ">1</td>" in body
