"""The chapter tree's write paths: create, rename, move, deactivate, merge; each audited."""

from __future__ import annotations

import datetime as dt

import pytest

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs import selectors, services
from nhandao.orgs.models import Unit, UnitKind
from tests.conftest import actor

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 7, 1)


def test_unit_admin_creates_a_branch_in_their_subtree(tree, people):
    unit = services.unit_create(
        actor=actor(people.hn_admin),
        parent=tree.hoan_kiem,
        name="  chi hội  tổ dân phố số 7 ",
        kind=UnitKind.BRANCH,
        category="residential",
    )
    assert unit.name == "chi hội tổ dân phố số 7"
    assert Unit.objects.get_parent(unit).pk == tree.hoan_kiem.pk
    assert unit.search_key == "chi hoi to dan pho so 7"
    event = AuditEvent.objects.get(object_type="orgs.unit", object_id=str(unit.pk))
    assert event.action == "create" and event.actor_label == "hn_admin"
    assert event.changes["name"] == [None, "chi hội tổ dân phố số 7"]


def test_nobody_creates_outside_their_subtree(tree, people):
    with pytest.raises(ApplicationError, match="không có quyền"):
        services.unit_create(
            actor=actor(people.hn_admin),
            parent=tree.vinh_linh,
            name="Chi hội thôn Mới",
            kind=UnitKind.BRANCH,
        )
    assert not Unit.objects.filter(name="Chi hội thôn Mới").exists()


def test_roles_without_unit_manage_cannot_create(tree, people):
    with pytest.raises(ApplicationError):
        services.unit_create(
            actor=actor(people.clerk),
            parent=tree.hoan_kiem,
            name="Chi hội thôn Mới",
            kind=UnitKind.BRANCH,
        )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("A", "ít nhất 2 ký tự"),
        ("x" * 201, "tối đa 200"),
        ("<script>alert(1)</script>", "không được chứa"),
        ("Chi hội {{ 7*7 }}", "không được chứa"),
    ],
)
def test_bad_names_are_rejected_with_a_vietnamese_message(tree, people, name, message):
    before = Unit.objects.count()
    with pytest.raises(ApplicationError, match=message):
        services.unit_create(
            actor=actor(people.hn_admin), parent=tree.hoan_kiem, name=name, kind=UnitKind.BRANCH
        )
    assert Unit.objects.count() == before


def test_kind_must_fit_under_its_parent(tree, people):
    with pytest.raises(ApplicationError, match="Không thể đặt"):
        services.unit_create(
            actor=actor(people.national),
            parent=tree.hk_branch,
            name="Hội CTĐ tỉnh Mới",
            kind=UnitKind.PROVINCE,
        )


def test_rename_is_audited_old_to_new(tree, people):
    services.unit_update(
        actor=actor(people.hn_admin), unit=tree.ba_dinh, name="Hội Chữ thập đỏ phường Ba Đình mới"
    )
    history = list(selectors.unit_history(unit=tree.ba_dinh))
    assert history[0].action == "update"
    assert history[0].changes["name"] == [
        "Hội Chữ thập đỏ phường Ba Đình",
        "Hội Chữ thập đỏ phường Ba Đình mới",
    ]


def test_short_codes_are_unique(tree, people):
    services.unit_update(actor=actor(people.hn_admin), unit=tree.ba_dinh, short_code="hn-bd")
    with pytest.raises(ApplicationError, match="đã được dùng"):
        services.unit_update(actor=actor(people.hn_admin), unit=tree.hoan_kiem, short_code="HN-BD")


def test_move_a_branch_to_another_commune(tree, people):
    moved = services.unit_move(
        actor=actor(people.hn_admin), unit=tree.hk_branch, new_parent=tree.ba_dinh
    )
    assert Unit.objects.get_parent(moved).pk == tree.ba_dinh.pk
    assert moved.path.startswith(Unit.objects.get(pk=tree.ba_dinh.pk).path)
    assert Unit.objects.get(pk=tree.hoan_kiem.pk).numchild == 0
    assert selectors.unit_history(unit=moved).first().action == "move"


