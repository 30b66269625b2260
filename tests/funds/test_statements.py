"""Bank statements: reading the banks' layouts, importing once, matching credits to donations,
refusing a malformed file or another account's statement with nothing written, and the queue."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.funds import ledger, services, statements
from nhandao.funds.models import (
    Donation,
    MatchStatus,
    PaymentRequest,
    Statement,
    StatementLine,
)
from tests.conftest import actor
from tests.funds.conftest import TODAY
from tests.funds.samples.statement_files import csv_bytes, top, vcb_xlsx, vtb_csv, xlsx

pytestmark = pytest.mark.django_db

DAY = TODAY - dt.timedelta(days=3)


def run(fund, people, data, name="saoke.xlsx", **options):
    return statements.statement_import(
        actor=actor(people.hn_officer), fund=fund, data=data, filename=name, **options
    )


def lines_of(statement):
    return {line.row: line for line in StatementLine.objects.filter(statement=statement)}


def transfer(give, fund, amount, name, day=DAY, **extra):
    return give(
        fund, amount, method="transfer", donor_name=name, anonymous=False, received_on=day, **extra
    )


# --- reading ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("1500000", 1_500_000),
        ("1,500,000.00", 1_500_000),
        ("1.500.000,00", 1_500_000),
        ("1.500.000 VND", 1_500_000),
        ("-500.000", -500_000),
        ("(500.000)", -500_000),
        ("", 0),
        ("-", 0),
        (2_000_000.0, 2_000_000),
        (300, 300),
        (None, 0),
    ],
)
def test_amounts_read_as_the_banks_print_them(text, amount):
    assert statements.parse_money(text) == amount


@pytest.mark.parametrize("text", ["1,5", "1.500,50", "abc", "1.50.000", 10.5])
def test_fractions_and_words_are_not_amounts(text):
    with pytest.raises(ValueError):
        statements.parse_money(text)


@pytest.mark.parametrize(
    ("value", "day"),
    [
        ("05/03/2026", dt.date(2026, 3, 5)),
        ("5/3/2026 14:02:11", dt.date(2026, 3, 5)),
        ("05-03-2026", dt.date(2026, 3, 5)),
        ("2026-03-05", dt.date(2026, 3, 5)),
        (dt.datetime(2026, 3, 5, 8, 30, tzinfo=dt.UTC), dt.date(2026, 3, 5)),
        (46086.0, dt.date(2026, 3, 5)),
    ],
)
def test_dates_read_day_first(value, day):
    assert statements.parse_date(value) == day


def test_reference_codes_are_found_without_spaces_dashes_or_case():
    note = "Ủng hộ BAO3HN uh2a3b-4c5 Nguyễn Văn An"
    assert "UH2A3B4C5" in statements.references_in(note)
    assert statements.references_in("ung ho dong bao") == []


def test_vietcombank_and_vietinbank_layouts_are_recognised_by_their_headers():
    vcb = statements.statement_read(
        vcb_xlsx([{"day": DAY, "ref": "FT1", "credit": 500_000, "text": "ung ho"}]), "vcb.xlsx"
    )
    assert (vcb.layout, vcb.account_no, vcb.header_row) == ("vietcombank", "0011001234567", 6)
    assert vcb.lines[0].amount == 500_000 and vcb.lines[0].posted_on == DAY
    assert vcb.skipped >= 1  # the total row below the lines
    vtb = statements.statement_read(
        vtb_csv([{"day": DAY, "credit": "200.000", "text": "UNG HO", "who": "TRẦN THỊ MAI"}]),
        "vtb.csv",
    )
    assert vtb.layout == "vietinbank"
    assert vtb.lines[0].counterparty == "TRẦN THỊ MAI"


def test_a_windows_1258_csv_keeps_its_vietnamese_text():
    data = vtb_csv(
        [{"day": DAY, "credit": "100.000", "text": "Ủng hộ bão lũ", "who": "Lê Thị Hà"}],
        encoding="cp1258",
    )
    parsed = statements.statement_read(data, "vtb.csv")
    assert parsed.lines[0].description == "Ủng hộ bão lũ"
    assert parsed.lines[0].counterparty == "Lê Thị Hà"


def test_the_generic_layout_takes_the_users_columns():
    rows = [
        ["Ngay", "Noi dung", "Tien vao", "Nguoi gui"],
        [f"{DAY:%d/%m/%Y}", "ung ho", "50000", "AN"],
    ]
    data = csv_bytes(rows, encoding="utf-8", delimiter=";")
    parsed = statements.statement_read(
        data, "chung.csv", layout="generic", mapping="date=A,credit=C,description=B,counterparty=D"
    )
    assert parsed.layout == "generic"
    assert (parsed.lines[0].amount, parsed.lines[0].counterparty) == (50_000, "AN")
    # Without a mapping the same file is proposed from its header texts.
    assert statements.statement_read(data, "chung.csv").columns["credit"] == 2


def test_a_file_whose_columns_are_unknown_asks_for_a_mapping():
    data = csv_bytes([["a", "b"], ["x", "y"]])
    with pytest.raises(ApplicationError) as info:
        statements.statement_read(data, "la.csv")
    assert info.value.extra["need_mapping"] is True
    assert "la.csv" in info.value.message


def test_bad_rows_are_named_by_file_row_and_column():
    data = vcb_xlsx(
        [
            {"day": DAY, "ref": "FT1", "credit": 500_000, "text": "a"},
            {"day": DAY, "ref": "FT2", "credit": "1,5 triệu", "text": "b"},
        ]
    )
    with pytest.raises(ApplicationError) as info:
        statements.statement_read(data, "hong.xlsx")
    message = info.value.message
    assert "dòng 8" in message and "cột E" in message and "hong.xlsx" in message


# --- importing -------------------------------------------------------------------------------


def test_import_matches_by_reference_payment_request_and_name(appeal, people, give):
    by_ref = transfer(give, appeal, 500_000, "Phạm Văn Bình")
    by_name = transfer(give, appeal, 300_000, "Nguyễn Thị Lan", day=DAY - dt.timedelta(days=1))
    request = PaymentRequest.objects.create(
        fund=appeal, reference="UH3KM7PQR", amount=200_000, donor_name="Đỗ Văn Hùng"
    )
    data = vcb_xlsx(
        [
            {"day": DAY, "ref": "FT1", "credit": "500.000", "text": f"BAO3HN {by_ref.reference}"},
            {"day": DAY, "ref": "FT2", "credit": "200.000", "text": "BAO3HN UH3KM7-PQR chuyen"},
            {"day": DAY, "ref": "FT3", "credit": "300.000", "text": "NGUYEN THI LAN ung ho bao lu"},
            {"day": DAY, "ref": "FT4", "credit": "1.000.000", "text": "CHUYEN TIEN"},
            {"day": DAY, "ref": "FT5", "debit": "11.000", "text": "Phi dich vu"},
        ]
    )
    statement = run(appeal, people, data)
    assert (statement.lines_total, statement.lines_new, statement.lines_duplicate) == (5, 5, 0)
    assert statement.matched_auto == 3
    assert (statement.period_from, statement.period_to) == (DAY, DAY)
    rows = lines_of(statement)
    assert rows[7].donation == by_ref and rows[7].status == MatchStatus.AUTO
    assert rows[7].match_note == f"mã {by_ref.reference}"
    request.refresh_from_db()
    assert request.donation is not None and rows[8].donation == request.donation
    assert (
        request.donation.reference == "UH3KM7PQR" and request.donation.donor_name == "Đỗ Văn Hùng"
    )
    assert request.donation.received_on == DAY and request.donation.method == "transfer"
    assert rows[9].donation == by_name and rows[9].match_note.startswith("số tiền + ngày + tên")
    assert rows[10].status == MatchStatus.UNMATCHED and rows[10].donation is None
    assert rows[11].status == MatchStatus.DEBIT and rows[11].amount == -11_000
    assert ledger.balance(fund=appeal) == 500_000 + 300_000 + 200_000
    assert AuditEvent.objects.filter(object_type="funds.statement").count() == 1


def test_the_same_statement_imported_twice_adds_nothing(appeal, people, give):
    lines = [
        {"day": DAY, "ref": "FT1", "credit": "500.000", "text": "ung ho"},
        {"day": DAY, "ref": "FT2", "credit": "700.000", "text": "ung ho"},
    ]
    first = run(appeal, people, vcb_xlsx(lines))
    second = run(appeal, people, vcb_xlsx(lines))
    assert (second.lines_new, second.lines_duplicate) == (0, 2)
    assert StatementLine.objects.count() == 2
    # An overlapping statement adds only its new line.
    third = run(
        appeal, people, vcb_xlsx([*lines, {"day": DAY, "ref": "FT3", "credit": 1, "text": "x"}])
    )
    assert (third.lines_new, third.lines_duplicate) == (1, 2)
    assert first.lines_new == 2


def test_identical_lines_without_a_bank_reference_are_kept_apart_and_deduplicated(appeal, people):
    same = {"day": DAY, "credit": "100.000", "text": "UNG HO", "who": "AN"}
    data = vtb_csv([same, same, {**same, "credit": "200.000"}])
    first = run(appeal, people, data, name="vtb.csv")
    assert first.lines_new == 3
    again = run(appeal, people, data, name="vtb.csv")
    assert (again.lines_new, again.lines_duplicate) == (0, 3)


def test_a_statement_of_another_account_is_refused_and_nothing_written(appeal, people):
    data = vcb_xlsx(
        [{"day": DAY, "ref": "FT1", "credit": 1000, "text": "x"}], account="0451000999888"
    )
    with pytest.raises(ApplicationError, match="0451000999888"):
        run(appeal, people, data)
    assert not Statement.objects.exists() and not StatementLine.objects.exists()


def test_a_malformed_statement_writes_nothing(appeal, people, give):
    request = PaymentRequest.objects.create(fund=appeal, reference="UH3KM7PQR", amount=200_000)
    data = vcb_xlsx(
        [
            {"day": DAY, "ref": "FT1", "credit": "200.000", "text": "UH3KM7PQR"},
            {"day": DAY, "ref": "FT2", "credit": "2,5", "text": "y"},
        ]
    )
    with pytest.raises(ApplicationError):
        run(appeal, people, data)
    request.refresh_from_db()
    assert request.donation is None
    assert not Donation.objects.exists() and not Statement.objects.exists()


def test_a_wrong_file_type_is_refused_in_vietnamese(appeal, people):
    with pytest.raises(ApplicationError, match=r"saoke\.pdf"):
        run(appeal, people, b"%PDF-1.4 ...", name="saoke.pdf")


def test_a_name_shared_by_two_donations_is_left_for_a_person(appeal, people, give):
    transfer(give, appeal, 300_000, "Nguyễn Văn An")
    transfer(give, appeal, 300_000, "Nguyễn Văn An")
    data = vtb_csv([{"day": DAY, "credit": "300.000", "text": "UNG HO", "who": "NGUYEN VAN AN"}])
    statement = run(appeal, people, data, name="vtb.csv")
    assert statement.matched_auto == 0
    assert StatementLine.objects.get().status == MatchStatus.UNMATCHED


def test_a_name_match_needs_a_clear_winner(appeal, people, give):
    transfer(give, appeal, 300_000, "Nguyễn Văn An")
    transfer(give, appeal, 300_000, "Nguyễn Văn Anh")
    data = vtb_csv([{"day": DAY, "credit": "300.000", "text": "UNG HO", "who": "NGUYEN VAN AN"}])
    assert run(appeal, people, data, name="vtb.csv").matched_auto == 0


def test_a_name_written_in_another_order_still_matches(appeal, people, give):
    gift = transfer(give, appeal, 300_000, "Võ Thu Tuấn")
    data = vtb_csv([{"day": DAY, "credit": "300.000", "text": "UNG HO", "who": "TUAN VO THU"}])
    run(appeal, people, data, name="vtb.csv")
    assert StatementLine.objects.get().donation == gift


def test_no_match_outside_the_days_or_for_another_amount(appeal, people, give):
    transfer(give, appeal, 300_000, "Nguyễn Văn An", day=DAY - dt.timedelta(days=6))
    transfer(give, appeal, 400_000, "Nguyễn Văn An")
    data = vtb_csv([{"day": DAY, "credit": "300.000", "text": "UNG HO", "who": "NGUYEN VAN AN"}])
    assert run(appeal, people, data, name="vtb.csv").matched_auto == 0


def test_rematch_finds_a_donation_recorded_after_the_import(appeal, people, give):
    data = vtb_csv([{"day": DAY, "credit": "300.000", "text": "UNG HO", "who": "LE VAN TAM"}])
    run(appeal, people, data, name="vtb.csv")
    gift = transfer(give, appeal, 300_000, "Lê Văn Tâm")
    assert statements.statement_rematch(actor=actor(people.hn_officer), fund=appeal) == 1
    assert StatementLine.objects.get().donation == gift


def test_only_donation_recorders_of_the_fund_import(appeal, people):
    data = vcb_xlsx([{"day": DAY, "ref": "FT1", "credit": 1000, "text": "x"}])
    with pytest.raises(ApplicationError):
        statements.statement_import(
            actor=actor(people.outsider), fund=appeal, data=data, filename="a.xlsx"
        )
    assert not Statement.objects.exists()


# --- the queue -------------------------------------------------------------------------------


@pytest.fixture
def queued(appeal, people):
    data = vtb_csv(
        [
            {"day": DAY, "credit": "250.000", "text": "UNG HO BAO", "who": "HOANG THI NGA"},
            {"day": DAY, "credit": "120.000", "text": "UNG HO", "who": "VU VAN KHOA"},
            {"day": DAY, "credit": "80.000", "text": "UNG HO", "who": "DINH VAN LONG"},
            {"day": DAY, "credit": "1.234", "text": "TRA LAI TIEN GUI", "who": ""},
        ]
    )
    statement = run(appeal, people, data, name="vtb.csv")
    return list(StatementLine.objects.filter(statement=statement).order_by("row"))


def test_a_queued_credit_is_matched_by_hand_and_audited(appeal, people, give, queued):
    gift = transfer(give, appeal, 250_000, "Hoàng Thị Nga", day=DAY - dt.timedelta(days=6))
    found = statements.candidates_for([queued[0]])[queued[0].pk]
    assert found[0].donation == gift and found[0].score == 100
    line = statements.line_match(actor=actor(people.hn_officer), line=queued[0], donation=gift)
    assert (line.status, line.donation, line.matched_by) == (
        MatchStatus.MANUAL,
        gift,
        people.hn_officer,
    )
    event = AuditEvent.objects.get(object_type="funds.statementline", object_id=str(line.pk))
    assert event.changes["donation"] == gift.reference
    # Undo puts it back in the queue, audited too.
    line = statements.line_unmatch(actor=actor(people.hn_officer), line=line)
    assert line.status == MatchStatus.UNMATCHED and line.donation is None
    assert (
        AuditEvent.objects.filter(object_type="funds.statementline", object_id=str(line.pk)).count()
        == 2
    )


def test_a_manual_match_needs_the_same_amount_and_a_free_donation(appeal, people, give, queued):
    gift = transfer(give, appeal, 999_000, "Hoàng Thị Nga")
    with pytest.raises(ApplicationError, match="Số tiền khác nhau"):
        statements.line_match(actor=actor(people.hn_officer), line=queued[0], donation=gift)
    assert StatementLine.objects.get(pk=queued[0].pk).status == MatchStatus.UNMATCHED


def test_a_queued_credit_becomes_a_new_donation(appeal, people, donor, queued):
    line = statements.line_record(actor=actor(people.hn_officer), line=queued[1])
    assert line.status == MatchStatus.CREATED
    gift = line.donation
    assert (gift.amount, gift.received_on, gift.method, gift.donor_name) == (
        120_000,
        DAY,
        "transfer",
        "VU VAN KHOA",
    )
    assert gift.receipt.number == 1
    with_donor = statements.line_record(
        actor=actor(people.hn_officer),
        line=queued[2],
        data=statements.RecordData(donor=donor, anonymous=True),
    )
    assert with_donor.donation.donor == donor and with_donor.donation.anonymous
    assert ledger.balance(fund=appeal) == 200_000
    # A reversed donation sends its line back to the queue.
    services.donation_reverse(actor=actor(people.hn_officer), donation=gift, reason="Nhầm")
    assert StatementLine.objects.get(pk=line.pk).status == MatchStatus.UNMATCHED


def test_several_credits_are_recorded_at_once_or_not_at_all(appeal, people, queued):
    made = statements.lines_record(actor=actor(people.hn_officer), lines=queued[:3], anonymous=True)
    assert [line.status for line in made] == [MatchStatus.CREATED] * 3
    assert Donation.objects.filter(anonymous=True).count() == 3
    with pytest.raises(ApplicationError):
        statements.lines_record(actor=actor(people.hn_officer), lines=[queued[3], queued[0]])
    assert StatementLine.objects.get(pk=queued[3].pk).status == MatchStatus.UNMATCHED


def test_interest_is_ignored_with_a_reason(appeal, people, queued):
    with pytest.raises(ApplicationError, match="lý do"):
        statements.line_ignore(actor=actor(people.hn_officer), line=queued[3], reason=" ")
    line = statements.line_ignore(
        actor=actor(people.hn_officer), line=queued[3], reason="Lãi tiền gửi"
    )
    assert (line.status, line.match_note) == (MatchStatus.IGNORED, "Lãi tiền gửi")
    queue = statements.queue_lines(user=people.hn_officer, fund=appeal)
    assert line.pk not in {x.pk for x in queue} and queue.count() == 3
    assert AuditEvent.objects.filter(
        object_type="funds.statementline", object_id=str(line.pk)
    ).exists()


def test_figures_of_a_statement(appeal, people, queued):
    figures = statements.statement_figures(queued[0].statement)
    assert figures["unmatched"] == 4 and figures["credits"] == 250_000 + 120_000 + 80_000 + 1_234


def test_an_xlsx_without_title_block_and_numbers_as_numbers(appeal, people):
    data = xlsx(
        [
            ["Ngày giao dịch", "Số tham chiếu", "Số tiền ghi nợ", "Số tiền ghi có", "Mô tả"],
            [DAY.strftime("%d/%m/%Y"), "A1", None, 150000, "ung ho"],
        ]
    )
    statement = run(appeal, people, data)
    assert statement.layout == "vietcombank" and statement.account_no == ""
    assert StatementLine.objects.get().amount == 150_000


def test_top_lines_of_a_file_carry_the_account(appeal):
    assert statements._account_in(top("0011 0012 34567")) == "0011001234567"


def test_bidv_and_techcombank_exports_are_recognised():
    bidv = xlsx(
        [
            *top("0011001234567", "BIDV"),
            ["STT", "Ngày hiệu lực", "Số bút toán", "Phát sinh nợ", "Phát sinh có", "Số dư",
             "Nội dung giao dịch", "Tên tài khoản đối ứng"],
            [1, DAY.strftime("%d/%m/%Y"), "BT01", None, "1,200,000", None, "UNG HO", "LE VAN BA"],
        ]
    )  # fmt: skip
    parsed = statements.statement_read(bidv, "bidv.xlsx")
    assert (parsed.layout, parsed.lines[0].amount, parsed.lines[0].counterparty) == (
        "bidv",
        1_200_000,
        "LE VAN BA",
    )
    tcb = csv_bytes(
        [
            ["Số tài khoản/Account No: 0011001234567"],
            ["Ngày giao dịch/Transaction Date", "Đối tác/Remitter",
             "Tài khoản đối tác/Remitter account", "Diễn giải/Details", "Nợ/Debit", "Có/Credit",
             "Số bút toán/Transaction No"],
            [DAY.strftime("%d/%m/%Y"), "TRAN AN", "190333", "UNG HO", "", "300,000.00", "TT1"],
        ]
    )  # fmt: skip
    parsed = statements.statement_read(tcb, "tcb.csv")
    assert (parsed.layout, parsed.account_no) == ("techcombank", "0011001234567")
    assert (parsed.lines[0].amount, parsed.lines[0].counterparty_account) == (300_000, "190333")


def test_abandoned_uploads_are_swept_after_two_days(appeal, people, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    officer = actor(people.hn_officer)
    old = statements.PendingUpload.create(fund=appeal, actor=officer, data=b"a;b", filename="a.csv")
    aged = (timezone.now() - dt.timedelta(days=3)).timestamp()
    for path in (old.data_path, old.state_path):
        os.utime(tmp_path / path, (aged, aged))
    fresh = statements.PendingUpload.create(
        fund=appeal, actor=officer, data=b"c;d", filename="b.csv"
    )
    assert not old.exists() and not (tmp_path / old.data_path).exists()
    assert fresh.exists() and fresh.data() == b"c;d"
    assert statements.PendingUpload.sweep(timezone.now() + dt.timedelta(days=3)) == 2
    assert not fresh.exists()
