"""The campaigns API serves the uncovered households (names, dates of birth, addresses), targets
and aid only to roles that read business data; the coverage counts, like the campaign reports,
also to report readers. The coverage page and its printable list log every answer served with
citizen IDs or sensitive groups in full (count and filters, never the data)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from nhandao.aid.models import Partner, PartnerUser
from nhandao.core.models import AuditEvent
from nhandao.orgs import services as orgs
from nhandao.orgs.models import RoleAssignment
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db

SENSITIVE = AuditEvent.Action.VIEW_SENSITIVE


def _headers(user) -> dict[str, str]:
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = orgs.token_create(actor=user, assignment=assignment, name="api")
    return {"Authorization": f"Bearer {raw}"}


def _api(campaign, what: str) -> str:
    return f"/api/v1/campaigns/{campaign.pk}/{what}"


def test_a_partner_agency_reads_coverage_counts_but_no_people_targets_or_aid(
    client, tree, people, tet
):
    agency = make_user("mttq", tree.hanoi, "partner", "Ủy ban MTTQ Hà Nội")
    h = _headers(agency)
    for what in ("uncovered", "targets", "aid"):
        r = client.get(_api(tet.campaign, what), {"unit_id": tree.hoan_kiem.pk}, headers=h)
        assert r.status_code == 403, what
        assert "Nguyễn Văn An" not in r.content.decode()
    # Counts only, as in the campaign reports a report reader downloads.
    r = client.get(_api(tet.campaign, "coverage"), headers=h)
    assert r.status_code == 200 and r.json()["eligible"] == 3
    assert "Nguyễn Văn An" not in r.content.decode()


def test_a_partner_login_reads_its_own_aid_but_not_the_uncovered_list(client, tree, people, tet):
    shop = Partner.objects.create(unit=tree.hanoi, name="Siêu thị Hạnh Phúc", kind="business")
    user = make_user("sieu_thi", tree.hanoi, "partner_org", "Nguyễn Thị Hạnh")
    PartnerUser.objects.create(partner=shop, user=user)
    h = _headers(user)
    for what in ("uncovered", "targets", "coverage"):
        assert client.get(_api(tet.campaign, what), headers=h).status_code == 403, what
    r = client.get(_api(tet.campaign, "aid"), headers=h)
    assert r.status_code == 200 and r.json()["count"] == 0
    # A viewer reads the uncovered list.
    viewer = make_user("xem", tree.hanoi, "viewer", "Phan Văn Xem")
    r = client.get(
        _api(tet.campaign, "uncovered"), {"unit_id": tree.hoan_kiem.pk}, headers=_headers(viewer)
    )
    assert r.status_code == 200 and r.json()["total"] == 2


def test_the_uncovered_list_with_full_ids_is_logged_once_per_page_and_print(
    client, tree, people, tet, register
):
    register("Đinh Thị Hoa", groups=["poor"], birth="1955", id_number="001155012345")
    coverage = reverse("campaign_coverage", args=[tet.campaign.pk])
    printed = reverse("campaign_uncovered_print", args=[tet.campaign.pk])
    login(client, people.clerk)  # data entry: IDs masked, nothing to log
    assert "001155012345" not in client.get(coverage).content.decode()
    assert "001155012345" not in client.get(printed).content.decode()
    assert not AuditEvent.objects.filter(action=SENSITIVE).exists()
    login(client, people.hn_officer)
    client.get(coverage)  # the province sees communes, not households: nothing to log
    assert not AuditEvent.objects.filter(action=SENSITIVE).exists()
    assert "001155012345" in client.get(coverage, {"unit": tree.hoan_kiem.pk}).content.decode()
    event = AuditEvent.objects.get(action=SENSITIVE)
    assert event.actor_id == people.hn_officer.pk and event.unit_path == tree.hoan_kiem.path
    assert event.changes["records"] == [None, 3]
    assert event.changes["filters"][1]["unit"] == tree.hoan_kiem.pk
    assert "001155012345" not in json.dumps(event.changes, ensure_ascii=False)
    assert "Đinh Thị Hoa" not in json.dumps(event.changes, ensure_ascii=False)
    assert "001155012345" in client.get(printed, {"unit": tree.hoan_kiem.pk}).content.decode()
    assert AuditEvent.objects.filter(action=SENSITIVE).count() == 2


def test_a_sensitive_group_shown_in_full_is_logged_too(client, tree, people, tet, register):
    login(client, people.hn_officer)
    coverage = reverse("campaign_coverage", args=[tet.campaign.pk])
    client.get(coverage, {"unit": tree.ba_dinh.pk})  # Cúc: no ID, no sensitive group
    assert not AuditEvent.objects.filter(action=SENSITIVE).exists()
    register("Hà Văn Khải", unit=tree.ba_dinh, groups=["poor", "disabled"], birth="1958")
    html = client.get(coverage, {"unit": tree.ba_dinh.pk}).content.decode()
    assert "Người khuyết tật" in html
    assert AuditEvent.objects.filter(action=SENSITIVE).count() == 1
