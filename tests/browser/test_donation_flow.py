"""A province officer records a transfer from a new donor, prints its numbered receipt, imports
the appeal's bank statement (the line carrying the donation's code matches by itself, an
unknown credit is worked from the queue), and both gifts show on the public page of the appeal,
the anonymous one as "Nhà hảo tâm"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nhandao.funds import services
from nhandao.funds.models import Donation, MatchStatus, StatementLine
from tests.browser.conftest import sign_in
from tests.conftest import actor
from tests.funds.samples.statement_files import vcb_xlsx

pytestmark = pytest.mark.browser

TODAY = timezone.localdate()


def test_record_print_import_match_and_publish(page, tree, people, tmp_path):
    appeal = services.appeal_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=services.AppealData(
            name="Ủng hộ đồng bào bị thiệt hại do bão số 3",
            code="BAO3HN",
            opens_on=TODAY - dt.timedelta(days=5),
            bank_name="Vietcombank",
            bank_bin="970436",
            account_no="0011001234567",
            account_name="HOI CHU THAP DO TP HA NOI",
        ),
    )
    sign_in(page, "hn_officer")
    page.locator("#main-menu").get_by_role("link", name="Quỹ, ủng hộ").click()
    page.get_by_role("link", name="Ủng hộ đồng bào bị thiệt hại do bão số 3").first.click()
    page.locator("#record-donation").click()
    page.wait_for_load_state("networkidle")
    page.locator("#id_new_donor_kind").select_option("business")
    page.locator("#id_new_donor_name").fill("Công ty cổ phần Sông Hồng")
    page.locator("#id_method").select_option("transfer")
    page.locator("#id_amount").fill("2.000.000")
    page.locator("#id_received_on").fill(TODAY.strftime("%d/%m/%Y"))
    page.get_by_role("button", name="Lưu", exact=True).click()
    expect(page.locator("#receipt-box")).to_contain_text("00001/")
    donation = Donation.objects.get(fund=appeal)
    assert (donation.amount, donation.donor.name) == (2_000_000, "Công ty cổ phần Sông Hồng")

    page.locator("#receipt-print").click()
    expect(page.locator("body")).to_contain_text("GIẤY XÁC NHẬN ỦNG HỘ")
    expect(page.locator("body")).to_contain_text("Hai triệu đồng")
    page.go_back()

    statement = tmp_path / "saoke_vcb.xlsx"
    statement.write_bytes(
        vcb_xlsx(
            [
                {
                    "day": TODAY,
                    "ref": "FT1",
                    "credit": 2_000_000,
                    "text": f"CONG TY SONG HONG {donation.reference} UNG HO BAO",
                },
                {"day": TODAY, "ref": "FT2", "credit": 500_000, "text": "UNG HO DONG BAO BAO SO 3"},
            ]
        )
    )
    page.goto(f"/funds/{appeal.pk}/")
    page.get_by_role("link", name="Sao kê").first.click()
    page.locator("#upload-form input[type=file]").set_input_files(str(statement))
    page.get_by_role("button", name="Nhập và đối chiếu").click()
    page.wait_for_load_state("networkidle")
    assert StatementLine.objects.get(bank_ref="FT1").status == MatchStatus.AUTO

    page.goto(f"/funds/{appeal.pk}/statements/queue/")
    form = page.locator("form.record-form").first
    form.locator("input[name=donor_name]").fill("")
    form.locator("input[name=anonymous]").check()
    form.get_by_role("button", name="Ghi khoản mới").click()
    page.wait_for_load_state("networkidle")
    line = StatementLine.objects.get(bank_ref="FT2")
    assert line.status == MatchStatus.CREATED and line.donation.anonymous

    page.goto("/cong-khai/BAO3HN/danh-sach/")
    listing = page.locator("main")
    expect(listing).to_contain_text("Công ty cổ phần Sông Hồng")
    expect(listing).to_contain_text("2.000.000")
    expect(listing).to_contain_text("Nhà hảo tâm")
    expect(listing).to_contain_text("500.000")
    page.goto("/cong-khai/BAO3HN/")
    expect(page.locator("main")).to_contain_text("2.500.000")
