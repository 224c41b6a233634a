"""A throwaway PostgreSQL + PostGIS cluster for the tests (initdb/pg_ctl, Unix socket only).

The cluster lives in a temporary folder, listens on no TCP port at all (``listen_addresses=''``,
a Unix socket in its own folder) and is stopped and removed at the end of the session. One
database, ``sozialraum_test``, is migrated once (``sozialraum.db.migrate.upgrade``); every test
gets it emptied (:meth:`PostgresCluster.clean`), or a new empty one (:meth:`create_database`).

As root (this machine, CI containers) initdb refuses to run, so the server runs as the
``postgres`` system user (created by Debian's package) via ``runuser``.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import quote

#: Tables the tests never empty (PostGIS's reference table, Alembic's revision).
_KEEP = ("spatial_ref_sys", "alembic_version")


class PostgresMissing(RuntimeError):
    """initdb/pg_ctl or the PostGIS extension are not installed."""


def find_bindir() -> Path:
    """The folder with initdb and pg_ctl (PATH, else the newest /usr/lib/postgresql/N/bin)."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name),
    )
    if not candidates:
        raise PostgresMissing(
            "PostgreSQL is not installed (initdb not found); `make setup-test` installs it as "
            "root (apt-get install postgresql postgresql-postgis)"
        )
    return Path(candidates[-1]).parent


def check_postgis(bindir: Path) -> None:
    """Raise :class:`PostgresMissing` if the server of ``bindir`` has no PostGIS extension."""
    sharedir = subprocess.run(
        [str(bindir / "pg_config"), "--sharedir"], capture_output=True, text=True, check=False
    ).stdout.strip() or str(Path("/usr/share/postgresql") / bindir.parent.name)
    if not list(Path(sharedir, "extension").glob("postgis.control")):
        raise PostgresMissing(
            f"PostGIS is not installed for {bindir} (apt-get install postgresql-postgis)"
        )


class PostgresCluster:
    """A running throwaway cluster; :meth:`start` and :meth:`stop`."""

    def __init__(self, bindir: Path | None = None, *, durable: bool = False):
        self.bindir = bindir or find_bindir()
        check_postgis(self.bindir)
        self.root = Path(tempfile.mkdtemp(prefix="sozialraum-pg-"))
        self.datadir = self.root / "data"
        self.socket_dir = self.root  # short path: a Unix socket path has ~100 characters
        self._prefix: list[str] = []
        self._uid = None
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            self._prefix = ["runuser", "-u", "postgres", "--"]
            self._uid = (user.pw_uid, user.pw_gid)
            os.chown(self.root, *self._uid)
        #: fsync and synchronous commit on (benchmarks); off for the tests' speed
        self.durable = durable
        self.dbname = "sozialraum_test"
        self._created = 0

    def _run(self, *args: str) -> None:
        result = subprocess.run(
            [*self._prefix, *args], capture_output=True, text=True, check=False, cwd=self.root
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stdout}{result.stderr}{tail}")

    def url(self, dbname: str | None = None) -> str:
        """libpq URL of ``dbname`` (default: the migrated test database) over the socket."""
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://postgres@/{dbname or self.dbname}?host={host}"

    def start(self) -> PostgresCluster:
        """initdb, start on the socket, create and migrate the test database."""
        self._run(
            str(self.bindir / "initdb"),
            "-D",
            str(self.datadir),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        options = f"-k {self.socket_dir} -c listen_addresses='' -c max_connections=60"
        if not self.durable:
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        self._run(
            str(self.bindir / "pg_ctl"),
            "-D",
            str(self.datadir),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
            "-w",
            "start",
        )
        self.create_database(self.dbname)
        from sozialraum.db.migrate import upgrade

        upgrade(self.url())
        return self

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database with PostGIS (not migrated); returns its URL."""
        import psycopg

        if name is None:
            self._created += 1
            name = f"extra_{self._created}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        with psycopg.connect(self.url(name), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        return self.url(name)

    def clone_database(self, template: str) -> str:
        """A new database copied from ``template`` (which nobody may be connected to)."""
        import psycopg

        self._created += 1
        name = f"clone_{self._created}"
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
        return self.url(name)

    def drop_database(self, url: str) -> None:
        """Close this process's pool for ``url`` and drop its database."""
        import psycopg

        from sozialraum.db import close_pool

        close_pool(url)
        name = url.split("/")[-1].split("?")[0]
        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def clean(self) -> str:
        """Empty every table of the test database (the schema stays); returns its URL."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = 'public'"
                )
                if row[0] not in _KEEP
            ]
            if tables:
                conn.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        return self.url()

    def stop(self) -> None:
        """Stop the server (fast shutdown) and remove its folder."""
        from sozialraum.db import close_pools

        close_pools()
        try:
            if (self.datadir / "postmaster.pid").exists():
                self._run(
                    str(self.bindir / "pg_ctl"), "-D", str(self.datadir), "-m", "fast", "stop"
                )
        finally:
            shutil.rmtree(self.root, ignore_errors=True)
