"""The embedded default: SQLite, debug on, second factor optional (NHANDAO_REQUIRE_2FA)."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True)
NHANDAO_REQUIRE_2FA = env_bool("NHANDAO_REQUIRE_2FA", False)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
