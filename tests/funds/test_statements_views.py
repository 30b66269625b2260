"""Statements through the pages, the API and the command: upload and figures, the mapping step,
a large file as a background job with its progress, the queue's one-click actions."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from nhandao.core.models import AuditEvent
from nhandao.funds import statements
from nhandao.funds.models import Donation, MatchStatus, Statement, StatementLine
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.conftest import login
from tests.funds.conftest import TODAY
from tests.funds.samples.statement_files import csv_bytes, vcb_xlsx, vtb_csv

pytestmark = pytest.mark.django_db

DAY = TODAY - dt.timedelta(days=2)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads waiting for their mapping or their job are kept in the default storage."""
    settings.MEDIA_ROOT = tmp_path


def upload(client, fund, data, name="saoke.xlsx", **fields):
    return client.post(
        reverse("statement_list", args=[fund.pk]),
        {"file": SimpleUploadedFile(name, data), "layout": "auto", **fields},
    )


def test_an_officer_imports_a_statement_and_sees_its_figures(client, appeal, people, give):
    gift = give(appeal, 400_000, method="transfer", received_on=DAY)
    login(client, people.hn_officer)
    data = vcb_xlsx(
        [
            {"day": DAY, "ref": "FT1", "credit": "400.000", "text": f"BAO3HN {gift.reference}"},
            {"day": DAY, "ref": "FT2", "credit": "150.000", "text": "UNG HO"},
        ]
    )
    response = upload(client, appeal, data)
    statement = Statement.objects.get()
    assert response.status_code == 302 and response.url == reverse(
        "statement_detail", args=[statement.pk]
    )
    page = client.get(response.url).content.decode()
    assert "Khớp tự động: 1" in page and "Chưa khớp: 1" in page
    assert "550.000 đ" in page  # credits total
    listing = client.get(reverse("statement_list", args=[appeal.pk])).content.decode()
    assert "saoke.xlsx" in listing and "1 khoản ghi có chưa khớp" in listing


def test_a_statement_of_another_account_is_refused_on_the_page(client, appeal, people):
    login(client, people.hn_officer)
    data = vcb_xlsx([{"day": DAY, "ref": "FT1", "credit": 1000, "text": "x"}], account="999888777")
    response = upload(client, appeal, data)
    assert response.status_code == 200
    assert "999888777" in response.content.decode()
    assert not Statement.objects.exists()


def test_unknown_columns_lead_to_the_mapping_step(client, appeal, people):
    login(client, people.hn_officer)
    rows = [["Thoi diem", "Dien giai GD", "Gia tri"], [f"{DAY:%d/%m/%Y}", "ung ho", "75.000"]]
    response = upload(client, appeal, csv_bytes(rows, encoding="utf-8"), name="khac.csv")
    assert response.status_code == 302 and "/uploads/" in response.url
    page = client.get(response.url).content.decode()
    assert 'id="mapping-form"' in page and "Dien giai GD" in page
    done = client.post(response.url, {"date": "A", "credit": "C", "description": "B"})
    assert done.status_code == 302
    final = client.get(done.url)
    statement = Statement.objects.get()
    assert final.url == reverse("statement_detail", args=[statement.pk])
    assert statement.layout == "generic"
    assert StatementLine.objects.get().amount == 75_000


def test_a_large_file_runs_as_a_job_with_progress(client, appeal, people, monkeypatch):
    monkeypatch.setattr(statements, "BACKGROUND_LINES", 3)
    login(client, people.hn_officer)
    lines = [
        {"day": DAY, "credit": f"{n}.000", "text": "UNG HO", "who": f"NGUOI {n}"}
        for n in range(1, 8)
    ]
    response = upload(client, appeal, vtb_csv(lines), name="lon.csv")
    assert response.status_code == 302 and "/uploads/" in response.url
    # The test settings run jobs at once; the page then sends the user to the statement.
    statement = Statement.objects.get()
    assert statement.lines_new == 7
    progress = client.get(response.url, headers={"HX-Request": "true"})
    assert progress["HX-Redirect"] == reverse("statement_detail", args=[statement.pk])


