"""The donations API with a Bearer token: donors (list, create, get, update), donations (record
by fund code, list with filters, get, reverse), the receipt .docx, pledges (create, list, get);
broken rules answer 400 in Vietnamese, other units' rows 404."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document

from nhandao.funds.models import Donation, Donor, Pledge
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.conftest import actor
from tests.funds.conftest import TODAY
from tests.scope_donations import _qt_donation, _qt_donor, _qt_pledge

pytestmark = pytest.mark.django_db


def _headers(user) -> dict[str, str]:
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return {"Authorization": f"Bearer {raw}"}


@pytest.fixture
def api(client, people):
    headers = _headers(people.hn_officer)

    class Api:
        def get(self, url, **params):
            return client.get("/api/v1" + url, params, headers=headers)

        def post(self, url, body):
            return client.post(
                "/api/v1" + url, body, content_type="application/json", headers=headers
            )

        def put(self, url, body):
            return client.put(
                "/api/v1" + url, body, content_type="application/json", headers=headers
            )

    return Api()


def test_donors_create_list_get_update(api, donor):
    r = api.post("/funds/donors", {"kind": "individual", "name": "Trịnh Văn Lộc"})
    assert r.status_code == 201, r.content
    created = r.json()
    assert created["name"] == "Trịnh Văn Lộc"
    r = api.get("/funds/donors", q="trinh van")
    assert [d["id"] for d in r.json()["items"]] == [created["id"]]
    assert api.get(f"/funds/donors/{donor.pk}").json()["tax_code"] == "0101234567"
    r = api.put(
        f"/funds/donors/{created['id']}",
        {"kind": "individual", "name": "Trịnh Văn Lộc", "phone": "0977111222"},
    )
    assert r.status_code == 200 and Donor.objects.get(pk=created["id"]).phone == "0977111222"
    r = api.post("/funds/donors", {"kind": "nobody", "name": "X"})
    assert r.status_code == 400 and r.json()["detail"] == "Loại nhà hảo tâm không hợp lệ."


def test_record_a_donation_by_fund_code(api, appeal, donor):
    body = {
        "fund": "bao3hn",
        "amount": 2_000_000,
        "received_on": TODAY.isoformat(),
        "method": "transfer",
        "donor_id": donor.pk,
        "note": "Ủng hộ bà con",
    }
    r = api.post("/funds/donations", body)
    assert r.status_code == 201, r.content
    out = r.json()
    assert out["fund_code"] == "BAO3HN" and out["receipt_code"] == f"00001/{TODAY.year}"
    assert out["donor_name"] == "Công ty TNHH Thương mại Hồng Hà"
    r = api.post("/funds/donations", {"fund": "BAO3HN", "amount": 50_000, "donor_name": "Cô Ba"})
    assert r.json()["donor_id"] is None and r.json()["donor_name"] == "Cô Ba"
    listed = api.get("/funds/donations", fund="BAO3HN", method="transfer").json()
    assert [d["id"] for d in listed["items"]] == [out["id"]]
    assert api.get(f"/funds/donations/{out['id']}").json()["amount"] == 2_000_000


@pytest.mark.parametrize(
    ("amount", "message"),
    [(-1, "Số tiền phải lớn hơn 0 đồng."), (0, "Số tiền phải lớn hơn 0 đồng.")],
)
def test_bad_amounts_answer_400(api, appeal, amount, message):
    r = api.post("/funds/donations", {"fund": "BAO3HN", "amount": amount})
    assert r.status_code == 400 and r.json()["detail"] == message
    assert not Donation.objects.exists()


def test_fractional_amount_is_refused(api, appeal):
    r = api.post("/funds/donations", {"fund": "BAO3HN", "amount": 1.5})
    assert r.status_code in (400, 422)
    assert not Donation.objects.exists()


def test_a_closed_appeal_answers_400_with_the_reason(api, people, appeal):
    from nhandao.funds import services

    services.fund_close(actor=actor(people.hn_officer), fund=appeal)
    r = api.post("/funds/donations", {"fund": "BAO3HN", "amount": 100_000, "method": "transfer"})
    assert r.status_code == 400 and "đã kết thúc" in r.json()["detail"]


def test_reverse_and_receipt_docx(api, appeal, give):
    gift = give(appeal, 600_000)
    r = api.get(f"/funds/donations/{gift.pk}/receipt")
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "Sáu trăm nghìn đồng" in text
    assert api.post(f"/funds/donations/{gift.pk}/reverse", {"reason": ""}).status_code == 400
    r = api.post(f"/funds/donations/{gift.pk}/reverse", {"reason": "Ghi nhầm"})
    assert r.status_code == 200 and r.json()["status"] == "reversed"
    assert r.json()["reversed_reason"] == "Ghi nhầm"


def test_pledges_create_list_get(api, appeal, donor):
    r = api.post(
        "/funds/pledges",
        {
            "donor_id": donor.pk,
            "fund": "BAO3HN",
            "amount": 1_000_000,
            "instalments": [
                {"due_on": TODAY.isoformat(), "amount": 400_000},
                {"due_on": (TODAY + dt.timedelta(days=30)).isoformat(), "amount": 600_000},
            ],
        },
    )
    assert r.status_code == 201, r.content
    pledge = r.json()
    assert [i["amount"] for i in pledge["instalments"]] == [400_000, 600_000]
    r = api.post(
        "/funds/donations",
        {"fund": "BAO3HN", "amount": 400_000, "donor_id": donor.pk, "pledge_id": pledge["id"]},
    )
    assert r.status_code == 201
    got = api.get(f"/funds/pledges/{pledge['id']}").json()
    assert (got["paid"], got["outstanding"]) == (400_000, 600_000)
    assert [p["id"] for p in api.get("/funds/pledges", due_within=7).json()["items"]] == [
        pledge["id"]
    ]
    r = api.post(
        "/funds/pledges",
        {"donor_id": donor.pk, "fund": "BAO3HN", "amount": 1_000_000, "count": 0},
    )
    assert r.status_code == 400 and Pledge.objects.count() == 1


def test_other_units_rows_answer_404(api, tree, people, appeal):
    gift = _qt_donation(tree, people)
    donor = _qt_donor(tree, people)
    pledge = _qt_pledge(tree, people)
    assert api.get(f"/funds/donors/{donor.pk}").status_code == 404
    assert api.get(f"/funds/donations/{gift.pk}").status_code == 404
    assert api.get(f"/funds/donations/{gift.pk}/receipt").status_code == 404
    assert api.post(f"/funds/donations/{gift.pk}/reverse", {"reason": "x"}).status_code == 404
    assert api.get(f"/funds/pledges/{pledge.pk}").status_code == 404
    assert api.get("/funds/donations", donor_id=donor.pk).status_code == 404
    r = api.post("/funds/donations", {"fund": "BAO3HN", "amount": 1, "donor_id": donor.pk})
    assert r.status_code == 404
    qt_fund = gift.fund.code
    assert api.post("/funds/donations", {"fund": qt_fund, "amount": 1}).status_code == 404
    assert Donation.objects.filter(fund=appeal).count() == 0
    assert api.get("/funds/donations").json()["count"] == 0
