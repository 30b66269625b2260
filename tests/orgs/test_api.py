"""The JSON API: current user, units (scoped, paginated), tokens created and revoked."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nhandao.orgs import services
from nhandao.orgs.models import ApiToken, RoleAssignment, Unit, UnitKind
from tests.conftest import login

pytestmark = pytest.mark.django_db


def _bearer(user):
    assignment = RoleAssignment.objects.get(user=user)
    _token, raw = services.token_create(actor=user, assignment=assignment, name="máy chủ báo cáo")
    return {"Authorization": f"Bearer {raw}"}


def test_me_answers_who_the_token_acts_for(client, tree, people):
    data = client.get("/api/v1/me", headers=_bearer(people.clerk)).json()
    assert data["username"] == "clerk"
    assert data["active_assignment"]["unit_id"] == tree.hoan_kiem.pk
    assert data["active_assignment"]["role"] == "data_entry"


def test_units_list_is_scoped_and_searchable(client, tree, people):
    headers = _bearer(people.hn_officer)
    items = client.get("/api/v1/units", headers=headers).json()["items"]
    assert {u["name"] for u in items} == {
        "Hội Chữ thập đỏ thành phố Hà Nội",
        "Hội Chữ thập đỏ phường Hoàn Kiếm",
        "Chi hội Tổ dân phố số 1",
        "Hội Chữ thập đỏ phường Ba Đình",
    }
    found = client.get("/api/v1/units", {"q": "ba dinh"}, headers=headers).json()
    assert found["count"] == 1 and found["items"][0]["parent_id"] == tree.hanoi.pk
    kids = client.get(f"/api/v1/units/{tree.hanoi.pk}/children", headers=headers).json()
    assert [k["kind"] for k in kids] == ["commune", "commune"]


def test_unit_detail_in_and_out_of_scope(client, tree, people):
    headers = _bearer(people.clerk)
    ok = client.get(f"/api/v1/units/{tree.hk_branch.pk}", headers=headers)
    assert ok.status_code == 200 and ok.json()["parent_id"] == tree.hoan_kiem.pk
    assert client.get(f"/api/v1/units/{tree.ba_dinh.pk}", headers=headers).status_code == 404
    assert client.get("/api/v1/units/424242", headers=headers).status_code == 404


def test_unit_list_query_count_does_not_grow(client, tree, people):
    headers = _bearer(people.national)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/units", headers=headers).status_code == 200
        return len(ctx.captured_queries)

    count()  # warm-up: the first use of a token records when it was used
    before = count()
    services.unit_bulk_add_children(
        parent=tree.hanoi,
        units=[Unit(name=f"Hội CTĐ phường {i}", kind=UnitKind.COMMUNE) for i in range(40)],
    )
    assert count() == before <= 8


def test_no_token_or_a_revoked_token_is_refused(client, tree, people):
    assert client.get("/api/v1/me").status_code == 401
    headers = _bearer(people.clerk)
    token = ApiToken.objects.get(user=people.clerk)
    services.token_revoke(actor=people.clerk, token=token)
    assert client.get("/api/v1/me", headers=headers).status_code == 401
    assert (
        client.get("/api/v1/me", headers={"Authorization": "Bearer nd_garbage"}).status_code == 401
    )


def test_session_of_an_admin_without_second_factor_is_refused(client, tree, people):
    client.force_login(people.hn_admin)
    assert client.get("/api/v1/me").status_code == 401
    login(client, people.hn_admin)
    assert client.get("/api/v1/me").status_code == 200


def test_tokens_created_on_the_page_work_and_are_revoked_by_an_admin(client, tree, people):
    login(client, people.clerk)
    assignment = RoleAssignment.objects.get(user=people.clerk)
    page = client.post(reverse("my_tokens"), {"name": "Excel", "assignment": assignment.pk})
    raw = page.context["raw_key"]
    assert raw.startswith("nd_") and raw in page.content.decode()
    assert ApiToken.objects.get(user=people.clerk).key_hash != raw  # only a hash is stored
    headers = {"Authorization": f"Bearer {raw}"}
    machine = Client()  # a script holding only the key, no session
    assert machine.get("/api/v1/me", headers=headers).status_code == 200
    admin = login(Client(), people.hn_admin)
    token = ApiToken.objects.get(user=people.clerk)
    admin.post(reverse("token_revoke", args=[token.pk]))
    assert machine.get("/api/v1/me", headers=headers).status_code == 401


def test_openapi_schema_and_docs_are_served_locally(client, tree, people):
    schema = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/units/{unit_id}" in schema["paths"]
    login(client, people.hn_officer)
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs and "cdn" not in docs.lower()


def test_unit_admin_creates_a_token_for_a_user_of_their_subtree(client, tree, people):
    login(client, people.hn_admin)
    assignment = RoleAssignment.objects.get(user=people.clerk)
    page = client.post(
        reverse("user_detail", args=[people.clerk.pk]),
        {"name": "Máy nhập liệu", "assignment": assignment.pk},
    )
    raw = page.context["raw_key"]
    data = Client().get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).json()
    assert data["username"] == "clerk"
    token = ApiToken.objects.get(user=people.clerk)
    assert token.created_by_id == people.hn_admin.pk
