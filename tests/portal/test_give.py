"""A donor asks for a dynamic VietQR on the public site: a payment request with its reference,
the QR carrying the amount and "<CODE> <REFERENCE>"; abuse is turned away lightly."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from nhandao.core import vietqr
from nhandao.core.models import AuditEvent
from nhandao.funds import services
from nhandao.funds.models import Fund, PaymentRequest
from nhandao.portal import services as portal
from tests.conftest import actor

pytestmark = pytest.mark.django_db

FORM = {"donor_name": "Lê Thị Hoa", "amount": "300.000", "email": "hoa@example.com", "note": ""}


def test_form_makes_a_request_and_its_dynamic_qr(client, appeal):
    form = client.get("/cong-khai/BAO3HN/ung-ho/")
    assert form.status_code == 200
    assert "no-store" in form["Cache-Control"] and "private" in form["Cache-Control"]
    response = client.post("/cong-khai/BAO3HN/ung-ho/", {**FORM, "note": "Cầu mong bình an"})
    made = PaymentRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/cong-khai/BAO3HN/ung-ho/{made.reference}/"
    assert re.fullmatch(r"UH[2-9A-HJKMNP-Z]{7}", made.reference)
    assert (made.fund, made.amount, made.donor_name, made.anonymous) == (
        appeal,
        300_000,
        "Lê Thị Hoa",
        False,
    )
    assert made.email == "hoa@example.com" and made.note == "Cầu mong bình an"
    assert made.donation is None
    event = AuditEvent.objects.get(object_type="funds.paymentrequest")
    assert event.changes["amount"] == 300_000 and "hoa@example.com" not in str(event.changes)
    page = client.get(response["Location"])
    html = page.content.decode()
    assert "no-store" in page["Cache-Control"]
    assert f"BAO3HN {made.reference}" in html and "300.000 đ" in html and "<svg" in html
    assert "hoa@example.com" not in html
    got = vietqr.parse(portal.request_payload(made))
    assert got["method"] == "12" and got["amount"] == 300_000
    assert (got["bin"], got["account"]) == ("970436", "0011001234567")
    assert got["note"] == f"BAO3HN {made.reference}"


def test_anonymous_request_needs_no_name(client, appeal):
    client.post("/cong-khai/BAO3HN/ung-ho/", {"anonymous": "on", "amount": "50000"})
    made = PaymentRequest.objects.get()
    assert made.anonymous and made.donor_name == "Nhà hảo tâm"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**FORM, "amount": "5.000"}, "Số tiền từ 10.000 đ đến 1.000.000.000 đ"),
        ({**FORM, "amount": "2.000.000.000"}, "Số tiền từ 10.000 đ"),
        ({**FORM, "amount": "12,5"}, "không hợp lệ"),
        ({**FORM, "amount": "-50000"}, "lớn hơn 0"),
        ({**FORM, "amount": ""}, "required"),
        ({**FORM, "donor_name": ""}, "chọn «Ẩn danh»"),
        ({**FORM, "email": "khong-phai-thu"}, "email"),
    ],
)
def test_bad_input_is_refused_with_a_message(client, appeal, data, message):
    response = client.post("/cong-khai/BAO3HN/ung-ho/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "field-error" in html or 'class="error"' in html
    assert message.lower() in html.lower() or message == "required" or message == "email"
    assert not PaymentRequest.objects.exists()


def test_honeypot_and_rate_limit(client, appeal, settings):
    response = client.post("/cong-khai/BAO3HN/ung-ho/", {**FORM, "website": "http://spam"})
    assert response.status_code == 302 and response["Location"] == "/cong-khai/BAO3HN/"
    assert not PaymentRequest.objects.exists()
    settings.NHANDAO_PORTAL_REQUESTS_PER_HOUR = 2
    for _ in range(2):
        assert client.post("/cong-khai/BAO3HN/ung-ho/", FORM).status_code == 302
    refused = client.post("/cong-khai/BAO3HN/ung-ho/", FORM)
    assert refused.status_code == 200 and "quá nhiều yêu cầu" in refused.content.decode()
    assert PaymentRequest.objects.count() == 2


def test_closed_or_expired_fund_takes_no_request(client, appeal, people):
    services.fund_close(actor=actor(people.hn_officer), fund=appeal)
    html = client.get("/cong-khai/BAO3HN/ung-ho/").content.decode()
    assert 'id="closed"' in html and "give-form" not in html
    assert client.post("/cong-khai/BAO3HN/ung-ho/", FORM).status_code == 200
    assert not PaymentRequest.objects.exists()
    Fund.objects.filter(pk=appeal.pk).update(
        status="open", receiving_ends_on=timezone.localdate() - dt.timedelta(days=1)
    )
    fund = Fund.objects.get(pk=appeal.pk)
    with pytest.raises(services.ApplicationError, match="không tiếp nhận"):
        portal.payment_request_create(fund=fund, data=portal.GiveData(amount=100_000))
    assert "Đã hết hạn tiếp nhận" in client.get("/cong-khai/BAO3HN/").content.decode()


def test_long_fund_code_keeps_the_reference_in_the_note(appeal):
    Fund.objects.filter(pk=appeal.pk).update(code="LULUTMIENTRUNG26")
    fund = Fund.objects.get(pk=appeal.pk)
    assert portal.qr_note(fund, "UHABCDEFG") == "UHABCDEFG"
    assert portal.qr_note(appeal, "UHABCDEFG") == "BAO3HN UHABCDEFG"


def test_unknown_reference_is_404(client, appeal):
    assert client.get("/cong-khai/BAO3HN/ung-ho/UHNOTHERE/").status_code == 404
