"""`flask backup` and `flask restore`: one file that holds everything a restore needs.

The file is a gzip'd tar:
- manifest.json — format version, when, the Alembic revision, the database kind, counts of the
  key tables (counted in the same snapshot as the copy), the app version, the site's domain and
  address, and how the secret key travels (see below);
- database.sqlite3 (SQLite, copied through sqlite3's online backup API, so committed rows still
  in the WAL file are in it) or database.pgdump (PostgreSQL, `pg_dump --format=custom` inside a
  REPEATABLE READ snapshot whose counts the manifest holds);
- instance/secret_key when the app's SECRET_KEY lives there (generated on first start).

Why the key: private feed URLs are HMAC(SECRET_KEY, nonce) and only their hash is stored. With
another key the URLs people hold keep working, but the Subscribe page would show each person a
new URL that answers 404 (and every session and signed link would end). A restore therefore puts
the backed-up key back into instance/ when the key lives there, and says exactly what to set
when it comes from the environment or instance/config.py.

A restore goes into an empty database (no rows in any table; tables from `flask db upgrade`
are fine) and refuses a non-empty one unless forced, refuses a backup made by newer code than
this (a revision this code does not know), then migrates the restored database to head."""

import hashlib
import hmac
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from flask import current_app

from events.extensions import db

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
KEY_MEMBER = "instance/secret_key"
DOCUMENTS = "agreements/"  # signed agreement PDFs, named by their SHA-256
_DOCUMENT_NAME = re.compile(r"[0-9a-f]{64}\.pdf")
# Counted into the manifest and checked after a restore.
KEY_TABLES = ("partners", "users", "events", "registrations", "contributions", "agreements",
              "audit_entries", "outbox_messages", "feed_tokens")
