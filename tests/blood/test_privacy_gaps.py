"""Privacy gaps of blood donation: the donor and reminder lists and their files leave one
VIEW_SENSITIVE event when they show phones in full (how many, which filters, never the phones);
the statistics do not name a deferral reason given for fewer than five donors to a role without
pii.view (small-cell suppression)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.blood.models import Deferral
from nhandao.core.models import AuditEvent
from nhandao.orgs.models import Role
from tests.blood.b2_factories import make_donor, xlsx_values
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
OTHER = "Lý do khác (mỗi lý do dưới 5 người)"


def _sensitive() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE).order_by("pk"))


def test_lists_and_files_with_phones_in_full_are_logged_once_each(client, tree, people):
    make_donor(tree.hoan_kiem, "Trần Văn Được", phone="0912345678")
    make_donor(tree.hoan_kiem, "Lê Thị Hoa", phone="0912000111")
    make_donor(tree.vinh_linh, "Lê Văn Xa", phone="0912999999")  # out of scope
    login(client, people.clerk)  # no pii.view: masked, nothing to log
    for name in ("blood_donor_list", "blood_donor_export", "blood_reminder_list"):
        assert client.get(reverse(name)).status_code == 200
    assert "091****678" in client.get(reverse("blood_reminder_list")).content.decode()
    assert not _sensitive()
    login(client, people.hn_officer)
    answers = [
        client.get(reverse("blood_donor_list"), {"q": "0912345678"}),
        client.get(reverse("blood_donor_export")),
        client.get(reverse("blood_reminder_list")),
        client.get(reverse("blood_reminder_export"), {"format": "csv"}),
        client.get(reverse("blood_reminder_export")),
    ]
    assert all(r.status_code == 200 for r in answers)
    assert "0912 345 678" in answers[0].content.decode()  # the officer sees them in full
    events = _sensitive()
    assert len(events) == len(answers)
    listed, export, reminders, csv_file, workbook = events
    assert listed.changes["records"] == [None, 1]
    assert listed.changes["filters"][1] == {"query": "0912****78"}
    assert export.changes["records"] == [None, 2]
    assert reminders.changes["records"] == [None, 2]
    assert csv_file.changes["filters"][1]["format"] == "csv"
    assert workbook.changes["records"] == [None, 2]
    assert {e.unit_path for e in events} == {tree.hanoi.path}
    assert "0912345678" not in json.dumps([e.changes for e in events])


@pytest.fixture
def deferrals(tree):
    """Five donors deferred for anaemia and one for low blood pressure, in Hoàn Kiếm."""
    for name in ("An", "Bình", "Cường", "Dũng", "Hải"):
        donor = make_donor(tree.hoan_kiem, f"Nguyễn Văn {name}")
        Deferral.objects.create(
            donor=donor, unit=tree.hoan_kiem, deferred_on=TODAY, reason_code="thiếu máu"
        )
    alone = make_donor(tree.hoan_kiem, "Trần Thị Một")
    for _ in range(2):  # twice, still one person
        Deferral.objects.create(
            donor=alone, unit=tree.hoan_kiem, deferred_on=TODAY, reason_code="huyết áp thấp"
        )


def test_a_partner_does_not_see_a_reason_given_for_fewer_than_five_donors(
    client, tree, people, deferrals
):
    partner = make_user("partner", tree.hanoi, Role.PARTNER, "Cơ quan phối hợp")
    login(client, partner)
    for query in ({}, {"unit": tree.hoan_kiem.pk}):
        html = client.get(reverse("blood_stats"), query).content.decode()
        assert "thiếu máu" in html and OTHER in html
        assert "huyết áp thấp" not in html
    sheet = xlsx_values(client.get(reverse("blood_stats_export")).content, 1)
    assert "thiếu máu" in sheet and OTHER in sheet and "huyết áp thấp" not in sheet
    # An officer (pii.view) still sees every reason.
    html = login(client, people.hn_officer).get(reverse("blood_stats")).content.decode()
    assert "thiếu máu" in html and "huyết áp thấp" in html and OTHER not in html
