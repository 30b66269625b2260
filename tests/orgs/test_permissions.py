"""Roles are data; ``can`` and the scope follow the active assignment."""

from __future__ import annotations

import pytest

from nhandao.orgs import selectors
from nhandao.orgs.models import Role, RoleAssignment, Unit
from nhandao.orgs.permissions import can, can_below, scope_paths_for
from tests.conftest import actor, make_user

pytestmark = pytest.mark.django_db


def test_the_default_roles_exist():
    assert set(Role.objects.values_list("code", flat=True)) == {
        "system_admin",
        "unit_admin",
        "officer",
        "data_entry",
        "viewer",
        "auditor",
        "partner",
        "partner_org",
    }
    assert Role.objects.get(code="unit_admin").requires_2fa


def test_a_commune_clerk_sees_only_their_subtree(tree, people):
    visible = set(Unit.objects.visible_to(actor(people.clerk)).values_list("pk", flat=True))
    assert visible == {tree.hoan_kiem.pk, tree.hk_branch.pk}


def test_system_admin_sees_everything(tree, people):
    assert scope_paths_for(actor(people.national)) is None
    assert Unit.objects.visible_to(actor(people.national)).count() == Unit.objects.count()


def test_anonymous_sees_nothing(tree):
    from django.contrib.auth.models import AnonymousUser

    assert Unit.objects.visible_to(AnonymousUser()).count() == 0


def test_can_checks_role_and_place(tree, people):
    admin = actor(people.hn_admin)
    assert can(admin, "unit.manage", tree.hoan_kiem)
    assert not can(admin, "unit.manage", tree.vinh_linh)
    assert not can_below(admin, "unit.manage", tree.hanoi)
    assert not can(actor(people.clerk), "unit.manage", tree.hoan_kiem)
    assert can(actor(people.clerk), "data.edit", tree.hk_branch)


def test_roles_are_data_an_admin_can_change(tree, people):
    Role.objects.filter(code="data_entry").update(permissions=["unit.view"])
    assert not can(actor(people.clerk), "data.edit", tree.hoan_kiem)


def test_the_active_assignment_decides_the_scope(tree, people):
    two = make_user("two", tree.hoan_kiem, Role.OFFICER)
    qt = RoleAssignment.objects.create(user=two, unit=tree.vinh_linh, role_id=Role.VIEWER)
    user = actor(two)
    assert len(scope_paths_for(user)) == 2  # no active assignment: the union
    user.active_assignment = qt
    assert scope_paths_for(user) == [tree.vinh_linh.path]
    assert not can(user, "data.edit", tree.vinh_linh)


def test_inactive_assignments_and_units_give_no_scope(tree, people):
    RoleAssignment.objects.filter(user=people.clerk).update(is_active=False)
    assert scope_paths_for(actor(people.clerk)) == []
    assert selectors.unit_scope_roots(user=actor(people.clerk)) == []
