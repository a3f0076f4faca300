"""Backups that restore: one archive holds the database, the uploaded files and a manifest
that says what they are, and a restore puts them back into an empty installation and checks
that it got everything.

The archive (a .tar.gz) holds:

- `database.pgdump` (PostgreSQL: `pg_dump -Fc`, taken in the snapshot the row counts are
  read in) or `database.sqlite3` (SQLite: a copy made by SQLite's backup API);
- `media/…`, the uploaded files (MEDIA_ROOT) as they are;
- `manifest.json`: Accord's version, the latest applied migration of each app, the database
  vendor, the time, the rows of every table and the SHA-256 of every other file.

SECRET_KEY is never in it: the sealed answers of open rounds (`ratings.sealing`) open only
with that key, so a copy of the backups alone does not tell who answered what. Keep the key
apart from the backups (docs/backups.md).

Messages here are for the operator who runs the command: English, not translated.
"""

import datetime
import hashlib
import importlib.metadata
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader

from accounts.models import User
from alliances.models import Alliance
from ratings.models import SealedAnswer
from ratings.sealing import SealError, open_blob

FORMAT = "accord-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media"
DUMPS = {"postgresql": "database.pgdump", "sqlite": "database.sqlite3"}
_CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup or a restore that cannot be done, with what to do about it."""


@dataclass
class Restored:
    manifest: dict
    rows: int
    tables: int
    files: int
    # What differs from the manifest after the restore (empty when everything matches).
    problems: list[str] = field(default_factory=list)
    # Sealed answers of open rounds that this server's SECRET_KEY does not open.
    unopened: int = 0


# Writing a backup


def default_name(now: datetime.datetime | None = None) -> str:
    now = now or datetime.datetime.now(datetime.UTC)
    return f"accord-{now:%Y%m%dT%H%M%SZ}.tar.gz"


def backup(output: str | Path | None = None) -> Path:
    """Write one archive and return its path. `output` is a folder (the archive gets the
    default name there) or a file; nothing given, BACKUP_DIR. The archive is written to a
    hidden file beside it and renamed when complete, so that a half-written one never
    looks like a backup."""
    vendor = connection.vendor
    if vendor not in DUMPS:
        raise BackupError(f"Backups support PostgreSQL and SQLite, not {vendor}.")
    if vendor == "sqlite" and not _sqlite_path().is_file():
        raise BackupError(f"There is no database at {_sqlite_path()} to back up.")
    if "django_migrations" not in connection.introspection.table_names():
        raise BackupError("The database has no tables: it is not an installation of Accord yet.")
    now = datetime.datetime.now(datetime.UTC)
    target = _target(output, now)
    if target.exists():
        raise BackupError(f"{target} already exists; choose another --output.")
    folder = target.parent
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The dump is made beside the archive, not in a shared /tmp: it holds everything.
    with tempfile.TemporaryDirectory(prefix=".accord-backup-", dir=folder) as work:
        dump = Path(work) / DUMPS[vendor]
        if vendor == "postgresql":
            database, rows, migrations = _postgres_dump(dump)
        else:
            database, rows, migrations = _sqlite_dump(dump)
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "accord_version": accord_version(),
            "created_at": now.isoformat(timespec="seconds"),
            "database": {"vendor": vendor, "file": DUMPS[vendor], **database},
            "migrations": migrations,
            "rows": rows,
            "files": {},
        }
        partial = folder / f".{target.name}.partial"
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as raw:
                with tarfile.open(fileobj=raw, mode="w:gz") as archive:
                    files = manifest["files"]
                    files[DUMPS[vendor]] = _add(archive, dump, DUMPS[vendor])
                    for path, name in _media_files():
                        files[name] = _add(archive, path, name)
                    _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(partial, target)
        except BaseException:
            partial.unlink(missing_ok=True)
            raise
    return target


def _target(output: str | Path | None, now: datetime.datetime) -> Path:
    """The archive's path: in BACKUP_DIR, in the folder `output` names (an existing one, or
    any ending with a slash), or `output` itself."""
    if output is None:
        return Path(settings.BACKUP_DIR) / default_name(now)
    if Path(output).is_dir() or str(output).endswith(("/", os.sep)):
        return Path(output) / default_name(now)
    return Path(output)


def accord_version() -> str:
    try:
        return importlib.metadata.version("accord")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _media_files() -> Iterator[tuple[Path, str]]:
    """Every uploaded file, with its name in the archive (`media/<path in MEDIA_ROOT>`)."""
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return
    for folder, subfolders, names in os.walk(root):
        subfolders.sort()
        for name in sorted(names):
            path = Path(folder, name)
            if path.is_file() and not path.is_symlink():
                yield path, f"{MEDIA}/{path.relative_to(root).as_posix()}"


class _Hashing:
    """A file read through, hashing exactly the bytes the archive takes."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def _member(name: str, size: int, mtime: float) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mode = 0o600
    info.mtime = int(mtime)
    return info


