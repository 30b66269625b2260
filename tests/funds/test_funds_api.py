"""The funds API: balances now and at a date, appeals (create, extend, close), entries (read only:
PUT, PATCH and DELETE answer 405), allocate, transfer, spend and reverse with Vietnamese refusals,
and the yearly statement as JSON."""

from __future__ import annotations

import datetime as dt

import pytest

from nhandao.funds import ledger, services
from nhandao.funds.models import Entry, Fund
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.conftest import actor
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, people):
    def _headers(user=None):
        user = user or people.hn_officer
        assignment = RoleAssignment.objects.get(user=user)
        _token, raw = orgs.token_create(actor=user, assignment=assignment, name="t")
        return {"Authorization": f"Bearer {raw}"}

    class Api:
        headers = _headers()

        def get(self, url, **params):
            return client.get("/api/v1" + url, params, headers=self.headers)

        def post(self, url, body=None):
            return client.post(
                "/api/v1" + url, body or {}, content_type="application/json", headers=self.headers
            )

        def as_user(self, user):
            self.headers = _headers(user)
            return self

    return Api()


def test_funds_list_and_get_with_balances_now_and_at_a_date(api, tree, appeal, give):
    give(appeal, 800_000, received_on=TODAY - dt.timedelta(days=5))
    give(appeal, 200_000)
    rows = api.get("/funds").json()["items"]
    mine = next(r for r in rows if r["id"] == appeal.pk)
    assert (mine["balance_money"], mine["received"], mine["donations_count"]) == (
        1_000_000,
        1_000_000,
        2,
    )
    past = (TODAY - dt.timedelta(days=1)).isoformat()
    one = api.get(f"/funds/{appeal.pk}", on=past).json()
    assert one["balance_money"] == 800_000 and one["on"] == past


def test_an_appeal_is_created_extended_and_closed(api, tree):
    body = {
        "name": "Hỗ trợ vùng hạn mặn",
        "code": "hanman26",
        "opens_on": TODAY.isoformat(),
        "bank_bin": "970405",
        "account_no": "1500201234567",
    }
    created = api.post("/funds/appeals", body)
    assert created.status_code == 201, created.content
    fund_id = created.json()["id"]
    assert created.json()["code"] == "HANMAN26"
    again = api.post("/funds/appeals", {**body, "code": "KHAC27"})
    assert again.status_code == 400 and "đã dùng cho" in again.json()["detail"]
    end = Fund.objects.get(pk=fund_id).receiving_ends_on + dt.timedelta(days=10)
    ext = api.post(
        f"/funds/{fund_id}/extend",
        {
            "decision_no": "3/QĐ",
            "decided_on": TODAY.isoformat(),
            "receiving_ends_on": end.isoformat(),
            "reason": "Còn nhiều hộ bị ảnh hưởng",
        },
    )
    assert ext.status_code == 201 and ext.json()["receiving_ends_on"] == end.isoformat()
    closed = api.post(f"/funds/{fund_id}/close")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"


def test_entries_are_listed_and_never_edited_or_deleted(client, api, appeal, give):
    give(appeal, 300_000)
    entry = Entry.objects.get()
    listed = api.get(f"/funds/{appeal.pk}/entries").json()["items"]
    assert [(e["kind"], e["amount"]) for e in listed] == [("receipt", 300_000)]
    url = f"/api/v1/funds/entries/{entry.pk}"
    assert client.get(url, headers=api.headers).json()["amount"] == 300_000
    for method in (client.put, client.patch, client.delete):
        response = method(url, {"amount": 1}, content_type="application/json", headers=api.headers)
        assert response.status_code == 405
    assert Entry.objects.get(pk=entry.pk).amount == 300_000


