"""The import pipeline end to end on the sample list a commune keeps: upload, header, mapping,
validation with progress, preview, commit in one transaction, re-import adds nothing, reports."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nhandao.beneficiaries.models import Beneficiary
from nhandao.core.errors import ApplicationError
from nhandao.geo.services import geo_load_official
from nhandao.imports import services
from nhandao.imports.models import ImportFile, ImportJob, JobStatus, SavedMapping
from nhandao.people.models import Person
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db
SAMPLE = Path(
    os.environ.get(
        "NHANDAO_SAMPLE_XLSX",
        Path(__file__).resolve().parents[3] / "shared/samples/qua_tet_2025_xa_hoa_an.xlsx",
    )
)


@pytest.fixture
def sample() -> bytes:
    assert SAMPLE.is_file(), f"the sample list {SAMPLE} is missing (../shared/samples)"
    return SAMPLE.read_bytes()


@pytest.fixture(autouse=True)
def geo(db):
    geo_load_official()


def _run(client, django_capture_on_commit_callbacks, data: bytes, name: str = "ds.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        reverse("import_list"), {"kind": "beneficiaries", "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ImportJob.objects.latest("pk")
    page = client.get(response.url)
    assert page.status_code == 200
    mapping = {f"col_{col}": field for col, field in page.context["match"].mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, mapping)
    job.refresh_from_db()
    return job


def test_the_sample_list_imports_with_its_duplicate_held_back(
    client, tree, people, sample, django_capture_on_commit_callbacks
):
    login(client, people.clerk)
    job = _run(client, django_capture_on_commit_callbacks, sample)
    assert job.status == JobStatus.VALIDATED and job.progress == 100
    assert job.counts["total"] == 6 and job.counts["ok"] == 5 and job.counts["duplicate"] == 1
    dup = job.rows.get(status="duplicate")
    assert dup.row_number == 13 and dup.duplicate_of_row == 11  # row 6 repeats row 4
    assert Person.objects.count() == 0  # nothing written before the commit
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "Có thể là cùng người với dòng 11" in page
    client.post(reverse("import_commit", args=[job.pk]), {"warnings": "on"})
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED and job.counts["written"] == 5
    loi = Person.objects.get(full_name="Huỳnh Văn Lợi")
    assert loi.ward.name == "Xã Hòa An" and loi.address_detail == "Ấp Hòa Lợi"
    assert loi.address_original.startswith("Ấp Hòa Lợi, xã Hòa An, huyện Phụng Hiệp")
    assert loi.birth_precision == "year" and loi.unit_id == tree.hoan_kiem.pk
    # The sample list has no code column: each person keeps its file and row as its reference.
    refs = dict(Person.objects.values_list("full_name", "source_ref"))
    assert refs["Huỳnh Văn Lợi"] == "ds.xlsx #8" and refs["Lâm Văn Út"] == "ds.xlsx #12"
    tu = Person.objects.get(full_name="Nguyễn Thị Bé Tư").beneficiary
    assert [m.group_id for m in tu.memberships.all()] == ["near_poor"]
    assert SavedMapping.objects.filter(signature=job.signature).exists()


def test_importing_the_same_file_twice_adds_nothing(
    client, people, sample, django_capture_on_commit_callbacks
):
    login(client, people.clerk)
    first = _run(client, django_capture_on_commit_callbacks, sample)
    client.post(reverse("import_commit", args=[first.pk]), {"warnings": "on"})
    second = _run(client, django_capture_on_commit_callbacks, sample)
    assert second.counts["existing"] == 5
    client.post(reverse("import_commit", args=[second.pk]), {"warnings": "on"})
    second.refresh_from_db()
    assert second.counts["written"] == 0 and Person.objects.count() == 5


def test_a_failure_while_writing_rolls_everything_back(
    client, people, sample, django_capture_on_commit_callbacks
):
    from nhandao.beneficiaries import importers

    login(client, people.clerk)
    job = _run(client, django_capture_on_commit_callbacks, sample)
    real = importers.BENEFICIARIES.write

    def fails_after_writing(cursor, actor_, unit, table, results):
        written = real(cursor, actor_, unit, table, results)
        assert Person.objects.count() == written == 5  # the persons were inserted…
        raise ApplicationError("mất kết nối")  # …and the connection drops before the end

    object.__setattr__(importers.BENEFICIARIES, "write", fails_after_writing)
    try:
        with pytest.raises(ApplicationError, match=r"mất kết nối.*Không dòng nào được ghi"):
            services.import_commit(actor=actor(people.clerk), job=job)
    finally:
        object.__setattr__(importers.BENEFICIARIES, "write", real)
    assert Person.objects.count() == 0 and Beneficiary.objects.count() == 0
    job.refresh_from_db()
    assert job.status == JobStatus.VALIDATED  # can be committed again
    assert not job.results.exists()
    job = services.import_commit(actor=actor(people.clerk), job=job)
    assert job.counts["written"] == 5 and Person.objects.count() == 5


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("trong.xlsx", b"", "rỗng"),
        ("bao-cao.xlsx", b"%PDF-1.4 fake", "PDF"),
        ("bang.xls", b"<html><table><tr><td>x</td></tr></table></html>", "HTML"),
    ],
)
def test_bad_files_are_refused_with_a_vietnamese_message(client, people, name, data, message):
    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, people.clerk)
    response = client.post(
        reverse("import_list"), {"kind": "beneficiaries", "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["file"])
    assert message in errors and name in errors
    assert not ImportJob.objects.exists()


def test_error_workbook_marks_failing_rows_and_templates_download(
    client, people, django_capture_on_commit_callbacks
):
    login(client, people.clerk)
    csv = (
        "Họ và tên,Năm sinh,Số CCCD,Điện thoại\n"
        "Lê Văn An,1960,,0912345678\n"
        "Trần Thị B,31/02/1990,,\n"
        "Phạm Văn C,1970,0011234,\n"
    ).encode()
    job = _run(client, django_capture_on_commit_callbacks, csv, "ds.csv")
    assert job.counts["error"] == 2 and job.counts["ok"] == 1
    book = client.get(reverse("import_errors", args=[job.pk]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(book.content)).get_sheet_by_index(0)
    table = rows.to_python()
    assert table[0][-1] == "Lỗi và cảnh báo"
    by_row = {int(r[0]): r[-1] for r in table[1:]}
    assert "B:" in by_row[3] and "C:" in by_row[4]
    # The file's own cells, read again from the kept file, between the row number and the result.
    cells = {int(r[0]): r[1:5] for r in table[1:]}
    assert cells[3] == ["Trần Thị B", "31/02/1990", "", ""]
    assert cells[4] == ["Phạm Văn C", "1970", "0011234", ""]
    # The failing cell is marked: its style differs from its row's other cells, unlike a good row.
    with zipfile.ZipFile(io.BytesIO(book.content)) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    style = dict(re.findall(r'<c r="([A-Z]+\d+)" s="(\d+)"', sheet_xml))
    assert style["C3"] != style["B3"] == style["D3"]  # row 3: "31/02/1990" in column B of the file
    assert style["C2"] == style["B2"] == style["D2"]
    template = client.get(reverse("import_template", args=["beneficiaries"]))
    header = CalamineWorkbook.from_filelike(io.BytesIO(template.content)).get_sheet_by_index(0)
    assert "Họ và tên (*)" in header.to_python()[3]


def test_error_workbook_of_a_job_without_rows_reads_no_file(
    client, people, django_capture_on_commit_callbacks
):
    login(client, people.clerk)
    csv = "Họ và tên,Năm sinh\nLê Văn An,1960\n".encode()
    job = _run(client, django_capture_on_commit_callbacks, csv, "ds.csv")
    services.import_cancel(actor=people.clerk, job=job)  # its rows are gone
    ImportFile.objects.filter(job=job).update(content=b"not a list")
    book = client.get(reverse("import_errors", args=[job.pk]))
    assert book.status_code == 200
    table = CalamineWorkbook.from_filelike(io.BytesIO(book.content)).get_sheet_by_index(0)
    assert len(table.to_python()) == 1  # the header row only


def test_command_line_import(tree, people, sample, tmp_path):
    from io import StringIO

    tree.hoan_kiem.short_code = "HK"
    tree.hoan_kiem.save()
    out = StringIO()
    call_command(
        "import_people",
        str(SAMPLE),
        "--unit",
        "HK",
        "--user",
        "clerk",
        "--errors",
        str(tmp_path / "kq.xlsx"),
        stdout=out,
    )
    assert "đã ghi 5" in out.getvalue() and (tmp_path / "kq.xlsx").is_file()
    assert Person.objects.count() == 5


def test_import_pages_are_for_those_who_import_and_each_download_is_logged(
    client, tree, people, django_capture_on_commit_callbacks
):
    """A list's job repeats its file, citizen IDs and circumstances included: in scope, only a
    user who may import lists there sees its pages; each download of the result workbook is
    logged as a view of sensitive data."""
    from nhandao.core.models import AuditEvent
    from tests.conftest import make_user

    login(client, people.clerk)
    csv = "Họ và tên,Năm sinh,Số CCCD\nLê Văn An,1960,001060012345\n".encode()
    job = _run(client, django_capture_on_commit_callbacks, csv, "ds.csv")
    book = client.get(reverse("import_errors", args=[job.pk]))
    assert book.status_code == 200
    logged = AuditEvent.objects.filter(
        action=AuditEvent.Action.VIEW_SENSITIVE, object_id=str(job.pk)
    )
    assert logged.count() == 1 and logged.get().actor_id == people.clerk.pk
    viewer = make_user("hn_viewer", tree.hanoi, "viewer", "Đỗ Thị Xem")
    client.logout()
    login(client, viewer)
    for name in ("import_detail", "import_progress", "import_errors", "import_workbook"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 403, name
    assert logged.count() == 1


def test_only_those_who_import_at_the_unit_may_cancel_its_list(tree, people):
    from tests.conftest import make_user

    job = ImportJob.objects.create(
        unit=tree.hoan_kiem,
        kind="beneficiaries",
        filename="ds.csv",
        created_by=people.clerk,
        status=JobStatus.VALIDATED,
    )
    viewer = make_user("hn_viewer", tree.hanoi, "viewer", "Đỗ Thị Xem")
    with pytest.raises(ApplicationError, match="không có quyền"):
        services.import_cancel(actor=actor(viewer), job=job)
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.VALIDATED
    services.import_cancel(actor=actor(people.clerk), job=job)
    assert ImportJob.objects.get(pk=job.pk).status == JobStatus.CANCELLED


def test_a_lists_likely_matches_are_those_of_its_unit_not_of_the_uploaders_other_posts(
    client, tree, people, register, django_capture_on_commit_callbacks
):
    """An officer in Hoàn Kiếm who is also a viewer in Quảng Trị imports a list in Hoàn Kiếm:
    a person kept in Quảng Trị is counted as outside, not named, since everyone who may open
    the job (whoever imports in Hoàn Kiếm) may not see Quảng Trị."""
    from nhandao.orgs.middleware import SESSION_KEY
    from nhandao.orgs.models import Role, RoleAssignment
    from tests.conftest import make_user

    register(
        "Trần Văn Sơn",
        unit=tree.vinh_linh,
        by=people.outsider,
        birth="15/08/1980",
        id_number="045080001234",
    )
    both = make_user("kiemnhiem", tree.hoan_kiem, Role.OFFICER, "Phan Văn Kiêm")
    RoleAssignment.objects.create(user=both, unit=tree.quang_tri, role_id=Role.VIEWER)
    login(client, both)
    session = client.session
    session[SESSION_KEY] = both.assignments.get(unit=tree.hoan_kiem).pk
    session.save()
    csv = "Họ và tên,Ngày sinh,Số CCCD\nTrần Văn Sơn,15/08/1980,045080001234\n".encode()
    job = _run(client, django_capture_on_commit_callbacks, csv, "ds.csv")
    assert job.unit_id == tree.hoan_kiem.pk
    row = job.rows.get()
    assert row.matches == [{"outside_scope": 1}]
    page = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert "Trần Văn Sơn 15/08/1980" not in page


def test_a_clerk_without_the_right_to_see_identifiers_opens_only_their_own_lists(
    client, tree, people, django_capture_on_commit_callbacks
):
    """A list's pages repeat its file unmasked: a Hoàn Kiếm officer's list is not for the
    Hoàn Kiếm clerk (who may import there but not see identifiers); the clerk's own is."""
    from nhandao.orgs.models import Role
    from tests.conftest import make_user

    csv = "Họ và tên,Năm sinh,Số CCCD\nLê Văn An,1960,001060012345\n".encode()
    login(client, make_user("hk_officer", tree.hoan_kiem, Role.OFFICER, "Ngô Thị Hoa"))
    theirs = _run(client, django_capture_on_commit_callbacks, csv, "ds.csv")
    client.logout()
    login(client, people.clerk)
    mine = _run(client, django_capture_on_commit_callbacks, csv, "cua-toi.csv")
    for name in ("import_detail", "import_errors"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 403, name
        assert client.get(reverse(name, args=[mine.pk])).status_code == 200, name
    listing = client.get(reverse("import_list")).content.decode()
    assert reverse("import_detail", args=[mine.pk]) in listing
    assert reverse("import_detail", args=[theirs.pk]) not in listing
    assert (
        "001060012345"
        not in client.get(reverse("import_detail", args=[theirs.pk])).content.decode()
    )


def test_numbers_and_dates_of_an_xlsx_read_as_typed_and_the_workbook_says_what_was_written(
    client, people, django_capture_on_commit_callbacks
):
    """A year typed as a number and a real Excel date are shown as the clerk typed them (1962,
    30/04/1966), not 1962.0 or 1966-04-30: on the mapping page and in the result workbook; after
    the commit each row says whether it was written."""
    import datetime as dt

    from tests.imports.workbooks import write_rows, xlsx

    def build(book):
        sheet = book.add_worksheet()
        write_rows(
            sheet,
            [
                ["STT", "Họ và tên", "Ngày sinh", "Số CCCD"],
                [1, "Lê Văn An", 1962, ""],
                [2, "Trần Thị Bình", dt.date(1966, 4, 30), "0011234"],
            ],
        )
        sheet.write_datetime(
            2,
            2,
            dt.datetime(1966, 4, 30),  # noqa: DTZ001 (a workbook's dates have no time zone)
            book.add_format({"num_format": "dd/mm/yyyy"}),
        )

    from django.core.files.uploadedfile import SimpleUploadedFile

    login(client, people.clerk)
    response = client.post(
        reverse("import_list"),
        {"kind": "beneficiaries", "file": SimpleUploadedFile("ds.xlsx", xlsx(build))},
    )
    page = client.get(response.url)
    preview = page.context["preview"]
    assert preview[0][:3] == ["1", "Lê Văn An", "1962"]
    assert preview[1][2] == "30/04/1966"
    assert "1962,0" not in page.content.decode() and "1962.0" not in page.content.decode()
    assert 'id="cancel-mapping"' in page.content.decode()  # a wrong file can be dropped now
    mapping = {f"col_{col}": field for col, field in page.context["match"].mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, mapping)
    job = ImportJob.objects.latest("pk")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[job.pk]), {"warnings": "on"})
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTED and job.counts["written"] == 1
    result = job.results.get()
    done = client.get(reverse("import_detail", args=[job.pk])).content.decode()
    assert reverse("beneficiary_detail", args=[result.result_id]) in done
    book = client.get(reverse("import_errors", args=[job.pk]))
    table = CalamineWorkbook.from_filelike(io.BytesIO(book.content)).get_sheet_by_index(0)
    rows = {int(r[0]): r for r in table.to_python()[1:]}
    assert rows[2][1:4] == ["1", "Lê Văn An", "1962"] and rows[2][-2] == "Đã ghi vào sổ"
    assert rows[3][3] == "30/04/1966" and rows[3][-2] == "Lỗi"
    template = client.get(reverse("import_template", args=["beneficiaries"]))
    assert 'filename="mau-' in template["Content-Disposition"]
    assert "beneficiaries" not in template["Content-Disposition"]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (1962.0, "1962"),
        (2.5, "2.5"),
        (7, "7"),
        (True, "TRUE"),
        ("0912 345 678", "0912 345 678"),
    ],
)
def test_cell_text(value, text):
    from nhandao.imports.readers import cell_text

    assert cell_text(value) == text