def test_move_into_own_descendant_is_a_cycle(tree, people):
    with pytest.raises(ApplicationError, match="chính nó"):
        services.unit_move(actor=actor(people.national), unit=tree.hanoi, new_parent=tree.hoan_kiem)


def test_a_user_cannot_move_their_own_top_unit(tree, people):
    with pytest.raises(ApplicationError, match="không có quyền"):
        services.unit_move(actor=actor(people.hn_admin), unit=tree.hanoi, new_parent=tree.quang_tri)


def test_move_out_of_scope_is_refused(tree, people):
    with pytest.raises(ApplicationError):
        services.unit_move(
            actor=actor(people.hn_admin), unit=tree.hk_branch, new_parent=tree.vinh_linh
        )
    assert Unit.objects.get(pk=tree.hk_branch.pk).path == tree.hk_branch.path


def test_deactivate_needs_no_active_children(tree, people):
    with pytest.raises(ApplicationError, match="Còn 1 đơn vị"):
        services.unit_deactivate(actor=actor(people.hn_admin), unit=tree.hoan_kiem, end_date=DAY)
    services.unit_deactivate(
        actor=actor(people.hn_admin),
        unit=tree.hk_branch,
        end_date=DAY,
        reason="Sáp nhập tổ dân phố",
    )
    unit = Unit.objects.get(pk=tree.hk_branch.pk)
    assert not unit.is_active and unit.active_to == DAY
    assert selectors.unit_history(unit=unit).first().changes["reason"][1] == "Sáp nhập tổ dân phố"


def test_merge_two_communes_as_in_2025(tree, people):
    target = services.unit_merge(
        actor=actor(people.hn_admin),
        sources=[tree.ba_dinh],
        target=tree.hoan_kiem,
        merge_date=DAY,
        new_name="Hội Chữ thập đỏ phường Hoàn Kiếm (mới)",
    )
    old = Unit.objects.get(pk=tree.ba_dinh.pk)
    assert target.name == "Hội Chữ thập đỏ phường Hoàn Kiếm (mới)"
    assert old.is_active is False and old.merged_into_id == target.pk and old.active_to == DAY
    # Kept in history inside the new commune's subtree, so its records stay visible there.
    assert old.path.startswith(target.path)
    assert selectors.unit_history(unit=old).first().action == "merge"
    assert "merged_from" in selectors.unit_history(unit=target).first().changes


def test_merge_moves_active_branches_to_the_target(tree, people):
    services.unit_merge(
        actor=actor(people.hn_admin), sources=[tree.hoan_kiem], target=tree.ba_dinh, merge_date=DAY
    )
    branch = Unit.objects.get(pk=tree.hk_branch.pk)
    assert Unit.objects.get_parent(branch).pk == tree.ba_dinh.pk
    assert branch.is_active


def test_merge_across_levels_is_refused(tree, people):
    with pytest.raises(ApplicationError, match="khác cấp"):
        services.unit_merge(
            actor=actor(people.hn_admin),
            sources=[tree.hk_branch],
            target=tree.ba_dinh,
            merge_date=DAY,
        )


def test_merge_into_itself_or_across_scope_is_refused(tree, people):
    with pytest.raises(ApplicationError, match="chính nó"):
        services.unit_merge(
            actor=actor(people.hn_admin),
            sources=[tree.ba_dinh],
            target=tree.ba_dinh,
            merge_date=DAY,
        )
    with pytest.raises(ApplicationError):
        services.unit_merge(
            actor=actor(people.hn_admin),
            sources=[tree.vinh_linh],
            target=tree.ba_dinh,
            merge_date=DAY,
        )
    assert Unit.objects.get(pk=tree.vinh_linh.pk).is_active


def test_bulk_add_continues_numbering_after_existing_children(tree):
    added = services.unit_bulk_add_children(
        parent=tree.hoan_kiem,
        units=[Unit(name=f"Chi hội tổ {i}", kind=UnitKind.BRANCH) for i in range(3)],
    )
    paths = [u.path for u in added]
    assert len({*paths, tree.hk_branch.path}) == 4
    assert Unit.objects.get(pk=tree.hoan_kiem.pk).numchild == 4
    assert Unit.objects.find_problems() == ([], [], [], [], [])
