"""The public disclosure site: what each page shows (every label listed), and what it never shows
(phones, e-mails, ID numbers, tax codes, addresses of donors; anonymous donors' names; names of
beneficiaries without consent), also in the downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from nhandao.aid import services as aid
from nhandao.beneficiaries import services as beneficiaries
from nhandao.core import vietqr
from nhandao.funds import ledger, services
from nhandao.funds.models import Fund, FundDocument
from tests.conftest import actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
GIFT = aid.AidData(value=500_000, given_on=dt.date(2026, 11, 20))


class Labels(HTMLParser):
    """The headings, figure labels (dt), table headers (th) and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, list[str]] = {"h1": [], "h2": [], "h3": [], "dt": [], "th": []}
        self.stack: list[str] = []
        self.text = ""

    def handle_starttag(self, tag, attrs):
        if tag in self.found:
            self.stack.append(tag)
            self.text = ""

    def handle_endtag(self, tag):
        if self.stack and tag == self.stack[-1]:
            self.found[tag].append(" ".join(self.text.split()))
            self.stack.pop()

    def handle_data(self, data):
        if self.stack:
            self.text += data


def labels(html: str) -> dict[str, list[str]]:
    parser = Labels()
    parser.feed(html)
    return parser.found


def body(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


PRIVATE = ("0912345678", "lienhe@hongha.vn", "0101234567", "12 Hàng Bạc")
SECRET_NAME = "Trần Văn Bí Mật"


@pytest.fixture
def gifts(appeal, give, donor, tree, people):
    """A business donor with phone, e-mail, tax code and address; a named individual; an
    anonymous donor whose note carries their name and phone (as a bank description would)."""
    services.donor_update(
        actor=actor(people.hn_officer),
        donor=donor,
        data=services.DonorData(
            kind="business",
            name=donor.name,
            tax_code="0101234567",
            email="lienhe@hongha.vn",
            phone="0912345678",
            address="12 Hàng Bạc",
        ),
    )
    a = give(appeal, 5_000_000, donor=donor, note="Chung tay vì miền Trung")
    b = give(appeal, 300_000, donor_name="Nguyễn Thị Đào", anonymous=False, note="Gọi 0987654321")
    c = give(
        appeal,
        1_000_000,
        donor_name=SECRET_NAME,
        anonymous=True,
        note=f"{SECRET_NAME} chuyen khoan 0912 888 999",
    )
    return a, b, c


def test_home_lists_public_funds_with_their_figures(client, appeal, gifts, tree, people):
    hidden = services.appeal_create(
        actor=actor(people.hn_officer),
        unit=tree.hanoi,
        data=services.AppealData(
            name="Cuộc vận động nội bộ",
            code="NOIBO",
            opens_on=TODAY,
            account_no="99990001",
            bank_bin="970436",
            is_public=False,
        ),
    )
    response = client.get("/cong-khai/")
    html = body(response)
    assert response.status_code == 200
    assert response["Cache-Control"] == "public, max-age=60"
    found = labels(html)
    assert found["h1"] == ["Các quỹ và cuộc vận động"]
    assert found["th"] == [
        "Quỹ, cuộc vận động",
        "Thời gian",
        "Trạng thái",
        "Đã nhận (tiền)",
        "Đã nhận (hiện vật)",
        "Đã chi",
        "Số dư",
    ]
    assert appeal.name in html and "6.300.000 đ" in html and "Đang tiếp nhận" in html
    assert hidden.name not in html
    assert client.get("/cong-khai/NOIBO/").status_code == 404
    assert client.get("/cong-khai/NOIBO/danh-sach.csv").status_code == 404
    assert client.get("/cong-khai/KHONGCO/").status_code == 404
    assert (
        'href="/static/portal/portal.css"' in html and "<script" not in html
    )  # no script on the public site


def test_fund_page_lists_every_field_and_nothing_private(client, appeal, gifts):
    response = client.get("/cong-khai/BAO3HN/")
    html = body(response)
    found = labels(html)
    assert found["h1"] == [appeal.name]
    assert found["h2"] == [
        "Mục đích",
        "Số liệu",
        "Ủng hộ qua tài khoản",
        "Danh sách ủng hộ mới nhất",
        "Hỗ trợ đã trao",
        "Văn bản",
        "Báo cáo thu, chi hằng năm",
    ]
    assert found["dt"] == [
        "Ngày phát động",
        "Hạn tiếp nhận",
        "Hạn phân phối",
        "Đã nhận bằng tiền",
        "Đã nhận bằng hiện vật (quy ra tiền)",
        "Số lượt ủng hộ",
        "Đã chi hỗ trợ",
        "Số dư",
        "Ngân hàng",
        "Số tài khoản",
        "Chủ tài khoản",
        "Nội dung chuyển khoản",
    ]
    assert found["th"] == ["Ngày nhận", "Người ủng hộ", "Số tiền", "Lời nhắn"]
    assert 'id="fig-money">6.300.000 đ<' in html
    assert 'id="fig-count">3<' in html
    assert 'id="fig-balance">6.300.000 đ<' in html
    for text in (appeal.purpose, "0011001234567", "HOI CHU THAP DO TP HA NOI", "Vietcombank"):
        assert text in html
    assert "Công ty TNHH Thương mại Hồng Hà" in html and "Nguyễn Thị Đào" in html
    assert "Nhà hảo tâm" in html
    for text in (*PRIVATE, SECRET_NAME, "0987654321", "0912 888 999", "UH"):
        assert text not in html, text
    assert 'src="/cong-khai/BAO3HN/qr.svg"' in html


def test_static_qr_is_the_fund_accounts_vietqr(client, appeal):
    response = client.get("/cong-khai/BAO3HN/qr.svg")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response["Cache-Control"] == "public, max-age=3600"
    assert body(response).startswith("<svg") or "<svg" in body(response)[:200]
    from nhandao.portal.services import static_payload

    got = vietqr.parse(static_payload(appeal))
    assert got["static"] and got["bin"] == "970436" and got["account"] == "0011001234567"
    assert got["note"] == "BAO3HN"


def test_received_list_downloads_hide_the_same_things(client, appeal, gifts):
    page = body(client.get("/cong-khai/BAO3HN/danh-sach/"))
    found = labels(page)
    assert found["th"] == ["Ngày nhận", "Người ủng hộ", "Số tiền", "Lời nhắn"]
    assert found["h1"] == ["Danh sách ủng hộ"]
    assert "Tổng số 3 lượt ủng hộ" in page
    rows = list(csv.reader(io.StringIO(body(client.get("/cong-khai/BAO3HN/danh-sach.csv")))))
    assert rows[0] == ["\ufeffNgày nhận", "Người ủng hộ", "Số tiền (đồng)", "Lời nhắn"]
    day = TODAY.strftime("%d/%m/%Y")
    assert rows[1:] == [
        [day, "Nhà hảo tâm", "1000000", ""],
        [day, "Nguyễn Thị Đào", "300000", "Gọi …"],
        [day, "Công ty TNHH Thương mại Hồng Hà", "5000000", "Chung tay vì miền Trung"],
    ]
    response = client.get("/cong-khai/BAO3HN/danh-sach.xlsx")
    assert response["Content-Disposition"].startswith('attachment; filename="ung-ho-BAO3HN.xlsx"')
    data = b"".join(response.streaming_content)
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
    cells = [str(c) for row in sheet for c in row if c != ""]
    assert "Nhà hảo tâm" in cells and "Nguyễn Thị Đào" in cells
    assert [r[:3] for r in sheet[6:]] == [
        [day, "Nhà hảo tâm", 1_000_000],
        [day, "Nguyễn Thị Đào", 300_000],
        [day, "Công ty TNHH Thương mại Hồng Hà", 5_000_000],
    ]
    for text in (*PRIVATE, SECRET_NAME, "0987654321", "0912 888 999"):
        assert text not in page
        assert not any(text in c for c in cells), text
        assert not any(text in c for row in rows for c in row), text


def test_a_reversed_donation_leaves_the_list_and_the_totals_at_once(client, appeal, gifts, people):
    assert 'id="fig-money">6.300.000 đ<' in body(client.get("/cong-khai/BAO3HN/"))
    services.donation_reverse(actor=actor(people.hn_officer), donation=gifts[1], reason="Ghi nhầm")
    html = body(client.get("/cong-khai/BAO3HN/"))
    assert 'id="fig-money">6.000.000 đ<' in html
    assert 'id="fig-count">2<' in html
    assert 'id="fig-balance">6.000.000 đ<' in html
    assert "Nguyễn Thị Đào" not in html
    listing = body(client.get("/cong-khai/BAO3HN/danh-sach/"))
    assert "Nguyễn Thị Đào" not in listing and "Tổng số 2 lượt ủng hộ" in listing
    assert "Nguyễn Thị Đào" not in body(client.get("/cong-khai/BAO3HN/danh-sach.csv"))
    home = body(client.get("/cong-khai/"))
    assert "6.000.000 đ" in home and "6.300.000 đ" not in home


def test_spending_shows_at_once_and_balances_follow(client, appeal, gifts, people, tree):
    body(client.get("/cong-khai/BAO3HN/"))  # the figures are now cached
    ledger.disburse(
        fund=appeal,
        unit=tree.hanoi,
        amount=2_000_000,
        posted_on=TODAY,
        actor=actor(people.hn_officer),
        description="Hỗ trợ hộ bị sập nhà",
    )
    html = body(client.get("/cong-khai/BAO3HN/"))
    assert 'id="fig-spent">2.000.000 đ<' in html
    assert 'id="fig-balance">4.300.000 đ<' in html


def test_search_by_name_prefix_amount_and_day(client, appeal, gifts, give):
    def names(query):
        html = body(client.get("/cong-khai/BAO3HN/danh-sach/", query))
        return re.findall(r'<td class="nowrap">[^<]*</td><td>([^<]*)</td>', html)

    assert names({"q": "nguyen thi"}) == ["Nguyễn Thị Đào"]
    assert names({"q": "NGUYỄN"}) == ["Nguyễn Thị Đào"]
    assert names({"q": "cong ty tnhh"}) == ["Công ty TNHH Thương mại Hồng Hà"]
    assert names({"q": "thi dao"}) == []  # the start of the name, not any word
    # An anonymous donor is never found by name, not even as "Nhà hảo tâm".
    assert names({"q": "tran van bi"}) == []
    assert names({"q": SECRET_NAME}) == []
    assert names({"amount": "1.000.000"}) == ["Nhà hảo tâm"]
    assert names({"amount": "300000 đ"}) == ["Nguyễn Thị Đào"]
    assert names({"day": TODAY.strftime("%d/%m/%Y")}) == [
        "Nhà hảo tâm",
        "Nguyễn Thị Đào",
        "Công ty TNHH Thương mại Hồng Hà",
    ]
    assert names({"day": (TODAY - dt.timedelta(days=1)).strftime("%d/%m/%Y")}) == []
    html = body(client.get("/cong-khai/BAO3HN/danh-sach/", {"amount": "1,5 triệu"}))
    assert "field-error" in html and "không hợp lệ" in html
    filtered = body(client.get("/cong-khai/BAO3HN/danh-sach.csv", {"q": "nguyen"}))
    assert filtered.count("\n") == 2 and "Nguyễn Thị Đào" in filtered


def test_keyset_pages_walk_the_whole_list(client, appeal, give):
    from nhandao.funds import public

    for n in range(7):
        give(appeal, 100_000 + n, donor_name=f"Người thứ {n}", anonymous=False)
    seen: list[int] = []
    page = public.donations_page(appeal, public.DonationFilter(), size=3)
    while True:
        seen += [d.amount for d in page.rows]
        if page.next_cursor is None:
            break
        page = public.donations_page(appeal, public.DonationFilter(), page.next_cursor, size=3)
    assert seen == [100_006 - n for n in range(7)]
    by_name = public.DonationFilter(q="nguoi thu")
    seen = []
    page = public.donations_page(appeal, by_name, size=3)
    while True:
        seen += [d.name for d in page.rows]
        if page.next_cursor is None:
            break
        page = public.donations_page(appeal, by_name, page.next_cursor, size=3)
    assert seen == [f"Người thứ {n}" for n in range(7)]  # a search reads in name order
    html = body(client.get("/cong-khai/BAO3HN/danh-sach/"))
    assert 'id="next-page"' not in html  # 7 rows fit one page of 50
    cursor = appeal.donations.get(amount=100_001).pk
    later = body(client.get("/cong-khai/BAO3HN/danh-sach/", {"cursor": cursor}))
    assert 'id="first-page"' in later and "100.000 đ" in later and "100.006 đ" not in later


def test_no_count_of_donations_is_run(client, appeal, gifts, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for url in ("/cong-khai/BAO3HN/", "/cong-khai/BAO3HN/danh-sach/", "/cong-khai/"):
        client.get(url)  # warm the figures' cache
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        sql = " ".join(q["sql"] for q in ctx.captured_queries)
        assert not re.search(r'COUNT\([^)]*\) AS "__count" FROM "funds_donation"', sql), url
        assert len(ctx.captured_queries) <= 12, (url, len(ctx.captured_queries))


def _given_setup(appeal, tet, tree, people, register):
    """Gifts to An (household with his wife), Bình, Cúc and Dũng (disabled: a sensitive group
    only); the appeal paid for An's, Cúc's and Dũng's; Cúc consented to publication."""
    officer = actor(people.hn_officer)
    dung = register("Đỗ Văn Dũng Ẩn", groups=["disabled"], birth="1971").person
    made = {
        p.full_name: aid.aid_record(actor=officer, campaign=tet.campaign, person=p, data=GIFT)
        for p in (tet.an, tet.binh, tet.cuc, dung)
    }
    services.donation_record(
        actor=officer,
        unit=tree.hanoi,
        data=services.DonationData(fund=appeal, amount=3_000_000, received_on=TODAY),
    )
    ledger.disburse(
        fund=appeal,
        unit=tree.hanoi,
        amount=1_500_000,
        posted_on=TODAY,
        actor=officer,
        description="Tết Nhân ái",
        aid_records=[made[n] for n in ("Nguyễn Văn An", "Phạm Thị Cúc", "Đỗ Văn Dũng Ẩn")],
    )
    cuc = tet.cuc.beneficiary
    beneficiaries.consent_record(
        actor=officer,
        beneficiary=cuc,
        purpose="Công khai trên trang",
        given_on=TODAY,
        method="paper",
    )
    return made


def test_what_was_given_by_commune_and_group_without_names(
    client, appeal, tet, tree, people, register
):
    _given_setup(appeal, tet, tree, people, register)
    html = body(client.get("/cong-khai/BAO3HN/"))
    found = labels(html)
    assert found["h3"] == [
        "Theo xã, phường",
        "Theo nhóm đối tượng",
        "Người nhận đã đồng ý công khai",
    ]
    assert found["th"][4:] == [
        "Xã, phường, đơn vị", "Số hộ", "Số người", "Số suất", "Giá trị",
        "Tổng cộng", "3", "3", "3", "1.500.000 đ",
        "Nhóm đối tượng", "Số hộ", "Số người", "Số suất", "Giá trị",
        "Họ tên", "Xã, phường", "Giá trị",
    ]  # fmt: skip
    units = re.findall(
        r"<tr><td>([^<]+)</td>", html.split('id="given-units"')[1].split("</table>")[0]
    )
    assert units == ["Hội Chữ thập đỏ phường Hoàn Kiếm", "Hội Chữ thập đỏ phường Ba Đình"]
    groups = html.split('id="given-groups"')[1].split("</table>")[0]
    assert "Hộ nghèo" in groups and "Đối tượng khác" in groups
    assert "Người khuyết tật" not in html  # a sensitive group is never named
    named = html.split('id="given-named"')[1].split("</table>")[0]
    assert "Phạm Thị Cúc" in named and "Hội Chữ thập đỏ phường Ba Đình" in named
    for name in ("Nguyễn Văn An", "Trần Thị Ân", "Lê Văn Bình", "Đỗ Văn Dũng Ẩn"):
        assert name not in html, name  # no consent: never named


def test_the_funds_campaign_counts_and_a_withdrawn_consent_unnames(
    client, appeal, tet, tree, people, register
):
    from django.core.cache import cache

    _given_setup(appeal, tet, tree, people, register)
    Fund.objects.filter(pk=appeal.pk).update(campaign=tet.campaign)
    html = body(client.get("/cong-khai/BAO3HN/"))
    assert "Lê Văn Bình" not in html
    total = re.search(r"<th>Tổng cộng</th>(.*?)</tr>", html).group(1)
    assert re.findall(r">([^<]+)</th>", total) == ["4", "4", "4", "2.000.000 đ"]
    consent = tet.cuc.beneficiary.consents.get()
    beneficiaries.consent_withdraw(actor=actor(people.hn_officer), consent=consent, on=TODAY)
    cache.clear()  # otherwise within GIVEN_TTL
    assert "Phạm Thị Cúc" not in body(client.get("/cong-khai/BAO3HN/"))


def test_public_documents_download_and_private_ones_do_not(client, appeal, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    shown = FundDocument(fund=appeal, kind="decision", title="Quyết định phát động")
    shown.file.save("qd.pdf", ContentFile(b"%PDF-1.4 public"), save=True)
    hidden = FundDocument(fund=appeal, kind="minutes", title="Biên bản họp nội bộ", is_public=False)
    hidden.file.save("bb.pdf", ContentFile(b"%PDF-1.4 private"), save=True)
    html = body(client.get("/cong-khai/BAO3HN/"))
    assert "Quyết định phát động" in html and "Biên bản họp nội bộ" not in html
    response = client.get(f"/cong-khai/BAO3HN/van-ban/{shown.pk}/")
    assert response.status_code == 200 and body_bytes(response) == b"%PDF-1.4 public"
    assert client.get(f"/cong-khai/BAO3HN/van-ban/{hidden.pk}/").status_code == 404


def body_bytes(response) -> bytes:
    return b"".join(response.streaming_content)


def test_yearly_statement_page(client, appeal, gifts):
    html = body(client.get(f"/cong-khai/BAO3HN/bao-cao/{TODAY.year}/"))
    found = labels(html)
    assert found["th"] == ["Chỉ tiêu", "Số tiền"]
    assert f"Số dư cuối năm (31/12/{TODAY.year})" in html and "6.300.000 đ" in html
    assert "Đối chiếu: số dư đầu năm cộng phát sinh" in html
    assert client.get(f"/cong-khai/BAO3HN/bao-cao/{TODAY.year + 1}/").status_code == 404
    assert client.get("/cong-khai/BAO3HN/bao-cao/1999/").status_code == 404


def test_poster_is_printable_with_the_qr_and_account(client, appeal):
    html = body(client.get("/cong-khai/BAO3HN/ap-phich/"))
    assert "@page{size:A4" in html and "<svg" in html
    for text in (
        "0011001234567",
        "HOI CHU THAP DO TP HA NOI",
        "http://testserver/cong-khai/BAO3HN/",
    ):
        assert text in html
    assert labels(html)["dt"] == [
        "Ngân hàng",
        "Số tài khoản",
        "Chủ tài khoản",
        "Nội dung chuyển khoản",
        "Thời gian tiếp nhận",
    ]
