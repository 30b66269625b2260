"""Phone-sized fixes of the aid pages: after a quick record the header's counter and the
person's card are refreshed out of band (a person already given shows when, not the button);
the planned list keeps its action column on a phone; the stall page says plainly that a voucher
was taken."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from nhandao.aid import services, vouchers
from nhandao.aid.models import AidRecord
from tests.aid.test_pages import HTMX, _line, dist, running  # noqa: F401
from tests.aid.test_vouchers import _issue, _stalls, fair  # noqa: F401
from tests.campaigns.conftest import tet  # noqa: F401
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


def _card(html: str, person) -> str:
    """The recipient card of ``person`` in an answer (up to the next card, or the end)."""
    start = html.index(f'id="recipient-{person.pk}"')
    end = html.find('class="card mb-2 recipient"', start)
    return html[start : end if end != -1 else len(html)]


def test_a_record_updates_the_counter_and_the_card_out_of_band(
    client,
    running,  # noqa: F811
    people,
    dist,  # noqa: F811
):
    login(client, people.clerk)
    url = reverse("distribution_record", args=[dist.pk])
    page = client.get(url).content.decode()
    assert "Đã trao 0 / 2 người trong danh sách" in page
    answer = client.post(url, {"person": running.binh.pk}, **HTMX).content.decode()
    assert 'id="recorded"' in answer
    assert re.search(
        r'<span id="totals" hx-swap-oob="true">Đã trao 1 / 2 người trong danh sách</span>', answer
    )
    card = _card(answer, running.binh)
    assert 'hx-swap-oob="true"' in card
    assert "Đã trao lúc" in card and "Ghi nhận đã trao" not in card


def test_a_person_already_given_shows_when_instead_of_the_button(
    client,
    running,  # noqa: F811
    people,
    dist,  # noqa: F811
):
    services.aid_record(
        actor=actor(people.hn_officer),
        campaign=running.campaign,
        person=running.binh,
        data=services.distribution_aid_data(dist),
        distribution=dist,
    )
    record = AidRecord.objects.get(person=running.binh)
    login(client, people.clerk)
    lookup = reverse("distribution_lookup", args=[dist.pk])
    given = client.get(lookup, {"q": f"P{running.binh.pk}"}, **HTMX).content.decode()
    assert "Đã trao lúc" in given and "Ghi nhận đã trao" not in given
    assert reverse("aid_detail", args=[record.pk]) in given
    open_ = client.get(lookup, {"q": f"#{_line(dist, running.an)}"}, **HTMX).content.decode()
    assert "Ghi nhận đã trao" in open_ and "Đã trao lúc" not in open_
    assert "Trao thêm" not in given  # a clerk may not give more
    client.logout()
    login(client, people.hn_officer)  # an officer may, through the refusal that asks why
    given = client.get(lookup, {"q": f"P{running.binh.pk}"}, **HTMX).content.decode()
    assert "Trao thêm…" in given and "Ghi nhận đã trao" not in given


def test_a_refused_duplicate_also_refreshes_the_card(
    client,
    running,  # noqa: F811
    people,
    dist,  # noqa: F811
):
    login(client, people.clerk)
    url = reverse("distribution_record", args=[dist.pk])
    client.post(url, {"person": running.binh.pk}, **HTMX)
    again = client.post(url, {"person": running.binh.pk}, **HTMX).content.decode()
    assert 'id="record-error"' in again
    assert "Đã trao 1 / 2 người trong danh sách" in again
    assert "Đã trao lúc" in _card(again, running.binh)
    assert AidRecord.objects.filter(person=running.binh).count() == 1


def test_the_planned_list_keeps_the_remove_button_on_a_phone(
    client,
    running,  # noqa: F811
    people,
    dist,  # noqa: F811
):
    login(client, people.clerk)
    page = client.get(reverse("distribution_detail", args=[dist.pk])).content.decode()
    head = re.search(r"<thead>.*?</thead>", page, re.S).group(0)
    # Secondary columns are hidden below md: their content is stacked under the name instead.
    for title in ("Mã", "Năm sinh", "Địa chỉ", "Đã nhận nơi khác"):
        assert f'<th class="d-none d-md-table-cell d-print-table-cell">{title}</th>' in head
    row = re.search(rf'<tr id="line-{_line(dist, running.binh)}">.*?</tr>', page, re.S).group(0)
    assert '<div class="d-md-none d-print-none small text-muted">' in row
    assert f"P{running.binh.pk} · 1960" in row
    assert ">Bỏ</button>" in row


def test_the_stall_page_says_the_voucher_was_taken(client, fair, people):  # noqa: F811
    login(client, people.hn_officer)
    stall = _stalls(fair)["Gian quần áo"]
    first, _second, _third = _issue(fair, people)
    url = reverse("voucher_redeem", args=[fair.pk, stall.pk])
    page = client.get(url).content.decode()
    assert ">Nhận phiếu</button>" in page and ">Xác nhận</button>" not in page
    ok = client.post(url, {"code": first.code}).content.decode()
    first.refresh_from_db()
    assert first.status == "redeemed"
    assert "✓ Đã nhận phiếu · 500.000 đ" in ok and "Hợp lệ" not in ok
    when = timezone.localtime(first.redeemed_at).strftime("%H:%M")
    assert f"Mã {vouchers.code_display(first.code)} · đã dùng lúc {when}" in ok
