"""Donor lists and donation histories through the one import pipeline: bad input named by row and
column, nothing written; re-importing adds nothing; counters and honours brought up to date."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from nhandao.blood.importers import DonationParser, parse_kind
from nhandao.blood.models import BloodDonation, BloodDonor, BloodRules, Honour
from nhandao.core.errors import ApplicationError
from nhandao.imports import services
from nhandao.imports.models import ImportRow
from tests.blood.b2_factories import add_donation, make_donor
from tests.conftest import actor

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DONORS = "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Điện thoại,Nhóm máu,Cân nặng\n"
DONATIONS = "STT,Mã thẻ,Số CCCD,Họ và tên,Năm sinh,Ngày hiến,Loại,Thể tích,Cân nặng,Số GCN\n"


def _validate(user, unit, kind: str, text: str):
    job = services.import_upload(
        actor=actor(user), unit=unit, kind=kind, filename="ds.csv", data=text.encode()
    )
    mapping = {int(k): v for k, v in job.mapping.items()}
    job = services.import_set_mapping(actor=actor(user), job=job, mapping=mapping)
    return services.import_validate(job_id=job.pk)


def _problems(job) -> dict[int, list[tuple[str, str]]]:
    """Errors by the sheet's row number (the header is row 1), each with its column letter."""
    out: dict[int, list[tuple[str, str]]] = {}
    for row in ImportRow.objects.filter(job=job).order_by("row_number"):
        for p in row.problems or []:
            if p.get("level", "error") == "error":
                out.setdefault(row.row_number, []).append((p["column"], p["message"]))
    return out


def test_kind_words():
    assert parse_kind("Máu toàn phần") == "whole_blood"
    assert parse_kind("") == "whole_blood"
    assert parse_kind("Gạn tách tiểu cầu") == "platelets"
    assert parse_kind("huyet tuong") == "plasma"
    assert parse_kind("xyz") is None


def test_volume_rules_as_data():
    rules = BloodRules.objects.get()
    check = DonationParser.volume_problem
    assert check(rules, "whole_blood", 350, None) == ""
    assert "túi máu toàn phần" in check(rules, "whole_blood", 300, None)
    assert "250" in check(rules, "whole_blood", 350, __import__("decimal").Decimal("44.9"))
    assert check(rules, "whole_blood", 450, __import__("decimal").Decimal("50")) == ""
    assert check(rules, "whole_blood", 450, __import__("decimal").Decimal("49.9")) != ""
    assert check(rules, "platelets", 650, __import__("decimal").Decimal("60")) == ""
    assert check(rules, "platelets", 650, __import__("decimal").Decimal("59")) != ""


def test_donor_list_creates_donors_and_reuses_people(tree, people):
    from tests.blood.b2_factories import make_person

    known = make_person(tree.hoan_kiem, "Lê Thị Cúc", birth="1992", id_number="001192012345")
    text = DONORS + (
        "1,Nguyễn Văn An,12/05/1990,Nam,001090012345,0912345678,O+,62\n"
        "2,Lê Thị Cúc,1992,Nữ,001192012345,,A,\n"
        "3,Trần Văn Bình,1988,Nam,,,B Rh-,55\n"
    )
    job = _validate(people.hn_officer, tree.hoan_kiem, "blood_donors", text)
    assert job.counts.get("error", 0) == 0, _problems(job)
    job = services.import_commit(actor=actor(people.hn_officer), job=job)
    assert job.counts["written"] == 3
    donors = {d.person.full_name: d for d in BloodDonor.objects.select_related("person")}
    assert donors["Nguyễn Văn An"].blood_group == "O+"
    assert donors["Lê Thị Cúc"].person_id == known.pk and donors["Lê Thị Cúc"].blood_group == "A"
    assert donors["Trần Văn Bình"].blood_group == "B-"
    assert donors["Nguyễn Văn An"].weights.get().kg == 62
    again = _validate(people.hn_officer, tree.hoan_kiem, "blood_donors", text)
    assert again.counts.get("existing") == 3


def test_bad_donor_rows_are_named_by_column(tree, people):
    text = DONORS + ("1,Nguyễn Văn An,12/05/1990,Nam,,,Z+,62\n2,Trần Văn Bình,1988,Nam,,,O,500\n")
    job = _validate(people.hn_officer, tree.hoan_kiem, "blood_donors", text)
    problems = _problems(job)
    assert problems[2][0][0] == "G" and "Nhóm máu «Z+» không có" in problems[2][0][1]
    assert problems[3][0][0] == "H" and "không thể đúng" in problems[3][0][1]


