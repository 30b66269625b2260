"""Privacy gaps of volunteers: the volunteers' workbook and an application's page mask the phone
for a role without pii.view, and leave one VIEW_SENSITIVE event when they show it in full."""

from __future__ import annotations

import io
import json

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nhandao.core.models import AuditEvent
from nhandao.members import applications
from nhandao.orgs.models import Role
from tests.conftest import login, make_user

pytestmark = pytest.mark.django_db


def _sensitive() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_SENSITIVE).order_by("pk"))


def _cells(content: bytes) -> list[str]:
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0)
    return [str(v) for row in sheet.to_python() for v in row if v not in ("", None)]


def _volunteer(client) -> None:
    data = {
        "full_name": "Nguyễn Thị Hoa",
        "birth": "12/03/2001",
        "phone": "0912345678",
        "kind": "volunteer",
        "skills": ["first_aid"],
        "availability": "Cuối tuần",
    }
    assert client.post(reverse("volunteer_create"), data).status_code == 302


def test_the_volunteers_workbook_masks_phones_for_a_viewer(client, tree, people):
    login(client, people.hn_officer)
    _volunteer(client)
    viewer = make_user("viewer", tree.hanoi, Role.VIEWER, "Người xem")
    cells = _cells(login(client, viewer).get(reverse("volunteer_export")).content)
    assert "Nguyễn Thị Hoa" in cells and "091****678" in cells and "0912345678" not in cells
    assert not _sensitive()
    cells = _cells(login(client, people.hn_officer).get(reverse("volunteer_export")).content)
    assert "0912345678" in cells
    [event] = _sensitive()
    assert event.changes["records"] == [None, 1] and event.unit_path == tree.hanoi.path


def test_an_application_page_masks_the_phone_without_pii_view(client, tree, people):
    app = applications.application_submit(
        data=applications.ApplicationData(
            kind="volunteer",
            unit_id=tree.hoan_kiem.pk,
            full_name="Đỗ Minh Khoa",
            birth="15/08/2000",
            phone="0987654321",
        ),
        ip=None,
    )
    url = reverse("application_detail", args=[app.pk])
    html = login(client, people.clerk).get(url).content.decode()
    assert "Đỗ Minh Khoa" in html and "098****321" in html and "0987654321" not in html
    assert not _sensitive()
    html = login(client, people.hn_officer).get(url).content.decode()
    assert "0987654321" in html
    [event] = _sensitive()
    assert event.object_id == str(app.pk) and event.unit_path == tree.hoan_kiem.path
    assert "0987654321" not in json.dumps(event.changes)
