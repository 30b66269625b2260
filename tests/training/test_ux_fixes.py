"""Recording a participant's result stays on the participant's page, so a passed participant's
certificate is issued right away without reopening them from the course."""

from __future__ import annotations

import pytest
from django.urls import reverse

from nhandao.training import services
from nhandao.training.models import Participant
from tests.conftest import actor, login

pytestmark = pytest.mark.django_db


def test_recording_a_pass_stays_on_the_participant_ready_for_the_certificate(
    client, course, people
):
    login(client, people.hn_officer)
    p = services.participant_add(
        actor=actor(people.hn_officer), course=course.course, person=course.hoa
    )
    edit = reverse("training_participant_edit", args=[p.pk])
    r = client.post(edit, {"record": "1", "attended_days": 2, "result": "passed", "score": "9"})
    assert r.status_code == 302 and r["Location"] == edit
    page = client.get(r["Location"]).content.decode()
    assert "Đã ghi kết quả của Trần Thị Hoa: Đạt. Có thể cấp chứng nhận ngay" in page
    assert 'id="issue-form"' in page and "Cấp chứng nhận" in page
    r = client.post(edit, {"issue": "1", "issued_on": "03/03/2026", "number": ""})
    assert r["Location"] == reverse("training_certificate", args=[p.pk])
    assert Participant.objects.get(pk=p.pk).certificate_no


def test_recording_a_fail_also_stays_on_the_participant(client, course, people):
    login(client, people.hn_officer)
    p = services.participant_add(
        actor=actor(people.hn_officer), course=course.course, person=course.minh
    )
    edit = reverse("training_participant_edit", args=[p.pk])
    r = client.post(
        edit, {"record": "1", "attended_days": 1, "result": "failed", "score": ""}, follow=True
    )
    assert r.redirect_chain == [(edit, 302)]
    page = r.content.decode()
    assert "Đã ghi kết quả của Lê Văn Minh." in page and "Có thể cấp chứng nhận" not in page
