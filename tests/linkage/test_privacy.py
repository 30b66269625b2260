"""Who may see people side by side: the duplicate pages are for those who decide pairs, full
identifiers are logged when shown, household pages need the right to read, and a merged household
names its survivor only to users whose scope holds it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.core.models import AuditEvent
from nhandao.linkage.models import CandidatePair, HouseholdPair, LinkageRun, PairStatus
from nhandao.orgs.models import Role
from nhandao.people.services import household_create, household_merge
from tests.conftest import actor, login, make_user

pytestmark = pytest.mark.django_db

FULL_ID = "093159002222"
MASKED_ID = "0931******22"
READ_ONLY_ROLES = [Role.PARTNER, Role.PARTNER_ORG, Role.AUDITOR, Role.VIEWER]


@pytest.fixture
def pair(register, tree):
    """An open pair of two records in Hoàn Kiếm, one with a citizen ID and a phone."""
    a = register("Nguyễn Thị Bé Tư", birth="02/02/1959", id_number=FULL_ID, phone="0912345678")
    b = register("NGUYEN THI BE TU", birth="1959", address_detail="Tổ 5")
    return CandidatePair.objects.create(
        unit=tree.hoan_kiem, a=a.person, b=b.person, score=0.95, reasons=[]
    )


@pytest.fixture
def household_pair(register, people, tree):
    officer = actor(people.hn_officer)
    head = register("Đỗ Văn Chủ Hộ", birth="1955").person
    a = household_create(actor=officer, unit=tree.hoan_kiem, head=head, code="HK-7")
    b = household_create(actor=officer, unit=tree.hoan_kiem, code="HK-7")
    return HouseholdPair.objects.create(unit=tree.hoan_kiem, a=a, b=b, score=0.8, reasons=[])


def _sensitive_views():
    return AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE)


@pytest.mark.parametrize("role", READ_ONLY_ROLES)
def test_duplicate_pages_are_only_for_those_who_decide_pairs(
    client, tree, people, pair, household_pair, role
):
    run = LinkageRun.objects.create(unit=tree.hoan_kiem)
    login(client, make_user(f"read_{role}", tree.hanoi, role))
    for url in (
        reverse("pair_detail", args=[pair.pk]),
        reverse("household_pair_detail", args=[household_pair.pk]),
        reverse("linkage_progress", args=[run.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        body = response.content.decode()
        assert "Nguyễn Thị Bé Tư" not in body and "Đỗ Văn Chủ Hộ" not in body
    for name, chosen in (("pairs_bulk", pair), ("household_pairs_bulk", household_pair)):
        response = client.post(reverse(name), {"pair": [chosen.pk], "decision": "different"})
        assert response.status_code == 403, name
    assert CandidatePair.objects.get(pk=pair.pk).status == PairStatus.OPEN
    assert HouseholdPair.objects.get(pk=household_pair.pk).status == PairStatus.OPEN
    assert not _sensitive_views().exists()


def test_full_identifiers_on_a_pair_are_logged_masked_ones_are_not(
    client, tree, people, pair, household_pair
):
    login(client, people.clerk)  # data entry: decides pairs, sees identifiers masked
    body = client.get(reverse("pair_detail", args=[pair.pk])).content.decode()
    assert FULL_ID not in body and MASKED_ID in body
    assert client.get(reverse("household_pair_detail", args=[household_pair.pk])).status_code == 200
    assert not _sensitive_views().exists()

    login(client, people.hn_officer)
    body = client.get(reverse("pair_detail", args=[pair.pk])).content.decode()
    assert FULL_ID in body and "0912345678" in body
    event = _sensitive_views().get()
    assert event.actor_id == people.hn_officer.pk
    assert (event.object_type, event.object_id) == ("linkage.candidatepair", str(pair.pk))
    assert event.unit_path == tree.hoan_kiem.path
    assert event.changes["persons"] == [None, [pair.a_id, pair.b_id]]


@pytest.mark.parametrize("role", [Role.PARTNER, Role.PARTNER_ORG])
def test_household_pages_need_the_right_to_read_data(client, tree, people, register, role):
    head = register("Phan Văn Chủ Hộ", birth="1950", address_detail="Ngõ 12").person
    other = register("Phan Thị Thành Viên", birth="1980").person
    household = household_create(actor=actor(people.hn_officer), unit=tree.hoan_kiem, head=head)
    login(client, make_user("partner_user", tree.hanoi, role))
    response = client.get(reverse("household_detail", args=[household.pk]))
    assert response.status_code == 403
    assert "Phan Văn Chủ Hộ" not in response.content.decode()
    member = client.post(reverse("household_member", args=[household.pk]), {"person": other.pk})
    assert member.status_code == 403
    assert client.post(reverse("household_create", args=[other.pk])).status_code == 403
    other.refresh_from_db()
    assert other.household_id is None
    # Roles that may read data still open the page.
    for reader in (Role.VIEWER, Role.AUDITOR):
        login(client, make_user(f"reader_{reader}", tree.hanoi, reader))
        assert client.get(reverse("household_detail", args=[household.pk])).status_code == 200


def test_a_merged_household_names_its_survivor_only_inside_the_scope(
    client, tree, people, register
):
    officer = actor(people.hn_officer)
    head = register("Ngô Văn Hoàn Kiếm", birth="1958").person
    merged = household_create(actor=officer, unit=tree.hoan_kiem, head=head)
    other_head = register("Trịnh Văn Ba Đình", birth="1958", unit=tree.ba_dinh).person
    survivor = household_create(actor=officer, unit=tree.ba_dinh, head=other_head)
    household_merge(actor=officer, survivor=survivor, merged=merged)
    survivor_url = reverse("household_detail", args=[survivor.pk])

    login(client, people.clerk)  # Hoàn Kiếm: Ba Đình is outside the scope
    page = client.get(reverse("household_detail", args=[merged.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Trịnh Văn Ba Đình" not in html and survivor_url not in html
    assert "đã gộp vào một hộ ở đơn vị khác" in html

    login(client, people.hn_officer)  # Hà Nội holds both
    html = client.get(reverse("household_detail", args=[merged.pk])).content.decode()
    assert "Trịnh Văn Ba Đình" in html and f'href="{survivor_url}"' in html
    assert "đơn vị khác" not in html
