"""Settings shared by every environment. Environment variables drive everything that differs."""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

SRC_DIR = Path(__file__).resolve().parent.parent  # src/nhandao
BASE_DIR = SRC_DIR.parent.parent  # repository root
VAR_DIR = Path(env_str("NHANDAO_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_htmx",
    "treebeard",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "nhandao.core",
    "nhandao.geo",
    "nhandao.orgs",
    "nhandao.people",
    "nhandao.beneficiaries",
    "nhandao.imports",
    "nhandao.linkage",
    "nhandao.campaigns",
    "nhandao.aid",
    "nhandao.blood",
    "nhandao.members",
    "nhandao.training",
    "nhandao.funds",
    "nhandao.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "nhandao.portal.middleware.PublicPageCacheMiddleware",
    "nhandao.core.middleware.AuditContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "nhandao.core.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "nhandao.orgs.middleware.ActorMiddleware",
    "nhandao.core.middleware.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "nhandao.urls"
WSGI_APPLICATION = "nhandao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [SRC_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "nhandao.orgs.context_processors.actor",
            ],
        },
    },
]

# Database: SQLite (embedded default) unless DATABASE_URL says otherwise.
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'nhandao.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=60),
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "orgs.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after inactivity (seconds); refreshed on every request.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# Lock-out after repeated sign-in failures.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Second factor (TOTP) for system and unit admins.
NHANDAO_REQUIRE_2FA = env_bool("NHANDAO_REQUIRE_2FA", True)
OTP_TOTP_ISSUER = "nhandao"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [SRC_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
FORMAT_MODULE_PATH = ["nhandao.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    SRC_DIR / "static",
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/chartjs", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
MEDIA_ROOT = VAR_DIR / "media"
# The TrueType fonts (DejaVu, with every Vietnamese letter) that PDFs embed, from the npm package
# dejavu-fonts-ttf that `make install` lays out; never fetched at run time.
NHANDAO_PDF_FONT_DIR = Path(
    env_str("NHANDAO_PDF_FONT_DIR", str(BASE_DIR / "node_modules" / "dejavu-fonts-ttf" / "ttf"))
)

# Demo data of each domain app, run by `manage.py demo` after the tree and the users.
NHANDAO_DEMO_SEEDERS = [
    "nhandao.beneficiaries.demo.demo_seed",
    "nhandao.campaigns.demo.demo_seed",
    "nhandao.aid.demo.demo_seed",
    "nhandao.funds.demo.demo_seed",
]

# Lists the one import pipeline can read: kind -> ListSpec (see imports/spec.py).
NHANDAO_IMPORTERS = {
    "beneficiaries": "nhandao.beneficiaries.importers.BENEFICIARIES",
    "aid": "nhandao.aid.importers.AID",
    "course_participants": "nhandao.training.importers.COURSE_PARTICIPANTS",
    "members": "nhandao.members.importers.MEMBERS",
    "youth": "nhandao.members.importers.YOUTH",
    "blood_donors": "nhandao.blood.importers.BLOOD_DONORS",
    "blood_donations": "nhandao.blood.importers.BLOOD_DONATIONS",
    "volunteers": "nhandao.members.importers_volunteers.VOLUNTEERS",
}

# A commit adding at least this many rows, and more than a table holds, builds the table's
# secondary indexes after the rows (ADR 9); the drop waits this long for a reader of the table.
NHANDAO_IMPORT_REBUILD_MIN_ROWS = env_int("NHANDAO_IMPORT_REBUILD_MIN_ROWS", 100_000)
NHANDAO_IMPORT_INDEX_LOCK_MS = env_int("NHANDAO_IMPORT_INDEX_LOCK_MS", 3000)

# Results other apps deliver for campaigns' progress (see campaigns.selectors.results_by_child).
NHANDAO_CAMPAIGN_RESULTS = ["nhandao.blood.selectors.campaign_results"]

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Mail (receipts, thank-you letters, pledge reminders) through SMTP; EMAIL_HOST_PASSWORD_FILE may
# name a mounted secret instead of EMAIL_HOST_PASSWORD.
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Hội Chữ thập đỏ <no-reply@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # fpdf2 subsets the PDF fonts with fontTools, which tells every table it prunes at INFO.
    "loggers": {"fontTools": {"level": "WARNING"}},
}
