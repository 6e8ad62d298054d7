"""Settings shared by every environment. Configuration comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    """Read a boolean environment variable such as ``DEBUG=1`` or ``DEBUG=false``."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    # DRF's plaintext token table stays only because old migrations depend on it; it is
    # emptied by annotate 0007 and never read. API tokens live hashed in knox's table.
    "rest_framework.authtoken",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    "axes",
    "archive",
    "annotate",
    "triage",
    "library",
    "matching",
]

MIDDLEWARE = [
    # Outermost: it runs last on the way out (see its docstring).
    "common.api.middleware.ReleaseRequestObjectsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so it turns the lockout that its backend flags into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "workbench.urls"
WSGI_APPLICATION = "workbench.wsgi.application"
ASGI_APPLICATION = "workbench.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "workbench" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DEFAULT_DATABASE_URL = f"sqlite:///{BASE_DIR / 'var' / 'claimtrail.sqlite3'}"
if "DATABASE_URL" not in os.environ:
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL), conn_max_age=60
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE makes a writing transaction take SQLite's write lock at BEGIN, so two
    # writers queue instead of failing half-way with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env_bool(
    "DATABASE_PREPARED_STATEMENTS", True
):
    # Parameters sent apart from the SQL text, so psycopg prepares a statement the
    # app repeats (after its 5th run on a connection) and PostgreSQL plans it once
    # instead of on every request: planning was most of the database's CPU in the API
    # benchmark. Turn off (DATABASE_PREPARED_STATEMENTS=0) behind a pooler in
    # transaction mode (PgBouncer < 1.21), which cannot keep prepared statements.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Axes first: it refuses a locked-out login before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "var" / "static"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "media"))

LOGIN_URL = "admin:login"

# Admin login lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one
# username from one address, that pair is refused, even with the right password, until
# the cool-off has passed (each failure during the lock restarts it) or an operator runs
# ``manage.py axes_reset``. Keyed on the pair, never on the username alone (anyone could
# then keep a user out from everywhere) nor on the address alone (one typo-prone
# colleague would lock a whole office behind one address). The address is the
# connection's (REMOTE_ADDR), never a header a client can forge.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "annotate.admin.lockout.lockout_response"

# Content-Security-Policy (Django's own middleware): only this origin's scripts, styles
# and images run, plus inline <script>/<style> carrying the response's nonce (Django's
# admin templates and the API docs page use {% csp_nonce_attr %}). No style attributes,
# inline handlers, plugins, <base> rewrites, framing, or forms posting elsewhere.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF, CSP.NONCE],
    "img-src": [CSP.SELF, "data:"],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
}

# Claimtrail's own settings.
# 20 MB (decimal, as the messages that name it count).
CLAIMTRAIL_IMPORT_MAX_BYTES = int(os.environ.get("CLAIMTRAIL_IMPORT_MAX_BYTES", 20_000_000))
# How deep arrays and objects may nest in a JSON request body (common.jsondepth).
CLAIMTRAIL_JSON_MAX_DEPTH = int(os.environ.get("CLAIMTRAIL_JSON_MAX_DEPTH", 64))
# The newsroom that publishes the fact-checks, and the public address they are published
# under (each ClaimReview's url is that address followed by the annotation's id). A
# ClaimReview export is refused until name, URL and public address are set; nothing is
# made up in their place (local.py has demo values while DEBUG is on).
CLAIMTRAIL_PUBLISHER = {
    "name": os.environ.get("CLAIMTRAIL_PUBLISHER_NAME", ""),
    "url": os.environ.get("CLAIMTRAIL_PUBLISHER_URL", ""),
    "logo": os.environ.get("CLAIMTRAIL_PUBLISHER_LOGO", ""),  # optional
}
CLAIMTRAIL_PUBLIC_BASE_URL = os.environ.get("CLAIMTRAIL_PUBLIC_BASE_URL", "")
CLAIMTRAIL_EXPORT_DIR = Path(os.environ.get("CLAIMTRAIL_EXPORT_DIR", BASE_DIR / "var" / "exports"))
# Exports with more segments than this run in the background worker.
CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS = int(
    os.environ.get("CLAIMTRAIL_EXPORT_INLINE_MAX_SEGMENTS", 20000)
)
# A running export records a heartbeat this often; one silent for the stale time (or
# whose process on this host is gone) is marked failed by the next export's sweep.
CLAIMTRAIL_EXPORT_HEARTBEAT_SECONDS = float(
    os.environ.get("CLAIMTRAIL_EXPORT_HEARTBEAT_SECONDS", 10)
)
CLAIMTRAIL_EXPORT_STALE_SECONDS = float(os.environ.get("CLAIMTRAIL_EXPORT_STALE_SECONDS", 600))

