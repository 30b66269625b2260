"""Defects a visitor met on the public site (on a 360 px phone): the funds table, the order of
the newest gifts, spending shown beside "nothing was given", a transfer block without an
account, a statement link for every year since 2011, and the name search."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.utils import timezone

from nhandao.aid import services as aid
from nhandao.funds import ledger
from tests.conftest import actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
CSS = Path(__file__).parents[2] / "src/nhandao/portal/static/portal/portal.css"


def body(response) -> str:
    return response.content.decode("utf-8")


def section(html: str, start: str, end: str = "<h2>") -> str:
    """The page's text from ``start`` to the next ``end``."""
    rest = html.split(start, 1)[1]
    return rest.split(end, 1)[0]


# --- 1. the funds table on a phone -----------------------------------------------------------


def test_funds_table_turns_into_labelled_cards_on_phones_only(client, appeal, activity_fund):
    html = body(client.get("/cong-khai/"))
    table = section(html, 'id="funds"', "</table>")
    assert 'class="cards"' in html.split('id="funds"')[0][-40:] + table[:20]
    headers = re.findall(r"<th[^>]*>([^<]+)</th>", table)
    for row in re.findall(r"<tr>(.*?)</tr>", section(table, "<tbody>", "</tbody>"), re.S):
        cells = re.findall(r"<td([^>]*)>", row)
        assert len(cells) == 7
        assert "data-label" not in cells[0]  # the fund's name is the card's title
        assert [re.search(r'data-label="([^"]+)"', c).group(1) for c in cells[1:]] == headers[1:]
    css = CSS.read_text()
    phone = css.split("@media screen and (max-width:991.98px){", 1)[1].split("\n}", 1)[0]
    assert "table.cards thead" in phone and "content:attr(data-label)" in phone
    # Paper keeps the table: the cards apply on screens only.
    assert "@media (max-width" not in css and "@media print" in css


# --- 2. the fund page ------------------------------------------------------------------------


def test_newest_gifts_are_ordered_by_the_day_received(client, appeal, give):
    give(appeal, 100_000, donor_name="Ngày Mười", anonymous=False, received_on=TODAY)
    give(
        appeal, 200_000, donor_name="Ngày Tám", anonymous=False, received_on=TODAY - dt.timedelta(2)
    )
    give(
        appeal,
        300_000,
        donor_name="Ngày Chín",
        anonymous=False,
        received_on=TODAY - dt.timedelta(1),
    )
    give(
        appeal, 400_000, donor_name="Ngày Bảy", anonymous=True, received_on=TODAY - dt.timedelta(3)
    )
    html = body(client.get("/cong-khai/BAO3HN/"))
    latest = section(html, "Danh sách ủng hộ mới nhất")
    names = re.findall(r'<td class="nowrap">[^<]*</td><td>([^<]*)</td>', latest)
    assert names == ["Ngày Mười", "Ngày Chín", "Ngày Tám", "Nhà hảo tâm"]
    assert "Ngày Bảy" not in html
    assert "Xếp theo ngày nhận, mới nhất ở trên cùng." in latest


def test_spending_without_aid_records_is_listed_not_denied(client, appeal, give, tree, people):
    give(appeal, 12_000_000)
    html = body(client.get("/cong-khai/BAO3HN/"))
    assert 'id="given-none"' in html and 'id="spent-lines"' not in html  # nothing spent yet
    ledger.disburse(
        fund=appeal,
        unit=tree.hanoi,
        amount=10_000_000,
        posted_on=TODAY,
        actor=actor(people.hn_officer),
        description="Mua gạo cho bà Nguyễn Thị Riêng Tư",
    )
    html = body(client.get("/cong-khai/BAO3HN/"))
    assert 'id="fig-spent">10.000.000 đ<' in html
    given = section(html, "Hỗ trợ đã trao")
    assert "Chưa có hỗ trợ nào được trao" not in given and 'id="given-none"' not in given
    assert 'id="given-unrecorded"' in given
    lines = section(given, 'id="spent-lines"', "</table>")
    assert "Chi khác (không gắn đợt trao)" in lines and lines.count("10.000.000 đ") == 2
    assert "Riêng Tư" not in html  # an entry's free text may name a recipient: never shown


