"""Shared fixtures: a temporary database, small ledger files, and a document factory.

Prefect is isolated at import time, before any test module imports it: its home (and so its
database and profiles) lives in a throw-away folder, telemetry is off, and it logs quietly.
"""

from __future__ import annotations

import atexit
import csv
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

_PREFECT_HOME = tempfile.mkdtemp(prefix="docintake-tests-prefect-")
os.environ["PREFECT_HOME"] = _PREFECT_HOME
# Registered before Prefect is imported, so it runs after Prefect's own exit handlers have
# stopped its ephemeral server (atexit runs handlers last-in, first-out).
atexit.register(shutil.rmtree, _PREFECT_HOME, ignore_errors=True)
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

import pytest  # noqa: E402
from db_rows import add_document  # noqa: E402

from storage.db import Database  # noqa: E402
from storage.ledger_import import BILL_COLUMNS, CUSTOMER_COLUMNS, import_ledger  # noqa: E402

# A small ledger used by the review tests (and any test wanting "the usual" customers).
CUSTOMERS: list[tuple[str, ...]] = [
    (
        "C1",
        "Sri Murni Mart Sdn Bhd",
        "Lot 23, Jalan Bukit Bintang, 55100 Kuala Lumpur",
        "1187342-K",
        "accounts@srimurni.com.my",
        "+60 3-2141 7785",
    ),
    (
        "C2",
        "Tan Brothers Trading Pte Ltd",
        "18 Jurong Port Road, #02-07, Singapore 619094",
        "199804512N",
        "ap@tanbrothers.com.sg",
        "+65 6261 4408",
    ),
]
BILLS: list[tuple[str, ...]] = [
    ("B1", "C1", "CS-041827", "2026-03-14", "2026-04-13", "MYR", "60.30", "open"),
    ("B2", "C1", "CS-041900", "2026-03-20", "2026-04-19", "MYR", "100.00", "open"),
    ("B3", "C2", "TBT-0417", "2026-02-09", "2026-03-11", "SGD", "500.00", "open"),
    ("B4", "C1", "CS-039554", "2026-02-27", "2026-03-29", "MYR", "60.30", "paid"),
]


@pytest.fixture(autouse=True)
def _clean_docintake_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from DOCINTAKE_* variables; a developer's shell must not leak in."""
    for name in list(os.environ):
        if name.startswith("DOCINTAKE_") and not name.startswith("DOCINTAKE_TEST_"):
            monkeypatch.delenv(name)


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def write_ledger(tmp_path: Path) -> Callable[..., tuple[Path | None, Path | None]]:
    """``write_ledger(customers=rows, bills=rows, tag="x")`` -> (customers.csv, bills.csv)."""

    def write(
        customers: Iterable[Sequence[str]] | None = None,
        bills: Iterable[Sequence[str]] | None = None,
        tag: str = "",
    ) -> tuple[Path | None, Path | None]:
        c_path = b_path = None
        if customers is not None:
            c_path = write_csv(tmp_path / f"customers{tag}.csv", CUSTOMER_COLUMNS, customers)
        if bills is not None:
            b_path = write_csv(tmp_path / f"bills{tag}.csv", BILL_COLUMNS, bills)
        return c_path, b_path

    return write


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    # Named like the CLI's default database so `docintake --home tmp_path` finds the same file.
    return f"sqlite:///{tmp_path}/docintake.db"


@pytest.fixture(scope="session")
def _migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated by Alembic per session; each test gets a copy (much faster)."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    Database(f"sqlite:///{path}")
    return path


@pytest.fixture
def db(db_url: str, _migrated_template: Path) -> Database:
    target = Path(db_url.removeprefix("sqlite:///"))
    # The backup API copies a consistent snapshot, including pages still in the WAL.
    with sqlite3.connect(_migrated_template) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return Database(db_url, auto_migrate=False)


@pytest.fixture
def ledger_db(db: Database, write_ledger: Callable[..., Any]) -> Database:
    """The database with the small standard ledger (CUSTOMERS, BILLS) imported."""
    customers, bills = write_ledger(CUSTOMERS, BILLS, tag="-std")
    with db.session() as s:
        report = import_ledger(s, customers, bills)
    assert report.errors == []
    assert report.inserted == {"customers": len(CUSTOMERS), "bills": len(BILLS)}
    return db


@pytest.fixture
def make_document(db: Database) -> Callable[..., int]:
    """Insert a document waiting for review and return its id (``db_rows.add_document``)."""

    def make(fields: dict[str, Any] | None = None, **kwargs: Any) -> int:
        return add_document(db, fields, **kwargs)

    return make