# The ledger's trust anchors outside the database (README "How it is secured"): the
# Ed25519 key that signs every seal (created on first use here; production requires an
# existing one), older public keys still trusted after a rotation, and the witness file
# each seal's head is appended to.
CLAIMTRAIL_LEDGER_SIGNING_KEY = Path(
    os.environ.get("CLAIMTRAIL_LEDGER_SIGNING_KEY", BASE_DIR / "var" / "ledger-signing-key.pem")
)
CLAIMTRAIL_LEDGER_SIGNING_KEY_CREATE = env_bool("CLAIMTRAIL_LEDGER_SIGNING_KEY_CREATE", True)
CLAIMTRAIL_LEDGER_TRUSTED_KEYS = [
    p for p in os.environ.get("CLAIMTRAIL_LEDGER_TRUSTED_KEYS", "").split(os.pathsep) if p
]
CLAIMTRAIL_LEDGER_WITNESS = (
    os.environ.get("CLAIMTRAIL_LEDGER_WITNESS", str(BASE_DIR / "var" / "ledger-witness.jsonl"))
    or None
)
# PostgreSQL: the role the app, the worker and the commands connect as. Migrations run
# as the tables' owner and then grant this role what it needs and nothing more
# (archive.privileges); it may only INSERT and SELECT on the ledger and the evidence.
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "claimtrail_app")

# API tokens (django-rest-knox): only a SHA-512 digest of each key is stored, and a key
# expires this many days after it is issued (``manage.py issue_token``).
CLAIMTRAIL_TOKEN_TTL_DAYS = int(os.environ.get("CLAIMTRAIL_TOKEN_TTL_DAYS", 90))
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=CLAIMTRAIL_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",  # clients keep sending ``Authorization: Token <key>``
}

# The API's failed-authentication counts (common.api.authentication) must be shared by
# every worker process of a host, so they live in files, not in each process's memory;
# no database round trip is added to a request. Each host counts its own failures.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": os.environ.get("CLAIMTRAIL_THROTTLE_CACHE_DIR", BASE_DIR / "var" / "throttle"),
        "OPTIONS": {"MAX_ENTRIES": 100_000},
    },
}

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's token authentication, reading the user's roles in the same query.
        "common.api.authentication.TeamTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["common.api.permissions.TeamMember"],
    # Failed token authentications per client address (common.api.authentication):
    # past the burst rate an address is refused (429) until its minute is over, past the
    # sustained rate until its hour is. Successful requests are never counted.
    "DEFAULT_THROTTLE_RATES": {
        "auth_failure_burst": "10/min",
        "auth_failure_sustained": "100/hour",
    },
    # The client address is the connection's: X-Forwarded-For is believed only from as
    # many proxies as this says are in front of the app (0: never), so it cannot be forged.
    "NUM_PROXIES": int(os.environ.get("CLAIMTRAIL_NUM_PROXIES", 0)),
    "DEFAULT_SCHEMA_CLASS": "common.api.schema.ClaimtrailAutoSchema",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_RENDERER_CLASSES": ["annotate.api.renderers.JSONRenderer"],  # DRF's, via orjson
    "DEFAULT_PARSER_CLASSES": ["common.api.parsers.BoundedJSONParser"],  # DRF's, depth-bounded
    "DEFAULT_PAGINATION_CLASS": "common.api.pagination.KeysetPagination",
    "EXCEPTION_HANDLER": "common.api.errors.exception_handler",
    "URL_FORMAT_OVERRIDE": None,  # representations are chosen by the Accept header only
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Claimtrail API",
    "DESCRIPTION": "Provenance-tracking fact annotation: sources, segments, annotations, "
    "citations, review workflow and exports.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # No validator badge: it would send the schema's URL to validator.swagger.io.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Swagger UI and Redoc are served from the project's static files, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
