from __future__ import annotations

import datetime as dt
import io
import zipfile

from django.urls import reverse

from nhandao.blood.honours import honours_after_donation
from nhandao.blood.models import Honour, HonourStatus
from tests.blood.b2_factories import make_donor, xlsx_values


def _reach(donor, n: int, on: dt.date):
    donor.donation_count = n
    donor.last_donation_on = on
    donor.save()
    return honours_after_donation(donor=donor)


def test_ceremony_list_by_body_award_export_and_award(tree, people, as_user):
    an = make_donor(tree.hoan_kiem, "Nguyễn Văn An")
    binh = make_donor(tree.ba_dinh, "Trần Thị Bình")
    _reach(an, 20, dt.date(2026, 3, 1))
    _reach(binh, 5, dt.date(2026, 4, 7))
    _reach(make_donor(tree.vinh_linh, "Lê Văn Xa"), 5, dt.date(2026, 4, 7))
    client = as_user(people.hn_admin)
    url = reverse("blood_honour_list")
    page = client.get(url, {"year": 2026, "unit": tree.hanoi.pk}).content.decode()
    assert "Bằng khen của Chủ tịch Ủy ban nhân dân tỉnh" in page
    assert "Nguyễn Văn An" in page and "Trần Thị Bình" in page
    assert "Lê Văn Xa" not in page  # Quảng Trị
    assert client.get(url, {"year": 2025}).content.decode().count("Nguyễn Văn An") == 0
    sheet = xlsx_values(client.get(reverse("blood_honour_export"), {"year": 2026}).content)
    assert "DANH SÁCH ĐỀ NGHỊ TÔN VINH, KHEN THƯỞNG NGƯỜI HIẾN MÁU TÌNH NGUYỆN" in sheet
    assert "Nguyễn Văn An" in sheet and "Lê Văn Xa" not in sheet
    docx = client.get(reverse("blood_honour_export"), {"year": 2026, "format": "docx"})
    assert docx["Content-Type"].endswith("wordprocessingml.document")
    xml = zipfile.ZipFile(io.BytesIO(docx.content)).read("word/document.xml").decode()
    assert "Trần Thị Bình" in xml and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in xml

    honour = Honour.objects.get(donor=binh)
    award = reverse("blood_honour_award", args=[honour.pk])
    client.post(award, {"decision_no": "", "awarded_on": "01/05/2026"})
    honour.refresh_from_db()
    assert honour.status == HonourStatus.PENDING
    client.post(award, {"decision_no": "45/QĐ-BCĐ", "awarded_on": "01/05/2026"})
    honour.refresh_from_db()
    assert (honour.status, honour.decision_no, honour.awarded_on) == (
        HonourStatus.AWARDED,
        "45/QĐ-BCĐ",
        dt.date(2026, 5, 1),
    )
    pending = client.get(url, {"year": 2026, "status": "pending"}).content.decode()
    assert "Trần Thị Bình" not in pending and "Nguyễn Văn An" in pending


def test_award_out_of_scope_is_404_and_viewer_cannot_award(tree, people, as_user):
    qt = _reach(make_donor(tree.vinh_linh, "Lê Văn Xa"), 5, dt.date(2026, 4, 7))[0]
    client = as_user(people.hn_admin)
    response = client.post(
        reverse("blood_honour_award", args=[qt.pk]),
        {"decision_no": "1", "awarded_on": "01/05/2026"},
    )
    assert response.status_code == 404


def test_family_honour_named_after_the_head(tree, people, as_user):
    from nhandao.people.models import Household

    home = Household.objects.create(unit=tree.hoan_kiem)
    father = make_donor(tree.hoan_kiem, "Trần Văn Ba", household=home)
    home.head = father.person
    home.save()
    mother = make_donor(tree.hoan_kiem, "Lê Thị Bốn", household=home)
    _reach(father, 2, dt.date(2026, 2, 1))
    _reach(mother, 1, dt.date(2026, 3, 1))
    page = as_user(people.hn_officer).get(reverse("blood_honour_list"), {"year": 2026})
    assert "Gia đình ông/bà Trần Văn Ba" in page.content.decode()
    sheet = xlsx_values(
        as_user(people.hn_officer).get(reverse("blood_honour_export"), {"year": 2026}).content
    )
    assert "Gia đình ông/bà Trần Văn Ba" in sheet
