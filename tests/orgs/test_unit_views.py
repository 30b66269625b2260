"""Pages of the chapter tree, through Django's test client, with query counts asserted."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nhandao.orgs import services
from nhandao.orgs.models import Unit, UnitKind
from tests.conftest import login

pytestmark = pytest.mark.django_db


def test_dashboard_shows_own_unit_and_counts_per_level(client, tree, people):
    login(client, people.hn_officer)
    response = client.get(reverse("dashboard"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Hội Chữ thập đỏ thành phố Hà Nội" in body
    counts = {c.kind: c.active for c in response.context["counts"]}
    assert counts == {"province": 1, "commune": 2, "branch": 1}


def test_menu_shows_only_what_the_role_may_use(client, tree, people):
    login(client, people.clerk)
    body = client.get(reverse("dashboard")).content.decode()
    assert reverse("unit_tree") in body
    assert reverse("user_list") not in body and reverse("audit_list") not in body
    login(client, people.hn_admin)
    body = client.get(reverse("dashboard")).content.decode()
    assert reverse("user_list") in body and reverse("audit_list") in body


def test_tree_page_and_lazy_children(client, tree, people):
    login(client, people.hn_officer)
    body = client.get(reverse("unit_tree")).content.decode()
    assert "Hội Chữ thập đỏ thành phố Hà Nội" in body
    assert "Quảng Trị" not in body
    kids = client.get(reverse("unit_children", args=[tree.hanoi.pk])).content.decode()
    assert "phường Ba Đình" in kids and "phường Hoàn Kiếm" in kids


@pytest.mark.parametrize("query", ["hoan kiem", "Hoàn Kiếm", "HOAN KIEM", "hoàn"])
def test_search_with_or_without_diacritics(client, tree, people, query):
    login(client, people.hn_officer)
    response = client.get(reverse("unit_tree"), {"q": query})
    names = [u.name for u, _trail in response.context["results"]]
    assert names == ["Hội Chữ thập đỏ phường Hoàn Kiếm"]


def test_search_never_reaches_outside_the_scope(client, tree, people):
    login(client, people.clerk)
    response = client.get(reverse("unit_tree"), {"q": "vinh linh"})
    assert response.context["results"] == []


def test_create_unit_by_form(client, tree, people):
    login(client, people.hn_admin)
    response = client.post(
        reverse("unit_create", args=[tree.ba_dinh.pk]),
        {
            "name": "Chi hội Trường Tiểu học Ba Đình",
            "kind": "branch",
            "category": "school",
            "active_from": "05/09/2025",
        },
    )
    unit = Unit.objects.get(name="Chi hội Trường Tiểu học Ba Đình")
    assert response.status_code == 302 and response.url == reverse("unit_detail", args=[unit.pk])
    assert unit.active_from.isoformat() == "2025-09-05"


def test_create_form_shows_the_rule_broken_and_writes_nothing(client, tree, people):
    login(client, people.hn_admin)
    before = Unit.objects.count()
    response = client.post(
        reverse("unit_create", args=[tree.ba_dinh.pk]), {"name": "<b>x</b>", "kind": "branch"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "không được chứa" in body
    assert "<b>x</b>" not in body  # echoed back escaped, never as markup
    assert Unit.objects.count() == before


def test_only_allowed_kinds_are_offered(client, tree, people):
    login(client, people.hn_admin)
    form = client.get(reverse("unit_create", args=[tree.ba_dinh.pk])).context["form"]
    assert {k for k, _ in form.fields["kind"].choices} == {"branch", "team", "club"}
    response = client.post(
        reverse("unit_create", args=[tree.ba_dinh.pk]),
        {"name": "Hội CTĐ tỉnh X", "kind": "province"},
    )
    assert response.status_code == 200 and not Unit.objects.filter(name="Hội CTĐ tỉnh X").exists()


def test_clerk_may_read_but_not_change(client, tree, people):
    login(client, people.clerk)
    assert client.get(reverse("unit_detail", args=[tree.hoan_kiem.pk])).status_code == 200
    assert client.get(reverse("unit_edit", args=[tree.hoan_kiem.pk])).status_code == 403
    assert (
        client.post(reverse("unit_edit", args=[tree.hoan_kiem.pk]), {"name": "Đổi tên"}).status_code
        == 403
    )


def test_rename_move_deactivate_merge_by_pages(client, tree, people):
    login(client, people.hn_admin)
    client.post(reverse("unit_edit", args=[tree.hk_branch.pk]), {"name": "Chi hội Tổ 1 mới"})
    assert Unit.objects.get(pk=tree.hk_branch.pk).name == "Chi hội Tổ 1 mới"
    client.post(reverse("unit_move", args=[tree.hk_branch.pk]), {"new_parent": tree.ba_dinh.pk})
    assert Unit.objects.get_parent(Unit.objects.get(pk=tree.hk_branch.pk)).pk == tree.ba_dinh.pk
    client.post(
        reverse("unit_merge", args=[tree.ba_dinh.pk]),
        {"sources": [tree.hoan_kiem.pk], "merge_date": "01/07/2025"},
    )
    old = Unit.objects.get(pk=tree.hoan_kiem.pk)
    assert old.merged_into_id == tree.ba_dinh.pk and not old.is_active
    client.post(
        reverse("unit_deactivate", args=[tree.hk_branch.pk]),
        {"end_date": "31/12/2025", "reason": "Giải thể"},
    )
    assert not Unit.objects.get(pk=tree.hk_branch.pk).is_active
    page = client.get(reverse("unit_detail", args=[old.pk])).content.decode()
    assert "Đã hợp nhất vào" in page
    history = client.get(reverse("unit_history", args=[tree.ba_dinh.pk])).content.decode()
    assert "hn_admin" in history and "Hợp nhất" in history


def test_move_to_a_descendant_is_not_offered_and_refused(client, tree, people):
    login(client, people.national)
    form = client.get(reverse("unit_move", args=[tree.hoan_kiem.pk])).context["form"]
    offered = set(form.fields["new_parent"].queryset.values_list("pk", flat=True))
    assert tree.hoan_kiem.pk not in offered and tree.hk_branch.pk not in offered
    assert tree.quang_tri.pk in offered


def _count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_tree_and_detail_pages_do_not_grow_queries_with_children(client, tree, people):
    login(client, people.hn_admin)
    urls = [
        reverse("dashboard"),
        reverse("unit_tree"),
        reverse("unit_detail", args=[tree.hanoi.pk]),
        reverse("unit_children", args=[tree.hanoi.pk]),
        reverse("unit_tree") + "?q=phuong",
    ]
    before = [_count_queries(client, u) for u in urls]
    services.unit_bulk_add_children(
        parent=tree.hanoi,
        units=[
            Unit(name=f"Hội Chữ thập đỏ phường Số {i}", kind=UnitKind.COMMUNE) for i in range(30)
        ],
    )
    after = [_count_queries(client, u) for u in urls]
    assert after == before
    assert max(after) <= 14