def _add(archive: tarfile.TarFile, path: Path, name: str) -> str:
    with path.open("rb") as file:
        status = os.fstat(file.fileno())
        info = _member(name, status.st_size, status.st_mtime)
        hashing = _Hashing(file)
        archive.addfile(info, hashing)
    return hashing.sha256.hexdigest()


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    now = datetime.datetime.now(datetime.UTC).timestamp()
    archive.addfile(_member(name, len(data), now), io.BytesIO(data))


def _latest_migrations(rows) -> dict[str, str]:
    """{app: the name of its last applied migration}, from (app, name) rows in the order
    they were applied."""
    latest = {}
    for app, name in rows:
        latest[app] = name
    return dict(sorted(latest.items()))


# PostgreSQL


def _postgres_dump(path: Path) -> tuple[dict, dict, dict]:
    pg_dump, client = _client("pg_dump")
    connection.ensure_connection()
    with transaction.atomic(), connection.cursor() as cursor:
        # pg_dump reads the snapshot of this transaction, in which the rows are counted: the
        # counts in the manifest are those of the dump, whatever is written meanwhile.
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        _run(
            [
                pg_dump,
                "--format=custom",
                # The archive is gzipped whole: compressing the dump too would only cost time.
                "--compress=0",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={path}",
                *_postgres_arguments(),
            ]
        )
        rows = _count_rows(cursor, connection.introspection.table_names(cursor))
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = _latest_migrations(cursor.fetchall())
    database = {"server_version": _server_major(), "pg_dump_version": client}
    return database, rows, migrations


def _postgres_arguments() -> list[str]:
    """Where the configured database is, as PostgreSQL's programs take it (the password
    goes in the environment: `_postgres_environment`)."""
    options = connection.settings_dict
    arguments = []
    if options.get("HOST"):
        arguments.append(f"--host={options['HOST']}")
    if options.get("PORT"):
        arguments.append(f"--port={options['PORT']}")
    if options.get("USER"):
        arguments.append(f"--username={options['USER']}")
    arguments.append(f"--dbname={options['NAME']}")
    return arguments


def _postgres_environment() -> dict[str, str]:
    environment = dict(os.environ)
    password = connection.settings_dict.get("PASSWORD")
    if password:
        # Never on the command line, where every user of the machine could read it.
        environment["PGPASSWORD"] = password
    return environment


def _server_major() -> int:
    connection.ensure_connection()
    return connection.pg_version // 10000


def _client(program: str) -> tuple[str, int]:
    """PostgreSQL's client program and its major version, which must not be older than the
    server's."""
    server = _server_major()
    install = (
        f"install PostgreSQL's client programs of version {server} or newer "
        f"(Debian: apt install postgresql-client-{server}, or PostgreSQL's own packages)"
    )
    path = shutil.which(program)
    if not path:
        raise BackupError(f"{program} was not found on PATH: {install}.")
    version = subprocess.run(  # noqa: S603 (PostgreSQL's own program)
        [path, "--version"], capture_output=True, text=True, check=False
    ).stdout
    found = re.search(r"\)\s*(\d+)", version) or re.search(r"(\d+)", version)
    major = int(found.group(1)) if found else 0
    if major < server:
        raise BackupError(
            f"{program} is version {major} ({path}) but the database server is version "
            f"{server}: {install}."
        )
    return path, major