def test_cell_text_of_dates():
    import datetime as dt

    from nhandao.imports.readers import cell_text

    assert cell_text(dt.date(1966, 4, 30)) == "30/04/1966"
    # A workbook's date and time has no time zone: what was typed.
    assert cell_text(dt.datetime(1966, 4, 30)) == "30/04/1966"  # noqa: DTZ001
    assert cell_text(dt.datetime(2026, 12, 1, 8, 5)) == "01/12/2026 08:05"  # noqa: DTZ001


def test_a_row_that_may_be_someone_in_the_registry_waits_for_review(
    client, tree, people, register, django_capture_on_commit_callbacks
):
    """ "le van tam" typed without diacritics may be Lê Văn Tám, already kept in the commune:
    the row is one to look at again, and a commit of the clean rows only leaves it out."""
    register("Lê Văn Tám", birth="1951")
    login(client, people.clerk)
    csv = "Họ và tên,Ngày sinh\nle van tam,12/03/1951\nNguyễn Thị Mười,1960\n".encode()
    job = _run(client, django_capture_on_commit_callbacks, csv, "ds.csv")
    assert job.counts["warning"] == 1 and job.counts["ok"] == 1
    assert job.rows.get(row_number=2).status == "warning"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("import_commit", args=[job.pk]))  # without the rows to look at
    job.refresh_from_db()
    assert job.counts["written"] == 1
    assert not Person.objects.filter(full_name="Le Van Tam").exists()


def test_an_address_not_recognised_says_what_becomes_of_the_row(
    client, tree, people, django_capture_on_commit_callbacks
):
    """No step of an import lets the clerk pick a commune: the warning says what happens to the
    row instead (written with the unit's commune, or without one, to be fixed in the file or on
    the record), never "choose it by hand"."""
    login(client, people.clerk)
    csv = "Họ và tên,Năm sinh,Địa chỉ\nLê Văn An,1960,thôn Tiên Mỹ\n".encode()
    job = _run(client, django_capture_on_commit_callbacks, csv, "ds.csv")
    (problem,) = job.rows.get().problems
    assert problem["level"] == "warning" and problem["column"] == "C"
    assert "«thôn Tiên Mỹ»" in problem["message"] and "bằng tay" not in problem["message"]
    assert "chưa có xã/phường" in problem["message"]
