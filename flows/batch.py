"""Scheduled batch work: re-run documents that failed for a passing reason; the serve loop."""

from __future__ import annotations

import _thread
import contextlib
import contextvars
import logging
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from prefect import flow
from sqlalchemy import select

from docintake.domain import Status
from docintake.exceptions import SetupError
from flows.context import PipelineContext
from flows.intake import TASKS, Stages, run_pipeline
from flows.stages import Outcome
from flows.watch import ERROR_SUFFIX, Folders, move_within
from storage.db import Database
from storage.models import Document

log = logging.getLogger("docintake.batch")


@dataclass(frozen=True)
class RetryItem:
    document_id: int
    archived: Path
    file_name: str
    stored_path: Path | None  # the operator's copy in failed/, if the watcher put it there


def retryable_failures(ctx: PipelineContext, max_attempts: int) -> list[RetryItem]:
    db = Database(ctx.database_url, auto_migrate=False)
    with db.session() as s:
        docs = s.scalars(
            select(Document).where(
                Document.status == Status.FAILED,
                Document.error_retryable.is_(True),
                Document.attempts < max_attempts,
                Document.duplicate_of_id.is_(None),
            )
        )
        return [
            RetryItem(
                d.id,
                Path(d.archive_path or d.source_path),
                d.file_name,
                Path(d.stored_path) if d.stored_path else None,
            )
            for d in docs
        ]


def retry_failed(
    ctx: PipelineContext, folders: Folders, max_attempts: int = 5, use: Stages = TASKS
) -> list[Outcome]:
    """Process again, from the archived original, documents whose failure may have passed
    (timeouts, database trouble). A success moves the operator's copy from failed/ to done/."""
    outcomes = []
    failed_root = folders.failed.resolve()
    for item in retryable_failures(ctx, max_attempts):
        if not item.archived.exists():
            log.error(
                "archived original %s is missing; cannot retry %s", item.archived, item.file_name
            )
            continue
        # Under its own name again, so messages and the record keep the operator's name.
        with tempfile.TemporaryDirectory(prefix="docintake-retry-") as tmp:
            copy = Path(tmp) / item.file_name
            shutil.copyfile(item.archived, copy)
            outcome = run_pipeline(ctx, copy, resume=False, use=use)
        outcomes.append(outcome)
        stored = item.stored_path
        if (
            outcome.status is not Status.FAILED
            and stored is not None
            and stored.exists()
            and failed_root in stored.resolve().parents
        ):
            final = move_within(stored.resolve(), failed_root, folders.done.resolve())
            stored.with_name(stored.name + ERROR_SUFFIX).unlink(missing_ok=True)
            with Database(ctx.database_url, auto_migrate=False).session() as s:
                doc = s.get(Document, item.document_id)
                if doc is not None:
                    doc.stored_path = str(final.resolve())
    return outcomes


@flow(name="retry-failed")
def retry_failed_flow(
    home: str | None = None, database_url: str | None = None, max_attempts: int = 5
) -> int:
    """Scheduled entry point. Each scheduled run is a new process: the settings are read
    here, at the edge, with the home and database the serving command was given."""
    from docintake.settings import load_settings

    settings = load_settings(home=home, database_url=database_url)
    outcomes = retry_failed(
        PipelineContext.from_settings(settings), Folders.from_settings(settings), max_attempts
    )
    recovered = sum(o.status is not Status.FAILED for o in outcomes)
    log.info("retried %d failed document(s), %d now processed", len(outcomes), recovered)
    return recovered


def serve(
    ctx: PipelineContext,
    folders: Folders,
    *,
    home: Path,
    cron: str,
    poll_seconds: float,
    stable_seconds: float,
) -> None:
    """Run the watcher in a thread and serve the retry deployment on its cron schedule.

    Schedules are created by a Prefect server's scheduler service, which the temporary
    in-process API does not run; without PREFECT_API_URL we start a local server ourselves.
    If the watcher stops (e.g. tesseract removed), serving stops too and its error is raised.
    """
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.watch import Watcher

    watcher_error: list[BaseException] = []

    def watch() -> None:
        try:
            watcher.run_forever(poll_seconds)
        except BaseException as e:  # reported by the main thread below
            watcher_error.append(e)
            _thread.interrupt_main()

    with contextlib.ExitStack() as stack:
        if not PREFECT_API_URL.value():
            url = stack.enter_context(local_prefect_server())
            stack.enter_context(temporary_settings(updates={PREFECT_API_URL: url}))
        watcher = Watcher(ctx, folders, stable_seconds=stable_seconds)
        # The thread gets a copy of our context so it talks to the same Prefect API.
        thread = threading.Thread(
            target=contextvars.copy_context().run,
            args=(watch,),
            name="docintake-watch",
            daemon=True,
        )
        thread.start()
        deployment = retry_failed_flow.to_deployment(
            name="docintake-retry-failed",
            cron=cron,
            parameters={"home": str(home.resolve()), "database_url": ctx.database_url},
        )
        try:
            prefect_serve(deployment)  # type: ignore[arg-type]
        except KeyboardInterrupt:
            if not watcher_error:
                raise
    if watcher_error:
        raise watcher_error[0]


@contextlib.contextmanager
def local_prefect_server(timeout: float = 90.0) -> Iterator[str]:
    """A Prefect server on a free loopback port for as long as the block runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    with tempfile.NamedTemporaryFile(
        prefix="docintake-prefect-server-", suffix=".log", delete=False
    ) as log_file:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "prefect",
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-ui",
            ],
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(proc, url, log_file.name, timeout)
            log.info("local Prefect server at %s", url)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log_name: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if proc.poll() is not None:
            raise SetupError(f"The local Prefect server stopped at start; see {log_name}.")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise SetupError(
                f"The local Prefect server did not start within {timeout:.0f} s; see "
                f"{log_name}, or set PREFECT_API_URL to a running Prefect server."
            )
        time.sleep(0.5)