def test_spending_is_listed_by_distribution(client, appeal, give, tet, tree, people):
    officer = actor(people.hn_officer)
    give(appeal, 5_000_000)
    handed = aid.distribution_create(
        actor=officer,
        campaign=tet.campaign,
        unit=tree.hanoi,
        data=aid.DistributionData(title="Trao quà Tết phường Hoàn Kiếm", held_on=TODAY),
    )
    for amount in (1_000_000, 2_000_000):
        ledger.disburse(
            fund=appeal,
            unit=tree.hanoi,
            amount=amount,
            posted_on=TODAY,
            actor=officer,
            description="Quà Tết",
            distribution=handed,
        )
    lines = section(body(client.get("/cong-khai/BAO3HN/")), 'id="spent-lines"', "</table>")
    rows = re.findall(r"<tr><td>([^<]+)</td><td[^>]*>([^<]+)</td><td[^>]*>([^<]+)</td>", lines)
    assert rows == [("Trao quà Tết phường Hoàn Kiếm", TODAY.strftime("%d/%m/%Y"), "3.000.000 đ")]


def test_no_bank_account_shows_whom_to_contact_not_a_transfer_note(
    client, appeal, activity_fund, give, tree
):
    account = section(body(client.get("/cong-khai/BAO3HN/")), 'id="account"', "</div>")
    assert "0011001234567" in account and "BAO3HN và tên của bạn" in account
    tree.hoan_kiem.phone = "024 3825 1234"
    tree.hoan_kiem.email = "hoankiem@chuthapdo.vn"
    tree.hoan_kiem.save()
    give(activity_fund, 500_000)
    url = f"/cong-khai/{activity_fund.code}/"
    html = body(client.get(url))
    assert "Nội dung chuyển khoản" not in html and "và tên của bạn" not in html
    assert 'id="account"' not in html and "<dd>—</dd>" not in html
    assert "<h2>Cách ủng hộ</h2>" in html and "<h2>Ủng hộ qua tài khoản</h2>" not in html
    contact = section(html, 'id="contact"', "</div>")
    assert "xin liên hệ trực tiếp Hội Chữ thập đỏ phường Hoàn Kiếm" in contact
    assert 'href="tel:02438251234"' in contact and "hoankiem@chuthapdo.vn" in contact
    poster = body(client.get(url + "ap-phich/"))
    assert "Nội dung chuyển khoản" not in poster and "<dd>—</dd>" not in poster
    assert "xin liên hệ trực tiếp Hội Chữ thập đỏ phường Hoàn Kiếm" in poster
    assert "024 3825 1234" in poster


def test_statement_links_only_for_years_with_something_to_report(client, activity_fund, give):
    url = f"/cong-khai/{activity_fund.code}/"
    html = body(client.get(url))
    assert 'id="statements"' not in html and 'id="statements-none"' in html  # no movement yet
    give(activity_fund, 700_000, received_on=dt.date(TODAY.year - 3, 6, 1))
    html = body(client.get(url))
    years = re.findall(r"bao-cao/(\d{4})/", section(html, 'id="statements"', "</ul>"))
    # The gift's year, and every later year the balance was carried into; none since 2011.
    assert years == [str(y) for y in range(TODAY.year, TODAY.year - 4, -1)]
    statement = body(client.get(f"{url}bao-cao/{TODAY.year}/"))
    other = re.findall(r"bao-cao/(\d{4})/", section(statement, "Năm khác:", "</p>"))
    assert other == years


def test_a_year_without_movement_or_balance_has_no_statement(
    client, activity_fund, give, tree, people
):
    spent_year = TODAY.year - 3
    give(activity_fund, 700_000, received_on=dt.date(spent_year, 6, 1))
    ledger.disburse(
        fund=activity_fund,
        unit=tree.hoan_kiem,
        amount=700_000,
        posted_on=dt.date(spent_year, 7, 1),
        actor=actor(people.hn_officer),
        description="Sơ cấp cứu",
    )
    give(activity_fund, 300_000, received_on=TODAY)
    html = body(client.get(f"/cong-khai/{activity_fund.code}/"))
    years = re.findall(r"bao-cao/(\d{4})/", html)
    assert years == [str(TODAY.year), str(spent_year)]  # the two years between carried 0 đ
