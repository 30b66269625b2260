from __future__ import annotations

import datetime as dt

from django.urls import reverse

from nhandao.blood import selectors
from nhandao.blood.models import Deferral
from nhandao.blood.sessions import SessionData, session_create
from tests.blood.b2_factories import add_donation, make_donor, xlsx_values
from tests.conftest import actor


def test_units_by_month_group_first_time_and_deferrals(tree, people, as_user):
    officer = actor(people.hn_officer)
    march = session_create(
        actor=officer,
        unit=tree.hoan_kiem,
        data=SessionData(dt.date(2026, 3, 8), "Hội trường", target_units=5),
    )
    an = make_donor(tree.hoan_kiem, "Nguyễn Văn An", abo="O", rh="+")
    binh = make_donor(tree.hoan_kiem, "Trần Thị Bình", abo="A", rh="-")
    add_donation(an, dt.date(2025, 12, 1))
    add_donation(an, dt.date(2026, 3, 8), session=march)
    add_donation(binh, dt.date(2026, 3, 8), session=march)
    add_donation(make_donor(tree.vinh_linh, "Lê Văn Xa"), dt.date(2026, 3, 8))
    Deferral.objects.create(
        donor=binh,
        unit=tree.hoan_kiem,
        session=march,
        deferred_on=dt.date(2026, 3, 8),
        reason_code="huyết áp thấp",
    )
    stats = selectors.blood_stats(user=officer, year=2026, unit=tree.hanoi)
    assert stats.total == 2 and stats.target == 5
    assert stats.months[2] == (3, 2, 5)
    assert dict(stats.by_group) == {"O+": 1, "A-": 1}
    assert (stats.first_time, stats.repeat) == (1, 1)
    assert stats.deferrals == [("huyết áp thấp", 1)]
    client = as_user(people.hn_officer)
    page = client.get(reverse("blood_stats"), {"year": 2026}).content.decode()
    assert "huyết áp thấp" in page and "2 / 5" in page
    sheet = xlsx_values(client.get(reverse("blood_stats_export"), {"year": 2026}).content)
    assert "03/2026" in sheet and "KẾT QUẢ TIẾP NHẬN MÁU NĂM 2026" in sheet
    sheet2 = xlsx_values(client.get(reverse("blood_stats_export"), {"year": 2026}).content, 1)
    assert "huyết áp thấp" in sheet2


def test_stats_out_of_scope_unit_is_404(tree, people, as_user):
    response = as_user(people.hn_officer).get(reverse("blood_stats"), {"unit": tree.vinh_linh.pk})
    assert response.status_code == 404