_FINGERPRINT_LABEL = b"joint-events backup: which secret key"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what to do."""


# ---- shared helpers -----------------------------------------------------------------------

def app_version() -> str:
    try:
        return metadata.version("joint-events")
    except metadata.PackageNotFoundError:
        return "unknown"


def key_fingerprint(secret_key: str | bytes) -> str:
    """Tells two keys apart without revealing either."""
    key = secret_key.encode() if isinstance(secret_key, str) else secret_key
    return hmac.new(key, _FINGERPRINT_LABEL, hashlib.sha256).hexdigest()[:16]


def instance_key_path() -> Path:
    return Path(current_app.instance_path) / "secret_key"


def key_lives_in_instance() -> bool:
    """The app's key is the one generated into instance/secret_key (not set in the
    environment or instance/config.py)."""
    path = instance_key_path()
    if not path.exists():
        return False
    return path.read_text().strip() == str(current_app.config["SECRET_KEY"])


def documents_folder() -> Path:
    """Where signed agreement PDFs are kept (events/agreements/views.py reads the same)."""
    return Path(current_app.config.get("AGREEMENT_FILES")
                or Path(current_app.instance_path) / "agreements")


def _documents() -> list[Path]:
    """Every stored PDF. Listed after the database copy: a file is written before the commit
    that names it, so every file the copy names is here (a newer one is harmless)."""
    folder = documents_folder()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and _DOCUMENT_NAME.fullmatch(p.name))


def script_directory() -> ScriptDirectory:
    return ScriptDirectory(str(Path(current_app.root_path) / "events" / "migrations"))


def code_head() -> str:
    return script_directory().get_current_head()


def database_kind(engine: sa.Engine | None = None) -> str:
    name = (engine or db.engine).dialect.name
    if name not in ("sqlite", "postgresql"):
        raise BackupError(f"backups support SQLite and PostgreSQL, not {name}")
    return name


def _counts(conn: sa.Connection) -> dict[str, int]:
    present = set(sa.inspect(conn).get_table_names())
    return {table: conn.exec_driver_sql(f"SELECT count(*) FROM {table}").scalar()  # noqa: S608
            for table in KEY_TABLES if table in present}


def _revision(conn: sa.Connection) -> str | None:
    if "alembic_version" not in set(sa.inspect(conn).get_table_names()):
        return None
    return conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


# ---- PostgreSQL tools ---------------------------------------------------------------------

def _libpq(url: sa.URL) -> tuple[str, dict]:
    """A libpq connection URI for pg_dump/pg_restore, and the environment carrying the password
    (never on the command line, where `ps` shows it)."""
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _server_major(conn: sa.Connection) -> int:
    return int(conn.exec_driver_sql("SHOW server_version_num").scalar()) // 10000


def pg_tool(name: str, server_major: int) -> str:
    """pg_dump or pg_restore of the server's major version (or newer): PG_BIN_DIR, then
    /usr/lib/postgresql/<major>/bin, then the PATH."""
    candidates = []
    if os.environ.get("PG_BIN_DIR"):
        candidates.append(Path(os.environ["PG_BIN_DIR"]) / name)
    candidates.append(Path(f"/usr/lib/postgresql/{server_major}/bin/{name}"))
    found = shutil.which(name)
    if found:
        candidates.append(Path(found))
    for path in candidates:
        if not path.exists():
            continue
        output = subprocess.run([str(path), "--version"],  # noqa: S603 — our own paths
                                capture_output=True, text=True, check=False).stdout
        match = re.search(r"\)\s*(\d+)", output)  # "pg_dump (PostgreSQL) 15.20 (Debian…)"
        if match and int(match.group(1)) >= server_major:
            return str(path)
    raise BackupError(
        f"no {name} for PostgreSQL {server_major} or newer: install the client of the server's "
        f"version (postgresql-client-{server_major}) or set PG_BIN_DIR to its bin directory")


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, capture_output=True, text=True, env=env,  # noqa: S603
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {result.stderr.strip()[-2000:]}")


# ---- backup -------------------------------------------------------------------------------

def default_backup_name(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"joint-events-{now:%Y%m%d-%H%M%S}.tar.gz"


def _sqlite_copy(engine: sa.Engine, target: Path) -> tuple[dict, str | None]:
    """The online backup API in one step: a consistent snapshot, WAL content included, while
    writers carry on (WAL lets them)."""
    source_path = engine.url.database
    if not source_path or source_path == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    source = sqlite3.connect(source_path, timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        source.close()
        copy.close()
    copy_engine = sa.create_engine(f"sqlite:///{target}")
    try:
        with copy_engine.connect() as conn:
            return _counts(conn), _revision(conn)
    finally:
        copy_engine.dispose()


def _pg_dump(engine: sa.Engine, target: Path) -> tuple[dict, str | None]:
    """pg_dump in the snapshot this connection exported: the counts and the revision read in
    that same snapshot describe exactly what the dump holds."""
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar()
            counts, revision = _counts(conn), _revision(conn)
            uri, env = _libpq(engine.url)
            tool = pg_tool("pg_dump", _server_major(conn))
            _run([tool, "--format=custom", "--no-owner", "--no-privileges",
                  f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"], env)
    return counts, revision


@dataclass
class BackupResult:
    path: Path
    manifest: dict


def create_backup(output: str | Path | None = None) -> BackupResult:
    """Write the backup file; returns it and its manifest."""
    config = current_app.config
    engine = db.engine
    kind = database_kind(engine)
    path = Path(output) if output else Path.cwd() / default_backup_name()
    if path.is_dir():
        path = path / default_backup_name()
    path.parent.mkdir(parents=True, exist_ok=True)
    created_at = datetime.now(UTC)
    in_instance = key_lives_in_instance()
    with tempfile.TemporaryDirectory(prefix="je-backup-") as work:
        member = SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER
        copy = Path(work) / member
        if kind == "sqlite":
            counts, revision = _sqlite_copy(engine, copy)
        else:
            counts, revision = _pg_dump(engine, copy)
        if revision is None:
            raise BackupError("the database has no schema yet (run `flask db upgrade`)")
        documents = _documents()
        manifest = {
            "format_version": FORMAT_VERSION,
            "created_at": created_at.isoformat(timespec="seconds"),
            "alembic_revision": revision,
            "database": kind,
            "counts": counts,
            "app_version": app_version(),
            "site": {"SITE_DOMAIN": config["SITE_DOMAIN"],
                     "SITE_URL": config["SITE_URL"] if config.get("SITE_URL_EXPLICIT") else None},
            "secret_key": {"in_backup": in_instance,
                           "fingerprint": key_fingerprint(config["SECRET_KEY"])},
            "files": [member] + ([KEY_MEMBER] if in_instance else []),
            "agreement_documents": len(documents),
        }
        partial = path.with_name(path.name + ".partial")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz",
                                                      compresslevel=1) as archive:
            _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=2).encode() + b"\n")
            archive.add(copy, arcname=member, filter=_private)
            if in_instance:
                _add_bytes(archive, KEY_MEMBER, instance_key_path().read_bytes())
            for document in documents:
                archive.add(document, arcname=DOCUMENTS + document.name, filter=_private)
        partial.replace(path)  # a file under the final name is always complete
    return BackupResult(path, manifest)


def _private(info: tarfile.TarInfo) -> tarfile.TarInfo:
    """Members readable by the owner only (the database holds password hashes)."""
    info.mode, info.uid, info.gid, info.uname, info.gname = 0o600, 0, 0, "", ""
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


# ---- restore ------------------------------------------------------------------------------

def read_manifest(path: str | Path) -> dict:
    try:
        with tarfile.open(path, "r:*") as archive:
            member = archive.extractfile(MANIFEST)
            manifest = json.load(member)
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(f"{path} is not a Joint Events backup ({error})") from error
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"backup format {manifest.get('format_version')!r} is not one this "
                          f"version reads ({FORMAT_VERSION})")
    return manifest


def check_revision(revision: str, made_by: str = "?") -> None:
    """Refuse a backup made by code newer than this: its revision is not among ours."""
    scripts = script_directory()
    try:
        known = scripts.get_revision(revision)
    except Exception:
        known = None
    if known is None:
        raise BackupError(
            f"the backup's schema revision {revision!r} is newer than this code's "
            f"({code_head()!r}): install the version that made the backup "
            f"(app {made_by}) or a later one, then restore")


def database_rows(engine: sa.Engine) -> int:
    """Rows in the app's tables (0 for a new or only-migrated database)."""
    with engine.connect() as conn:
        present = set(sa.inspect(conn).get_table_names())
        tables = [t.name for t in db.metadata.sorted_tables if t.name in present]
        return sum(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()  # noqa: S608
                   for t in tables)


