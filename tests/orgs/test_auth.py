"""Hardened sign-in: audit of sign-ins, lock-out, TOTP for admins, production settings."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from nhandao.core.models import AuditEvent
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _login(client, username, password=PASSWORD):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_sign_in_and_out_are_audited(client, people):
    response = _login(client, "hn_officer")
    assert response.status_code == 302
    client.post(reverse("logout"))
    actions = list(
        AuditEvent.objects.filter(actor=people.hn_officer).values_list("action", flat=True)
    )
    assert sorted(actions) == ["login", "logout"]


def test_failed_sign_in_is_audited_with_a_vietnamese_message(client, people):
    response = _login(client, "hn_officer", "sai-mat-khau")
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    event = AuditEvent.objects.get(action="login_failed")
    assert event.actor_label == "hn_officer" and event.actor is None


def test_lock_out_after_repeated_failures(client, people):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "hn_officer", "sai-mat-khau")
    response = _login(client, "hn_officer")  # even the right password is refused now
    assert response.status_code in (403, 429)
    assert "tạm thời bị khóa" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_admins_must_pass_the_second_factor(client, people):
    _login(client, "hn_admin")
    response = client.get(reverse("dashboard"))
    assert response.status_code == 302 and response.url.startswith(reverse("otp_verify"))
    page = client.get(response.url)
    assert "<svg" in page.content.decode()  # enrolment QR, drawn on the server
    device = TOTPDevice.objects.get(user=people.hn_admin)
    assert not device.confirmed
    bad = client.post(reverse("otp_verify"), {"token": "000000", "next": "/"})
    assert "không đúng" in bad.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # a failed code makes the next try wait: not what this test is about
    code = f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"
    good = client.post(reverse("otp_verify"), {"token": code, "next": "/units/"})
    assert good.status_code == 302 and good.url == "/units/"
    assert client.get(reverse("dashboard")).status_code == 200
    device.refresh_from_db()
    assert device.confirmed


def test_second_factor_redirect_refuses_foreign_next(client, people):
    _login(client, "hn_admin")
    device = TOTPDevice.objects.create(user=people.hn_admin, name="x", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    response = client.post(reverse("otp_verify"), {"token": code, "next": "https://evil.example/"})
    assert response.url == "/"


def test_officers_need_no_second_factor(client, people):
    _login(client, "hn_officer")
    assert client.get(reverse("dashboard")).status_code == 200


def test_embedded_demo_may_switch_the_second_factor_off(client, people, settings):
    settings.NHANDAO_REQUIRE_2FA = False
    _login(client, "hn_admin")
    assert client.get(reverse("dashboard")).status_code == 200


def test_passwords_are_hashed_with_argon2_outside_tests():
    from nhandao.settings import base

    assert base.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    assert base.SESSION_COOKIE_AGE <= 8 * 3600 and base.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_security_headers_are_sent(client, people):
    response = client.get(reverse("login"))
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"


def test_check_deploy_is_clean_with_production_settings():
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="nhandao.settings.prod",
        SECRET_KEY="k" * 20 + "-production-secret-for-the-check-only-0123456789",
        ALLOWED_HOSTS="nhandao.example.vn",
        DATABASE_URL="sqlite:////tmp/deploy.sqlite3",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_a_weak_secret_key():
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="nhandao.settings.prod", SECRET_KEY="short")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_second_factor_redirect_keeps_the_whole_address(client, people):
    _login(client, "hn_admin")
    response = client.get("/units/?q=hoan+kiem&page=2")
    assert response.url == "/accounts/otp/?next=%2Funits%2F%3Fq%3Dhoan%2Bkiem%26page%3D2"
