"""The members API: list with filters, read, register, dues, transfers and unit counts; out of
scope answers 404; refusals answer 400 with the Vietnamese message."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from nhandao.members import services
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from nhandao.people.services import PersonData
from tests.conftest import actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
YEAR = TODAY.year


def _bearer(user) -> dict[str, str]:
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api(people):
    headers = _bearer(people.hn_admin)

    class Api:
        def get(self, path, **params):
            return Client().get("/api/v1" + path, params, headers=headers)

        def post(self, path, body):
            return Client().post(
                "/api/v1" + path, body, content_type="application/json", headers=headers
            )

    return Api()


def test_register_read_list_dues_transfer_counts(api, tree, people):
    r = api.post(
        "/members",
        {
            "unit_id": tree.hk_branch.pk,
            "full_name": "nguyễn thị lan",
            "birth": "12/03/1980",
            "joined_on": f"{YEAR - 1}-05-01",
            "card_no": "HK-9",
        },
    )
    assert r.status_code == 201, r.content
    m = r.json()
    assert m["full_name"] == "Nguyễn Thị Lan" and m["card_no"] == "HK-9"
    assert api.get(f"/members/{m['id']}").json()["unit_id"] == tree.hk_branch.pk
    r = api.get("/members", q="thi lan")
    assert [x["id"] for x in r.json()["items"]] == [m["id"]]
    r = api.post(f"/members/{m['id']}/dues", {"year": YEAR - 3, "amount": 24000})
    assert r.status_code == 400 and "trước năm vào Hội" in r.json()["detail"]
    r = api.post(f"/members/{m['id']}/dues", {"year": YEAR, "amount": 24000})
    assert r.status_code == 201
    assert api.get(f"/members/{m['id']}/dues").json()[0]["amount"] == 24000
    r = api.post(
        f"/members/{m['id']}/transfers",
        {"to_unit_id": tree.ba_dinh.pk, "transferred_on": TODAY.isoformat(), "reason": "x"},
    )
    assert r.status_code == 201
    assert api.get(f"/members/{m['id']}/transfers").json()[0]["to_unit_id"] == tree.ba_dinh.pk
    r = api.get("/members/counts", unit=tree.hanoi.pk, year=YEAR)
    assert r.status_code == 200
    assert r.json()["total"]["active"] == 1
    assert r.json()["sub_units"][0]["unit_id"] == tree.ba_dinh.pk


def test_out_of_scope_is_404(api, tree, people):
    m = services.member_register(
        actor=actor(people.national),
        unit=tree.vl_branch,
        person=PersonData(full_name="Trần Văn Hiến"),
        joined_on=dt.date(2020, 1, 1),
    )
    assert api.get(f"/members/{m.pk}").status_code == 404
    assert api.get("/members/counts", unit=tree.vinh_linh.pk, year=YEAR).status_code == 404
    r = api.post(
        "/members",
        {"unit_id": tree.vl_branch.pk, "full_name": "Lê Văn A", "joined_on": "2020-01-01"},
    )
    assert r.status_code == 404
    assert api.get("/members").json()["items"] == []