def _sqlite_restore(engine: sa.Engine, copy: Path) -> None:
    target = engine.url.database
    if not target or target == ":memory:":
        raise BackupError("cannot restore into an in-memory SQLite database")
    engine.dispose()
    source = sqlite3.connect(copy)
    destination = sqlite3.connect(target, timeout=60)
    try:
        source.backup(destination)  # replaces every page, WAL included
    finally:
        source.close()
        destination.close()


def _pg_restore(engine: sa.Engine, copy: Path) -> None:
    with engine.connect() as conn:
        major = _server_major(conn)
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
        conn.commit()
    engine.dispose()
    uri, env = _libpq(engine.url)
    _run([pg_tool("pg_restore", major), "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--dbname={uri}", str(copy)], env)


@dataclass
class RestoreResult:
    manifest: dict
    revision_before: str
    revision_after: str
    counts: dict[str, int]
    lines: list[str] = field(default_factory=list)  # what happened, for people


def restore_backup(path: str | Path, *, force: bool = False) -> RestoreResult:
    """Restore the file into the app's database, migrate it to head, put the secret key and
    the site settings where they belong (or say what to set)."""
    from flask_migrate import upgrade

    manifest = read_manifest(path)
    engine = db.engine
    kind = database_kind(engine)
    if manifest["database"] != kind:
        raise BackupError(f"this backup holds a {manifest['database']} database; the app is "
                          f"configured for {kind} (DATABASE_URL)")
    revision = manifest["alembic_revision"]
    check_revision(revision, manifest.get("app_version", "?"))
    db.session.remove()
    rows = database_rows(engine)
    if rows and not force:
        raise BackupError(f"the database is not empty ({rows} rows): restore into an empty "
                          f"one, or add --force to replace everything in it")
    member = SQLITE_MEMBER if kind == "sqlite" else PG_MEMBER
    lines = [f"backup of {manifest['created_at']} (app {manifest.get('app_version')}, "
             f"revision {revision})"]
    if rows:
        lines.append(f"replaced a database holding {rows} rows (--force)")
    with tempfile.TemporaryDirectory(prefix="je-restore-") as work:
        with tarfile.open(path, "r:*") as archive:
            names = archive.getnames()
            if member not in names:
                raise BackupError(f"{path} holds no {member}")
            archive.extract(member, work, filter="data")
            key = (archive.extractfile(KEY_MEMBER).read().decode().strip()
                   if KEY_MEMBER in names else None)
            documents = _restore_documents(archive, names)
        if kind == "sqlite":
            _sqlite_restore(engine, Path(work) / member)
        else:
            _pg_restore(engine, Path(work) / member)
    engine.dispose()
    upgrade(revision="heads")
    db.session.remove()
    with engine.connect() as conn:
        counts, after = _counts(conn), _revision(conn)
    for table, expected in manifest["counts"].items():
        if counts.get(table) != expected:
            raise BackupError(f"restored {table} holds {counts.get(table)} rows, the backup "
                              f"{expected}: the file is damaged")
    lines.append(f"database restored: {', '.join(f'{n} {t}' for t, n in counts.items())}")
    lines.append(f"migrated {revision} -> {after}" if after != revision
                 else f"schema already at head ({after})")
    lines.append(_documents_line(documents))
    lines += _restore_key(manifest, key, counts.get("feed_tokens", 0))
    lines += _site_settings(manifest)
    return RestoreResult(manifest, revision, after, counts, lines)