def test_a_failed_job_says_why_and_writes_nothing(client, appeal, people, monkeypatch):
    monkeypatch.setattr(statements, "BACKGROUND_LINES", 1)
    login(client, people.hn_officer)
    data = vtb_csv(
        [{"day": DAY, "credit": "1.000", "text": "a"}, {"day": DAY, "credit": "x", "text": "b"}]
    )
    response = upload(client, appeal, data, name="hong.csv")
    page = client.get(response.url).content.decode()
    assert 'id="pending-error"' in page and "hong.csv" in page
    assert not Statement.objects.exists()


def test_the_queue_offers_candidates_and_one_click_actions(client, appeal, people, give):
    gift = give(appeal, 250_000, method="transfer", donor_name="Hoàng Thị Nga", received_on=DAY)
    gift2 = give(appeal, 250_000, method="transfer", donor_name="Hoàng Thị Nga", received_on=DAY)
    statements.statement_import(
        actor=people.hn_officer,
        fund=appeal,
        data=vtb_csv(
            [
                {"day": DAY, "credit": "250.000", "text": "UNG HO", "who": "HOANG THI NGA"},
                {"day": DAY, "credit": "90.000", "text": "UNG HO", "who": "LY VAN TU"},
                {"day": DAY, "credit": "91.000", "text": "UNG HO", "who": "LY VAN TI"},
                {"day": DAY, "credit": "3.210", "text": "LAI TIEN GUI", "who": ""},
            ]
        ),
        filename="vtb.csv",
    )
    first, second, third, interest = StatementLine.objects.order_by("row")
    assert first.status == MatchStatus.UNMATCHED  # two donations fit: a person decides
    login(client, people.hn_officer)
    queue_url = reverse("statement_queue", args=[appeal.pk])
    page = client.get(queue_url).content.decode()
    assert gift.reference in page and gift2.reference in page and "tên 100%" in page
    client.post(
        reverse("statement_line_match", args=[first.pk]), {"donation": gift.pk, "next": queue_url}
    )
    first.refresh_from_db()
    assert (first.status, first.donation_id) == (MatchStatus.MANUAL, gift.pk)
    client.post(reverse("statement_line_record", args=[second.pk]), {"donor_name": "Lý Văn Tư"})
    second.refresh_from_db()
    assert second.status == MatchStatus.CREATED and second.donation.donor_name == "Lý Văn Tư"
    client.post(reverse("statement_line_ignore", args=[interest.pk]), {"reason": "Lãi tiền gửi"})
    interest.refresh_from_db()
    assert interest.status == MatchStatus.IGNORED
    client.post(
        reverse("statement_queue_record", args=[appeal.pk]),
        {"line": [third.pk], "anonymous": "on"},
    )
    third.refresh_from_db()
    assert third.status == MatchStatus.CREATED and third.donation.anonymous
    page = client.get(queue_url).content.decode()
    assert "Không còn dòng ghi có nào chờ đối chiếu" in page
    client.post(reverse("statement_line_unmatch", args=[first.pk]))
    first.refresh_from_db()
    assert first.status == MatchStatus.UNMATCHED
    assert AuditEvent.objects.filter(object_type="funds.statementline").count() == 5


def test_a_viewer_sees_the_queue_without_actions(client, appeal, people, tree):
    from tests.conftest import make_user

    viewer = make_user("viewer_hn", tree.hanoi, "viewer")
    statements.statement_import(
        actor=people.hn_officer,
        fund=appeal,
        data=vtb_csv([{"day": DAY, "credit": "90.000", "text": "UNG HO", "who": "AN"}]),
        filename="vtb.csv",
    )
    login(client, viewer)
    page = client.get(reverse("statement_queue", args=[appeal.pk])).content.decode()
    assert "90.000 đ" in page and "Ghi khoản mới" not in page
    line = StatementLine.objects.get()
    assert (
        client.post(reverse("statement_line_ignore", args=[line.pk]), {"reason": "x"}).status_code
        == 403
    )
    assert StatementLine.objects.get().status == MatchStatus.UNMATCHED


# --- API ---------------------------------------------------------------------------------------


