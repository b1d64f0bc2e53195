"""Scheduled batch work: re-run documents that failed for a passing reason; the serve loop."""

from __future__ import annotations

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
from pathlib import Path

from prefect import flow
from sqlalchemy import select

from docintake.domain import Status
from docintake.exceptions import SetupError
from flows.context import PipelineContext
from flows.intake import TASKS, Stages, run_pipeline
from flows.stages import Outcome
from flows.watch import ERROR_SUFFIX, Folders, _move
from storage.db import Database
from storage.models import Document

log = logging.getLogger("docintake.batch")


def retryable_failures(ctx: PipelineContext, max_attempts: int) -> list[tuple[int, Path, str]]:
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
        return [(d.id, Path(d.archive_path or d.source_path), d.file_name) for d in docs]


def retry_failed(
    ctx: PipelineContext, folders: Folders, max_attempts: int = 5, use: Stages = TASKS
) -> list[Outcome]:
    """Process again, from the archived original, documents whose failure may have passed
    (timeouts, database trouble). A success moves the operator's copy from failed/ to done/."""
    outcomes = []
    for _doc_id, archived, file_name in retryable_failures(ctx, max_attempts):
        if not archived.exists():
            log.error("archived original %s is missing; cannot retry %s", archived, file_name)
            continue
        # Under its own name again, so messages and the record keep the operator's name.
        with tempfile.TemporaryDirectory(prefix="docintake-retry-") as tmp:
            copy = Path(tmp) / file_name
            shutil.copyfile(archived, copy)
            outcome = run_pipeline(ctx, copy, resume=False, use=use)
        outcomes.append(outcome)
        if outcome.status is not Status.FAILED:
            for copy in folders.failed.rglob(file_name):
                _move(copy, folders.failed, folders.done)
                note = copy.with_name(copy.name + ERROR_SUFFIX)
                note.unlink(missing_ok=True)
    return outcomes


@flow(name="retry-failed")
def retry_failed_flow(max_attempts: int = 5) -> int:
    """Scheduled entry point: settings are read here, at the edge, like the CLI does."""
    from docintake.settings import load_settings

    settings = load_settings()
    outcomes = retry_failed(
        PipelineContext.from_settings(settings), Folders.from_settings(settings), max_attempts
    )
    recovered = sum(o.status is not Status.FAILED for o in outcomes)
    log.info("retried %d failed document(s), %d now processed", len(outcomes), recovered)
    return recovered


def serve(ctx: PipelineContext, folders: Folders, *, cron: str, poll_seconds: float,
          stable_seconds: float) -> None:
    """Run the watcher in a thread and serve the retry deployment on its cron schedule.

    Schedules are created by a Prefect server's scheduler service, which the temporary
    in-process API does not run; without PREFECT_API_URL we start a local server ourselves.
    """
    from prefect import serve as prefect_serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    from flows.watch import Watcher

    with contextlib.ExitStack() as stack:
        if not PREFECT_API_URL.value():
            url = stack.enter_context(local_prefect_server())
            stack.enter_context(temporary_settings(updates={PREFECT_API_URL: url}))
        watcher = Watcher(ctx, folders, stable_seconds=stable_seconds)
        # The thread gets a copy of our context so it talks to the same Prefect API.
        thread = threading.Thread(
            target=contextvars.copy_context().run, args=(watcher.run_forever, poll_seconds),
            name="docintake-watch", daemon=True,
        )
        thread.start()
        deployment = retry_failed_flow.to_deployment(name="docintake-retry-failed", cron=cron)
        prefect_serve(deployment)  # type: ignore[arg-type]


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
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
             "--port", str(port), "--no-ui"],
            stdout=log_file, stderr=subprocess.STDOUT,
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


def _wait_healthy(proc: subprocess.Popen[bytes], url: str, log_name: str,
                  timeout: float) -> None:
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
