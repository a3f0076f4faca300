"""Backups that restore (upkeep/backups.py, docs/backups.md).

The drill: a realistic installation (the demo, and an agreement with its uploaded file) in a
database of its own, backed up by `manage.py backup` in a subprocess, restored by `manage.py
restore` into a second, empty installation (another database, another MEDIA_ROOT), and
compared: every row of every table, every file's bytes. It runs on the database the suite
runs on: on PostgreSQL each installation is a database made here (not the test database,
whose data a subprocess would not see), on SQLite a file in a temporary folder.

The refusals are asked of the test database itself, in this process: each is decided
before anything is changed, and the test checks that nothing was.
"""

import importlib.metadata
import io
import json
import os
import secrets
import sqlite3
import subprocess
import tarfile
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import User
from alliances.models import Alliance
from bench import harness
from tests.factories import make_alliance, make_user

AGREEMENT_BYTES = b"%PDF-1.4\n" + bytes(range(256)) * 64 + b"\n%%EOF\n"
# Run by `manage.py shell -c` in the source installation: the demo has no uploaded file.
ADD_AGREEMENT = f"""
from django.core.files.uploadedfile import SimpleUploadedFile
from alliances.models import Alliance
from registers import services
from registers.models import Agreement

alliance = Alliance.objects.get(slug="harvest-county-food-security-alliance")
author = alliance.memberships.get(role="coordinator").user
services.add_agreement(
    agreement=Agreement(alliance=alliance, title="Data sharing agreement", kind="work_plan"),
    upload=SimpleUploadedFile("data-sharing.pdf", {AGREEMENT_BYTES!r}),
    alliance=alliance,
    author=author,
)
"""


def on_postgres() -> bool:
    return connection.vendor == "postgresql"


