"""Scheduled batch work: re-run documents that failed for a passing reason; the serve loop."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from pathlib import Path

from prefect import flow
from sqlalchemy import select

from docintake.domain import Status
from flows.context import PipelineContext
from flows.intake import run_pipeline
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


def retry_failed(ctx: PipelineContext, folders: Folders, max_attempts: int = 5) -> list[Outcome]:
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
            outcome = run_pipeline(ctx, copy, resume=False)
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
    """Run the watcher in a thread and serve the retry deployment on its cron schedule."""
    from prefect import serve as prefect_serve

    from flows.watch import Watcher

    watcher = Watcher(ctx, folders, stable_seconds=stable_seconds)
    thread = threading.Thread(
        target=watcher.run_forever, args=(poll_seconds,), name="docintake-watch", daemon=True
    )
    thread.start()
    deployment = retry_failed_flow.to_deployment(name="docintake-retry-failed", cron=cron)
    prefect_serve(deployment)  # type: ignore[arg-type]
