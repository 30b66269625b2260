"""The command-line tools: fund_balance (now, at a date, per unit, as a user) and fund_deadlines."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from nhandao.funds import ledger, services
from tests.conftest import actor
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


def _run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_fund_balance_now_at_a_date_and_per_unit(tree, people, appeal, give):
    give(appeal, 900_000, received_on=TODAY - dt.timedelta(days=3))
    give(appeal, 100_000)
    ledger.allocate(
        fund=appeal,
        from_unit=tree.hanoi,
        to_unit=tree.ba_dinh,
        amount=250_000,
        posted_on=TODAY,
        actor=actor(people.hn_officer),
    )
    text = _run("fund_balance", "--fund", "bao3hn")
    assert "BAO3HN" in text and "1.000.000 đ" in text
    day = (TODAY - dt.timedelta(days=1)).strftime("%d/%m/%Y")
    assert "900.000 đ" in _run("fund_balance", "--fund", "BAO3HN", "--on", day)
    assert "250.000 đ" in _run("fund_balance", "--unit", str(tree.ba_dinh.pk))


def test_fund_balance_as_a_user_sees_only_their_scope(tree, people, appeal, give):
    give(appeal, 500_000)
    qt = services.fund_activity_for(tree.vinh_linh)
    assert "BAO3HN" not in _run("fund_balance", "--user", "outsider")
    assert qt.code in _run("fund_balance", "--user", "outsider")
    with pytest.raises(CommandError, match="Không có quỹ mã"):
        _run("fund_balance", "--user", "outsider", "--fund", "BAO3HN")
    with pytest.raises(CommandError, match="không đúng dạng"):
        _run("fund_balance", "--on", "31/02")
    with pytest.raises(CommandError, match="Không có người dùng"):
        _run("fund_balance", "--user", "ai-do")


def test_fund_deadlines_lists_appeals_near_or_past_their_deadlines(tree, people, appeal):
    assert "Không có cuộc vận động nào" in _run("fund_deadlines")
    near = appeal.receiving_ends_on - dt.timedelta(days=3)
    text = _run("fund_deadlines", "--on", near.strftime("%d/%m/%Y"))
    assert "BAO3HN" in text and "Còn 3 ngày đến hạn tiếp nhận" in text
    late = appeal.distribution_ends_on + dt.timedelta(days=2)
    text = _run("fund_deadlines", "--user", "hn_officer", "--on", late.strftime("%d/%m/%Y"))
    assert "Đã quá hạn phân phối" in text
    assert "BAO3HN" not in _run(
        "fund_deadlines", "--user", "outsider", "--on", near.strftime("%d/%m/%Y")
    )
