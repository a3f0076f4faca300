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
