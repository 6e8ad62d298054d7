"""Test settings: the database still comes from DATABASE_URL (SQLite by default)."""

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-only-key-" + "x" * 40
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Tests serve static files through Django's staticfiles (live_server); WhiteNoise would
# only warn that the collected STATIC_ROOT does not exist.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405

# Tests seal the ledger when they mean to (appends still seal every 1,000 events).
CLAIMTRAIL_LEDGER_SEAL_SECONDS = 0

# A signing key of the tests' own (var/ is not in git); no witness unless a test sets one.
CLAIMTRAIL_LEDGER_SIGNING_KEY = BASE_DIR / "var" / "test-ledger-signing-key.pem"  # noqa: F405
CLAIMTRAIL_LEDGER_SIGNING_KEY_CREATE = True
CLAIMTRAIL_LEDGER_WITNESS = None

# The API's failed-authentication counts in this process's memory; tests/conftest.py
# clears them before each test, so no test inherits another's failures.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "throttle": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "throttle",
    },
}

# The newsroom the tests' ClaimReview exports are published by (tests that need them
# unset say so).
CLAIMTRAIL_PUBLISHER = {
    "name": "Claimtrail test newsroom",
    "url": "https://newsroom.example.org/",
    "logo": "https://newsroom.example.org/logo.png",
}
CLAIMTRAIL_PUBLIC_BASE_URL = "https://newsroom.example.org/fact-checks/"