def _run(command: list[str]) -> None:
    result = subprocess.run(  # noqa: S603 (PostgreSQL's own programs, our arguments)
        command, env=_postgres_environment(), capture_output=True, text=True, check=False
    )
    if result.returncode:
        raise BackupError(f"{Path(command[0]).name} failed:\n{result.stderr.strip()}")


def _count_rows(cursor, tables) -> dict[str, int]:
    rows = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608 (a table's name, quoted)
        rows[table] = cursor.fetchone()[0]
    return rows


def _postgres_load(dump: Path, manifest: dict) -> None:
    pg_restore, client = _client("pg_restore")
    made_by = manifest["database"].get("pg_dump_version", 0)
    if client < made_by:
        raise BackupError(
            f"pg_restore is version {client} but the backup was made by pg_dump {made_by}: "
            f"install PostgreSQL's client programs of version {made_by} or newer."
        )
    if _applied_latest() != manifest["migrations"]:
        # The tables differ from the archive's (an older backup into a database migrated by
        # this code): drop them all, so that the archive's come back alone and `migrate`
        # brings them up to this code. The installation is empty (checked before).
        with transaction.atomic(), connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)} CASCADE")
    connections.close_all()
    try:
        _run(
            [
                pg_restore,
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                *_postgres_arguments(),
                str(dump),
            ]
        )
    except BackupError as error:
        raise BackupError(
            f"{error}\nThe database was not restored. If it now has no tables, "
            "`manage.py migrate` makes it an empty installation again."
        ) from None


# SQLite


def _sqlite_path() -> Path:
    name = str(connection.settings_dict["NAME"])
    if not name or name == ":memory:" or "mode=memory" in name:
        raise BackupError("The database is in memory: there is no file to back up or restore.")
    return Path(name)


