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
