"""Engine, sessions and migrations. One session per unit of work."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

import storage.ledger_index  # noqa: F401  (registers the hooks that keep the matching index)
from docintake.exceptions import DatabaseError

MIGRATIONS = Path(__file__).parent / "migrations"


# How long to wait for a database server before saying it is not there.
CONNECT_TIMEOUT_SECONDS = 10


def _sqlite_connect(dbapi_conn, _record) -> None:  # type: ignore[no-untyped-def]
    # WAL lets the watcher write while a reviewer reads; busy_timeout makes concurrent
    # writers wait instead of failing at once.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
    # We issue BEGIN ourselves (below), so the driver must not.
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn) -> None:  # type: ignore[no-untyped-def]
    # SQLite ignores SELECT ... FOR UPDATE. BEGIN IMMEDIATE takes the write lock at the start
    # of each unit of work, so check-then-write sequences (settling a bill, a second approval)
    # cannot interleave, even across processes.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


@lru_cache(maxsize=8)
def get_engine(url: str) -> Engine:
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        folder = Path(url.removeprefix("sqlite:///")).parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise DatabaseError(f"Cannot create the database folder {folder}: {e}") from e
    try:
        connect_args = (
            {"connect_timeout": CONNECT_TIMEOUT_SECONDS} if url.startswith("postgresql") else {}
        )
        engine = create_engine(url, pool_pre_ping=True, connect_args=connect_args)
    except (SQLAlchemyError, ImportError, ValueError) as e:
        raise DatabaseError(f"Cannot use database URL {_safe(url)}: {e}") from e
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
    return engine


def migrate(url: str) -> None:
    """Bring the schema up to date (idempotent)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    try:
        with get_engine(url).begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
    except SQLAlchemyError as e:
        raise DatabaseError(f"Cannot prepare the database at {_safe(url)}: {e}") from e


def _safe(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<invalid url>"


class Database:
    """Holds the session factory for one database URL."""

    def __init__(self, url: str, *, auto_migrate: bool = True) -> None:
        self.url = url
        if auto_migrate:
            migrate(url)
        self._factory = sessionmaker(get_engine(url), expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on any error."""
        session = self._factory()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
