import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from accord.env import database_from_url, envbool, envint, secret_key


def test_database_url_for_postgresql(monkeypatch):
    monkeypatch.delenv("CONN_MAX_AGE", raising=False)
    db = database_from_url("postgres://accord:s%40cret@db.example:5433/accord", Path("x"))
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "accord",
        "accord",
        "s@cret",
        "db.example",
        "5433",
    )
    assert db["CONN_MAX_AGE"] == 60


def test_no_database_url_means_the_embedded_sqlite_file():
    assert database_from_url("", Path("/data/accord.sqlite3")) == {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path("/data/accord.sqlite3"),
    }


def test_unknown_database_scheme_is_refused():
    with pytest.raises(ImproperlyConfigured, match="must start with postgres:// or sqlite://"):
        database_from_url("mysql://db/accord", Path("x"))


def test_booleans_and_numbers_from_the_environment(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    monkeypatch.setenv("COUNT", "12")
    assert envbool("FLAG", False) is True
    assert envint("COUNT", 1) == 12
    assert envbool("UNSET_FLAG", True) is True
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG must be true or false"):
        envbool("FLAG", False)
    monkeypatch.setenv("COUNT", "many")
    with pytest.raises(ImproperlyConfigured, match="COUNT must be a whole number"):
        envint("COUNT", 1)


def test_development_secret_key_is_generated_once_and_kept(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = secret_key(tmp_path, production=False)
    assert len(first) >= 50
    assert secret_key(tmp_path, production=False) == first
    assert oct((tmp_path / "secret_key").stat().st_mode)[-3:] == "600"


def test_production_requires_a_secret_key(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set"):
        secret_key(tmp_path, production=True)


# The README's production settings ("Running it in production"), as a process manager
# would give them. Nothing is connected to: the checks read settings only.
BASE_DIR = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DATABASE_URL": "postgres://accord:password@db.invalid:5432/accord",
    "REDIS_URL": "redis://redis.invalid:6379/0",
    "SECRET_KEY": "production-only-" + "k3y" * 20,
    "ALLOWED_HOSTS": "accord.example.org",
    "SITE_URL": "https://accord.example.org",
}
# Each warning `check --deploy` may still give there, with the setting that closes it; the
# README says why it stays open.
JUSTIFIED = {"security.W021": "SECURE_HSTS_PRELOAD"}


def _manage(tmp_path, *args, **environment) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DATA_DIR": str(tmp_path), **environment}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_with_the_readmes_production_settings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    found = set(re.findall(r"\((\w+\.[EW]\d+)\)", result.stdout + result.stderr))
    assert found == set(JUSTIFIED), result.stdout + result.stderr
    readme = (BASE_DIR / "README.md").read_text()
    for warning, setting in JUSTIFIED.items():
        assert f"`{warning}`" in readme and f"`{setting}" in readme


SHOWN = (
    "SECURE_HSTS_SECONDS SECURE_HSTS_INCLUDE_SUBDOMAINS SECURE_SSL_REDIRECT "
    "SECURE_PROXY_SSL_HEADER SESSION_COOKIE_SECURE CSRF_COOKIE_SECURE CSRF_TRUSTED_ORIGINS"
)


def _https_settings(tmp_path, **environment) -> dict:
    code = (
        "from django.conf import settings; "
        f"print(repr({{name: getattr(settings, name, None) for name in {SHOWN.split()!r}}}))"
    )
    result = _manage(tmp_path, "shell", "-c", code, **environment)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_an_https_site_url_means_https_only(tmp_path):
    assert _https_settings(tmp_path, **PRODUCTION) == {
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https"),
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "CSRF_TRUSTED_ORIGINS": ["https://accord.example.org"],
    }


def test_make_run_over_plain_http_neither_redirects_nor_pins_https(tmp_path):
    found = _https_settings(tmp_path)
    assert (found["SECURE_HSTS_SECONDS"], found["SECURE_SSL_REDIRECT"]) == (0, False)
    assert found["SECURE_PROXY_SSL_HEADER"] is None
    assert (found["SESSION_COOKIE_SECURE"], found["CSRF_COOKIE_SECURE"]) == (False, False)


def test_each_https_setting_can_be_changed_from_the_environment(tmp_path):
    found = _https_settings(
        tmp_path,
        **PRODUCTION,
        SECURE_HSTS_SECONDS="300",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_SSL_REDIRECT="false",
    )
    assert found["SECURE_HSTS_SECONDS"] == 300
    assert (found["SECURE_HSTS_INCLUDE_SUBDOMAINS"], found["SECURE_SSL_REDIRECT"]) == (
        False,
        False,
    )


# Where links point without SITE_URL: where `make run` serves (HOST and PORT).

SITE = "SITE_URL CSRF_TRUSTED_ORIGINS ALLOWED_HOSTS"


def _site_settings(tmp_path, **environment) -> dict:
    code = (
        "from django.conf import settings; "
        f"print(repr({{name: getattr(settings, name) for name in {SITE.split()!r}}}))"
    )
    result = _manage(tmp_path, "shell", "-c", code, **environment)
    assert result.returncode == 0, result.stderr
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])


def test_without_site_url_links_follow_the_port_make_run_serves_on(tmp_path):
    found = _site_settings(tmp_path, PORT="18801")

    assert found["SITE_URL"] == "http://127.0.0.1:18801"
    assert found["CSRF_TRUSTED_ORIGINS"] == ["http://127.0.0.1:18801"]
    assert found["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]


def test_without_site_url_or_port_links_point_at_make_runs_default(tmp_path):
    assert _site_settings(tmp_path)["SITE_URL"] == "http://127.0.0.1:8000"


def test_without_site_url_links_follow_the_host_too(tmp_path):
    found = _site_settings(tmp_path, HOST="accord.lan", PORT="8080")

    assert found["SITE_URL"] == "http://accord.lan:8080"
    assert found["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]", "accord.lan"]


def test_serving_every_interface_links_to_this_machines_local_address(tmp_path):
    from accord.env import local_network_address

    found = _site_settings(tmp_path, HOST="0.0.0.0", PORT="8080")

    address = local_network_address()
    assert found["SITE_URL"] == f"http://{address}:8080"
    assert "0.0.0.0" not in found["SITE_URL"]
    assert address in found["ALLOWED_HOSTS"]


def test_a_site_url_that_is_set_wins_over_host_and_port(tmp_path):
    found = _site_settings(
        tmp_path,
        SITE_URL="https://accord.example.org/",
        HOST="0.0.0.0",
        PORT="18801",
    )

    assert found["SITE_URL"] == "https://accord.example.org"
    assert found["CSRF_TRUSTED_ORIGINS"] == ["https://accord.example.org"]
    assert found["ALLOWED_HOSTS"][-1] == "accord.example.org"


def test_an_ipv6_host_is_written_in_brackets(tmp_path):
    found = _site_settings(tmp_path, HOST="::1", PORT="8080")

    assert found["SITE_URL"] == "http://[::1]:8080"
    assert found["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "[::1]"]
