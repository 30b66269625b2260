"""The CLI: donation_record prints the receipt number (and e-mails it on request); pledge_remind
lists the due instalments and, with --send, e-mails and stamps them."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from nhandao.funds import pledges
from nhandao.funds.models import Donation, PledgeInstalment
from tests.conftest import actor
from tests.funds.conftest import TODAY

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_donation_record_prints_the_receipt_number(people, appeal, donor):
    out = _run(
        "donation_record",
        "--user", "hn_officer",
        "--fund", "BAO3HN",
        "--amount", "1.500.000",
        "--date", TODAY.strftime("%d/%m/%Y"),
        "--donor-id", str(donor.pk),
        "--method", "transfer",
        "--email-receipt",
    )  # fmt: skip
    gift = Donation.objects.get()
    assert out.startswith(f"00001/{TODAY.year}\t{gift.reference}\t")
    assert "1.500.000 đ" in out and gift.method == "transfer"
    assert mail.outbox[0].to == ["lienhe@hongha.vn"]


def test_donation_record_anonymous_by_name(people, appeal):
    _run("donation_record", "--user", "clerk", "--fund", "BAO3HN", "--amount", "200000",
         "--donor-name", "Bác Tư", "--anonymous")  # fmt: skip
    gift = Donation.objects.get()
    assert gift.donor_name == "Bác Tư" and gift.anonymous and gift.unit.name.endswith("Hoàn Kiếm")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fund", "BAO3HN", "--amount", "-5"], "lớn hơn 0"),
        (["--fund", "BAO3HN", "--amount", "1,5"], "không hợp lệ"),
        (["--fund", "KHONGCO", "--amount", "100"], "Không có quỹ"),
        (["--fund", "BAO3HN", "--amount", "100", "--date", "31/02/2026"], "không đúng dạng"),
    ],
)
def test_donation_record_says_what_is_wrong(people, appeal, args, message):
    with pytest.raises(CommandError, match=message):
        _run("donation_record", "--user", "hn_officer", *args)
    assert not Donation.objects.exists()


def test_donation_record_outside_scope(people, appeal):
    with pytest.raises(CommandError, match="Không có quỹ"):
        _run("donation_record", "--user", "outsider", "--fund", "BAO3HN", "--amount", "100")


def test_pledge_remind_lists_and_sends(people, tree, appeal, donor):
    pledge = pledges.pledge_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=pledges.PledgeData(
            donor=donor,
            fund=appeal,
            amount=800_000,
            pledged_on=TODAY,
            count=2,
            first_due=TODAY + dt.timedelta(days=3),
        ),
    )
    out = _run("pledge_remind", "--days", "7")
    assert "Công ty TNHH Thương mại Hồng Hà" in out and "400.000 đ" in out
    assert "1 đợt đến hạn" in out and mail.outbox == []
    out = _run("pledge_remind", "--send")
    assert "lienhe@hongha.vn" in out and "Đã gửi 1 thư nhắc." in out
    assert len(mail.outbox) == 1
    first = pledge.instalments.order_by("due_on").first()
    assert PledgeInstalment.objects.get(pk=first.pk).reminded_at is not None
    assert "0 đợt" in _run("pledge_remind", "--user", "outsider")
