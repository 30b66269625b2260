"""The CLI: campaign_create, record_aid and coverage act as a named user (scope, permissions and
the audit trail apply) and say what is wrong in Vietnamese."""

from __future__ import annotations

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from nhandao.aid.models import AidRecord
from nhandao.campaigns.models import Campaign
from nhandao.core.models import AuditEvent
from nhandao.orgs.models import Unit

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def codes(tree):
    for unit, code in ((tree.hanoi, "P01"), (tree.hoan_kiem, "W001"), (tree.ba_dinh, "W002")):
        Unit.objects.filter(pk=unit.pk).update(short_code=code)
    Unit.objects.filter(pk=tree.quang_tri.pk).update(short_code="P45")
    tree.refresh()
    return tree


def test_campaign_create_names_a_tet_campaign_and_launches_it(codes, people):
    out = _run(
        "campaign_create",
        "--unit",
        "p01",
        "--kind",
        "tet",
        "--lunar-year",
        "2027",
        "--groups",
        "poor,near_poor",
        "--min-gift",
        "500000",
        "--launch",
        "--user",
        "hn_officer",
    )
    campaign = Campaign.objects.get()
    assert out.startswith(f"{campaign.pk}\tTết Nhân ái Xuân Đinh Mùi 2027")
    assert campaign.status == "launched" and campaign.min_gift_value == 500_000
    assert sorted(campaign.groups.values_list("code", flat=True)) == ["near_poor", "poor"]
    event = AuditEvent.objects.filter(object_type="campaigns.campaign").first()
    assert event is not None and event.actor_id == people.hn_officer.pk


def test_campaign_create_refuses_a_user_without_rights_and_unknown_units(codes, people):
    with pytest.raises(CommandError, match="không có quyền"):
        _run("campaign_create", "--unit", "P01", "--kind", "tet", "--lunar-year", "2027",
             "--user", "clerk")  # fmt: skip
    with pytest.raises(CommandError, match="Không có đơn vị mã"):
        _run("campaign_create", "--unit", "X9", "--kind", "tet", "--lunar-year", "2027")
    with pytest.raises(CommandError, match="Không có đối tượng"):
        _run("campaign_create", "--unit", "P01", "--kind", "tet", "--lunar-year", "2027",
             "--groups", "poor,ghosts", "--user", "hn_officer")  # fmt: skip
    assert not Campaign.objects.exists()


def _running(tet):
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=40)
    )
    return tet.campaign.pk


def test_record_aid_then_coverage_counts_and_lists_the_rest(codes, tet, tmp_path, people):
    cid = str(_running(tet))
    day = TODAY.strftime("%d/%m/%Y")
    out = _run("record_aid", "--campaign", cid, "--person", str(tet.an.pk), "--value", "500000",
               "--date", day, "--user", "clerk")  # fmt: skip
    record = AidRecord.objects.get()
    assert out.startswith(f"{record.pk}\tNguyễn Văn An\tQuà\t500.000 đ\t{day}")
    assert record.recorded_by_id == people.clerk.pk
    with pytest.raises(CommandError, match="đã nhận Quà"):
        _run("record_aid", "--campaign", cid, "--person", str(tet.an_wife.pk), "--value",
             "500000", "--user", "hn_officer")  # fmt: skip
    path = tmp_path / "chua-nhan.csv"
    out = _run("coverage", "--campaign", cid, "--unit", "P01", "--out", str(path),
               "--user", "hn_officer")  # fmt: skip
    lines = out.splitlines()
    assert "Hội Chữ thập đỏ phường Hoàn Kiếm\t2\t1\t1\t50.0%" in lines
    assert "Hội Chữ thập đỏ phường Ba Đình\t1\t0\t1\t0.0%" in lines
    assert "Cộng\t3\t1\t2\t33.3%" in lines
    with path.open(encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert sorted(r["ho_ten"] for r in rows) == ["Lê Văn Bình", "Phạm Thị Cúc"]


def test_commands_respect_the_users_scope(codes, tet):
    cid = str(_running(tet))
    with pytest.raises(CommandError, match="trong phạm vi"):
        _run("record_aid", "--campaign", cid, "--person", str(tet.cuc.pk), "--value", "500000",
             "--user", "clerk")  # fmt: skip
    with pytest.raises(CommandError, match="trong phạm vi"):
        _run("coverage", "--campaign", cid, "--unit", "P01", "--user", "outsider")
    with pytest.raises(CommandError, match="ngày/tháng/năm"):
        _run("record_aid", "--campaign", cid, "--person", str(tet.an.pk), "--value", "500000",
             "--date", "31/02/2027", "--user", "clerk")  # fmt: skip
    with pytest.raises(CommandError, match="--user"):
        _run("record_aid", "--campaign", cid, "--person", str(tet.an.pk), "--value", "1")
    assert not AidRecord.objects.exists()
