"""Scope registrations of the statements pages and API paths (see tests/scope_registry.py): a
Quảng Trị appeal with an imported statement, so that Hà Nội users get 404 on each."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from tests.scope_registry import register, register_api

DAY = timezone.localdate() - dt.timedelta(days=2)
_refs = itertools.count(1)


def _qt_fund(tree: Any, people: Any) -> Any:
    from nhandao.funds import services
    from nhandao.funds.models import Fund

    found = Fund.objects.filter(code="QTLULU").first()
    if found is not None:  # makers run several times in one test
        return found
    return services.appeal_create(
        actor=people.outsider,
        unit=tree.quang_tri,
        data=services.AppealData(
            name="Ủng hộ đồng bào Quảng Trị",
            code="QTLULU",
            opens_on=DAY - dt.timedelta(days=5),
            bank_bin="970415",
            account_no="113000777888",
        ),
    )


def _qt_line(tree: Any, people: Any) -> Any:
    from nhandao.funds import statements
    from nhandao.funds.models import StatementLine

    fund = _qt_fund(tree, people)
    data = (
        "Số tài khoản: 113000777888\n"
        "Ngày giao dịch,Số tham chiếu,Số tiền ghi nợ,Số tiền ghi có,Mô tả\n"
        f"{DAY:%d/%m/%Y},FT{next(_refs)},,100.000,UNG HO\n"
    ).encode()
    statement = statements.statement_import(
        actor=people.outsider, fund=fund, data=data, filename="qt.csv"
    )
    return StatementLine.objects.get(statement=statement)


@register("statement_list", "statement_queue", "statement_queue_record", "statement_rematch")
def _fund(tree: Any, people: Any) -> dict[str, Any]:
    return {"fund_id": _qt_fund(tree, people).pk}


@register("statement_pending")
def _pending(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.funds import statements

    fund = _qt_fund(tree, people)
    pending = statements.PendingUpload.create(
        fund=fund, actor=people.outsider, data=b"a,b\n", filename="x.csv", status="mapping"
    )
    return {"fund_id": fund.pk, "token": pending.token}


@register("statement_detail")
def _statement(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_line(tree, people).statement_id}


@register(
    "statement_line_match",
    "statement_line_record",
    "statement_line_ignore",
    "statement_line_unmatch",
)
def _line(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_line(tree, people).pk}


@register_api(
    "/api/v1/funds/{fund_id}/statements",
    "/api/v1/funds/{fund_id}/statements/lines",
    "/api/v1/funds/{fund_id}/statements/match",
)
def _api_fund(tree: Any, people: Any) -> dict[str, Any]:
    return {"fund_id": _qt_fund(tree, people).pk}


@register_api(
    "/api/v1/funds/{fund_id}/statements/lines/{line_id}/match",
    "/api/v1/funds/{fund_id}/statements/lines/{line_id}/donation",
    "/api/v1/funds/{fund_id}/statements/lines/{line_id}/ignore",
    "/api/v1/funds/{fund_id}/statements/lines/{line_id}/unmatch",
)
def _api_line(tree: Any, people: Any) -> dict[str, Any]:
    line = _qt_line(tree, people)
    return {"fund_id": line.fund_id, "line_id": line.pk}
