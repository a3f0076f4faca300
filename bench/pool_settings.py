"""Accord's settings with Django's PostgreSQL connection pool (psycopg-pool), for measuring
it: `--server-env DJANGO_SETTINGS_MODULE=bench.pool_settings`. Needs `psycopg-pool`,
which Accord does not install (docs/performance.md)."""

from accord.settings import *  # noqa: F403
from accord.settings import DATABASES

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["OPTIONS"] = {"pool": {"min_size": 1, "max_size": 8}}
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # a pool and persistent connections exclude each other
