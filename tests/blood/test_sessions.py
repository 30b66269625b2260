from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from nhandao.blood import selectors
from nhandao.blood.models import BloodSession, SessionRegistration
from nhandao.blood.sessions import SessionData, registration_add, session_create
from nhandao.campaigns import selectors as campaign_selectors
from nhandao.campaigns import services as campaigns
from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from tests.blood.b2_factories import add_donation, make_donor
from tests.conftest import actor

DAY = dt.date(2026, 6, 14)


@pytest.fixture
def drive(tree, people):
    admin = actor(people.hn_admin)
    data = campaigns.CampaignData(
        kind="blood_drive",
        name="Hành trình Đỏ 2026",
        year=2026,
        starts_on=dt.date(2026, 6, 1),
        ends_on=dt.date(2026, 8, 31),
    )
    campaign = campaigns.campaign_create(actor=admin, unit=tree.hanoi, data=data)
    campaign = campaigns.campaign_launch(actor=admin, campaign=campaign)
    campaigns.targets_set(
        actor=admin,
        campaign=campaign,
        parent=tree.hanoi,
        rows=[
            campaigns.TargetRow(tree.hanoi, "blood_units", 10),
            campaigns.TargetRow(tree.hoan_kiem, "blood_units", 6),
            campaigns.TargetRow(tree.ba_dinh, "blood_units", 4),
        ],
    )
    return campaign


def test_create_session_in_a_drive_from_the_page(tree, people, drive, as_user):
    client = as_user(people.hn_officer)
    form = client.get(reverse("blood_session_create")).content.decode()
    assert "Hành trình Đỏ 2026" in form
    response = client.post(
        reverse("blood_session_create"),
        {
            "held_on": "14/06/2026",
            "place": "Nhà văn hóa phường",
            "host": "Trường THPT Việt Đức",
            "expected_donors": "120",
            "target_units": "100",
            "campaign": str(drive.pk),
            "status": "planned",
        },
    )
    assert response.status_code == 302, response.content.decode()
    session = BloodSession.objects.get()
    assert (session.campaign, session.unit, session.target_units) == (drive, tree.hanoi, 100)
    assert AuditEvent.objects.filter(action="create", object_type="blood.bloodsession").exists()
    page = client.get(reverse("blood_session_detail", args=[session.pk])).content.decode()
    assert "Nhà văn hóa phường" in page and "14/06/2026" in page


def test_bad_session_input_is_refused_in_vietnamese(tree, people, drive):
    officer = actor(people.hn_officer)
    with pytest.raises(ApplicationError, match="địa điểm"):
        session_create(actor=officer, unit=tree.hoan_kiem, data=SessionData(DAY, "  "))
    tet = campaigns.campaign_create(
        actor=actor(people.hn_admin),
        unit=tree.hanoi,
        data=campaigns.CampaignData(kind="tet", lunar_year=2027),
    )
    with pytest.raises(ApplicationError, match="không phải đợt vận động hiến máu"):
        session_create(
            actor=officer, unit=tree.hoan_kiem, data=SessionData(DAY, "Sân", campaign=tet)
        )
    with pytest.raises(ApplicationError, match="quyền"):
        session_create(
            actor=actor(people.outsider), unit=tree.hoan_kiem, data=SessionData(DAY, "X")
        )


def test_register_in_advance_once_and_remove(tree, people, as_user):
    session = session_create(
        actor=actor(people.hn_officer), unit=tree.hoan_kiem, data=SessionData(DAY, "Hội trường")
    )
    donor = make_donor(tree.hoan_kiem, "Phạm Thị Dung")
    client = as_user(people.hn_officer)
    found = client.get(reverse("blood_session_register", args=[session.pk]), {"q": "dung"})
    assert "Phạm Thị Dung" in found.content.decode()
    client.post(reverse("blood_session_register", args=[session.pk]), {"donor": donor.pk})
    assert SessionRegistration.objects.filter(session=session, donor=donor).count() == 1
    with pytest.raises(ApplicationError, match="đã đăng ký"):
        registration_add(actor=actor(people.hn_officer), session=session, donor=donor)
    found = client.get(reverse("blood_session_register", args=[session.pk]), {"q": "dung"})
    assert "Phạm Thị Dung" not in found.content.decode()  # already registered
    reg = SessionRegistration.objects.get()
    client.post(reverse("blood_registration_remove", args=[session.pk, reg.pk]))
    assert not SessionRegistration.objects.exists()
    outsider_donor = make_donor(tree.vinh_linh, "Lê Văn Ngoài")
    response = client.post(
        reverse("blood_session_register", args=[session.pk]), {"donor": outsider_donor.pk}
    )
    assert response.status_code == 404


