"""The funds pages: the home with balances and deadline warnings, an appeal (create, page, extend,
close, documents), the ledger (running balance, balance at a date, workbook), the fund-manage
actions through their forms, and the yearly statement as page, workbook and document."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nhandao.funds import ledger, services
from nhandao.funds.models import Entry, Fund, FundDocument, FundExtension, FundStatus
from tests.conftest import actor, login
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


def _page(client, name, **kwargs):
    response = client.get(reverse(name, kwargs=kwargs or None))
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_the_menu_and_home_show_funds_with_balances_and_warnings(client, tree, people, give):
    soon = services.appeal_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=services.AppealData(
            name="Lũ lụt miền Trung",
            code="LUMT26",
            opens_on=TODAY - dt.timedelta(days=85),
            bank_bin="970415",
            account_no="1122334455",
        ),
    )
    give(soon, 1_250_000)
    login(client, people.hn_officer)
    html = _page(client, "fund_home")
    assert 'href="/funds/"' in html and "Quỹ, ủng hộ" in html
    assert "Lũ lụt miền Trung" in html and "1.250.000 đ" in html
    assert "Còn 4 ngày đến hạn tiếp nhận" in html and "table-warning" in html
    # The unit's own activity fund is opened on first use.
    assert Fund.objects.filter(unit=tree.hanoi, kind="activity").exists()


def test_a_commune_sees_only_its_part_of_the_province_appeal(client, tree, people, appeal, give):
    give(appeal, 2_000_000)
    ledger.allocate(
        fund=appeal,
        from_unit=tree.hanoi,
        to_unit=tree.hoan_kiem,
        amount=600_000,
        posted_on=TODAY,
        actor=actor(people.hn_officer),
    )
    login(client, people.clerk)
    html = _page(client, "fund_home")
    assert appeal.name in html and "phần của đơn vị" in html
    html = _page(client, "fund_detail", pk=appeal.pk)
    assert "600.000 đ" in html and "2.000.000 đ" not in html
    ledger_html = _page(client, "entry_list", pk=appeal.pk)
    assert ledger_html.count("Nhận phân bổ") >= 1 and "Nhận ủng hộ" not in ledger_html


def test_an_officer_opens_an_appeal_through_the_form(client, tree, people):
    login(client, people.hn_officer)
    data = {
        "name": "Ủng hộ đồng bào vùng lũ",
        "code": "vunglu26",
        "bank": "970436",
        "bank_name": "Chi nhánh Hà Nội",
        "account_no": "0451000999888",
        "account_name": "HOI CHU THAP DO HA NOI",
        "opens_on": TODAY.strftime("%d/%m/%Y"),
        "receiving_days": "30",
        "is_public": "on",
    }
    response = client.post(reverse("appeal_create"), data)
    fund = Fund.objects.get(code="VUNGLU26")
    assert response.status_code == 302 and response["Location"] == f"/funds/{fund.pk}/"
    assert fund.bank_bin == "970436" and fund.bank_name == "Vietcombank - Chi nhánh Hà Nội"
    assert fund.receiving_ends_on == TODAY + dt.timedelta(days=29)
    again = client.post(reverse("appeal_create"), {**data, "code": "KHAC26"})
    assert "đã dùng cho" in again.content.decode()  # one account per appeal
    treasury = client.post(
        reverse("appeal_create"),
        {**data, "code": "KB26", "bank": "kbnn", "bank_name": "", "account_no": "3761000001"},
    )
    assert treasury.status_code == 302
    assert Fund.objects.get(code="KB26").bank_name == "Kho bạc Nhà nước"


def test_a_data_entry_clerk_cannot_open_an_appeal(client, people):
    login(client, people.clerk)
    assert client.get(reverse("appeal_create")).status_code == 403


def test_the_appeal_page_extend_close_and_documents(client, tree, people, appeal, give):
    give(appeal, 500_000)
    login(client, people.hn_officer)
    html = _page(client, "fund_detail", pk=appeal.pk)
    assert "0011001234567" in html and appeal.receiving_ends_on.strftime("%d/%m/%Y") in html
    new_end = appeal.receiving_ends_on + dt.timedelta(days=30)
    response = client.post(
        reverse("appeal_extend", args=[appeal.pk]),
        {
            "decision_no": "12/QĐ-HCTĐ",
            "decided_on": TODAY.strftime("%d/%m/%Y"),
            "receiving_ends_on": new_end.strftime("%d/%m/%Y"),
            "reason": "Bão số 4",
        },
    )
    assert response.status_code == 302
    assert FundExtension.objects.get(fund=appeal).receiving_ends_on == new_end
    upload = SimpleUploadedFile("qd.pdf", b"%PDF-1.4 quyet dinh", content_type="application/pdf")
    response = client.post(
        reverse("fund_document_add", args=[appeal.pk]),
        {"kind": "decision", "title": "Quyết định phát động", "file": upload, "is_public": "on"},
    )
    assert response.status_code == 302
    doc = FundDocument.objects.get(fund=appeal)
    download = client.get(reverse("fund_document", args=[doc.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(
        reverse("fund_document_add", args=[appeal.pk]),
        {"kind": "other", "title": "Tệp lạ", "file": bad},
    )
    assert "Chỉ nhận tệp PDF" in response.content.decode()
    big = SimpleUploadedFile("to.pdf", b"0" * (10 * 1024 * 1024 + 1))
    response = client.post(
        reverse("fund_document_add", args=[appeal.pk]),
        {"kind": "other", "title": "Tệp to", "file": big},
    )
    assert "lớn quá 10 MB" in response.content.decode()
    assert FundDocument.objects.filter(fund=appeal).count() == 1
    html = _page(client, "fund_detail", pk=appeal.pk)
    assert "12/QĐ-HCTĐ" in html and "Quyết định phát động" in html
    client.post(reverse("appeal_close", args=[appeal.pk]))
    assert Fund.objects.get(pk=appeal.pk).status == FundStatus.CLOSED


def test_the_ledger_runs_its_balance_and_answers_for_a_past_day(client, tree, people, give):
    fund = services.fund_activity_for(tree.hanoi)
    give(fund, 1_000_000, received_on=dt.date(2026, 3, 1))
    give(fund, 500_000, received_on=dt.date(2026, 5, 1))
    ledger.disburse(
        fund=fund,
        unit=tree.hanoi,
        amount=300_000,
        posted_on=dt.date(2026, 6, 1),
        actor=actor(people.hn_officer),
        description="Thăm hỏi hộ nghèo",
    )
    login(client, people.hn_officer)
    url = reverse("entry_list", args=[fund.pk])
    html = client.get(url, {"date_from": "01/04/2026", "on": "15/05/2026"}).content.decode()
    assert "Số dư chuyển sang" in html and "1.000.000 đ" in html
    assert "1.500.000 đ" in html and "1.200.000 đ" in html  # running balance
    assert "Số dư cuối ngày 15/05/2026: tiền 1.500.000 đ" in html
    export = client.get(reverse("entry_export", args=[fund.pk]))
    assert export.status_code == 200
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0)
    rows = sheet.to_python()
    assert any("SỔ QUỸ" in str(c) for r in rows for c in r)
    assert [r[7] for r in rows if len(r) > 7 and r[5] == 500_000] == [1_500_000]


def test_allocate_transfer_spend_and_reverse_through_the_forms(client, tree, people, appeal, give):
    give(appeal, 2_000_000)
    login(client, people.hn_officer)
    pocket = appeal.pockets.get()
    day = TODAY.strftime("%d/%m/%Y")
    response = client.post(
        reverse("fund_allocate", args=[appeal.pk]),
        {"pocket": pocket.pk, "to_unit": tree.ba_dinh.pk, "amount": "700.000", "posted_on": day},
    )
    assert response.status_code == 302
    assert ledger.balance(fund=appeal, unit=tree.ba_dinh) == 700_000
    hanoi_fund = services.fund_activity_for(tree.hanoi)
    response = client.post(
        reverse("fund_transfer", args=[appeal.pk]),
        {
            "pocket": pocket.pk,
            "to_fund": hanoi_fund.pk,
            "amount": "300.000",
            "posted_on": day,
            "reason": "QĐ 5/QĐ-HCTĐ: chuyển phần còn lại",
        },
    )
    assert response.status_code == 302
    assert ledger.balance(fund=hanoi_fund) == 300_000
    pick = _page(client, "fund_spend", pk=appeal.pk)
    assert "Hội Chữ thập đỏ phường Ba Đình" in pick
    response = client.post(
        reverse("fund_spend", args=[appeal.pk]),
        {"pocket": pocket.pk, "amount": "5.000.000", "posted_on": day, "description": "Mua gạo"},
    )
    assert "Số dư không đủ" in response.content.decode()
    response = client.post(
        reverse("fund_spend", args=[appeal.pk]),
        {"pocket": pocket.pk, "amount": "400.000", "posted_on": day, "description": "Mua gạo"},
    )
    assert response.status_code == 302
    spent = Entry.objects.get(kind="disbursement")
    detail = _page(client, "entry_detail", pk=spent.pk)
    assert "Mua gạo" in detail and "Ghi bút toán đảo" in detail
    client.post(reverse("entry_reverse", args=[spent.pk]), {"reason": "Chi nhầm"})
    assert Entry.objects.filter(reverses=spent).exists()
    assert ledger.balance(fund=appeal, unit=tree.hanoi) == 1_000_000
    assert ledger.pockets_mismatched() == []


def test_the_yearly_statement_page_workbook_and_document(client, tree, people, give):
    fund = services.fund_activity_for(tree.hanoi)
    give(fund, 1_000_000, received_on=dt.date(2025, 12, 20))
    give(fund, 400_000, received_on=dt.date(2026, 1, 10))
    login(client, people.hn_officer)
    url = reverse("fund_annual", args=[fund.pk])
    html = client.get(url, {"year": 2026}).content.decode()
    assert "Số dư đầu năm (01/01/2026)" in html and "1.400.000 đ" in html
    assert "Kiểm tra: số dư đầu năm + phát sinh trong năm = số dư cuối năm." in html
    xlsx = client.get(reverse("fund_annual_xlsx", args=[fund.pk]), {"year": 2026})
    rows = CalamineWorkbook.from_filelike(io.BytesIO(xlsx.content)).get_sheet_by_index(0)
    cells = [c for r in rows.to_python() for c in r]
    assert "BÁO CÁO THU, CHI QUỸ NĂM 2026" in cells and 1_400_000 in cells
    docx = client.get(reverse("fund_annual_docx", args=[fund.pk]), {"year": 2026})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    assert "BÁO CÁO THU, CHI QUỸ NĂM 2026" in text and "khớp" in text
