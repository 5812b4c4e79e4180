"""Settings, fed by environment variables (see the README's configuration table)."""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url

from scoretrack.lib import sqlite
from scoretrack.lib.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("SCORETRACK_DATA_DIR", str(BASE_DIR / "data")))
TESTING = "pytest" in sys.modules or env_bool("SCORETRACK_TESTING", False)

DEBUG = env_bool("DEBUG", False)
if DEBUG or TESTING:
    SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-do-not-use-in-production")
else:
    # Production secrets have no default: the embedded mode keeps one in the data folder.
    _secret_file = DATA_DIR / "secret_key"
    if env_str("SECRET_KEY", "") == "" and not _secret_file.exists():
        import secrets

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _secret_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = env_str("SECRET_KEY", "") or _secret_file.read_text().strip()

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "simple_history",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "ninja",
    "scoretrack.accounts",
    "scoretrack.reference",
    "scoretrack.enterprises",
    "scoretrack.trainers",
    "scoretrack.training",
    "scoretrack.finance",
    "scoretrack.outcomes",
    "scoretrack.events",
    "scoretrack.collect",
    "scoretrack.results",
    "scoretrack.indicators",
    "scoretrack.web",
    "scoretrack.exchange",
    "scoretrack.reports",
    "scoretrack.quality",
    "scoretrack.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outside the session, CSRF and messages middleware: it sees the cookies they set.
    "scoretrack.lib.security.SecureCookiesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "scoretrack.lib.i18n.UserLanguageMiddleware",
    # After the CSRF check (which reads the form) and the language: a 400 page for
    # text no database can store, before any view asks the database with it.
    "scoretrack.lib.storable.UnstorableTextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "scoretrack.lib.current_user.CurrentUserMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "scoretrack.lib.security.ContentSecurityPolicyMiddleware",
    "scoretrack.lib.downloads.DownloadStartedMiddleware",
    # Last, as django-axes asks: it turns lockouts into a clear 429 page.
    "axes.middleware.AxesMiddleware",
    "scoretrack.lib.api_errors.ApiMethodNotAllowedMiddleware",
    # Innermost: the first to see a view's error; a busy database is a 503 page.
    "scoretrack.lib.busy.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "scoretrack.urls"
WSGI_APPLICATION = "scoretrack.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out login before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "scoretrack" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

# Database: embedded SQLite in the data folder by default, PostgreSQL with DATABASE_URL.
# Each server thread keeps its connection for DB_CONN_MAX_AGE seconds (checked
# before reuse): a new one per request would cost PostgreSQL a backend process
# and SQLite a fresh schema parse, pragmas and an empty page cache every time.
DATABASE_URL = env_str("DATABASE_URL", "")
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60)
# SQLite, however named: how long a write waits for the lock before a 503
# (a request), and how long the worker's imports wait (scoretrack.lib.sqlite).
SQLITE_BUSY_SECONDS = env_float("SQLITE_BUSY_SECONDS", 5.0)
SQLITE_WORKER_BUSY_SECONDS = env_float("SQLITE_WORKER_BUSY_SECONDS", 60.0)
if DATABASE_URL:
    _database = dj_database_url.parse(
        DATABASE_URL, conn_max_age=DB_CONN_MAX_AGE, conn_health_checks=True
    )
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _database = {
        "ENGINE": sqlite.ENGINE,
        "NAME": DATA_DIR / "scoretrack.sqlite3",
        "CONN_MAX_AGE": DB_CONN_MAX_AGE,
        "CONN_HEALTH_CHECKS": True,
    }
DATABASES = {"default": sqlite.configured(_database, busy_seconds=SQLITE_BUSY_SECONDS)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env_str(
        "TEST_DATABASE_NAME", "test_scoretrack"
    )
    # Parameters bound by the server, and a query a connection has run 5 times
    # kept prepared: PostgreSQL then plans it once, not per request (planning
    # an API detail's five-table query took 0.5 ms, running it 0.1 ms). Off
    # (PG_PREPARED_STATEMENTS=false) behind a pooler in transaction mode.
    if env_bool("PG_PREPARED_STATEMENTS", True):
        DATABASES["default"].setdefault("OPTIONS", {}).update(
            server_side_binding=True, prepare_threshold=5
        )
    # JIT compilation pays off on queries of many seconds; the figures' take from
    # a fraction of a second to a few, and compiling them took longer than running
    # them (2.2 s of a 3.5 s series at 100,000 enterprises; the tracking table's
    # figures 19.5 s with it, 11.4 s without, BENCHMARKS.md). Off unless PG_JIT.
    if not env_bool("PG_JIT", False):
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("es", "Español"),
    ("fr", "Français"),
    ("id", "Bahasa Indonesia"),
    ("vi", "Tiếng Việt"),
    ("zh-hans", "中文"),
]
LOCALE_PATHS = [BASE_DIR / "scoretrack" / "locale"]
# Where the programme writes numbers unlike Django (lib/numbers.py formats what people read).
FORMAT_MODULE_PATH = ["scoretrack.formats"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "scoretrack" / "static"]
_htmx_dist = BASE_DIR / "node_modules" / "htmx.org" / "dist"
if _htmx_dist.exists():
    STATICFILES_DIRS.append(("vendor/htmx", _htmx_dist))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = TESTING

