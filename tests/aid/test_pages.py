"""The aid pages: partners and their logins, distributions with planned lists, the printable
acknowledgement list, quick recording (codes, search, overlap and "trao thêm"), ticking a returned
list, voiding, and the list of records with its export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.aid import selectors, services
from nhandao.aid.models import AidRecord, Distribution, Partner, PartnerUser, PlannedRecipient
from nhandao.campaigns import selectors as campaign_selectors
from nhandao.campaigns.models import Campaign
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs.models import RoleAssignment
from tests.campaigns.conftest import TetSetup, make_campaign, tet  # noqa: F401
from tests.conftest import PASSWORD, actor, login

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def running(tet):  # noqa: F811
    """The Tết campaign, its window moved around today so that gifts are given today."""
    Campaign.objects.filter(pk=tet.campaign.pk).update(
        starts_on=TODAY - dt.timedelta(days=20), ends_on=TODAY + dt.timedelta(days=40)
    )
    tet.campaign.refresh_from_db()
    return tet


def _distribution(running, people, tree, *, unit=None, partner=None, title="Trao quà Tết"):
    return services.distribution_create(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        unit=unit or tree.hoan_kiem,
        data=services.DistributionData(
            title=title, held_on=TODAY, place="Nhà văn hóa", unit_value=500_000, partner=partner
        ),
    )


@pytest.fixture
def dist(running, people, tree):
    d = _distribution(running, people, tree)
    services.planned_add(
        actor=actor(people.hn_officer), distribution=d, people=[running.an, running.binh]
    )
    return d


def _line(d, person):
    return PlannedRecipient.objects.get(distribution=d, person=person).line


# --- partners -------------------------------------------------------------------------------


def test_partner_created_edited_and_audited(client, people, tree):
    login(client, people.hn_officer)
    response = client.post(
        reverse("partner_create"),
        {
            "name": "Công ty TNHH Ánh Dương",
            "kind": "business",
            "tax_code": "0101234567",
            "contact_name": "Nguyễn Thị Hoa",
            "contact_phone": "0912345678",
            "is_active": "on",
        },
    )
    partner = Partner.objects.get()
    assert response.status_code == 302
    assert partner.unit == tree.hanoi
    page = client.get(reverse("partner_detail", args=[partner.pk])).content.decode()
    assert "Nguyễn Thị Hoa" in page
    client.post(
        reverse("partner_edit", args=[partner.pk]),
        {"name": "Công ty TNHH Ánh Dương Việt Nam", "kind": "business", "is_active": "on"},
    )
    partner.refresh_from_db()
    assert partner.name == "Công ty TNHH Ánh Dương Việt Nam"
    actions = set(
        AuditEvent.objects.filter(object_type="aid.partner").values_list("action", flat=True)
    )
    assert {"create", "update"} <= actions
    listing = client.get(reverse("partner_list"), {"q": "Ánh Dương"}).content.decode()
    assert "Ánh Dương Việt Nam" in listing


def test_partner_bad_input_says_what(client, people):
    login(client, people.hn_officer)
    response = client.post(
        reverse("partner_create"), {"name": "Công ty X", "kind": "business", "tax_code": "abc"}
    )
    assert response.status_code == 200
    assert "Mã số thuế chỉ gồm chữ số" in response.content.decode()
    assert not Partner.objects.exists()


def _partner(people, tree, name="Siêu thị Hà Nội"):
    return services.partner_create(
        actor=actor(people.hn_officer), unit=tree.hanoi, data=services.PartnerData(name=name)
    )


def test_partner_login_created_with_role_and_link(client, people, tree):
    partner = _partner(people, tree)
    login(client, people.hn_admin)
    response = client.post(
        reverse("partner_login_create", args=[partner.pk]),
        {"username": "sieuthi", "full_name": "Lê Thị Mai", "password": PASSWORD},
    )
    assert response.status_code == 302
    link = PartnerUser.objects.get(partner=partner)
    assert link.user.username == "sieuthi"
    assignment = RoleAssignment.objects.get(user=link.user)
    assert (assignment.role_id, assignment.unit_id) == ("partner_org", tree.hanoi.pk)
    assert AuditEvent.objects.filter(object_type="aid.partneruser").exists()
    assert "sieuthi" in client.get(reverse("partner_detail", args=[partner.pk])).content.decode()


def test_partner_login_needs_user_management(client, people, tree):
    partner = _partner(people, tree)
    with pytest.raises(ApplicationError):
        services.partner_login_create(
            actor=actor(people.hn_officer),
            partner=partner,
            username="x1",
            full_name="X",
            password=PASSWORD,
        )
    login(client, people.hn_officer)
    assert client.get(reverse("partner_login_create", args=[partner.pk])).status_code == 403
    assert not PartnerUser.objects.exists()


def test_partner_login_sees_and_records_only_its_own(client, running, people, tree):
    partner = _partner(people, tree)
    user = services.partner_login_create(
        actor=actor(people.hn_admin),
        partner=partner,
        username="sieuthi",
        full_name="Lê Thị Mai",
        password=PASSWORD,
    )
    mine = _distribution(running, people, tree, partner=partner, title="Siêu thị trao quà")
    other = _distribution(running, people, tree, title="Hội trao quà")
    officer = actor(people.hn_officer)
    services.planned_add(actor=officer, distribution=mine, people=[running.binh])
    services.planned_add(actor=officer, distribution=other, people=[running.cuc])
    theirs = services.aid_record(
        actor=officer,
        campaign=running.campaign,
        person=running.cuc,
        data=services.distribution_aid_data(other),
        distribution=other,
    )
    login(client, user)
    listing = client.get(reverse("distribution_list")).content.decode()
    assert "Siêu thị trao quà" in listing and "Hội trao quà" not in listing
    assert client.get(reverse("distribution_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("distribution_detail", args=[other.pk])).status_code == 404
    assert client.get(reverse("aid_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("distribution_record", args=[other.pk])).status_code == 404
    assert client.get(reverse("beneficiary_list")).status_code == 403
    assert client.get(reverse("partner_list")).status_code == 403
    # Lookup finds only people on its own planned list.
    found = client.get(reverse("distribution_lookup", args=[mine.pk]), {"q": "Cúc"}, **HTMX)
    assert "Phạm Thị Cúc" not in found.content.decode()
    found = client.get(reverse("distribution_lookup", args=[mine.pk]), {"q": "Bình"}, **HTMX)
    assert "Lê Văn Bình" in found.content.decode()
    response = client.post(
        reverse("distribution_record", args=[mine.pk]), {"person": running.binh.pk}, **HTMX
    )
    assert "Đã ghi nhận" in response.content.decode()
    record = AidRecord.objects.get(person=running.binh)
    assert record.partner == partner and record.source == "partner"
    records = client.get(reverse("aid_list")).content.decode()
    assert "Lê Văn Bình" in records and "Phạm Thị Cúc" not in records


# --- distributions and planned lists --------------------------------------------------------


def test_distribution_created_from_page(client, running, people, tree):
    login(client, people.clerk)
    form = client.get(reverse("distribution_create"))
    assert running.campaign.name in form.content.decode()
    response = client.post(
        reverse("distribution_create"),
        {
            "campaign": running.campaign.pk,
            "title": "Trao quà Tết phường Hoàn Kiếm",
            "held_on": TODAY.strftime("%d/%m/%Y"),
            "place": "Nhà văn hóa tổ 1",
            "kind": "gift",
            "unit_value": "500.000",
            "source": "donor",
            "donor_name": "Ngân hàng Á Châu",
        },
    )
    d = Distribution.objects.get()
    assert response.status_code == 302
    assert (d.unit, d.unit_value, d.donor_name) == (tree.hoan_kiem, 500_000, "Ngân hàng Á Châu")
    assert AuditEvent.objects.filter(object_type="aid.distribution", action="create").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"held_on": "01/01/2020"}, "nằm ngoài thời gian của phong trào"),
        ({"unit_value": "100.000"}, "thấp hơn mức tối thiểu"),
        ({"unit_value": "-500.000"}, "không được âm"),
        ({"unit_value": "1,5 triệu"}, "không hợp lệ"),
        ({"source": "donor"}, "Chưa ghi tên nhà tài trợ"),
    ],
)
def test_distribution_bad_input(client, running, people, change, message):
    login(client, people.clerk)
    data = {
        "campaign": running.campaign.pk,
        "title": "Trao quà",
        "held_on": TODAY.strftime("%d/%m/%Y"),
        "kind": "gift",
        "unit_value": "500.000",
        "source": "campaign",
        **change,
    }
    response = client.post(reverse("distribution_create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Distribution.objects.exists()


def test_add_all_uncovered_of_a_unit_and_remove(client, running, people, tree):
    d = _distribution(running, people, tree)
    login(client, people.clerk)
    client.post(reverse("planned_add", args=[d.pk]), {"unit": tree.hoan_kiem.pk})
    uncovered = campaign_selectors.uncovered_list(campaign=running.campaign, unit=tree.hoan_kiem)
    planned = PlannedRecipient.objects.filter(distribution=d)
    assert planned.count() == uncovered.total > 0
    assert {p.person_id for p in planned.all()} == {p.pk for p in uncovered.people}
    # Adding again adds nobody twice.
    client.post(reverse("planned_add", args=[d.pk]), {"unit": tree.hoan_kiem.pk})
    assert planned.count() == uncovered.total
    first = planned.order_by("line").first()
    client.post(reverse("planned_remove", args=[d.pk, first.pk]))
    assert planned.count() == uncovered.total - 1
    # A unit outside the distribution's own is refused.
    assert (
        client.post(reverse("planned_add", args=[d.pk]), {"unit": tree.ba_dinh.pk}).status_code
        == 404
    )


def test_add_by_search(client, running, people, tree):
    d = _distribution(running, people, tree)
    login(client, people.clerk)
    found = client.get(reverse("planned_search", args=[d.pk]), {"q": "binh"}, **HTMX)
    assert "Lê Văn Bình" in found.content.decode()
    client.post(reverse("planned_add", args=[d.pk]), {"person": running.binh.pk})
    assert PlannedRecipient.objects.get(distribution=d).person == running.binh


def test_planned_list_warns_of_gifts_received_elsewhere(client, running, people, tree, dist):
    elsewhere = _distribution(running, people, tree, title="Đợt trao của doanh nghiệp")
    services.aid_record(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        person=running.binh,
        data=services.distribution_aid_data(elsewhere),
        distribution=elsewhere,
    )
    login(client, people.clerk)
    page = client.get(reverse("distribution_detail", args=[dist.pk])).content.decode()
    assert 'id="warned"' in page
    assert page.count('class="badge text-bg-warning elsewhere"') == 1


def test_acknowledgement_list_prints_codes_and_qr(client, running, people, dist):
    login(client, people.clerk)
    page = client.get(reverse("distribution_sheet", args=[dist.pk])).content.decode()
    assert "DANH SÁCH KÝ NHẬN" in page and "Ký nhận" in page and "TM. BAN THƯỜNG VỤ" in page
    assert f"P{running.an.pk}" in page and f"P{running.binh.pk}" in page
    assert page.count("<svg") == 2
    assert "500.000 đ" in page or "500.000\xa0đ" in page


# --- recording ------------------------------------------------------------------------------


def test_quick_record_by_code_then_overlap_then_override(client, running, people, dist):
    login(client, people.hn_officer)
    url = reverse("distribution_record", args=[dist.pk])
    assert client.get(url).status_code == 200
    found = client.get(
        reverse("distribution_lookup", args=[dist.pk]), {"q": f"p{running.binh.pk}"}, **HTMX
    ).content.decode()
    assert "Lê Văn Bình" in found
    found = client.get(
        reverse("distribution_lookup", args=[dist.pk]),
        {"q": f"#{_line(dist, running.an)}"},
        **HTMX,
    ).content.decode()
    assert "Nguyễn Văn An" in found
    response = client.post(url, {"person": running.binh.pk}, **HTMX)
    assert 'id="recorded"' in response.content.decode()
    again = client.post(url, {"person": running.binh.pk}, **HTMX).content.decode()
    assert "đã nhận" in again and "Cho phép trao thêm" in again
    assert AidRecord.objects.filter(person=running.binh).count() == 1
    client.post(url, {"person": running.binh.pk, "override_reason": "Hộ bị cháy nhà"}, **HTMX)
    second = AidRecord.objects.get(person=running.binh, override_no=1)
    assert second.override_reason == "Hộ bị cháy nhà"
    found = client.get(
        reverse("distribution_lookup", args=[dist.pk]), {"q": "Bình"}, **HTMX
    ).content.decode()
    assert "Đã nhận" in found


def test_quick_record_without_override_right_offers_no_override(client, running, people, dist):
    login(client, people.clerk)
    url = reverse("distribution_record", args=[dist.pk])
    client.post(url, {"person": running.binh.pk}, **HTMX)
    again = client.post(url, {"person": running.binh.pk}, **HTMX).content.decode()
    assert "đã nhận" in again and "Cho phép trao thêm" not in again
    denied = client.post(url, {"person": running.binh.pk, "override_reason": "x"}, **HTMX)
    assert "Chỉ cán bộ được phân quyền" in denied.content.decode()
    assert AidRecord.objects.filter(person=running.binh).count() == 1


def test_quick_record_without_htmx_redirects(client, running, people, dist):
    login(client, people.clerk)
    url = reverse("distribution_record", args=[dist.pk])
    assert client.post(url, {"person": running.binh.pk}).status_code == 302
    assert client.post(url, {"person": running.binh.pk}).status_code == 422


def test_household_rule_shows_the_other_members_gift(client, running, people, dist):
    login(client, people.clerk)
    url = reverse("distribution_record", args=[dist.pk])
    client.post(url, {"person": running.an.pk}, **HTMX)
    refused = client.post(url, {"person": running.an_wife.pk}, **HTMX).content.decode()
    assert "đã nhận" in refused
    assert not AidRecord.objects.filter(person=running.an_wife).exists()


def test_tick_the_returned_list(client, running, people, dist):
    login(client, people.clerk)
    lines = [_line(dist, running.an), _line(dist, running.binh)]
    response = client.post(
        reverse("distribution_tick", args=[dist.pk]),
        {"lines": lines, "given_on": TODAY.strftime("%d/%m/%Y")},
    )
    assert response.status_code == 302
    assert AidRecord.objects.filter(distribution=dist).count() == 2
    assert set(AidRecord.objects.values_list("acknowledgement", flat=True)) == {"signed_list"}
    page = client.get(reverse("distribution_detail", args=[dist.pk])).content.decode()
    assert page.count("text-bg-success") == 2


def test_tick_is_all_or_nothing(client, running, people, tree, dist):
    elsewhere = _distribution(running, people, tree, title="Đợt khác")
    services.aid_record(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        person=running.binh,
        data=services.distribution_aid_data(elsewhere),
        distribution=elsewhere,
    )
    login(client, people.clerk)
    lines = [_line(dist, running.an), _line(dist, running.binh)]
    response = client.post(reverse("distribution_tick", args=[dist.pk]), {"lines": lines})
    assert not AidRecord.objects.filter(distribution=dist).exists()
    page = client.get(response.url).content.decode()
    assert "Chưa ghi nhận người nào" in page and "Lê Văn Bình" in page


def test_void_with_reason(client, running, people, dist):
    record = services.aid_record(
        actor=actor(people.clerk),
        campaign=running.campaign,
        person=running.binh,
        data=services.distribution_aid_data(dist),
        distribution=dist,
    )
    login(client, people.clerk)
    url = reverse("aid_detail", args=[record.pk])
    assert "Cần ghi lý do" not in client.post(url, {"reason": ""}).content.decode()
    record.refresh_from_db()
    assert record.voided_at is None
    client.post(url, {"reason": "Ghi nhầm người"})
    record.refresh_from_db()
    assert record.voided_at is not None and record.void_reason == "Ghi nhầm người"
    assert AuditEvent.objects.filter(object_id=str(record.pk), action="delete").exists()


def test_record_list_filters_prints_and_exports(client, running, people, tree, dist):
    for person in (running.an, running.binh):
        services.aid_record(
            actor=actor(people.hn_officer),
            campaign=running.campaign,
            person=person,
            data=services.distribution_aid_data(dist),
            distribution=dist,
        )
    login(client, people.hn_officer)
    page = client.get(
        reverse("aid_list"), {"campaign": running.campaign.pk, "unit": tree.hoan_kiem.pk}
    ).content.decode()
    assert "Nguyễn Văn An" in page and "Lê Văn Bình" in page and "d-print-none" in page
    empty = client.get(reverse("aid_list"), {"unit": tree.ba_dinh.pk}).content.decode()
    assert "Lê Văn Bình" not in empty
    response = client.get(reverse("aid_export"), {"campaign": running.campaign.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    with zipfile.ZipFile(io.BytesIO(response.content)) as book:
        strings = book.read("xl/sharedStrings.xml").decode()
    assert "DANH SÁCH HỖ TRỢ ĐÃ TRAO" in strings and "Lê Văn Bình" in strings
    # The official layout: the managing body above the unit, a "Cộng" row of the values given.
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0)
    cells = rows.to_python()
    assert cells[0][0] == tree.root.name.upper() and cells[1][0] == tree.hanoi.name.upper()
    total = next(row for row in cells if row[0] == "Cộng")
    given = sum(r.value for r in AidRecord.objects.filter(campaign=running.campaign))
    assert given > 0 and total[6] == given


def test_clerk_outside_cannot_filter_by_foreign_unit(client, people, tree):
    login(client, people.clerk)
    # A unit outside the form's choices is ignored, never read.
    response = client.get(reverse("aid_list"), {"unit": tree.vinh_linh.pk})
    assert response.status_code == 200


def test_selectors_record_list_is_scoped(running, people, tree, dist):
    services.aid_record(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        person=running.binh,
        data=services.distribution_aid_data(dist),
        distribution=dist,
    )
    assert selectors.record_list(user=actor(people.clerk)).count() == 1
    assert selectors.record_list(user=actor(people.outsider)).count() == 0


def test_distribution_marked_done_cancelled_and_reopened(client, running, people, dist):
    login(client, people.clerk)
    url = reverse("distribution_status", args=[dist.pk])
    client.post(url, {"status": "done"})
    dist.refresh_from_db()
    assert dist.status == "done"
    client.post(url, {"status": "cancelled"})
    dist.refresh_from_db()
    assert dist.status == "cancelled"
    # A cancelled distribution takes no new names.
    client.post(reverse("planned_add", args=[dist.pk]), {"person": running.cuc.pk})
    assert not PlannedRecipient.objects.filter(distribution=dist, person=running.cuc).exists()
    # Nor records.
    refused = client.post(
        reverse("distribution_record", args=[dist.pk]), {"person": running.binh.pk}, **HTMX
    )
    assert "Đợt trao đã hủy" in refused.content.decode()
    response = client.post(url, {"status": "nonsense"})
    assert "Trạng thái không hợp lệ" in client.get(response.url).content.decode()
    client.post(url, {"status": "planned"})
    dist.refresh_from_db()
    assert dist.status == "planned"
    events = AuditEvent.objects.filter(object_type="aid.distribution", object_id=str(dist.pk))
    assert len([e for e in events if "status" in e.changes]) == 3


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_acknowledgement_photo_uploaded_and_served_in_scope(client, running, people, dist):
    from django.core.files.uploadedfile import SimpleUploadedFile

    record = services.aid_record(
        actor=actor(people.clerk),
        campaign=running.campaign,
        person=running.binh,
        data=services.distribution_aid_data(dist, acknowledgement=""),
        distribution=dist,
    )
    login(client, people.clerk)
    url = reverse("aid_photo", args=[record.pk])
    assert client.get(url).status_code == 404  # no photo yet
    bad = client.post(url, {"photo": SimpleUploadedFile("a.png", b"not an image")})
    assert "không phải ảnh" in client.get(bad.url).content.decode()
    client.post(url, {"photo": SimpleUploadedFile("trao-qua.png", PNG)})
    record.refresh_from_db()
    assert record.photo and record.acknowledgement == "photo"
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert AuditEvent.objects.filter(object_id=str(record.pk), changes__has_key="photo").exists()
    login(client, people.outsider)
    assert client.get(url).status_code == 404