def test_allocate_transfer_spend_and_reverse(api, tree, appeal, give):
    give(appeal, 1_000_000)
    day = TODAY.isoformat()
    alloc = api.post(
        f"/funds/{appeal.pk}/allocations",
        {
            "from_unit_id": tree.hanoi.pk,
            "to_unit_id": tree.ba_dinh.pk,
            "amount": 400_000,
            "posted_on": day,
        },
    )
    assert alloc.status_code == 201
    assert [e["amount"] for e in alloc.json()] == [-400_000, 400_000]
    hanoi_fund = services.fund_activity_for(tree.hanoi)
    moved = api.post(
        f"/funds/{appeal.pk}/transfers",
        {
            "to_fund_id": hanoi_fund.pk,
            "unit_id": tree.hanoi.pk,
            "amount": 100_000,
            "posted_on": day,
            "reason": "Kết dư",
        },
    )
    assert moved.status_code == 201
    spent = api.post(
        f"/funds/{appeal.pk}/spendings",
        {"unit_id": tree.ba_dinh.pk, "amount": 150_000, "posted_on": day, "description": "Gạo"},
    )
    assert spent.status_code == 201 and spent.json()["amount"] == -150_000
    back = api.post(f"/funds/entries/{spent.json()['id']}/reverse", {"reason": "Nhầm"})
    assert back.status_code == 201 and back.json()[0]["amount"] == 150_000
    assert ledger.balance(fund=appeal) == 900_000
    assert ledger.pockets_mismatched() == []


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-5, "lớn hơn 0"), (0, "lớn hơn 0"), (1.5, "phần lẻ"), (9_000_000, "Số dư không đủ")],
)
def test_bad_amounts_answer_400_in_vietnamese_and_write_nothing(
    api, tree, appeal, give, amount, message
):
    give(appeal, 1_000_000)
    before = Entry.objects.count()
    response = api.post(
        f"/funds/{appeal.pk}/spendings",
        {
            "unit_id": tree.hanoi.pk,
            "amount": amount,
            "posted_on": TODAY.isoformat(),
            "description": "Chi",
        },
    )
    assert response.status_code == 400 and message in response.json()["detail"]
    assert Entry.objects.count() == before


def test_a_transfer_to_a_closed_appeal_and_an_earmark_are_refused(api, tree, people, appeal, give):
    hanoi_fund = services.fund_activity_for(tree.hanoi)
    give(hanoi_fund, 500_000)
    give(appeal, 500_000, earmark=ledger.Earmark(kind="area", unit_id=tree.ba_dinh.pk))
    services.fund_close(actor=actor(people.hn_officer), fund=appeal)
    refused = api.post(
        f"/funds/{hanoi_fund.pk}/transfers",
        {
            "to_fund_id": appeal.pk,
            "unit_id": tree.hanoi.pk,
            "amount": 100_000,
            "posted_on": TODAY.isoformat(),
            "reason": "Bổ sung",
        },
    )
    assert refused.status_code == 400 and "đã kết thúc" in refused.json()["detail"]
    earmarked = api.post(
        f"/funds/{appeal.pk}/spendings",
        {
            "unit_id": tree.hanoi.pk,
            "amount": 100_000,
            "posted_on": TODAY.isoformat(),
            "description": "Chi",
            "earmark_kind": "area",
            "earmark_unit_id": tree.ba_dinh.pk,
        },
    )
    assert earmarked.status_code == 400 and "địa bàn" in earmarked.json()["detail"]
    assert Entry.objects.count() == 2


def test_the_yearly_statement_as_json(api, tree, give):
    fund = services.fund_activity_for(tree.hanoi)
    give(fund, 700_000, received_on=dt.date(2026, 2, 2))
    body = api.get(f"/funds/{fund.pk}/annual", year=2026).json()
    assert (body["opening"], body["receipts_money"], body["closing"], body["balanced"]) == (
        0,
        700_000,
        700_000,
        True,
    )
    assert body["receipts_by_kind"] == [{"label": "Không ghi nhà hảo tâm", "amount": 700_000}]


def test_a_clerk_cannot_spend(api, tree, people, activity_fund, give):
    give(activity_fund, 500_000, by=people.clerk, unit=tree.hoan_kiem)
    response = api.as_user(people.clerk).post(
        f"/funds/{activity_fund.pk}/spendings",
        {
            "unit_id": tree.hoan_kiem.pk,
            "amount": 100,
            "posted_on": TODAY.isoformat(),
            "description": "Chi",
        },
    )
    assert response.status_code == 400 and "không có quyền" in response.json()["detail"]