class Installation:
    """One Accord installation run by subprocesses: its own database and MEDIA_ROOT."""

    def __init__(self, folder: Path, name: str, secret_key: str):
        self.folder = folder / name
        self.folder.mkdir(parents=True)
        self.media = self.folder / "media"
        if on_postgres():
            self.database = f"accord_backup_{name}_{os.getpid()}"
            admin = urlsplit(harness.postgres_admin_url())
            self.database_url = urlunsplit(admin._replace(path=f"/{self.database}"))
        else:
            self.sqlite = self.folder / "accord.sqlite3"
            self.database_url = f"sqlite:///{self.sqlite}"
        self.env = harness.process_env(
            DATABASE_URL=self.database_url,
            DATA_DIR=str(self.folder),
            MEDIA_ROOT=str(self.media),
            SECRET_KEY=secret_key,
            LOG_LEVEL="WARNING",
        )

    def _admin(self, sql: str) -> None:
        with psycopg.connect(harness.postgres_admin_url(), autocommit=True) as admin:
            admin.execute(sql)

    def create(self, migrate: bool = True) -> "Installation":
        if on_postgres():
            self.drop()
            self._admin(f'CREATE DATABASE "{self.database}"')
        if migrate:
            self.manage("migrate", "--verbosity", "0")
        return self

    def drop(self) -> None:
        if on_postgres():
            self._admin(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    def manage(self, *arguments: str, check: bool = True) -> subprocess.CompletedProcess:
        result = subprocess.run(  # noqa: S603 (our own command)
            [str(harness.BIN / "python"), "manage.py", *arguments],
            cwd=harness.ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and result.returncode:
            raise AssertionError(
                f"manage.py {' '.join(arguments)} failed:\n{result.stdout}\n{result.stderr}"
            )
        return result

    def rows(self) -> dict[str, list[tuple]]:
        """Every row of every table, read from the database directly, in a fixed order;
        on PostgreSQL also where each sequence stands (the next ids)."""
        if on_postgres():
            with psycopg.connect(self.database_url) as database:
                tables = [
                    name
                    for (name,) in database.execute(
                        "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                    )
                ]
                rows = {
                    table: database.execute(
                        f'SELECT * FROM "{table}" AS t ORDER BY CAST(t AS text)'
                    ).fetchall()
                    for table in tables
                }
                rows["(sequences)"] = database.execute(
                    "SELECT sequencename, last_value FROM pg_sequences "
                    "WHERE schemaname = 'public' ORDER BY sequencename"
                ).fetchall()
                return rows
        with closing(sqlite3.connect(self.sqlite)) as database:
            tables = [
                name
                for (name,) in database.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            rows = {}
            for table in tables:
                width = len(database.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
                order = ", ".join(str(column + 1) for column in range(width))
                rows[table] = database.execute(
                    f'SELECT * FROM "{table}" ORDER BY {order}'
                ).fetchall()
            return rows

    def files(self) -> dict[str, bytes]:
        """Every uploaded file's bytes, by its path in MEDIA_ROOT."""
        if not self.media.exists():
            return {}
        return {
            path.relative_to(self.media).as_posix(): path.read_bytes()
            for path in sorted(self.media.rglob("*"))
            if path.is_file()
        }


def archive_path(backup_output: str) -> Path:
    """The archive `backup` wrote, from the line it prints: `<path> (<size>)`."""
    path, size = backup_output.strip().rsplit(" (", 1)
    assert size.endswith(("bytes)", "KB)", "MB)", "GB)"))
    return Path(path)


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    folder = tmp_path_factory.mktemp("backup-drill")
    secret_key = f"backup-drill-{secrets.token_hex(16)}"
    source = Installation(folder, "source", secret_key)
    target = Installation(folder, "target", secret_key)
    try:
        source.create()
        source.manage("seed_demo")
        source.manage("shell", "-c", ADD_AGREEMENT)
        # A folder named with a slash at its end is made.
        backed_up = source.manage("backup", "--output", f"{folder / 'archives'}/")
        target.create()
        restored = target.manage("restore", str(archive_path(backed_up.stdout)))
        yield {
            "source": source,
            "target": target,
            "archive": archive_path(backed_up.stdout),
            "restore_output": restored.stdout,
            "secret_key": secret_key,
        }
    finally:
        source.drop()
        target.drop()


def test_restore_brings_back_every_row_and_every_file(drill):
    source, target = drill["source"], drill["target"]
    before, after = source.rows(), target.rows()

    # The drill is not of an empty installation: the demo and the uploaded agreement.
    assert len(before["accounts_user"]) == 10
    assert len(before["alliances_alliance"]) == 1
    assert len(before["registers_agreement"]) >= 1
    assert len(before["history_revision"]) > 100
    # Answers of the demo's open check-in, sealed with SECRET_KEY (which the archive lacks).
    assert len(before["ratings_sealedanswer"]) > 0
    assert sorted(after) == sorted(before)
    for table in before:
        assert after[table] == before[table], table

    files = source.files()
    assert list(files.values()) == [AGREEMENT_BYTES]
    assert target.files() == files
    checked = "Checked: every table's row count and every file's SHA-256 match."
    assert checked in drill["restore_output"]


def test_restore_with_another_secret_key_says_which_answers_it_cannot_open(drill, tmp_path):
    """The sealed answers of open rounds need the SECRET_KEY of the installation the backup
    came from; everything else comes back without it."""
    elsewhere = Installation(tmp_path, "elsewhere", f"another-key-{secrets.token_hex(16)}")
    try:
        elsewhere.create()

        result = elsewhere.manage("restore", str(drill["archive"]))

        sealed = len(drill["source"].rows()["ratings_sealedanswer"])
        assert result.stderr.strip() == (
            f"{sealed} sealed answer(s) of open rounds do not open with this installation's "
            "SECRET_KEY: set the SECRET_KEY of the installation the backup came from, or "
            "those answers cannot be read when their rounds close."
        )
        assert "Checked: every table's row count" in result.stdout
        assert "sealed answer" not in drill["restore_output"]
    finally:
        elsewhere.drop()


def test_restored_installation_takes_new_rows(drill):
    """The next ids continue after the restored ones (PostgreSQL's sequences came back)."""
    drill["target"].manage(
        "shell",
        "-c",
        "from accounts.models import User; "
        "User.objects.create_user(email='new@example.org', password='a-long-passphrase')",
    )
    emails = [row for row in drill["target"].rows()["accounts_user"] if "new@example.org" in row]
    assert len(emails) == 1


def test_backup_is_private_and_holds_no_secret_key(drill):
    archive = drill["archive"]

    assert archive.name.startswith("accord-") and archive.name.endswith("Z.tar.gz")
    assert archive.stat().st_mode & 0o777 == 0o600
    assert list(archive.parent.iterdir()) == [archive]  # no half-written file left beside
    key = drill["secret_key"].encode()
    with tarfile.open(archive) as tar:
        members = {member.name: tar.extractfile(member).read() for member in tar}
    dump = "database.pgdump" if on_postgres() else "database.sqlite3"
    assert set(members) == {"manifest.json", dump} | {
        f"media/{name}" for name in drill["source"].files()
    }
    assert all(key not in data for data in members.values())
    assert key not in archive.read_bytes()


def test_manifest_says_what_the_archive_holds(drill):
    with tarfile.open(drill["archive"]) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))

    assert manifest["accord_version"] == importlib.metadata.version("accord")
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"]["sessions"] == "0001_initial"
    assert set(manifest["migrations"]) >= {"accounts", "alliances", "ratings", "registers"}
    counted = {
        table: len(rows)
        for table, rows in drill["source"].rows().items()
        if table not in {"(sequences)", "sqlite_sequence"}
    }
    assert manifest["rows"] == counted
    assert set(manifest["files"]) == {manifest["database"]["file"]} | {
        f"media/{name}" for name in drill["source"].files()
    }


def test_restore_into_a_non_empty_installation_is_refused_and_changes_nothing(drill):
    source = drill["source"]
    before = (source.rows(), source.files())

    result = source.manage("restore", str(drill["archive"]), check=False)

    assert result.returncode != 0
    assert "Restore puts a backup into an empty installation only" in result.stderr
    assert (
        "this one holds 10 accounts, 1 alliance and 1 uploaded file in "
        f"{source.media}. Nothing was changed." in result.stderr
    )
    assert (source.rows(), source.files()) == before


# The refusals, asked of the test database (freshly migrated: an empty installation).


@pytest.fixture
def empty_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def rewrite(archive: Path, destination: Path, change) -> Path:
    """A copy of the archive whose members `change` (a function of {name: bytes}) alters."""
    with tarfile.open(archive) as tar:
        members = {member.name: tar.extractfile(member).read() for member in tar}
    change(members)
    with tarfile.open(destination, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return destination


def with_manifest(change):
    def changed(members):
        manifest = json.loads(members["manifest.json"])
        change(manifest)
        members["manifest.json"] = json.dumps(manifest).encode()

    return changed


def refused(archive: Path) -> str:
    with pytest.raises(CommandError) as error:
        call_command("restore", str(archive))
    return str(error.value)


def nothing_changed(media: Path) -> None:
    assert not User.objects.exists()
    assert not Alliance.objects.exists()
    assert list(media.iterdir()) == []


@pytest.mark.django_db
def test_an_empty_installation_passes_the_checks_of_a_good_archive(drill, empty_media, tmp_path):
    """The refusals below are each for their reason: with the drill's archive unchanged, the
    test database gets past every check (an uploaded file is what stops it here)."""
    (empty_media / "stray.txt").write_text("left here")

    message = refused(drill["archive"])

    assert message == (
        "Restore puts a backup into an empty installation only, and this one holds 1 "
        f"uploaded file in {empty_media}. Nothing was changed. Restore into a new "
        "database (created, migrated or not) with an empty MEDIA_ROOT."
    )


@pytest.mark.django_db
def test_restore_is_refused_where_an_account_or_alliance_exists(drill, empty_media):
    carol = make_user("Carol Coordinator", "carol@example.org")
    make_alliance(carol)

    message = refused(drill["archive"])

    assert "this one holds 1 account and 1 alliance. Nothing was changed." in message
    assert list(empty_media.iterdir()) == []


@pytest.mark.django_db
def test_restore_of_a_newer_versions_backup_is_refused(drill, empty_media, tmp_path):
    def from_the_future(manifest):
        manifest["migrations"]["ratings"] = "0099_from_the_future"

    archive = rewrite(drill["archive"], tmp_path / "newer.tar.gz", with_manifest(from_the_future))

    message = refused(archive)

    assert "made by a newer version of Accord" in message
    assert "ratings.0099_from_the_future" in message
    assert "Upgrade first, then restore." in message
    nothing_changed(empty_media)


@pytest.mark.django_db
def test_restore_onto_the_other_database_is_refused_with_the_way_to_move(
    drill, empty_media, tmp_path
):
    other = "sqlite" if on_postgres() else "postgresql"

    def elsewhere(manifest):
        manifest["database"]["vendor"] = other

    archive = rewrite(drill["archive"], tmp_path / "other.tar.gz", with_manifest(elsewhere))

    message = refused(archive)

    assert "a backup is restored on the same kind of database" in message
    assert "export_alliance" in message and "import_alliance" in message
    nothing_changed(empty_media)


def _tamper_file(members):
    name = next(name for name in members if name.startswith("media/"))
    members[name] = members[name].replace(b"%%EOF", b"%%EOX")


def _drop_manifest(members):
    del members["manifest.json"]


def _add_stranger(members):
    members["media/extra.txt"] = b"not backed up"


def _drop_dump(members):
    del members[next(name for name in members if name.startswith("database."))]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "says"),
    [
        (_tamper_file, "is damaged: the checksum of media/agreements/"),
        (_drop_manifest, "is not an Accord backup: it has no manifest.json."),
        (_add_stranger, "is damaged: media/extra.txt are not in its manifest.json."),
        (_drop_dump, "is damaged: it lacks database."),
        (with_manifest(lambda manifest: manifest.pop("rows")), "its manifest.json is not one"),
        # A manifest edited by hand: refused with the same sentence, never a traceback.
        (with_manifest(lambda m: m.update(format_version="2")), "its manifest.json is not one"),
        (with_manifest(lambda m: m["database"].pop("vendor")), "its manifest.json is not one"),
        (with_manifest(lambda m: m.pop("created_at")), "its manifest.json is not one"),
        (
            with_manifest(lambda m: m["rows"].update(accounts_user="3")),
            "its manifest.json is not one",
        ),
        (
            with_manifest(lambda m: m["migrations"].update(ratings=["0001_initial"])),
            "its manifest.json is not one",
        ),
    ],
)
def test_restore_of_a_damaged_archive_is_refused(drill, empty_media, tmp_path, change, says):
    archive = rewrite(drill["archive"], tmp_path / "damaged.tar.gz", change)

    assert says in refused(archive)
    nothing_changed(empty_media)


@pytest.mark.django_db
def test_restore_of_a_truncated_or_foreign_file_is_refused(drill, empty_media, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(drill["archive"].read_bytes()[:-2000])
    foreign = tmp_path / "notes.tar.gz"
    foreign.write_bytes(b"just some notes")

    for archive in (truncated, foreign):
        assert "is damaged or not an Accord backup" in refused(archive)
    nothing_changed(empty_media)


def test_restore_says_what_does_not_match_the_manifest(drill, tmp_path):
    """The rows are counted after the restore: a manifest that counts one account more (its
    files all match) gives a restore that says so, and exits with status 1."""

    def one_more(manifest):
        manifest["rows"]["accounts_user"] += 1

    archive = rewrite(drill["archive"], tmp_path / "miscounted.tar.gz", with_manifest(one_more))
    miscounted = Installation(tmp_path, "miscounted", drill["secret_key"])
    try:
        miscounted.create()

        result = miscounted.manage("restore", str(archive), check=False)

        assert result.returncode == 1
        assert result.stderr.strip() == (
            "CommandError: The restore does not match the backup's manifest:\n"
            "- table accounts_user has 10 rows, not 11"
        )
        assert "Checked" not in result.stdout
    finally:
        miscounted.drop()


def test_an_older_versions_backup_is_restored_then_migrated(tmp_path):
    """A backup made before a migration (here: sessions' first, undone) is restored into
    an installation this code migrated, then migrated up to it."""
    secret_key = f"backup-drill-{secrets.token_hex(16)}"
    old = Installation(tmp_path, "old", secret_key)
    upgraded = Installation(tmp_path, "upgraded", secret_key)
    try:
        old.create()
        old.manage("migrate", "sessions", "zero", "--verbosity", "0")
        assert "django_session" not in old.rows()
        archive = archive_path(old.manage("backup").stdout)
        assert archive.parent == old.folder / "backups"  # BACKUP_DIR's default
        upgraded.create()

        upgraded.manage("restore", str(archive))

        rows = upgraded.rows()
        assert rows["django_session"] == []
        assert ("sessions", "0001_initial") in {row[1:3] for row in rows["django_migrations"]}
        assert rows["reviews_question"] == old.rows()["reviews_question"]
    finally:
        old.drop()
        upgraded.drop()


@pytest.mark.skipif("not on_postgres()", reason="pg_dump is PostgreSQL's")
@pytest.mark.django_db
def test_backup_without_pg_dump_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))

    with pytest.raises(CommandError) as error:
        call_command("backup", output=tmp_path)

    assert "pg_dump was not found on PATH: install PostgreSQL's client programs" in str(error.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif("not on_postgres()", reason="pg_dump is PostgreSQL's")
@pytest.mark.django_db
def test_backup_with_an_older_pg_dump_than_the_server_says_so(tmp_path, monkeypatch):
    # Not a stand-in for the real pg_dump, which runs in the drill: an old one, which this
    # machine does not have, only says its version before it is refused.
    programs = tmp_path / "bin"
    programs.mkdir()
    old = programs / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    monkeypatch.setenv("PATH", str(programs))

    with pytest.raises(CommandError) as error:
        call_command("backup", output=tmp_path / "out")

    assert "pg_dump is version 9 " in str(error.value)
    assert "but the database server is version" in str(error.value)
    assert not (tmp_path / "out").exists()