@pytest.fixture
def api(client, people):
    assignment = RoleAssignment.objects.get(user=people.hn_officer)
    _token, raw = orgs.token_create(actor=people.hn_officer, assignment=assignment, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_the_api_imports_lists_and_works_the_queue(client, appeal, give, api):
    gift = give(appeal, 90_000, method="transfer", donor_name="An", received_on=DAY)
    data = vtb_csv(
        [
            {"day": DAY, "credit": "120.000", "text": "UNG HO", "who": "LE THI BA"},
            {"day": DAY, "credit": "90.000", "text": "UNG HO", "who": "X"},
            {"day": DAY, "credit": "500", "text": "LAI", "who": ""},
        ]
    )
    url = f"/api/v1/funds/{appeal.pk}/statements"
    made = client.post(
        url, {"file": SimpleUploadedFile("vtb.csv", data), "layout": "vietinbank"}, **api
    )
    assert made.status_code == 201, made.content
    assert made.json()["lines_new"] == 3
    again = client.post(url, {"file": SimpleUploadedFile("vtb.csv", data)}, **api)
    assert again.json()["lines_duplicate"] == 3
    assert client.get(url, **api).json()["count"] == 2
    lines = client.get(f"{url}/lines", **api).json()["items"]
    assert [x["amount"] for x in lines] == [120_000, 90_000, 500]
    first, second, third = (x["id"] for x in lines)
    created = client.post(
        f"{url}/lines/{first}/donation",
        json.dumps({"donor_name": "Lê Thị Ba"}),
        content_type="application/json",
        **api,
    )
    assert created.status_code == 201 and created.json()["status"] == "created"
    matched = client.post(
        f"{url}/lines/{second}/match",
        json.dumps({"donation_id": gift.pk}),
        content_type="application/json",
        **api,
    )
    assert matched.json()["donation_reference"] == gift.reference
    ignored = client.post(
        f"{url}/lines/{third}/ignore",
        json.dumps({"reason": "Lãi"}),
        content_type="application/json",
        **api,
    )
    assert ignored.json()["status"] == "ignored"
    undone = client.post(f"{url}/lines/{second}/unmatch", **api)
    assert undone.json()["status"] == "unmatched"
    assert client.post(f"{url}/match", **api).json() == {"matched": 0}


def test_the_api_answers_400_for_a_bad_file_and_mapping(client, appeal, api):
    url = f"/api/v1/funds/{appeal.pk}/statements"
    bad = client.post(url, {"file": SimpleUploadedFile("a.csv", b"x,y\n1,2\n")}, **api)
    assert bad.status_code == 400 and "a.csv" in bad.json()["detail"]
    mapped = client.post(
        url,
        {
            "file": SimpleUploadedFile("a.csv", f"{DAY:%d/%m/%Y},5000\n".encode()),
            "layout": "generic",
            "mapping": '{"date": "A", "credit": "B"}',
        },
        **api,
    )
    assert mapped.status_code == 201, mapped.content
    assert Donation.objects.count() == 0


# --- command -----------------------------------------------------------------------------------


def test_the_command_imports_and_prints_the_figures(appeal, people, tmp_path):
    path = tmp_path / "saoke.xlsx"
    path.write_bytes(vcb_xlsx([{"day": DAY, "ref": "FT9", "credit": "300.000", "text": "x"}]))
    out = io.StringIO()
    call_command("statement_import", str(path), user="hn_officer", fund="bao3hn", stdout=out)
    text = out.getvalue()
    assert "Dòng mới: 1" in text and "Tổng ghi có: 300.000 đ" in text
    with pytest.raises(CommandError, match="Không có quỹ"):
        call_command("statement_import", str(path), user="outsider", fund="BAO3HN")
    wrong = tmp_path / "khac.xlsx"
    wrong.write_bytes(vcb_xlsx([{"day": DAY, "ref": "FT1", "credit": 1, "text": "x"}], "123456"))
    with pytest.raises(CommandError, match="123456"):
        call_command("statement_import", str(wrong), user="hn_officer", fund="BAO3HN")
    assert Statement.objects.count() == 1
