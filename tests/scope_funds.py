"""Scope registrations of the funds pages and API paths (see tests/scope_registry.py): a fund, its
ledger, the fund-manage actions, an entry and a document, all in Quảng Trị."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.scope_registry import register, register_api


def _qt_fund(tree: Any, people: Any) -> Any:
    from nhandao.funds import services

    return services.fund_activity_for(tree.vinh_linh)


def _qt_entry(tree: Any, people: Any) -> Any:
    from nhandao.funds import services
    from nhandao.funds.models import Entry

    fund = _qt_fund(tree, people)
    gift = services.donation_record(
        actor=people.outsider,
        unit=tree.vinh_linh,
        data=services.DonationData(fund=fund, amount=200_000, received_on=dt.date(2026, 1, 5)),
    )
    return Entry.objects.get(donation=gift)


@register(
    "fund_detail",
    "appeal_extend",
    "appeal_close",
    "fund_document_add",
    "entry_list",
    "entry_export",
    "fund_allocate",
    "fund_transfer",
    "fund_spend",
    "fund_annual",
    "fund_annual_xlsx",
    "fund_annual_docx",
)
def _fund(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_entry(tree, people).fund_id}


@register("entry_detail", "entry_reverse")
def _entry(tree: Any, people: Any) -> dict[str, Any]:
    return {"pk": _qt_entry(tree, people).pk}


@register("fund_document")
def _document(tree: Any, people: Any) -> dict[str, Any]:
    from django.core.files.base import ContentFile

    from nhandao.funds.models import FundDocument

    doc = FundDocument(fund=_qt_fund(tree, people), kind="decision", title="Quyết định")
    doc.file.save("qd.pdf", ContentFile(b"%PDF-1.4 test"), save=False)
    doc.save()
    return {"pk": doc.pk}


@register_api(
    "/api/v1/funds/{fund_id}",
    "/api/v1/funds/{fund_id}/extend",
    "/api/v1/funds/{fund_id}/close",
    "/api/v1/funds/{fund_id}/entries",
    "/api/v1/funds/{fund_id}/allocations",
    "/api/v1/funds/{fund_id}/transfers",
    "/api/v1/funds/{fund_id}/spendings",
    "/api/v1/funds/{fund_id}/annual",
)
def _api_fund(tree: Any, people: Any) -> dict[str, Any]:
    return {"fund_id": _qt_entry(tree, people).fund_id}


@register_api("/api/v1/funds/entries/{entry_id}", "/api/v1/funds/entries/{entry_id}/reverse")
def _api_entry(tree: Any, people: Any) -> dict[str, Any]:
    return {"entry_id": _qt_entry(tree, people).pk}
