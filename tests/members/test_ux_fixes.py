"""Defects seen on the demo data: a member's history showed the raw audit changes ("person: [None,
12]"); the forms of members and volunteers offered different sex choices; the reason written by
a merger of units followed the user's language."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from nhandao.members import services
from nhandao.members.models import MemberTransfer
from nhandao.people.models import Sex
from nhandao.people.services import PersonData
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
JOINED = dt.date(TODAY.year - 1, 12, 1)


def _member(people, unit, name="Nguyễn Thị Lan"):
    return services.member_register(
        actor=actor(people.hn_admin),
        unit=unit,
        person=PersonData(full_name=name, birth="12/03/1980", sex="female"),
        joined_on=JOINED,
        card_no="",
    )


def _history(html: str) -> str:
    found = re.search(r'<ul class="small" id="history">(.*?)</ul>', html, re.S)
    assert found, "no history"
    return found.group(1)


def test_the_history_shows_labels_names_and_dates(client, tree, people):
    m = _member(people, tree.hk_branch)
    who = actor(people.hn_admin)
    services.member_status_set(actor=who, member=m, status="lapsed", on=TODAY)
    services.member_transfer(actor=who, member=m, to_unit=tree.ba_dinh, on=TODAY)
    login(client, people.hn_admin)
    history = _history(client.get(reverse("member_detail", args=[m.pk])).content.decode())
    for raw in ("person:", "joined_on", "card_no", "None", JOINED.isoformat(), "[", "lapsed"):
        assert raw not in history
    assert "Người: Nguyễn Thị Lan" in history
    assert f"Ngày vào Hội: {JOINED:%d/%m/%Y}" in history
    assert "Số thẻ hội viên" not in history  # created empty: left out
    assert "Đang sinh hoạt → Không sinh hoạt" in history
    assert f"Chi hội: {tree.hk_branch.name} → {tree.ba_dinh.name}" in history
    assert f"Ngày chuyển: {TODAY:%d/%m/%Y}" in history


def _sex_labels(html: str) -> list[str]:
    select = re.search(r'<select[^>]*name="sex".*?</select>', html, re.S)
    assert select is not None, "no sex field"
    return re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))


def test_members_and_volunteers_forms_offer_the_registry_sex_choices(client, tree, people):
    registry = [str(label) for _value, label in Sex.choices]
    login(client, people.hn_admin)
    member_form = client.get(reverse("member_create")).content.decode()
    volunteer_form = client.get(reverse("volunteer_create")).content.decode()
    assert _sex_labels(member_form) == registry
    assert _sex_labels(volunteer_form) == registry


def test_a_merger_run_in_english_writes_a_vietnamese_reason(tree, people):
    _member(people, tree.hk_branch)
    with translation.override("en"):
        services.unit_members_transfer(
            actor=actor(people.hn_admin), from_unit=tree.hk_branch, to_unit=tree.hoan_kiem, on=TODAY
        )
    assert list(MemberTransfer.objects.values_list("reason", flat=True)) == ["Hợp nhất đơn vị"]
