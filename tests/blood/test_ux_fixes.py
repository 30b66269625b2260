"""Defects seen at the check-in desk on a phone: one way of writing a weight ("60", "44,9"), a way
back from the desk to its session, one blood sub-menu on every page, the person registry's sex
choices on the new-donor form."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from nhandao.blood.models import BloodDonor
from tests.blood.b1_fixtures import make_desk
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(tree, people):
    return make_desk(tree, people)


def _weights(page: str) -> list[str]:
    return re.findall(r'<input[^>]*name="weight_kg"[^>]*value="([^"]*)"', page)


def test_the_weight_is_written_one_way_above_and_in_the_form(client, desk, people):
    login(client, people.clerk)
    an = client.get(reverse("blood_checkin_donor", args=[desk.session.pk, desk.an.pk]))
    assert _weights(an.content.decode()) == ["60", "60"]
    binh = client.get(reverse("blood_checkin_donor", args=[desk.session.pk, desk.binh.pk]))
    assert _weights(binh.content.decode()) == ["44,9", "44,9"]
    found = client.get(reverse("blood_checkin", args=[desk.session.pk]), {"q": "001090001234"})
    assert "60 kg" in found.content.decode() and "60.0" not in found.content.decode()


def test_the_kg_filter():
    from nhandao.blood.templatetags.blood_tags import kg_filter

    assert kg_filter("60.0") == "60"
    assert kg_filter("60.50") == "60,5"
    assert kg_filter(None) == ""


def test_the_desk_links_back_to_its_session(client, desk, people):
    login(client, people.clerk)
    page = client.get(reverse("blood_checkin", args=[desk.session.pk])).content.decode()
    assert f'href="{reverse("blood_session_detail", args=[desk.session.pk])}"' in page


def _menu(page: str) -> str:
    found = re.search(r'<ul[^>]*id="blood-menu".*?</ul>', page, re.S)
    assert found, "no blood sub-menu"
    return re.sub(r"\s+active bg-danger", "", found.group(0))


def test_one_blood_sub_menu_on_every_page(client, desk, people):
    login(client, people.hn_officer)
    home = _menu(client.get(reverse("blood_checkin_home")).content.decode())
    session = _menu(
        client.get(reverse("blood_session_detail", args=[desk.session.pk])).content.decode()
    )
    donors = _menu(client.get(reverse("blood_donor_list")).content.decode())
    assert home == session == donors
    assert "Nhắc hiến lại" in home and "Hiến mô, tạng" in home and "Tiếp đón" in home


def test_the_new_donor_form_offers_the_registry_sex_choices(client, desk, people):
    login(client, people.clerk)
    url = reverse("blood_checkin_new", args=[desk.session.pk])
    page = client.get(url).content.decode()
    select = re.search(r'<select[^>]*name="sex".*?</select>', page, re.S)
    assert select is not None
    labels = re.findall(r"<option[^>]*>([^<]*)</option>", select.group(0))
    assert labels == ["Chưa rõ", "Nam", "Nữ"]
    client.post(url, {"full_name": "Hà Văn Dũng", "birth": "1990", "sex": "", "weight_kg": "55"})
    assert BloodDonor.objects.filter(person__full_name="Hà Văn Dũng", person__sex="").exists()