def test_history_imported_counts_honours_and_first_time(tree, people):
    donor = make_donor(tree.hoan_kiem, "Nguyễn Văn An", id_number="001090012345", birth="1990")
    add_donation(donor, TODAY - dt.timedelta(days=10))  # recorded at a session already
    rows = []
    start = TODAY - dt.timedelta(days=100 * 6)
    for i in range(5):
        day = (start + dt.timedelta(days=100 * i)).strftime("%d/%m/%Y")
        rows.append(f"{i + 1},{donor.card_code},,,,{day},Toàn phần,350,,GCN-{i}\n")
    rows.append(f"6,,001090012345,,,{start:%d/%m/%Y},Tiểu cầu,250,,\n")  # same day: refused
    job = _validate(people.hn_officer, tree.hoan_kiem, "blood_donations", DONATIONS + "".join(rows))
    assert job.counts.get("error", 0) == 0, _problems(job)
    with pytest.raises(ApplicationError, match="Dòng 7, cột «Ngày hiến»"):
        services.import_commit(actor=actor(people.hn_officer), job=job)
    assert BloodDonation.objects.count() == 1  # nothing written
    job = _validate(
        people.hn_officer, tree.hoan_kiem, "blood_donations", DONATIONS + "".join(rows[:5])
    )
    job = services.import_commit(actor=actor(people.hn_officer), job=job)
    assert job.counts["written"] == 5
    donor.refresh_from_db()
    assert donor.donation_count == 6 and donor.last_donation_on == TODAY - dt.timedelta(days=10)
    first = BloodDonation.objects.filter(first_time=True).get()
    assert first.donated_on == start
    honour = Honour.objects.get(donor=donor)
    assert honour.rule.threshold == 5
    assert honour.reached_on == start + dt.timedelta(days=400)  # the fifth donation's day
    again = _validate(
        people.hn_officer, tree.hoan_kiem, "blood_donations", DONATIONS + "".join(rows[:5])
    )
    assert again.counts.get("existing") == 5


def test_bad_history_rows_named_by_row_and_column(tree, people):
    donor = make_donor(tree.hoan_kiem, "Nguyễn Văn An")
    add_donation(donor, TODAY - dt.timedelta(days=300), certificate_no="GCN-OLD")
    future = (TODAY + dt.timedelta(days=3)).strftime("%d/%m/%Y")
    day = (TODAY - dt.timedelta(days=30)).strftime("%d/%m/%Y")
    day2 = (TODAY - dt.timedelta(days=200)).strftime("%d/%m/%Y")
    text = DONATIONS + (
        f"1,{donor.card_code},,,,{future},Toàn phần,350,,\n"
        f"2,{donor.card_code},,,,{day},Toàn phần,300,,\n"
        f"3,{donor.card_code},,,,{day},Toàn phần,350,44,\n"
        f"4,{donor.card_code},,,,{day},Máu cuống rốn,350,,\n"
        f"5,{donor.card_code},,,,{day},Toàn phần,350,,GCN-9\n"
        f"6,{donor.card_code},,,,{day2},Toàn phần,350,,GCN-9\n"
    )
    job = _validate(people.hn_officer, tree.hoan_kiem, "blood_donations", text)
    problems = _problems(job)
    assert problems[2][0][0] == "F" and "tương lai" in problems[2][0][1]
    assert problems[3][0][0] == "H" and "300 ml" in problems[3][0][1]
    assert problems[4][0][0] == "H" and "250 ml" in problems[4][0][1]
    assert problems[5][0][0] == "G"
    assert 6 not in problems
    assert problems[7][0][0] == "J"
    # A certificate number already issued, and an unknown donor: named at the commit.
    text = DONATIONS + (
        f"1,{donor.card_code},,,,{day},Toàn phần,350,,GCN-OLD\n2,HMZZZZZZZZ,,,,{day},,250,,\n"
    )
    job = _validate(people.hn_officer, tree.hoan_kiem, "blood_donations", text)
    with pytest.raises(ApplicationError) as err:
        services.import_commit(actor=actor(people.hn_officer), job=job)
    assert "Dòng 2, cột «Số giấy chứng nhận»" in err.value.message
    assert "Dòng 3, cột «Mã thẻ»" in err.value.message
    assert BloodDonation.objects.count() == 1


def test_templates_and_list_page_offer_the_blood_lists(tree, people, as_user):
    from django.urls import reverse

    from tests.blood.b2_factories import xlsx_values

    client = as_user(people.hn_officer)
    for kind, header in (("blood_donors", "Nhóm máu"), ("blood_donations", "Số giấy chứng nhận")):
        response = client.get(reverse("import_template", args=[kind]))
        assert response.status_code == 200
        assert header in xlsx_values(response.content)
    page = client.get(reverse("import_list")).content.decode()
    assert "Danh sách người hiến máu" in page and "Lịch sử hiến máu" in page
