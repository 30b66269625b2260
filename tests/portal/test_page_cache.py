"""Whole public pages answered from the cache before the rest of the middleware
(``portal.middleware.PublicPageCacheMiddleware``): one query on a hit, a new answer as soon as
the fund's ledger moves, the same page for a signed-in officer, one copy per language, and
nothing kept that is not plainly public."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nhandao.funds import public, services
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()

PAGES = (
    "/cong-khai/BAO3HN/",
    "/cong-khai/BAO3HN/danh-sach/",
    "/cong-khai/BAO3HN/danh-sach/?q=nguyen",
)


def _queries(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), response.content.decode()


@pytest.mark.parametrize("url", PAGES)
def test_a_second_visit_costs_no_query_and_gets_the_same_page(
    client, appeal, give, url, monkeypatch
):
    monkeypatch.setattr(public, "KEYS_FRESH_S", 60.0)  # the first page's QR alone takes a while
    give(appeal, 300_000, donor_name="Nguyễn Thị Đào", anonymous=False)
    first_count, first = _queries(client, url)
    count, again = _queries(client, url)
    assert count == 0 < first_count
    assert again == first and "Nguyễn Thị Đào" in again
    public.forget_all()  # as a second later: the fund's keys are read again, one query
    assert _queries(client, url) == (1, first)


def test_another_process_s_donation_shows_within_the_freshness_window(
    client, appeal, give, monkeypatch
):
    monkeypatch.setattr(public, "KEYS_FRESH_S", 0.5)
    client.get("/cong-khai/BAO3HN/danh-sach/")
    before = public._recent["BAO3HN"][1]
    give(appeal, 555_000, donor_name="Đinh Văn Xa", anonymous=False)
    # Another process posted it: this one was not told and still holds the keys it read.
    public._recent["BAO3HN"] = (time.monotonic(), before)
    assert "Đinh Văn Xa" not in client.get("/cong-khai/BAO3HN/danh-sach/").content.decode()
    time.sleep(0.6)
    assert "Đinh Văn Xa" in client.get("/cong-khai/BAO3HN/danh-sach/").content.decode()


def test_a_hit_carries_the_pages_headers_and_no_cookie(client, appeal):
    client.get("/cong-khai/BAO3HN/")
    response = client.get("/cong-khai/BAO3HN/")
    assert response["Cache-Control"] == "public, max-age=60"
    assert response["Content-Language"] == "vi"
    assert "Content-Security-Policy" in response and response["X-Frame-Options"] == "DENY"
    assert "Vary" not in response and not response.cookies


def test_a_donation_and_its_reversal_show_at_once(client, appeal, give, people):
    client.get("/cong-khai/BAO3HN/danh-sach/")
    gift = give(appeal, 777_000, donor_name="Lê Văn Mới", anonymous=False)
    assert "Lê Văn Mới" in client.get("/cong-khai/BAO3HN/danh-sach/").content.decode()
    services.donation_reverse(actor=actor(people.hn_officer), donation=gift, reason="Ghi nhầm")
    listing = client.get("/cong-khai/BAO3HN/danh-sach/").content.decode()
    assert "Lê Văn Mới" not in listing


def test_a_signed_in_officer_sees_the_public_page_without_the_session(client, appeal, give, people):
    give(appeal, 300_000, donor_name="Nguyễn Thị Đào", anonymous=False)
    anonymous = client.get("/cong-khai/BAO3HN/").content.decode()
    officer = login(client, people.hn_officer)
    response = officer.get("/cong-khai/BAO3HN/")
    assert response.content.decode() == anonymous
    assert "Vary" not in response  # nothing on the page depends on who asks


def test_each_language_is_kept_apart(client, appeal):
    vietnamese = client.get("/cong-khai/BAO3HN/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = client.get("/cong-khai/BAO3HN/").content.decode()
    assert english != vietnamese and 'lang="en"' in english
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert client.get("/cong-khai/BAO3HN/").content.decode() == vietnamese


def test_unknown_and_withdrawn_funds_answer_404_at_once(client, appeal):
    assert client.get("/cong-khai/KHONGCO/").status_code == 404
    assert client.get("/cong-khai/BAO3HN/").status_code == 200
    appeal.is_public = False
    appeal.save(update_fields=["is_public"])
    assert client.get("/cong-khai/BAO3HN/").status_code == 404


def test_a_new_day_is_a_new_page(client, appeal, monkeypatch):
    monkeypatch.setattr(public, "KEYS_FRESH_S", 60.0)
    client.get("/cong-khai/BAO3HN/")
    assert _queries(client, "/cong-khai/BAO3HN/")[0] == 0
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: tomorrow)
    assert _queries(client, "/cong-khai/BAO3HN/")[0] > 1


def test_later_pages_share_the_frame_and_show_their_own_rows(client, appeal, give):
    gifts = [
        give(appeal, 100_000 + n, donor_name=f"Người thứ {n}", anonymous=False) for n in range(7)
    ]
    pages = {}
    for n in (5, 2):
        html = client.get("/cong-khai/BAO3HN/danh-sach/", {"cursor": gifts[n].pk}).content.decode()
        pages[n] = re.findall(r"<td>(Người thứ \d)</td>", html)
        assert "Tổng số 7 lượt ủng hộ" in html and 'id="first-page"' in html
        assert 'id="next-page"' not in html and "<!--" not in html
    assert pages == {
        5: [f"Người thứ {n}" for n in (4, 3, 2, 1, 0)],
        2: ["Người thứ 1", "Người thứ 0"],
    }
    bad = client.get("/cong-khai/BAO3HN/danh-sach/", {"cursor": "abc"}).content.decode()
    assert 'class="error field-error"' in bad  # a bad cursor gets its own frame, with the error


@pytest.mark.parametrize(
    "flt",
    [
        {},
        {"amount": 100_003},
        {"day": TODAY},
        {"amount": 100_003, "day": TODAY},
    ],
)
def test_newest_first_statement_matches_the_query_it_was_built_from(appeal, give, flt):
    for n in range(7):
        give(appeal, 100_000 + n % 4, donor_name=f"Người thứ {n}", anonymous=n == 3)
    wanted = public.DonationFilter(**flt)
    expected = list(
        public.donations_query(appeal, wanted).values_list("id", "amount", "received_on")
    )
    for cursor in (None, expected[1][0] if len(expected) > 1 else None):
        page = public.donations_page(appeal, wanted, cursor, size=50)
        got = [(d.id, d.amount, d.received_on) for d in page.rows]
        assert got == [e for e in expected if cursor is None or e[0] < cursor]
    assert expected  # every shape finds something