def _restore_documents(archive: tarfile.TarFile, names: list[str]) -> tuple[int, int]:
    """Put the backed-up agreement PDFs where the app keeps them (a file already there has
    the same content: its name is its SHA-256). Returns (written, already there)."""
    folder = documents_folder()
    written = present = 0
    for name in names:
        if not name.startswith(DOCUMENTS) or not _DOCUMENT_NAME.fullmatch(name[len(DOCUMENTS):]):
            continue
        target = folder / name[len(DOCUMENTS):]
        if target.exists():
            present += 1
            continue
        folder.mkdir(parents=True, exist_ok=True)
        data = archive.extractfile(name).read()
        if hashlib.sha256(data).hexdigest() + ".pdf" != target.name:
            raise BackupError(f"{name} in the backup is damaged (its checksum differs)")
        partial = target.with_name(target.name + ".partial")
        partial.write_bytes(data)
        partial.replace(target)
        written += 1
    return written, present


def _documents_line(documents: tuple[int, int]) -> str:
    written, present = documents
    wanted = db.session.scalars(sa.text(
        "SELECT document_sha256 FROM agreements WHERE document_sha256 IS NOT NULL")).all()
    db.session.rollback()
    missing = [sha for sha in wanted if not (documents_folder() / f"{sha}.pdf").exists()]
    line = (f"signed agreement PDFs: {written} written to {documents_folder()}"
            + (f", {present} already there" if present else ""))
    if missing:
        line += f"; {len(missing)} named by agreements are missing (upload them again)"
    return line


