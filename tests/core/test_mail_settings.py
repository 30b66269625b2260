"""Production reads its mail server from the environment (receipts and reminders are e-mailed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRINT = (
    "from django.conf import settings as s; "
    "print(s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_HOST_PASSWORD, "
    "s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.DEFAULT_FROM_EMAIL, sep='|')"
)


def _prod(**extra: str) -> subprocess.CompletedProcess[str]:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="nhandao.settings.prod",
        SECRET_KEY="k" * 20 + "-production-secret-for-the-check-only-0123456789",
        ALLOWED_HOSTS="nhandao.example.vn",
        DATABASE_URL="sqlite:////tmp/mail-settings.sqlite3",
        **extra,
    )
    return subprocess.run(  # noqa: S603 - this project's own manage.py
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", PRINT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_mail_server_comes_from_the_environment(tmp_path):
    secret = tmp_path / "smtp-password"
    secret.write_text("mat-khau-smtp\n", encoding="utf-8")
    result = _prod(
        EMAIL_HOST="smtp.chuthapdo.vn",
        EMAIL_PORT="587",
        EMAIL_HOST_USER="bienlai@chuthapdo.vn",
        EMAIL_HOST_PASSWORD_FILE=str(secret),
        EMAIL_USE_TLS="1",
        DEFAULT_FROM_EMAIL="Hội CTĐ Hà Nội <bienlai@chuthapdo.vn>",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1].split("|") == [
        "smtp.chuthapdo.vn",
        "587",
        "bienlai@chuthapdo.vn",
        "mat-khau-smtp",
        "True",
        "False",
        "Hội CTĐ Hà Nội <bienlai@chuthapdo.vn>",
    ]


def test_tls_and_ssl_together_are_refused():
    result = _prod(EMAIL_USE_TLS="1", EMAIL_USE_SSL="1")
    assert result.returncode != 0
    assert "EMAIL_USE_TLS or EMAIL_USE_SSL" in result.stderr
