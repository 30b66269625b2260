"""Users and roles: a unit admin manages users only inside their subtree; switching assignments."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.core.errors import ApplicationError
from nhandao.core.models import AuditEvent
from nhandao.orgs import services
from nhandao.orgs.models import Role, RoleAssignment, User
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Hoi-Chu-Thap-Do-2026"


def test_unit_admin_creates_a_user_in_a_commune_of_their_province(client, tree, people):
    login(client, people.hn_admin)
    response = client.post(
        reverse("unit_users", args=[tree.ba_dinh.pk]),
        {
            "create": "1",
            "username": "BaDinh.NhapLieu",
            "full_name": "nguyễn thị hoa",
            "password": GOOD_PASSWORD,
            "role": "data_entry",
        },
    )
    user = User.objects.get(username="badinh.nhaplieu")
    assert response.status_code == 302
    assert user.check_password(GOOD_PASSWORD)
    assignment = RoleAssignment.objects.get(user=user)
    assert (assignment.unit_id, assignment.role_id) == (tree.ba_dinh.pk, "data_entry")
    assert AuditEvent.objects.filter(action="grant", object_id=str(user.pk)).exists()


def test_weak_passwords_are_refused(tree, people):
    with pytest.raises(ApplicationError):
        services.user_create(
            actor=actor(people.hn_admin),
            username="yeu",
            full_name="Yếu",
            password="123456",
            unit=tree.ba_dinh,
            role=Role.objects.get(pk="viewer"),
        )
    assert not User.objects.filter(username="yeu").exists()


def test_unit_admin_cannot_grant_outside_subtree_or_system_admin(tree, people):
    admin = actor(people.hn_admin)
    with pytest.raises(ApplicationError):
        services.assignment_grant(
            actor=admin, user=people.clerk, unit=tree.vinh_linh, role=Role.objects.get(pk="viewer")
        )
    with pytest.raises(ApplicationError, match="quản trị hệ thống"):
        services.assignment_grant(
            actor=admin,
            user=people.clerk,
            unit=tree.hoan_kiem,
            role=Role.objects.get(pk="system_admin"),
        )


def test_grant_to_existing_user_by_page_then_revoke(client, tree, people):
    login(client, people.hn_admin)
    client.post(
        reverse("unit_users", args=[tree.ba_dinh.pk]),
        {"grant": "1", "username": "clerk", "role": "viewer"},
    )
    assignment = RoleAssignment.objects.get(user=people.clerk, unit=tree.ba_dinh)
    assert assignment.is_active
    client.post(reverse("assignment_revoke", args=[assignment.pk]))
    assignment.refresh_from_db()
    assert not assignment.is_active


def test_user_list_shows_only_users_of_the_subtree(client, tree, people):
    login(client, people.hn_admin)
    names = {u.username for u in client.get(reverse("user_list")).context["page"].object_list}
    assert names == {"hn_admin", "hn_officer", "clerk"}


def test_clerk_cannot_manage_users(client, tree, people):
    login(client, people.clerk)
    assert client.get(reverse("user_list")).status_code == 403
    assert client.get(reverse("unit_users", args=[tree.hoan_kiem.pk])).status_code == 403


def test_a_user_with_two_assignments_switches(client, tree, people):
    second = RoleAssignment.objects.create(
        user=people.clerk, unit=tree.vinh_linh, role_id=Role.VIEWER
    )
    login(client, people.clerk)
    assert client.get(reverse("dashboard")).context["unit"].pk == tree.hoan_kiem.pk
    assert client.get(reverse("unit_detail", args=[tree.vinh_linh.pk])).status_code == 404
    client.post(reverse("switch_assignment"), {"assignment": second.pk})
    assert client.get(reverse("dashboard")).context["unit"].pk == tree.vinh_linh.pk
    assert client.get(reverse("unit_detail", args=[tree.vinh_linh.pk])).status_code == 200
    assert client.get(reverse("unit_detail", args=[tree.hoan_kiem.pk])).status_code == 404


def test_switching_to_someone_elses_assignment_is_refused(client, tree, people):
    other = RoleAssignment.objects.get(user=people.outsider)
    login(client, people.clerk)
    client.post(reverse("switch_assignment"), {"assignment": other.pk})
    assert client.get(reverse("dashboard")).context["unit"].pk == tree.hoan_kiem.pk


def test_user_list_is_in_vietnamese_name_order(client, tree, people):
    """Given name first, then middle, then family; đ after d, tones after letters."""
    for username, name in [
        ("u1", "Nguyễn Văn Đức"),
        ("u2", "Trần Thị Dung"),
        ("u3", "Lê Thị Ánh"),
        ("u4", "Phạm An"),
    ]:
        services.user_create(
            actor=actor(people.hn_admin),
            username=username,
            full_name=name,
            password=GOOD_PASSWORD,
            unit=tree.ba_dinh,
            role=Role.objects.get(pk="viewer"),
        )
    login(client, people.hn_admin)
    names = [
        u.full_name
        for u in client.get(reverse("user_list")).context["page"].object_list
        if u.username.startswith("u")
    ]
    assert names == ["Phạm An", "Lê Thị Ánh", "Trần Thị Dung", "Nguyễn Văn Đức"]


def test_user_list_query_count_does_not_grow_with_users(client, tree, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, people.hn_admin)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("user_list")).status_code == 200
        return len(ctx.captured_queries)

    before = count()
    for i in range(12):
        services.user_create(
            actor=actor(people.hn_admin),
            username=f"nv{i}",
            full_name=f"Nhân Viên {i}",
            password=GOOD_PASSWORD,
            unit=tree.ba_dinh,
            role=Role.objects.get(pk="viewer"),
        )
    assert count() == before


def test_audit_page_is_scoped(client, tree, people):
    from nhandao.orgs.models import Unit

    services.unit_update(
        actor=actor(people.national),
        unit=Unit.objects.get(pk=tree.vinh_linh.pk),
        phone="0233 3823 456",
    )
    services.unit_update(actor=actor(people.hn_admin), unit=tree.ba_dinh, phone="024 3823 4567")
    auditor = User.objects.create_user(username="kiemtra", password="x")
    RoleAssignment.objects.create(user=auditor, unit=tree.hanoi, role_id=Role.AUDITOR)
    login(client, auditor)
    events = client.get(reverse("audit_list")).context["page"].object_list
    reprs = {e.object_repr for e in events}
    assert "Hội Chữ thập đỏ phường Ba Đình" in reprs
    assert "Hội Chữ thập đỏ xã Vĩnh Linh" not in reprs


def test_audit_page_filters_names_kinds_and_shows_changes(client, tree, people, register):
    """The trail says what kind of record each event is about and what changed (labels, dates
    as dd/mm/yyyy), filters by who, what, kind and day, and every event of a request carries
    the client's address, whichever service recorded it."""
    import datetime as dt

    from django.utils import timezone

    auditor = User.objects.create_user(username="kiemtra", password="x")
    RoleAssignment.objects.create(user=auditor, unit=tree.hanoi, role_id=Role.AUDITOR)
    login(client, people.hn_officer)
    client.post(
        reverse("beneficiary_create"),
        {"full_name": "Lê Thị Hoa", "birth": "12/03/1950", "status": "active"},
        REMOTE_ADDR="10.1.2.3",
    )
    created = AuditEvent.objects.filter(object_type="people.person").latest("id")
    assert created.ip_address == "10.1.2.3"  # the service did not pass it
    client.logout()
    login(client, auditor)
    page = client.get(
        reverse("audit_list"), {"actor": "hn_officer", "object_type": "people.person"}
    )
    rows = page.context["rows"]
    assert rows and all(e.actor_label == "hn_officer" for e, _k, _c in rows)
    _event, kind, changes = next(r for r in rows if r[0].pk == created.pk)
    assert kind == "Nhân khẩu"
    assert ("Họ và tên", "—", "Lê Thị Hoa") in changes
    assert any(after == "12/03/1950" for _l, _b, after in changes)
    body = page.content.decode()
    assert "10.1.2.3" in body and "Nhân khẩu" in body
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).strftime("%d/%m/%Y")
    later = client.get(reverse("audit_list"), {"date_from": tomorrow})
    assert later.context["rows"] == []
    updates = client.get(reverse("audit_list"), {"action": "update"}).context["rows"]
    assert updates == []  # nothing was changed, only created
    creations = client.get(reverse("audit_list"), {"action": "create"}).context["rows"]
    assert creations and all(e.action == "create" for e, _k, _c in creations)
