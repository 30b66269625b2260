"""Sponsorships through the API (/api/v1/sponsorships, /api/v1/beneficiaries/unsponsored) and the
CLI (`manage.py sponsorship_due`)."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from nhandao.funds import sponsorships as sp
from nhandao.funds.models import Sponsorship, SponsorshipFulfilment
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.conftest import actor

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
JSON = "application/json"


def _client(user) -> tuple[Client, dict]:
    assignment = RoleAssignment.objects.get(user=user)
    _t, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return Client(), {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def address(register):
    return register("Nguyễn Thị Lành", birth="1938", groups=["poor", "serious_illness"])


def _body(donor, address, **extra):
    return {
        "donor_id": donor.pk,
        "beneficiary_id": address.pk,
        "commitment": "Hỗ trợ tiền ăn hằng tháng",
        "amount": 500_000,
        "frequency": "monthly",
        "starts_on": (TODAY - dt.timedelta(days=70)).isoformat(),
    } | extra


def test_create_fulfil_void_end_and_read(people, donor, address):
    client, h = _client(people.hn_officer)
    made = client.post("/api/v1/sponsorships", _body(donor, address), JSON, headers=h)
    assert made.status_code == 201, made.content
    data = made.json()
    assert data["beneficiary_name"] == "Nguyễn Thị Lành" and data["donor_id"] == donor.pk
    assert (data["periods_due"], data["periods_covered"], data["overdue"]) == (3, 0, True)
    s = Sponsorship.objects.get(pk=data["id"])
    assert data["sponsor_path"] == f"/cong-khai/bao-tro/{s.token}/"
    url = f"/api/v1/sponsorships/{s.pk}"
    given = (TODAY - dt.timedelta(days=60)).isoformat()
    for amount in (1_000_000, 500_000):
        f = client.post(
            url + "/fulfilments",
            {"given_on": given, "amount": amount, "description": "Tiền ăn"},
            JSON,
            headers=h,
        )
        assert f.status_code == 201, f.content
    wrong = f.json()["id"]
    voided = client.post(
        f"{url}/fulfilments/{wrong}/void", {"reason": "Ghi trùng"}, JSON, headers=h
    )
    assert voided.status_code == 200 and voided.json()["voided"]
    read = client.get(url, headers=h).json()
    assert read["given"] == 1_000_000 and read["periods_covered"] == 2
    assert [f["voided"] for f in read["fulfilments"]] == [False, True]
    ended = client.post(
        url + "/end",
        {"status": "ended", "on": TODAY.isoformat(), "reason": "Hoàn thành"},
        JSON,
        headers=h,
    )
    assert ended.status_code == 200 and ended.json()["status"] == "ended"
    assert not ended.json()["overdue"]
    listed = client.get("/api/v1/sponsorships", {"status": "ended"}, headers=h).json()
    assert [r["id"] for r in listed["items"]] == [s.pk] and listed["count"] == 1


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"amount": -500_000}, "amount"),
        ({"amount": 0}, "amount"),
        ({"frequency": "daily"}, "frequency"),
        ({"ends_on": "2000-01-01"}, "ends_on"),
        ({"starts_on": "0001-01-01"}, "starts_on"),
        ({"commitment": ""}, "commitment"),
    ],
)
def test_bad_input_answers_400_in_vietnamese(people, donor, address, extra, field):
    client, h = _client(people.hn_officer)
    response = client.post("/api/v1/sponsorships", _body(donor, address, **extra), JSON, headers=h)
    assert response.status_code == 400, response.content
    assert response.json()["field"] == field and response.json()["detail"]
    assert not Sponsorship.objects.exists()


def test_fractional_amount_is_refused(people, donor, address):
    client, h = _client(people.hn_officer)
    response = client.post(
        "/api/v1/sponsorships", _body(donor, address, amount=1.5), JSON, headers=h
    )
    assert response.status_code in (400, 422) and not Sponsorship.objects.exists()


def test_out_of_scope_answers_404(people, donor, address):
    client, h = _client(people.hn_officer)
    s = client.post("/api/v1/sponsorships", _body(donor, address), JSON, headers=h).json()
    other, oh = _client(people.outsider)
    assert other.get(f"/api/v1/sponsorships/{s['id']}", headers=oh).status_code == 404
    response = other.post(
        f"/api/v1/sponsorships/{s['id']}/fulfilments",
        {"given_on": TODAY.isoformat(), "amount": 500_000},
        JSON,
        headers=oh,
    )
    assert response.status_code == 404 and not SponsorshipFulfilment.objects.exists()
    assert (
        other.post("/api/v1/sponsorships", _body(donor, address), JSON, headers=oh).status_code
        == 404
    )
    assert other.get("/api/v1/sponsorships", headers=oh).json()["count"] == 0


def test_unsponsored_list_is_paginated_and_masks_sensitive_groups(people, tree, donor, register):
    for name in ("Trần Văn Bình", "Lê Thị Ánh", "Phạm Văn Đức"):
        register(name, groups=["serious_illness", "poor"])
    taken = register("Hoàng Thị Dung")
    client, h = _client(people.hn_officer)
    client.post("/api/v1/sponsorships", _body(donor, taken), JSON, headers=h)
    page = client.get("/api/v1/beneficiaries/unsponsored", {"page_size": 2}, headers=h).json()
    assert page["count"] == 3 and len(page["items"]) == 2
    # Sorted by given name in Vietnamese order: Ánh, Bình, then Đức on the next page.
    assert [r["full_name"] for r in page["items"]] == ["Lê Thị Ánh", "Trần Văn Bình"]
    assert "Mắc bệnh hiểm nghèo" in page["items"][0]["groups"]
    clerk, ch = _client(people.clerk)
    rows = clerk.get("/api/v1/beneficiaries/unsponsored", headers=ch).json()["items"]
    assert rows and all(r["groups"] == ["Hộ nghèo"] for r in rows)
    assert "id_number" not in rows[0] and "phone" not in rows[0]
    assert (
        clerk.get(
            "/api/v1/beneficiaries/unsponsored", {"unit": tree.vinh_linh.pk}, headers=ch
        ).status_code
        == 404
    )
    # The registry's own paths still answer.
    assert client.get(f"/api/v1/beneficiaries/{taken.pk}", headers=h).status_code == 200


# --- the CLI ---------------------------------------------------------------------------------


def test_sponsorship_due_lists_overdue_first(people, tree, donor, register):
    late = sp.sponsorship_create(
        actor=actor(people.hn_officer),
        data=sp.SponsorshipData(
            donor=donor,
            beneficiary=register("Trần Văn Bình"),
            commitment="Tiền ăn",
            amount=500_000,
            frequency="monthly",
            starts_on=TODAY - dt.timedelta(days=70),
        ),
    )
    soon = sp.sponsorship_create(
        actor=actor(people.hn_officer),
        data=sp.SponsorshipData(
            donor=donor,
            beneficiary=register("Lê Thị Ánh"),
            commitment="Học bổng",
            amount=3_000_000,
            frequency="yearly",
            starts_on=TODAY + dt.timedelta(days=20),
        ),
    )
    out = StringIO()
    call_command("sponsorship_due", "--user", "hn_officer", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("Tình trạng\t")
    assert lines[1].startswith("QUÁ HẠN") and "Trần Văn Bình" in lines[1]
    assert "1.500.000 đ" in lines[1]
    assert lines[2].startswith("Đến hạn") and "Lê Thị Ánh" in lines[2]
    assert lines[-1] == "Cộng: 2 cam kết, trong đó 1 quá hạn."
    out = StringIO()
    call_command("sponsorship_due", "--unit", str(tree.hoan_kiem.pk), "--days", "5", stdout=out)
    assert "Lê Thị Ánh" not in out.getvalue() and "Trần Văn Bình" in out.getvalue()
    assert late.pk != soon.pk
    out = StringIO()
    call_command("sponsorship_due", "--user", "outsider", stdout=out)
    assert out.getvalue().splitlines()[-1] == "Cộng: 0 cam kết, trong đó 0 quá hạn."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "--user"),
        (["--user", "khong_co"], "Không có người dùng"),
        (["--unit", "987654321"], "Không có đơn vị"),
        (["--user", "outsider", "--unit", "UNIT"], "không thuộc phạm vi"),
        (["--user", "hn_officer", "--days", "-1"], "--days"),
    ],
)
def test_sponsorship_due_errors_are_clear(people, tree, args, message):
    args = [str(tree.hoan_kiem.pk) if a == "UNIT" else a for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("sponsorship_due", *args, stdout=StringIO())
