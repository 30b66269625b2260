"""The campaign report per unit: targets against results by sub-unit and by group, value, sources,
good examples; as an .xlsx in the official list layout and as a .docx in the Decree 30/2020
layout (A4, margins, Times New Roman, header, number, date line, signature, recipients)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from python_calamine import CalamineWorkbook

from nhandao.aid import services as aid
from nhandao.campaigns import reports, services
from nhandao.core.documents import OfficialDocument, date_line, place_of
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def results(tet, tree, people):
    officer = actor(people.hn_officer)
    services.targets_split(
        actor=officer, campaign=tet.campaign, parent=tree.hanoi, metric="gifts", total=30
    )
    given = dt.date(2026, 11, 20)
    aid.aid_record(
        actor=officer,
        campaign=tet.campaign,
        person=tet.an,
        data=aid.AidData(value=500_000, given_on=given),
    )
    aid.aid_record(
        actor=officer,
        campaign=tet.campaign,
        person=tet.cuc,
        data=aid.AidData(value=700_000, given_on=given, source="donor", donor_name="Công ty A"),
    )
    services.example_record(
        actor=officer,
        campaign=tet.campaign,
        unit=tree.hoan_kiem,
        title="=Mô hình “Tủ quà nhân ái”",
        who="Chi hội Tổ dân phố số 1",
    )
    return tet


def _cells(content: bytes) -> list[list[str]]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [[str(v) for v in row] for row in book.get_sheet_by_index(0).to_python()]


def test_report_gathers_targets_results_groups_sources_and_examples(results, tree):
    report = reports.campaign_report(campaign=results.campaign, unit=tree.hanoi)
    assert report.result("gifts") == 2 and report.result("value") == 1_200_000
    by_unit = {line.unit.pk: line for line in report.lines}
    gifts = report.metrics.index("gifts")
    assert by_unit[tree.hoan_kiem.pk].cells[gifts].target == 20
    assert by_unit[tree.ba_dinh.pk].cells[gifts].result == 1
    assert {s.code: s.value for s in report.sources} == {"campaign": 500_000, "donor": 700_000}
    assert {g.code: g.value for g in report.groups}["poor"] == 1_200_000
    assert [e.title for e in report.examples] == ["=Mô hình “Tủ quà nhân ái”"]


def test_xlsx_report_is_the_official_list_layout(client, results, people):
    login(client, people.hn_officer)
    response = client.get(reverse("campaign_report_xlsx", args=[results.campaign.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _cells(response.content)
    flat = [c for row in rows for c in row if c]
    assert "TRUNG ƯƠNG HỘI CHỮ THẬP ĐỎ VIỆT NAM" in flat
    assert "HỘI CHỮ THẬP ĐỎ THÀNH PHỐ HÀ NỘI" in flat
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    assert "Độc lập - Tự do - Hạnh phúc" in flat
    assert "BÁO CÁO KẾT QUẢ PHONG TRÀO" in flat
    assert "Tết Nhân ái Xuân Đinh Mùi 2027" in flat
    assert f"(Số liệu đến ngày {timezone.localdate():%d/%m/%Y})" in flat
    assert "Nhà tài trợ" in flat and "700.000" in flat and "1.200.000" in flat.__str__()
    assert "=Mô hình “Tủ quà nhân ái”" in flat  # text, never a formula
    assert "TM. BAN THƯỜNG VỤ" in flat and "CHỦ TỊCH" in flat
    unit_row = next(row for row in rows if "Hội Chữ thập đỏ phường Hoàn Kiếm" in row)
    assert "20" in unit_row  # its target of gifts


def test_docx_report_follows_decree_30(client, results, people):
    login(client, people.hn_officer)
    response = client.get(reverse("campaign_report_docx", args=[results.campaign.pk]))
    assert response.status_code == 200
    doc = Document(io.BytesIO(response.content))
    section = doc.sections[0]

    def mm(length):
        return round(length.mm)

    assert (mm(section.page_width), mm(section.page_height)) == (210, 297)  # A4
    assert (mm(section.top_margin), mm(section.bottom_margin)) == (20, 20)
    assert (mm(section.left_margin), mm(section.right_margin)) == (30, 15)
    assert section.different_first_page_header_footer
    assert doc.styles["Normal"].font.name == "Times New Roman"
    header = doc.tables[0]
    left = header.rows[0].cells[0].text
    right = header.rows[0].cells[1].text
    assert "TRUNG ƯƠNG HỘI CHỮ THẬP ĐỎ VIỆT NAM" in left
    assert "HỘI CHỮ THẬP ĐỎ THÀNH PHỐ HÀ NỘI" in left
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    motto = header.rows[0].cells[1].paragraphs[1].runs[0]
    assert motto.bold and motto.underline
    assert header.rows[1].cells[0].text.startswith("Số: ")
    assert header.rows[1].cells[0].text.endswith("/BC-HCTĐ")
    date_run = header.rows[1].cells[1].paragraphs[0].runs[0]
    assert date_run.italic and date_run.text == date_line("Hà Nội", timezone.localdate())
    texts = [p.text for p in doc.paragraphs]
    assert "BÁO CÁO" in texts and "Kết quả Tết Nhân ái Xuân Đinh Mùi 2027" in texts
    body = next(p for p in doc.paragraphs if p.text.startswith("Đã trao 2 suất"))
    assert body.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert "1.200.000 đ" in body.text
    for p in doc.paragraphs:
        for run in p.runs:
            assert run.font.name in (None, "Times New Roman")
    all_cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "Hội Chữ thập đỏ phường Hoàn Kiếm" in all_cells
    assert "Nhà tài trợ" in all_cells and "=Mô hình “Tủ quà nhân ái”" in all_cells
    sign = doc.tables[-1]
    assert sign.rows[0].cells[0].paragraphs[0].runs[0].bold
    assert sign.rows[0].cells[0].paragraphs[0].text == "Nơi nhận:"
    assert sign.rows[0].cells[0].paragraphs[-1].text == "- Lưu: VT."
    assert "TM. BAN THƯỜNG VỤ" in sign.rows[0].cells[1].text
    assert "CHỦ TỊCH" in sign.rows[0].cells[1].text


def test_a_commune_report_covers_only_its_part(client, results, people, tree):
    login(client, people.clerk)
    response = client.get(reverse("campaign_report_xlsx", args=[results.campaign.pk]))
    flat = [c for row in _cells(response.content) for c in row if c]
    assert "HỘI CHỮ THẬP ĐỎ PHƯỜNG HOÀN KIẾM" in flat
    assert "700.000" not in flat  # Ba Đình's gift from the donor is not Hoàn Kiếm's
    url = reverse("campaign_report_docx", args=[results.campaign.pk])
    assert client.get(url, {"unit": tree.ba_dinh.pk}).status_code == 404


def test_date_line_and_place_follow_the_decree():
    assert date_line("Hà Nội", dt.date(2026, 3, 5)) == "Hà Nội, ngày 05 tháng 3 năm 2026"
    assert date_line("Huế", dt.date(2026, 2, 14)) == "Huế, ngày 14 tháng 02 năm 2026"
    assert date_line("Huế", dt.date(2026, 11, 30)) == "Huế, ngày 30 tháng 11 năm 2026"
    assert place_of("Hội Chữ thập đỏ thành phố Hà Nội") == "Hà Nội"
    assert place_of("Hội Chữ thập đỏ tỉnh Quảng Trị") == "Quảng Trị"
    assert place_of("Trung ương Hội Chữ thập đỏ Việt Nam") == "Hà Nội"


def test_document_builder_renders_a_plain_document():
    doc = OfficialDocument(
        managing_body="",
        issuing_body="Hội Chữ thập đỏ tỉnh Quảng Trị",
        doc_type="KH",
        number="05",
        place="Quảng Trị",
        date=dt.date(2026, 1, 9),
    )
    doc.title(subject="Tổ chức Tháng Nhân đạo năm 2026")
    doc.paragraph("Nội dung.")
    doc.signature(position="Chủ tịch", signer="Nguyễn Văn A", recipients=["Trung ương Hội"])
    parsed = Document(io.BytesIO(doc.render()))
    assert parsed.tables[0].rows[1].cells[0].text == "Số: 05/KH-HCTĐ"
    assert parsed.tables[0].rows[1].cells[1].text == "Quảng Trị, ngày 09 tháng 01 năm 2026"
    assert "KẾ HOẠCH" in [p.text for p in parsed.paragraphs]
    cell = parsed.tables[-1].rows[0].cells
    assert "- Trung ương Hội;" in cell[0].text and "Nguyễn Văn A" in cell[1].text


def test_sub_units_with_nothing_yet_still_get_a_line(tet, tree, people):
    aid.aid_record(
        actor=actor(people.hn_officer),
        campaign=tet.campaign,
        person=tet.an,
        data=aid.AidData(value=500_000, given_on=dt.date(2026, 11, 20)),
    )
    report = reports.campaign_report(campaign=tet.campaign, unit=tree.hanoi)
    units = [line.unit for line in report.lines]
    assert units == [tree.hanoi, tree.ba_dinh, tree.hoan_kiem]
    assert [c.result for c in report.lines[1].cells] == [0, 0]


def test_an_empty_campaign_still_gives_both_files(client, tet, people):
    login(client, people.hn_officer)
    for name in ("campaign_report_xlsx", "campaign_report_docx"):
        response = client.get(reverse(name, args=[tet.campaign.pk]))
        assert response.status_code == 200 and len(response.content) > 1000
    doc = Document(io.BytesIO(response.content))
    assert "Chưa ghi nhận gương điển hình." in [p.text for p in doc.paragraphs]
