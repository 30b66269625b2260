"""The sponsorship pages: linking from an address's page or with a search, the list (overdue,
printable, .xlsx), a commitment's page with its periods, fulfilments, voiding and ending, the
addresses still without a sponsor, and the sponsor's private link (every field it renders, with
and without the beneficiary's consent)."""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser

import pytest
from django.utils import timezone
from python_calamine import CalamineWorkbook

from nhandao.beneficiaries import services as beneficiaries
from nhandao.funds import sponsorships as sp
from nhandao.funds.models import Donor, Sponsorship, SponsorshipFulfilment
from nhandao.people.services import PersonData
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def address(register):
    return register(
        "Trần Văn Bình",
        birth="12/05/1956",
        groups=["agent_orange", "near_poor"],
        circumstances="Nạn nhân chất độc da cam, mất sức lao động.",
        id_number="001056012345",
        phone="0912345678",
        address_detail="Số 7 ngõ Hài Tượng",
    )


@pytest.fixture
def linked(people, donor, address):
    return sp.sponsorship_create(
        actor=actor(people.hn_officer),
        data=sp.SponsorshipData(
            donor=donor,
            beneficiary=address,
            commitment="Hỗ trợ tiền thuốc hằng tháng",
            amount=500_000,
            frequency="monthly",
            starts_on=TODAY - dt.timedelta(days=70),
        ),
    )


def _form(**extra):
    return {
        "commitment": "Hỗ trợ tiền ăn học đến hết lớp 12",
        "kind": "money",
        "amount": "1.500.000",
        "frequency": "quarterly",
        "starts_on": d(TODAY),
        "ends_on": "",
        "note": "",
    } | extra


# --- linking ---------------------------------------------------------------------------------


def test_link_from_the_address_page(client, people, donor, address):
    login(client, people.hn_officer)
    page = client.get(f"/beneficiaries/{address.pk}/").content.decode()
    assert 'id="sponsors-box"' in page and "Chưa có nhà tài trợ nào gắn kết." in page
    assert f"/funds/sponsorships/new/?beneficiary={address.pk}" in page
    form = client.get(f"/funds/sponsorships/new/?beneficiary={address.pk}").content.decode()
    assert "Trần Văn Bình" in form and f'value="{address.pk}" checked' in form
    response = client.post(
        "/funds/sponsorships/new/", _form(beneficiary=address.pk, donor=donor.pk)
    )
    s = Sponsorship.objects.get()
    assert response.status_code == 302 and response.url == f"/funds/sponsorships/{s.pk}/"
    assert (s.amount, s.frequency, s.goods, s.starts_on) == (1_500_000, "quarterly", False, TODAY)
    page = client.get(f"/beneficiaries/{address.pk}/").content.decode()
    assert "Công ty TNHH Thương mại Hồng Hà" in page and f"/funds/sponsorships/{s.pk}/" in page