def test_drive_progress_counts_blood_units_by_sub_unit(tree, people, drive):
    officer = actor(people.hn_officer)
    hk = session_create(
        actor=officer, unit=tree.hoan_kiem, data=SessionData(DAY, "HK", campaign=drive)
    )
    bd = session_create(
        actor=officer, unit=tree.ba_dinh, data=SessionData(DAY, "BĐ", campaign=drive)
    )
    for name in ("Một", "Hai", "Ba"):
        add_donation(make_donor(tree.hoan_kiem, f"Nguyễn Văn {name}"), DAY, session=hk)
    add_donation(make_donor(tree.ba_dinh, "Trần Văn Bốn"), DAY, session=bd, unit=tree.ba_dinh)
    add_donation(make_donor(tree.ba_dinh, "Trần Văn Năm"), DAY)  # not in the drive
    results = selectors.campaign_results(drive, tree.hanoi)
    assert results == {
        tree.hoan_kiem.path: {"blood_units": 3},
        tree.ba_dinh.path: {"blood_units": 1},
    }
    rows = campaign_selectors.progress(campaign=drive, unit=tree.hanoi)
    blood = {(r.unit.pk, r.own): (r.result, r.target) for r in rows if r.metric == "blood_units"}
    assert blood[(tree.hanoi.pk, True)] == (4, 10)
    assert blood[(tree.hoan_kiem.pk, False)] == (3, 6)
    assert blood[(tree.ba_dinh.pk, False)] == (1, 4)


def test_drive_page_links_and_drive_statistics(tree, people, drive, as_user):
    officer = actor(people.hn_officer)
    hk = session_create(
        actor=officer,
        unit=tree.hoan_kiem,
        data=SessionData(DAY, "HK", campaign=drive, target_units=8),
    )
    add_donation(make_donor(tree.hoan_kiem, "Nguyễn Văn Một"), DAY, session=hk)
    client = as_user(people.hn_admin)
    page = client.get(reverse("campaign_detail", args=[drive.pk])).content.decode()
    assert 'id="blood-stats"' in page and 'id="blood-sessions"' in page
    stats = selectors.blood_stats(user=officer, year=2026, campaign=drive)
    assert (stats.total, stats.target) == (1, 10)  # the drive's own target
    stats = selectors.blood_stats(user=officer, year=2026, campaign=drive, unit=tree.hoan_kiem)
    assert (stats.total, stats.target) == (1, 6)
    page = client.get(reverse("blood_stats"), {"campaign": drive.pk, "year": 2026})
    assert "Hành trình Đỏ 2026" in page.content.decode()
    unit_page = client.get(reverse("unit_detail", args=[tree.hoan_kiem.pk])).content.decode()
    assert 'id="unit-blood-stats"' in unit_page


def test_session_list_and_edit(tree, people, drive, as_user):
    session = session_create(
        actor=actor(people.hn_officer),
        unit=tree.hoan_kiem,
        data=SessionData(DAY, "Hội trường phường", expected_donors=50, target_units=40),
    )
    client = as_user(people.hn_officer)
    page = client.get(reverse("blood_session_list")).content.decode()
    assert "Hội trường phường" in page and "0/40" in page
    url = reverse("blood_session_edit", args=[session.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "held_on": "15/06/2026",
            "place": "Hội trường phường",
            "expected_donors": "60",
            "target_units": "-1",
            "status": "open",
        },
    )
    assert response.status_code == 200  # refused: the form again, with the message
    response = client.post(
        url,
        {
            "held_on": "15/06/2026",
            "place": "Hội trường phường",
            "expected_donors": "60",
            "target_units": "45",
            "campaign": str(drive.pk),
            "status": "open",
        },
    )
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.held_on, session.target_units, session.campaign_id, session.status) == (
        dt.date(2026, 6, 15),
        45,
        drive.pk,
        "open",
    )
    filtered = client.get(reverse("blood_session_list"), {"campaign": drive.pk}).content.decode()
    assert "Hội trường phường" in filtered