def _restore_key(manifest: dict, key: str | None, feeds: int) -> list[str]:
    """Put the backed-up key where the app reads it, or say what to set; and what that means
    for the private feed URLs."""
    config = current_app.config
    backed_up = manifest["secret_key"]["fingerprint"]
    feed_words = f"{feeds} private feed URL{'s' if feeds != 1 else ''}"
    if key_fingerprint(config["SECRET_KEY"]) == backed_up:
        return [f"SECRET_KEY: the same as the backed-up host's; {feed_words} keep working and "
                f"the Subscribe page shows the same URLs."]
    path = instance_key_path()
    here_in_instance = key_lives_in_instance()  # no file: the key is set elsewhere
    if key is not None and here_in_instance:
        lines = []
        if path.exists():
            kept = path.with_name(f"secret_key.before-restore-{datetime.now(UTC):%Y%m%d%H%M%S}")
            path.replace(kept)
            lines.append(f"SECRET_KEY: this host's own key moved to {kept}")
        _write_secret(path, key)
        return [*lines,
                f"SECRET_KEY: wrote the backed-up key to {path}; restart the web and worker "
                f"processes so they read it. Then {feed_words} keep working, the Subscribe "
                f"page shows the same URLs as before, and sessions and e-mailed links stay "
                f"valid."]
    if key is not None:
        spare = path.with_name("secret_key.from-backup")
        _write_secret(spare, key)
        return [f"SECRET_KEY: this host sets its own key (environment or instance/config.py) "
                f"and it differs from the backed-up one, which was written to {spare}. Set "
                f"SECRET_KEY to its content (SECRET_KEY=$(cat {spare})) and restart. Until "
                f"then the {feed_words} people hold keep working, but the Subscribe page "
                f"shows each of them a new URL that answers 404, and everyone must sign in "
                f"again."]
    return [f"SECRET_KEY: differs from the backed-up host's, whose key came from its "
            f"environment or instance/config.py and is not in the backup. Set SECRET_KEY to "
            f"that host's value and restart. Until then the {feed_words} people hold keep "
            f"working, but the Subscribe page shows each of them a new URL that answers 404, "
            f"and everyone must sign in again."]


def _write_secret(path: Path, key: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")


def _site_settings(manifest: dict) -> list[str]:
    """SITE_DOMAIN makes the events' calendar UIDs and SITE_URL every absolute link: a restored
    site should keep both. Written to instance/config.py when there is none, else said."""
    config = current_app.config
    wanted = {name: value for name, value in manifest.get("site", {}).items() if value}
    current = {"SITE_DOMAIN": config["SITE_DOMAIN"],
               "SITE_URL": config["SITE_URL"] if config.get("SITE_URL_EXPLICIT") else None}
    differ = {name: value for name, value in wanted.items() if current.get(name) != value}
    if not differ:
        return ["SITE_DOMAIN and SITE_URL: as on the backed-up host"]
    settings = "".join(f"{name} = {value!r}\n" for name, value in sorted(differ.items()))
    path = Path(current_app.instance_path) / "config.py"
    env_set = [name for name in differ if os.environ.get(name)]
    if not path.exists() and not env_set:
        path.write_text("# Written by `flask restore`: the backed-up host's site settings.\n"
                        + settings)
        return [f"site settings: wrote {', '.join(sorted(differ))} to {path} (restart to "
                f"read them)"]
    return ["site settings differ from the backed-up host's: set "
            + ", ".join(f"{name}={value}" for name, value in sorted(differ.items()))
            + " (environment or instance/config.py) and restart; calendar apps see every "
              "event as new under another SITE_DOMAIN"]


# ---- commands -----------------------------------------------------------------------------

def register_commands(app) -> None:
    import click

    @app.cli.command("backup")
    @click.option("--output", "-o", type=click.Path(dir_okay=True, writable=True),
                  help="File (or directory) to write; default joint-events-<time>.tar.gz here.")
    def backup_command(output):
        """Write a consistent backup (database, manifest, secret key) while the app serves."""
        try:
            result = create_backup(output)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        manifest = result.manifest
        counts = ", ".join(f"{n} {t}" for t, n in manifest["counts"].items())
        click.echo(f"wrote {result.path} ({result.path.stat().st_size} bytes)")
        click.echo(f"revision {manifest['alembic_revision']}, {manifest['database']}: {counts}")
        click.echo("secret key: " + ("included (it lives in instance/)"
                                     if manifest["secret_key"]["in_backup"] else
                                     "NOT included (set in the environment or config.py): "
                                     "keep it with the backup"))

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False))
    @click.option("--force", is_flag=True,
                  help="Replace a database that already holds data.")
    def restore_command(file, force):
        """Restore a backup into an empty database, then migrate it to head. Stop the web
        and worker processes first."""
        try:
            result = restore_backup(file, force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from error
        for line in result.lines:
            click.echo(line)

