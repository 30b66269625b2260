"""Defects seen on the demo data: text the application writes into records stays Vietnamese when
the user reads the pages in English; the ledger's "Thu" is income, not Thursday; the donations
list names the fund."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from nhandao.funds import ledger, pledges, receipts, services, statements
from nhandao.funds.models import Entry, EntryKind, Fund, FundKind, MatchStatus, StatementLine
from tests.conftest import actor, login
from tests.funds.conftest import TODAY
from tests.funds.samples.statement_files import vtb_csv

pytestmark = pytest.mark.django_db


# --- stored text is Vietnamese whatever the user's language -----------------------------------


def test_the_activity_fund_opened_in_english_has_a_vietnamese_name(tree):
    with translation.override("en"):
        fund = services.fund_activity_for(tree.hoan_kiem)
    fund = Fund.objects.get(pk=fund.pk)
    assert fund.kind == FundKind.ACTIVITY
    assert fund.name == "Quỹ hoạt động chữ thập đỏ - Hội Chữ thập đỏ phường Hoàn Kiếm"


def test_ledger_texts_written_in_english_are_vietnamese(tree, people, appeal, give):
    officer = actor(people.hn_officer)
    other = services.fund_activity_for(tree.hanoi)
    with translation.override("en"):
        gift = give(appeal, 1_000_000, donor_name="Nguyễn Văn An")
        out, _into = ledger.allocate(
            fund=appeal,
            from_unit=tree.hanoi,
            to_unit=tree.ba_dinh,
            amount=200_000,
            posted_on=TODAY,
            actor=officer,
        )
        moved, _in = ledger.transfer(
            from_fund=appeal,
            to_fund=other,
            unit=tree.hanoi,
            amount=100_000,
            posted_on=TODAY,
            actor=officer,
            reason="Quyết định số 12/QĐ-CTĐ",
        )
        back = ledger.reverse(out, actor=officer, reason="Nhầm đơn vị")
    receipt = Entry.objects.get(donation=gift, kind=EntryKind.RECEIPT)
    assert receipt.description == "Nhận ủng hộ: Nguyễn Văn An"
    assert (
        out.description
        == "Phân bổ từ Hội Chữ thập đỏ thành phố Hà Nội cho Hội Chữ thập đỏ phường Ba Đình"
    )
    assert moved.description.startswith("Chuyển từ Ủng hộ đồng bào")
    assert all(e.description.startswith("Đảo: Phân bổ từ") for e in back)


def test_an_anonymous_donation_recorded_in_english_is_stored_as_nha_hao_tam(appeal, give):
    with translation.override("en"):
        gift = give(appeal, 50_000, donor_name="")
    assert gift.donor_name == "Nhà hảo tâm"


def test_a_pledge_cancelled_in_english_keeps_a_vietnamese_note(people, tree, appeal, donor):
    pledge = pledges.pledge_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=pledges.PledgeData(donor=donor, fund=appeal, amount=1_000_000, pledged_on=TODAY),
    )
    with translation.override("en"):
        pledges.pledge_cancel(actor=actor(people.hn_officer), pledge=pledge, reason="Đổi kế hoạch")
    pledge.refresh_from_db()
    assert pledge.note.endswith("Hủy: Đổi kế hoạch")


def test_a_statement_line_matched_in_english_keeps_a_vietnamese_note(people, appeal, give):
    data = vtb_csv([{"day": TODAY, "credit": "250.000", "text": "UNG HO", "who": "HOANG THI NGA"}])
    statement = statements.statement_import(
        actor=actor(people.hn_officer), fund=appeal, data=data, filename="vtb.csv"
    )
    line = StatementLine.objects.get(statement=statement)
    assert line.status == MatchStatus.UNMATCHED
    gift = give(appeal, 250_000, method="transfer", donor_name="Hoàng Thị Nga", anonymous=False)
    with translation.override("en"):
        line = statements.line_match(actor=actor(people.hn_officer), line=line, donation=gift)
    assert StatementLine.objects.get(pk=line.pk).match_note == "khớp thủ công"


def test_the_receipt_emailed_by_an_english_user_is_vietnamese(people, appeal, donor, give):
    gift = give(appeal, 1_000_000, donor=donor)
    with translation.override("en"):
        receipts.receipt_email(actor=actor(people.hn_officer), receipt=gift.receipt)
    message = mail.outbox[0]
    assert message.subject.startswith(f"Giấy xác nhận ủng hộ số {gift.receipt.code}")
    assert message.body.startswith("Kính gửi")


# --- "Thu" in the ledger is income, not Thursday ---------------------------------------------


def test_the_receipt_kind_is_not_thursday():
    with translation.override("vi"):
        assert str(EntryKind.RECEIPT.label) == "Thu"
        assert str(EntryKind.DISBURSEMENT.label) == "Chi"


def test_the_ledger_and_donation_pages_say_thu(client, people, appeal, give):
    gift = give(appeal, 1_000_000)
    login(client, people.hn_officer)
    ledger_page = client.get(reverse("entry_list", args=[appeal.pk])).content.decode()
    donation_page = client.get(reverse("donation_detail", args=[gift.pk])).content.decode()
    for html in (ledger_page, donation_page):
        assert "Thứ 5" not in html
        assert "<td>Thu</td>" in html or "<td>Thu " in html


# --- the donations list names the fund -------------------------------------------------------


def test_the_donations_list_shows_the_fund_name(client, people, appeal, give):
    give(appeal, 300_000)
    login(client, people.hn_officer)
    html = client.get(reverse("donation_list")).content.decode()
    assert '<td class="fund">Ủng hộ đồng bào bị thiệt hại do bão số 3' in html
