"""Voucher redemption and aid voiding through the API: once per voucher (409 with when and where
on the second scan), forged codes refused, stalls and records out of scope answer 404."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.aid import vouchers
from nhandao.aid.models import AidRecord, Voucher
from nhandao.campaigns.models import Campaign
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.campaigns.conftest import tet  # noqa: F401
from tests.conftest import actor
from tests.scope_vouchers import _qt_fair

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _post(client, url, body, user):
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return client.post(
        url, body, content_type="application/json", headers={"Authorization": f"Bearer {raw}"}
    )


@pytest.fixture
def fair(tet, tree, people):  # noqa: F811
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=40)
    )
    tet.campaign.refresh_from_db()
    fair = vouchers.fair_create(
        actor=actor(people.hn_officer),
        campaign=tet.campaign,
        unit=tree.hanoi,
        data=vouchers.FairData("Hội chợ Vui Tết", TODAY, TODAY + dt.timedelta(days=1), 500_000),
    )
    vouchers.stall_add(actor=actor(people.hn_officer), fair=fair, name="Gian A")
    vouchers.stall_add(actor=actor(people.hn_officer), fair=fair, name="Gian B")
    vouchers.voucher_issue_uncovered(actor=actor(people.hn_officer), fair=fair)
    return fair


def test_redeem_once_then_409_with_when_and_where(client, fair, people):
    a, b = vouchers.stall_list(fair=fair)
    v = Voucher.objects.filter(fair=fair).first()
    r = _post(
        client,
        "/api/v1/vouchers/redeem",
        {"stall_id": a.pk, "code": vouchers.code_display(v.code)},
        people.hn_officer,
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "redeemed" and body["stall_id"] == a.pk and body["value"] == 500_000
    r = _post(
        client, "/api/v1/vouchers/redeem", {"stall_id": b.pk, "code": v.code}, people.hn_officer
    )
    assert r.status_code == 409
    assert "đã được sử dụng lúc" in r.json()["detail"] and "Gian A" in r.json()["detail"]
    r = _post(
        client,
        "/api/v1/vouchers/redeem",
        {"stall_id": b.pk, "code": "XXXX-YYYY-ZZZZ"},
        people.hn_officer,
    )
    assert r.status_code == 400 and "phiếu giả hoặc gõ nhầm" in r.json()["detail"]
    assert Voucher.objects.filter(status="redeemed").count() == 1


def test_stalls_and_records_out_of_scope_answer_404(client, fair, tree, people):
    qt_fair, qt_stall, qt_voucher = _qt_fair(tree, people)
    r = _post(
        client,
        "/api/v1/vouchers/redeem",
        {"stall_id": qt_stall.pk, "code": qt_voucher.code},
        people.hn_officer,
    )
    assert r.status_code == 404
    r = _post(
        client, f"/api/v1/aid/{qt_voucher.aid_record_id}/void", {"reason": "x"}, people.hn_officer
    )
    assert r.status_code == 404
    assert Voucher.objects.get(pk=qt_voucher.pk).status == "issued"
    assert AidRecord.objects.get(pk=qt_voucher.aid_record_id).voided_at is None
    assert qt_fair.pk != fair.pk
