"""Scope registrations of the public disclosure site (see tests/scope_registry.py): every page
under /cong-khai/ that takes a fund code (and a document, a year or a QR reference) opens
without login; what it shows is tested in tests/portal/."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.scope_registry import register_public


def _qt_appeal(tree: Any, people: Any) -> Any:
    from nhandao.funds import services
    from nhandao.funds.models import Fund

    found = Fund.objects.filter(code="LULUQT").first()
    if found is not None:
        return found
    return services.appeal_create(
        actor=people.outsider,
        unit=tree.quang_tri,
        data=services.AppealData(
            name="Ủng hộ đồng bào vùng lũ Quảng Trị",
            code="LULUQT",
            opens_on=timezone.localdate() - dt.timedelta(days=5),
            bank_name="Agribank Quảng Trị",
            bank_bin="970405",
            account_no="3900201000123",
            account_name="HOI CHU THAP DO TINH QUANG TRI",
        ),
    )


@register_public(
    "portal_fund",
    "portal_donations",
    "portal_donations_csv",
    "portal_donations_xlsx",
    "portal_qr",
    "portal_poster",
    "portal_give",
)
def _appeal(tree: Any, people: Any) -> dict[str, Any]:
    return {"code": _qt_appeal(tree, people).code}


@register_public("portal_statement")
def _statement(tree: Any, people: Any) -> dict[str, Any]:
    return {"code": _qt_appeal(tree, people).code, "year": str(timezone.localdate().year)}


@register_public("portal_document")
def _document(tree: Any, people: Any) -> dict[str, Any]:
    from django.core.files.base import ContentFile

    from nhandao.funds.models import FundDocument

    fund = _qt_appeal(tree, people)
    doc = FundDocument(fund=fund, kind="decision", title="Quyết định phát động")
    doc.file.save("quyet-dinh-phat-dong.pdf", ContentFile(b"%PDF-1.4\n"), save=True)
    return {"code": fund.code, "pk": doc.pk}


@register_public("portal_give_qr")
def _give_qr(tree: Any, people: Any) -> dict[str, Any]:
    from nhandao.portal import services

    fund = _qt_appeal(tree, people)
    made = services.payment_request_create(
        fund=fund, data=services.GiveData(amount=200_000, donor_name="Lê Văn Tâm")
    )
    return {"code": fund.code, "reference": made.reference}