def _sqlite_dump(path: Path) -> tuple[dict, dict, dict]:
    source_path = _sqlite_path()
    # SQLite's backup API copies a consistent state of the file, even while it is written.
    with closing(sqlite3.connect(source_path)) as source, closing(sqlite3.connect(path)) as copy:
        source.backup(copy)
    with closing(sqlite3.connect(path)) as copy:
        tables = [
            name
            for (name,) in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        rows = {
            table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608 (a table's name)
            for table in tables
        }
        migrations = _latest_migrations(
            copy.execute("SELECT app, name FROM django_migrations ORDER BY id")
        )
    return {"sqlite_version": sqlite3.sqlite_version}, rows, migrations


def _sqlite_load(dump: Path) -> None:
    path = _sqlite_path()
    connections.close_all()
    # Copied beside the database, then renamed over it: the file is the old one or the
    # restored one, never half of each.
    partial = path.with_name(f".{path.name}.restoring")
    shutil.copyfile(dump, partial)
    if path.exists():
        shutil.copymode(path, partial)  # as private as the file it replaces
    with partial.open("rb") as file:
        os.fsync(file.fileno())
    os.replace(partial, path)


# Restoring


def restore(archive: Path) -> Restored:
    """Put the archive back into this installation, which must be empty; refuse, changing
    nothing, an archive that is damaged, not Accord's, made by a newer version or for the
    other database vendor."""
    archive = Path(archive)
    # Unpacked beside MEDIA_ROOT when its folder exists, not in a /tmp that may be small.
    near = Path(settings.MEDIA_ROOT).parent
    with tempfile.TemporaryDirectory(
        prefix=".accord-restore-", dir=near if near.is_dir() else None
    ) as work:
        staged = Path(work)
        manifest = _unpack(archive, staged)
        _check_vendor(manifest)
        _check_migrations(manifest)
        _check_empty()
        dump = staged / manifest["database"]["file"]
        if connection.vendor == "postgresql":
            _postgres_load(dump, manifest)
        else:
            _sqlite_load(dump)
        # Counted before `migrate`, which may add rows (a backup of an older version).
        problems = _compare_rows(manifest["rows"])
        files = _put_media(staged / MEDIA)
    problems += _compare_files(manifest["files"])
    call_command("migrate", interactive=False, verbosity=0)
    return Restored(
        manifest=manifest,
        rows=sum(manifest["rows"].values()),
        tables=len(manifest["rows"]),
        files=files,
        problems=problems,
        unopened=_unopened_sealed_answers(),
    )


def _unpack(archive: Path, staged: Path) -> dict:
    """Extract every file of the archive into `staged`, check each against the manifest's
    SHA-256, and return the manifest."""
    if not archive.is_file():
        raise BackupError(f"{archive} is not a file.")
    digests = {}
    try:
        with tarfile.open(archive, "r:*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile() or not _allowed(member.name):
                    raise BackupError(
                        f"{archive} is not an Accord backup: it holds {member.name!r}, "
                        "which a backup never does."
                    )
                destination = staged / member.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                sha256 = hashlib.sha256()
                with tar.extractfile(member) as source, destination.open("wb") as copy:
                    while chunk := source.read(_CHUNK):
                        sha256.update(chunk)
                        copy.write(chunk)
                digests[member.name] = sha256.hexdigest()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(
            f"{archive} is damaged or not an Accord backup (a .tar.gz from "
            f"`manage.py backup`): {error}"
        ) from None
    if MANIFEST not in digests:
        raise BackupError(f"{archive} is not an Accord backup: it has no {MANIFEST}.")
    manifest = _read_manifest(staged / MANIFEST)
    if manifest is None:
        raise BackupError(f"{archive} is not an Accord backup: its {MANIFEST} is not one.")
    listed = manifest["files"]
    if manifest.get("format_version", 0) > FORMAT_VERSION:
        raise BackupError(
            f"{archive} was made by a newer version of Accord "
            f"({manifest.get('accord_version')}): upgrade first, then restore."
        )
    digests.pop(MANIFEST)
    missing = sorted(set(listed) - set(digests))
    if missing:
        raise BackupError(f"{archive} is damaged: it lacks {', '.join(missing)}.")
    unlisted = sorted(set(digests) - set(listed))
    if unlisted:
        raise BackupError(f"{archive} is damaged: {', '.join(unlisted)} are not in its {MANIFEST}.")
    changed = sorted(name for name, digest in digests.items() if listed[name] != digest)
    if changed:
        raise BackupError(
            f"{archive} is damaged: the checksum of {', '.join(changed)} does not match "
            f"its {MANIFEST}."
        )
    return manifest


def _read_manifest(path: Path) -> dict | None:
    """The manifest, or None when it is not one `backup` writes."""
    try:
        manifest = json.loads(path.read_bytes())
    except ValueError:
        return None
    shapes = {"database": dict, "migrations": dict, "rows": dict, "files": dict}
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    if not all(isinstance(manifest.get(key), shape) for key, shape in shapes.items()):
        return None
    if manifest["database"].get("file") not in DUMPS.values():
        return None
    if manifest["database"]["file"] not in manifest["files"]:
        return None
    # What the checks and the report read, of the types `backup` writes: a manifest edited
    # by hand is refused here, not by a traceback before or after the restore.
    version = manifest.get("format_version", 0)
    dumped_by = manifest["database"].get("pg_dump_version", 0)
    numbers = [version, dumped_by, *manifest["rows"].values()]
    texts = [
        manifest["database"].get("vendor"),
        manifest.get("created_at"),
        *manifest["migrations"].values(),
        *manifest["files"].values(),
    ]
    if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
        return None
    if not all(isinstance(text, str) for text in texts):
        return None
    return manifest


def _allowed(name: str) -> bool:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        return False
    return name in {MANIFEST, *DUMPS.values()} or (path.parts[0] == MEDIA and len(path.parts) > 1)


def _check_vendor(manifest: dict) -> None:
    made_on = manifest["database"]["vendor"]
    if made_on != connection.vendor:
        raise BackupError(
            f"This backup is of a {_vendor_name(made_on)} database and this installation "
            f"uses {_vendor_name(connection.vendor)}: a backup is restored on the same kind "
            "of database. To move from one to the other, export each alliance "
            "(`manage.py export_alliance`, or its page) and import it into the new "
            "installation (`manage.py import_alliance`)."
        )


def _vendor_name(vendor: str) -> str:
    return {"postgresql": "PostgreSQL", "sqlite": "SQLite"}.get(vendor, vendor)


def _check_migrations(manifest: dict) -> None:
    """Refuse a backup whose database has a migration this code does not know."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    known = set(loader.disk_migrations)
    for migration in loader.disk_migrations.values():
        known.update(migration.replaces)
    unknown = sorted(
        f"{app}.{name}" for app, name in manifest["migrations"].items() if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            f"This backup was made by a newer version of Accord "
            f"({manifest.get('accord_version')}; this is {accord_version()}): its database "
            f"has migrations this code does not have ({', '.join(unknown)}). Upgrade first, "
            "then restore."
        )


def _applied_latest() -> dict[str, str]:
    with connection.cursor() as cursor:
        if "django_migrations" not in connection.introspection.table_names(cursor):
            return {}
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        return _latest_migrations(cursor.fetchall())


def _check_empty() -> None:
    tables = connection.introspection.table_names()
    found = []
    if User._meta.db_table in tables and User.objects.exists():
        found.append(_counted(User.objects.count(), "account"))
    if Alliance._meta.db_table in tables and Alliance.objects.exists():
        found.append(_counted(Alliance.objects.count(), "alliance"))
    uploads = sum(1 for _ in _media_files())
    if uploads:
        found.append(f"{_counted(uploads, 'uploaded file')} in {settings.MEDIA_ROOT}")
    if found:
        held = " and ".join([", ".join(found[:-1]), found[-1]] if len(found) > 1 else found)
        raise BackupError(
            f"Restore puts a backup into an empty installation only, and this one holds {held}. "
            "Nothing was changed. Restore into a new database (created, migrated or not) "
            "with an empty MEDIA_ROOT."
        )


def _counted(count: int, thing: str) -> str:
    return f"{count} {thing}" if count == 1 else f"{count} {thing}s"


def _compare_rows(expected: dict[str, int]) -> list[str]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        found = _count_rows(cursor, [table for table in tables if table in expected])
    problems = [f"table {table} is missing" for table in sorted(set(expected) - set(found))]
    problems += [
        f"table {table} has {found[table]} rows, not {count}"
        for table, count in sorted(expected.items())
        if table in found and found[table] != count
    ]
    return problems


def _put_media(staged: Path) -> int:
    root = Path(settings.MEDIA_ROOT)
    count = 0
    if not staged.is_dir():
        return count
    for path in sorted(staged.rglob("*")):
        if path.is_file():
            destination = root / path.relative_to(staged)
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, destination)
            count += 1
    return count


def _compare_files(listed: dict[str, str]) -> list[str]:
    """Each uploaded file of the manifest, read back from MEDIA_ROOT."""
    root = Path(settings.MEDIA_ROOT)
    problems = []
    for name, digest in sorted(listed.items()):
        if not name.startswith(f"{MEDIA}/"):
            continue
        path = root / name.removeprefix(f"{MEDIA}/")
        if not path.is_file():
            problems.append(f"file {name} is missing")
        elif _sha256(path) != digest:
            problems.append(f"file {name} differs from the one backed up")
    return problems


def _sha256(path: Path) -> str:
    sha256 = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(_CHUNK):
            sha256.update(chunk)
    return sha256.hexdigest()


def _unopened_sealed_answers() -> int:
    """Sealed answers of open rounds that this server's keys do not open: the backup came
    from an installation with another SECRET_KEY."""
    unopened = 0
    for answer in SealedAnswer.objects.only("round_id", "blob").iterator():
        try:
            open_blob(answer.blob, round_id=answer.round_id)
        except SealError:
            unopened += 1
    return unopened