def test_link_with_a_new_sponsor_typed_inline(client, people, address):
    login(client, people.hn_officer)
    response = client.post(
        "/funds/sponsorships/new/",
        _form(
            beneficiary=address.pk,
            new_donor_kind="individual",
            new_donor_name="nguyễn   văn  hảo",
            kind="goods",
            amount="2000000",
            frequency="yearly",
        ),
    )
    assert response.status_code == 302
    s = Sponsorship.objects.select_related("donor").get()
    assert s.donor.kind == "individual" and s.goods and s.amount == 2_000_000


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"amount": "1,5"}, "không hợp lệ"),
        ({"amount": "-500.000"}, "lớn hơn 0"),
        ({"amount": "0"}, "lớn hơn 0"),
        ({"ends_on": d(TODAY - dt.timedelta(days=1))}, "sau ngày bắt đầu"),
        ({"donor": ""}, "Hãy chọn nhà tài trợ"),
        ({"beneficiary": ""}, "Hãy chọn địa chỉ nhân đạo"),
    ],
)
def test_bad_input_shows_the_reason_and_writes_nothing(
    client, people, donor, address, extra, message
):
    login(client, people.hn_officer)
    donors = Donor.objects.count()
    response = client.post(
        "/funds/sponsorships/new/", _form(beneficiary=address.pk, donor=donor.pk) | extra
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Sponsorship.objects.exists() and Donor.objects.count() == donors


def test_an_inline_sponsor_is_not_kept_when_the_link_is_refused(client, people, donor, address):
    login(client, people.hn_officer)
    client.post("/funds/sponsorships/new/", _form(beneficiary=address.pk, donor=donor.pk))
    donors = Donor.objects.count()
    response = client.post(
        "/funds/sponsorships/new/",
        _form(beneficiary=address.pk, new_donor_kind="business", new_donor_name="Công ty Mới"),
    )
    assert response.status_code == 302  # another sponsor may join the same address
    response = client.post(
        "/funds/sponsorships/new/",
        _form(
            beneficiary=address.pk,
            new_donor_kind="business",
            new_donor_name="Công ty Khác",
            amount="-1",
        ),
    )
    assert response.status_code == 400 and Donor.objects.count() == donors + 1


def test_an_address_out_of_scope_cannot_be_linked(client, people, tree, donor):
    qt = beneficiaries.beneficiary_register(
        actor=actor(people.outsider),
        unit=tree.vinh_linh,
        person=PersonData(full_name="Võ Văn Hùng"),
        profile=beneficiaries.ProfileData(),
    )
    login(client, people.hn_officer)
    response = client.post("/funds/sponsorships/new/", _form(beneficiary=qt.pk, donor=donor.pk))
    assert response.status_code == 400
    assert "Không tìm thấy địa chỉ nhân đạo" in response.content.decode()
    assert "Võ Văn Hùng" not in response.content.decode()
    assert not Sponsorship.objects.exists()


def test_searches_for_sponsors_and_addresses(client, people, donor, address, tree):
    login(client, people.hn_officer)
    found = client.get("/funds/sponsorships/search/donors/", {"donor_q": "hong ha"})
    assert f'value="{donor.pk}"' in found.content.decode()
    by_tax = client.get("/funds/sponsorships/search/donors/", {"donor_q": "0101234567"})
    assert f'value="{donor.pk}"' in by_tax.content.decode()
    found = client.get("/funds/sponsorships/search/beneficiaries/", {"beneficiary_q": "tran van"})
    assert f'value="{address.pk}"' in found.content.decode()
    login(client, people.outsider)
    assert (
        f'value="{donor.pk}"'
        not in client.get(
            "/funds/sponsorships/search/donors/", {"donor_q": "hong ha"}
        ).content.decode()
    )


# --- the list and the export -----------------------------------------------------------------


def test_list_marks_overdue_filters_and_exports(client, people, linked, register, donor):
    other = register("Lê Thị Ánh")
    fresh = sp.sponsorship_create(
        actor=actor(people.hn_officer),
        data=sp.SponsorshipData(
            donor=donor,
            beneficiary=other,
            commitment="Học bổng hằng năm",
            amount=5_000_000,
            frequency="yearly",
            starts_on=TODAY,
        ),
    )
    login(client, people.hn_officer)
    page = client.get("/funds/sponsorships/").content.decode()
    assert 'id="sponsorship-count">2<' in page and "table-warning" in page
    assert "Quá hạn 2 kỳ" in page  # 70 days of a monthly commitment: two periods lapsed
    overdue = client.get("/funds/sponsorships/", {"overdue": "on"}).content.decode()
    assert "Trần Văn Bình" in overdue and "Lê Thị Ánh" not in overdue
    search = client.get("/funds/sponsorships/", {"q": "le thi"}).content.decode()
    assert "Lê Thị Ánh" in search and "Trần Văn Bình" not in search
    assert f"/funds/sponsorships/{fresh.pk}/" in search
    response = client.get("/funds/sponsorships/export.xlsx")
    assert response.status_code == 200 and response["Content-Type"].endswith("sheet")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    values = rows.to_python()
    header = next(i for i, r in enumerate(values) if r and r[0] == "STT")
    body = [r for r in values[header + 1 :] if r and isinstance(r[0], (int, float)) and r[0]]
    assert {r[2] for r in body} == {"Trần Văn Bình", "Lê Thị Ánh"}
    late = next(r for r in body if r[2] == "Trần Văn Bình")
    assert late[5] == 500_000 and late[9] == "0/3" and late[10] == 1_500_000
    assert late[12] == "Quá hạn"
    login(client, people.outsider)
    assert 'id="sponsorship-count">0<' in client.get("/funds/sponsorships/").content.decode()


def test_list_per_sponsor(client, people, linked, donor):
    login(client, people.hn_officer)
    page = client.get("/funds/sponsorships/", {"donor": donor.pk}).content.decode()
    assert "Công ty TNHH Thương mại Hồng Hà" in page and 'id="sponsorship-count">1<' in page
    login(client, people.outsider)
    assert client.get("/funds/sponsorships/", {"donor": donor.pk}).status_code == 404


# --- one commitment --------------------------------------------------------------------------


def test_detail_record_void_and_end(client, people, linked):
    login(client, people.hn_officer)
    page = client.get(f"/funds/sponsorships/{linked.pk}/").content.decode()
    assert 'id="overdue"' in page and "1.500.000 đ" in page  # three periods due
    assert f"/cong-khai/bao-tro/{linked.token}/" in page
    url = f"/funds/sponsorships/{linked.pk}/fulfilments/"
    bad = client.post(url, {"given_on": d(TODAY), "amount": "5,5", "description": ""})
    assert bad.status_code == 400 and "không hợp lệ" in bad.content.decode()
    early = client.post(url, {"given_on": d(TODAY - dt.timedelta(days=90)), "amount": "500.000"})
    assert early.status_code == 400 and "trước ngày bắt đầu" in early.content.decode()
    assert not SponsorshipFulfilment.objects.exists()
    for days in (65, 35, 5):
        ok = client.post(
            url,
            {
                "given_on": d(TODAY - dt.timedelta(days=days)),
                "amount": "500.000",
                "description": "Tiền thuốc",
            },
        )
        assert ok.status_code == 302
    page = client.get(f"/funds/sponsorships/{linked.pk}/").content.decode()
    assert 'id="overdue"' not in page
    f = SponsorshipFulfilment.objects.order_by("id").last()
    voided = client.post(
        f"/funds/sponsorships/{linked.pk}/fulfilments/{f.pk}/void/", {"reason": "Ghi trùng"}
    )
    assert voided.status_code == 302
    f.refresh_from_db()
    assert f.voided and f.void_reason == "Ghi trùng"
    page = client.get(f"/funds/sponsorships/{linked.pk}/").content.decode()
    assert "text-decoration-line-through" in page and "Ghi trùng" in page
    end = client.post(
        f"/funds/sponsorships/{linked.pk}/end/",
        {"status": "ended", "on": d(TODAY), "reason": ""},
    )
    assert end.status_code == 400
    end = client.post(
        f"/funds/sponsorships/{linked.pk}/end/",
        {"status": "ended", "on": d(TODAY), "reason": "Cụ đã chuyển về ở với con"},
    )
    assert end.status_code == 302
    page = client.get(f"/funds/sponsorships/{linked.pk}/").content.decode()
    assert "Đã kết thúc" in page and "Cụ đã chuyển về ở với con" in page
    assert 'id="fulfil-form"' not in page


def test_void_of_a_fulfilment_of_another_sponsorship_is_404(
    client, people, linked, register, donor
):
    other = sp.sponsorship_create(
        actor=actor(people.hn_officer),
        data=sp.SponsorshipData(
            donor=donor,
            beneficiary=register("Lê Thị Ánh"),
            commitment="Học bổng",
            amount=1_000_000,
            frequency="once",
            starts_on=TODAY,
        ),
    )
    f = sp.fulfilment_record(
        actor=actor(people.hn_officer), sponsorship=other, given_on=TODAY, amount=1_000_000
    )
    login(client, people.hn_officer)
    response = client.post(
        f"/funds/sponsorships/{linked.pk}/fulfilments/{f.pk}/void/", {"reason": "Thử"}
    )
    assert response.status_code == 404
    f.refresh_from_db()
    assert not f.voided


def test_a_viewer_cannot_link(client, people, tree, linked):
    from tests.conftest import make_user

    viewer = make_user("hn_viewer", tree.hanoi, "viewer")
    login(client, viewer)
    assert client.get("/funds/sponsorships/new/").status_code == 403
    assert client.get(f"/funds/sponsorships/{linked.pk}/").status_code == 200
    response = client.post(
        f"/funds/sponsorships/{linked.pk}/fulfilments/",
        {"given_on": d(TODAY), "amount": "500.000"},
    )
    assert response.status_code == 403 and not SponsorshipFulfilment.objects.exists()


# --- addresses without a sponsor -------------------------------------------------------------


def test_unsponsored_page_counts_and_filters(client, people, tree, linked, register):
    register("Lê Thị Ánh", groups=["orphan"])
    register("Phạm Văn Đức", groups=["serious_illness"])
    register("Đỗ Thị Hạnh", unit=tree.ba_dinh, groups=["poor"])
    login(client, people.hn_officer)
    page = client.get("/funds/sponsorships/unsponsored/").content.decode()
    assert 'id="unsponsored-count">3<' in page and "Trần Văn Bình" not in page
    table = page.split('id="unsponsored"')[1]
    assert "Mắc bệnh hiểm nghèo" in table  # the officer may see sensitive groups
    page = client.get(
        "/funds/sponsorships/unsponsored/", {"unit": tree.hoan_kiem.pk, "group": "orphan"}
    ).content.decode()
    assert 'id="unsponsored-count">1<' in page and "Lê Thị Ánh" in page
    login(client, people.clerk)
    page = client.get("/funds/sponsorships/unsponsored/").content.decode()
    table = page.split('id="unsponsored"')[1]
    assert 'id="unsponsored-count">2<' in page and "Mắc bệnh hiểm nghèo" not in table
    # A unit outside the scope is not offered, and asking for it changes nothing.
    page = client.get("/funds/sponsorships/unsponsored/", {"unit": tree.vinh_linh.pk})
    assert 'id="unsponsored-count">2<' in page.content.decode()


# --- the sponsor's private link --------------------------------------------------------------


class _Fields(HTMLParser):
    """Collects the data-field names of the page and the text of every element."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "data-field":
                self.fields.append(value)

    def handle_data(self, data):
        if data.strip():
            self.text.append(data.strip())


def _read(client, token):
    response = client.get(f"/cong-khai/bao-tro/{token}/")
    assert response.status_code == 200
    parser = _Fields()
    parser.feed(response.content.decode())
    return response, parser, " ".join(parser.text)


COMMON = [
    "sponsor_name",
    "commitment",
    "amount",
    "period",
    "status",
    "address_label",
    "commune",
    "groups",
    "periods_due",
    "periods_covered",
    "expected",
    "given",
    "shortfall",
]
PRIVATE = ["001056012345", "0912345678", "0912 345 678", "Ngõ Hài Tượng", "12/05/1956", "1956"]


def test_sponsor_page_without_consent_shows_a_household_in_a_commune(client, people, linked):
    sp.fulfilment_record(
        actor=actor(people.hn_officer),
        sponsorship=linked,
        given_on=TODAY - dt.timedelta(days=60),
        amount=500_000,
        description="Tiền thuốc tháng đầu",
    )
    response, page, text = _read(client, linked.token)
    assert page.fields == COMMON  # every field the page renders, in order
    assert "Một hộ gia đình tại Hội Chữ thập đỏ phường Hoàn Kiếm" in text
    assert "Trần Văn Bình" not in text
    assert "Hộ cận nghèo" in text
    assert "chất độc da cam" not in text.lower()  # a sensitive group, and the circumstances
    assert "mất sức lao động" not in text
    for secret in PRIVATE:
        assert secret not in text
    assert "Công ty TNHH Thương mại Hồng Hà" in text and "Tiền thuốc tháng đầu" in text
    assert response["Cache-Control"] == "private, no-store"
    assert "noindex" in response["X-Robots-Tag"]
    assert "<form" not in response.content.decode()


def test_sponsor_page_with_consent_tells_the_story(client, people, linked, address):
    consent = beneficiaries.consent_record(
        actor=actor(people.hn_officer),
        beneficiary=address,
        purpose="Cho nhà tài trợ gắn kết theo dõi hoàn cảnh",
        given_on=TODAY,
        method="paper",
    )
    _response, page, text = _read(client, linked.token)
    assert page.fields == [*COMMON[:8], "circumstances", *COMMON[8:]]
    assert "Trần Văn Bình" in text and "Nạn nhân chất độc da cam, mất sức lao động." in text
    assert "Nạn nhân chiến tranh, chất độc da cam" in text and "Hộ cận nghèo" in text
    for secret in PRIVATE:
        assert secret not in text
    beneficiaries.consent_withdraw(actor=actor(people.hn_officer), consent=consent, on=TODAY)
    _response, page, text = _read(client, linked.token)
    assert "Trần Văn Bình" not in text and "circumstances" not in page.fields


def test_sponsor_page_names_the_ward_when_the_address_has_one(client, people, linked, address):
    from nhandao.geo.models import Province, Ward

    province, _ = Province.objects.get_or_create(
        code=1,
        defaults={"name": "Thành phố Hà Nội", "division_type": "thành phố", "codename": "ha_noi"},
    )
    ward, _ = Ward.objects.update_or_create(
        code=70,
        defaults={
            "name": "Phường Hoàn Kiếm",
            "division_type": "phường",
            "codename": "hk",
            "province": province,
        },
    )
    type(address.person).objects.filter(pk=address.person_id).update(ward=ward)
    _response, _page, text = _read(client, linked.token)
    assert "Một hộ gia đình tại Phường Hoàn Kiếm" in text


@pytest.mark.parametrize("token", ["x", "a" * 22, "a" * 40, "%20"])
def test_sponsor_page_of_an_unknown_token_is_404(client, linked, token):
    assert client.get(f"/cong-khai/bao-tro/{token}/").status_code == 404
    assert re.fullmatch(r"[A-Za-z0-9_-]{16,32}", linked.token)


def test_sponsor_page_is_printable_and_read_only(client, linked):
    response = client.get(f"/cong-khai/bao-tro/{linked.token}/")
    html = response.content.decode()
    assert "@media print" in html and "window.print()" in html
    assert client.post(f"/cong-khai/bao-tro/{linked.token}/").status_code == 405


def test_inline_sponsor_uses_the_officers_unit(client, people, tree, address):
    login(client, people.clerk)
    response = client.post(
        "/funds/sponsorships/new/",
        _form(beneficiary=address.pk, new_donor_kind="business", new_donor_name="Tiệm vàng Kim"),
    )
    assert response.status_code == 302
    assert Sponsorship.objects.get().donor.unit_id == tree.hoan_kiem.pk