# Security: cookies and HSTS follow HTTPS, which production sets. Cookies are
# always Secure when SECURE is on (by default when SECURE_SSL_REDIRECT is), and
# on any response to a request that came over HTTPS (lib.security.SecureCookiesMiddleware,
# which honours SECURE_PROXY_SSL_HEADER), whatever the database.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE = env_bool("SECURE", SECURE_SSL_REDIRECT)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
CSP_RELAXED_PATHS = ["/api/docs"]
# Pages that may compile WebAssembly (the browser forms' XForm engine).
CSP_WASM_PATHS = ["/collect/fill/"]

# Failed log-ins: after AXES_FAILURE_LIMIT failures for one e-mail from one address,
# that pair is locked out for AXES_COOLOFF_HOURS.
AXES_ENABLED = env_bool("AXES_ENABLED", not TESTING)
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

PAGE_SIZE = env_int("PAGE_SIZE", 25)
# Lead buyers and viewers see no figure about firms or persons resting on fewer
# than this many of them (scoretrack/indicators/disclosure.py).
DISCLOSURE_THRESHOLD = env_int("DISCLOSURE_THRESHOLD", 5)
# The counts the rule rests on are kept this long per data version (0 = off, the
# default in tests): the whole programme's counts serve every country's page.
DISCLOSURE_CACHE_SECONDS = env_int("DISCLOSURE_CACHE_SECONDS", 0 if TESTING else 3600)
# An idle worker makes them, and the reports people open, ahead of the readers
# after a change and at its start, looking at most this often (0 = never;
# scoretrack/reports/warm.py).
DISCLOSURE_WARM_SECONDS = env_int("DISCLOSURE_WARM_SECONDS", 0 if TESTING else 30)
# Built reports are kept this long per scope and filters (0 = always computed live);
# never past a change of the records (the data version is in their key), so kept
# as long as the disclosure counts: the worker's warm-up must outlive a quiet hour.
REPORTS_CACHE_SECONDS = env_int("REPORTS_CACHE_SECONDS", 0 if TESTING else 3600)
# A report computes its heaviest figures side by side on this many database
# connections (reports/figures.py, Figures.prefetch); 1 = one after another.
REPORT_WORKERS = env_int("REPORT_WORKERS", 2)
# Requests per API caller (ninja's rate syntax); tests run unthrottled but one.
API_THROTTLE = env_str("API_THROTTLE", "1000000/min" if TESTING else "600/min")
# Each server process counts in memory and shares its counts through the cache this
# often (scoretrack.lib.throttling); 0: every request (exact, slower).
API_THROTTLE_SYNC_SECONDS = env_int("API_THROTTLE_SYNC_SECONDS", 0 if TESTING else 1)

# The cache (built reports, the data version) is shared by every app process:
# Redis when REDIS_URL is set, else files in the data folder; memory in tests.
REDIS_URL = env_str("REDIS_URL", "")
if TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    }

# Workbook imports: uploads above IMPORT_MAX_BYTES are refused, zips may unpack to
# at most IMPORT_MAX_UNPACKED_BYTES; every upload is checked and imported by the
# worker (`scoretrack worker`) with a progress bar.
IMPORT_MAX_BYTES = env_int("IMPORT_MAX_BYTES", 50 * 1024 * 1024)
IMPORT_MAX_UNPACKED_BYTES = env_int("IMPORT_MAX_UNPACKED_BYTES", 1024 * 1024 * 1024)
# On SQLite, an import of a file this big or bigger is worked out on a copy of the
# database and written in one short transaction (exchange/staging.py); -1: never.
IMPORT_STAGE_BYTES = env_int("IMPORT_STAGE_BYTES", 1024 * 1024)
IMPORT_DIR = DATA_DIR / "imports"
# A running import whose worker gave no sign of life for this long is retried (or failed).
IMPORT_JOB_STALE_SECONDS = env_int("IMPORT_JOB_STALE_SECONDS", 300)
# Background work runs through Django's tasks interface (the django-tasks backport);
# tests run tasks immediately, in the request.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.backend.DatabaseBackend"
        )
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
