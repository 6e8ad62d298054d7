"""Local development: DEBUG on unless the environment says otherwise, SQLite by default."""

import os

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
if not SECRET_KEY:  # noqa: F405
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "dev-only-insecure-key-" + "claimtrail" * 4
os.environ.setdefault("CLAIMTRAIL_ENV", "local")

# Demo values for the newsroom that publishes ClaimReview exports (base.py), so the demo
# can export them; the environment still decides. With DEBUG off they must be set.
DEMO_PUBLISHER = {
    "name": "Claimtrail demo newsroom",
    "url": "https://demo-newsroom.example.org/",
    "logo": "https://demo-newsroom.example.org/logo.png",
}
if DEBUG:
    CLAIMTRAIL_PUBLISHER = {
        key: os.environ.get(f"CLAIMTRAIL_PUBLISHER_{key.upper()}", value)
        for key, value in DEMO_PUBLISHER.items()
    }
    CLAIMTRAIL_PUBLIC_BASE_URL = os.environ.get(
        "CLAIMTRAIL_PUBLIC_BASE_URL", "https://demo-newsroom.example.org/fact-checks/"
    )
