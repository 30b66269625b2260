"""The public self-registration form (no login): rate limit, honeypot, minimum fill time, plain
text; applications confirmed or rejected by the branch with the duplicate check."""

from __future__ import annotations

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nhandao.core.models import AuditEvent
from nhandao.members.models import Application, Member, Volunteer
from nhandao.members.views_public import PUBLIC_SALT
from nhandao.people.models import Person
from tests.conftest import login

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def started(seconds_ago: float = 10) -> str:
    value = str(timezone.now().timestamp() - seconds_ago)
    return signing.TimestampSigner(salt=PUBLIC_SALT).sign(value)


def form(tree, **kw):
    data = {
        "kind": "volunteer",
        "unit": tree.hk_branch.pk,
        "unit_q": "to dan pho",
        "full_name": "Đỗ Minh Khoa",
        "birth": "15/08/2000",
        "phone": "0987654321",
        "email": "khoa@example.vn",
        "skills": ["first_aid"],
        "message": "Em muốn tham gia đội sơ cấp cứu.",
        "website": "",
        "started": started(),
    }
    data.update(kw)
    return data


def post(client, data, ip="203.0.113.5"):
    return client.post(reverse("public_join"), data, REMOTE_ADDR=ip)


def test_the_form_opens_without_login_and_finds_units_without_diacritics(client, tree):
    page = client.get(reverse("public_join"))
    assert page.status_code == 200 and "Gửi đăng ký" in page.content.decode()
    found = client.get(reverse("public_units"), {"unit_q": "hoan kiem"}).content.decode()
    assert "Hoàn Kiếm" in found and "Hà Nội" not in found.split("·")[0]
    assert (
        "Vĩnh Linh" in client.get(reverse("public_units"), {"unit_q": "vinh linh"}).content.decode()
    )
    # provinces are not joinable, only communes and branches
    assert (
        f'value="{tree.hanoi.pk}"'
        not in client.get(reverse("public_units"), {"unit_q": "ha noi"}).content.decode()
    )


def test_an_application_is_kept_apart_from_the_registry(client, tree):
    response = post(client, form(tree))
    assert response.status_code == 302 and response["Location"] == reverse("public_thanks")
    app = Application.objects.get()
    assert app.status == "pending" and app.unit == tree.hk_branch and app.skills == "first_aid"
    assert app.ip_address == "203.0.113.5"
    assert not Person.objects.exists() and not Volunteer.objects.exists()
    assert AuditEvent.objects.filter(object_type="members.application", action="create").exists()


def test_honeypot_and_too_fast_forms_are_thanked_and_dropped(client, tree):
    assert post(client, form(tree, website="http://spam.example")).status_code == 302
    assert post(client, form(tree, started=started(seconds_ago=0.5))).status_code == 302
    assert post(client, form(tree, started="forged:token")).status_code == 302
    assert not Application.objects.exists()


def test_rate_limited_per_address(client, tree):
    for i in range(5):
        assert post(client, form(tree, phone=f"091234567{i}")).status_code == 302
    assert post(client, form(tree)).status_code == 429
    assert post(client, form(tree), ip="198.51.100.7").status_code == 302  # another address
    assert Application.objects.count() == 6


def test_bad_input_gets_clear_messages_and_nothing_is_kept(client, tree):
    young = post(client, form(tree, birth=f"01/01/{timezone.localdate().year - 15}"))
    assert "đủ 18 tuổi" in young.content.decode()
    no_unit = post(client, form(tree, unit=""))
    assert "Hãy chọn một Hội Chữ thập đỏ" in no_unit.content.decode()
    province = post(client, form(tree, unit=tree.hanoi.pk))
    assert "Hãy chọn một Hội Chữ thập đỏ" in province.content.decode()
    html = post(client, form(tree, full_name="<script>alert(1)</script>"))
    assert "<script>alert(1)</script>" not in html.content.decode()
    long = post(client, form(tree, message="x" * 1001))
    assert long.status_code == 200
    assert not Application.objects.exists()
    # a minor may register as a collaborator or member
    assert post(client, form(tree, kind="member", birth="01/01/2012")).status_code == 302


def test_messages_are_shown_as_text_never_as_html(client, tree, people):
    post(client, form(tree, message='<b onclick="x()">Xin chào</b>'))
    app = Application.objects.get()
    login(client, people.hn_officer)
    page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert "&lt;b onclick" in page and '<b onclick="x()">' not in page


def test_confirm_as_a_new_person_creates_person_and_volunteer(client, tree, people):
    post(Client(), form(tree))
    app = Application.objects.get()
    login(client, people.hn_officer)
    assert client.get(reverse("application_list")).status_code == 200
    client.post(reverse("application_confirm", args=[app.pk]), {"same_person": ""})
    app.refresh_from_db()
    v = Volunteer.objects.get()
    assert app.status == "confirmed" and app.person == v.person and v.unit == tree.hk_branch
    assert [s.code for s in v.skills.all()] == ["first_aid"]
    again = client.post(reverse("application_confirm", args=[app.pk]), follow=True)
    assert "đã được xử lý" in again.content.decode()
    assert Volunteer.objects.count() == 1


def test_confirm_shows_matches_and_uses_the_same_person(client, tree, people, register):
    existing = register("Đỗ Minh Khoa", birth="15/08/2000", phone="0987654321").person
    post(Client(), form(tree, kind="member"))
    app = Application.objects.get()
    login(client, people.hn_officer)
    page = client.get(reverse("application_detail", args=[app.pk])).content.decode()
    assert "Cùng một người" in page and f'value="{existing.pk}"' in page
    client.post(reverse("application_confirm", args=[app.pk]), {"same_person": existing.pk})
    member = Member.objects.get()
    assert member.person == existing and Person.objects.count() == 1


def test_reject_and_scope(client, tree, people):
    post(Client(), form(tree, unit=tree.vl_branch.pk, unit_q="hien luong"))
    app = Application.objects.get()
    login(client, people.hn_officer)
    assert client.get(reverse("application_detail", args=[app.pk])).status_code == 404
    assert not client.get(reverse("application_list")).context["page"].object_list
    login(client, people.outsider)
    client.post(reverse("application_reject", args=[app.pk]))
    app.refresh_from_db()
    assert app.status == "rejected" and app.person is None and not Person.objects.exists()


def test_the_find_button_searches_units_and_keeps_what_was_typed(client, tree):
    page = post(client, form(tree, find="1", unit_q="hien luong", unit=""))
    html = page.content.decode()
    assert page.status_code == 200 and "Chi hội thôn Hiền Lương" in html
    assert 'value="Đỗ Minh Khoa"' in html and "field-error" not in html
    assert not Application.objects.exists()


def test_hostile_searches_answer_normally(client, tree):
    assert client.get(reverse("public_units"), {"unit_q": "a\x00b"}).status_code == 200
    assert client.get(reverse("public_units"), {"unit_q": "x" * 5000}).status_code == 200
    assert post(client, form(tree, full_name="Đỗ\x00 Minh Khoa")).status_code == 200
    assert not Application.objects.exists()
