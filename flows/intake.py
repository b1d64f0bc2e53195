"""Prefect flows: one document (each stage a task), and a batch of files processed concurrently.

``run_pipeline`` is the one place that strings the stages together; ``docintake extract`` uses
the read-only part of it without Prefect (no ledger, nothing written).
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import ThreadPoolTaskRunner

from docintake.domain import Status
from docintake.exceptions import DocintakeError, DocumentError, SetupError
from flows import stages
from flows.context import PipelineContext
from flows.stages import Intake, Outcome

log = logging.getLogger("docintake.flows")

# Inputs (contexts, OCR text) are not worth hashing and results are kept in our own database.
_TASK_OPTS: dict[str, Any] = {"cache_policy": NO_CACHE, "persist_result": False}


@dataclass(frozen=True)
class Stages:
    """The stage callables a pipeline run uses: Prefect tasks, or the plain functions."""

    ingest: Callable[..., Intake]
    read_text: Callable[..., stages.TextResult]
    classify: Callable[..., Any]
    extract_fields: Callable[..., Any]
    match_ledger: Callable[..., Any]
    decide: Callable[..., Any]
    record: Callable[..., Outcome]
    record_failure: Callable[..., Outcome]


ingest_task = task(stages.ingest, name="ingest", **_TASK_OPTS)
read_text_task = task(stages.read_text, name="read-text", **_TASK_OPTS)
classify_task = task(stages.classify, name="classify", **_TASK_OPTS)
extract_fields_task = task(stages.extract_fields, name="extract-fields", **_TASK_OPTS)
match_ledger_task = task(stages.match_ledger, name="match-ledger", **_TASK_OPTS)
decide_task = task(stages.decide_document, name="decide", **_TASK_OPTS)
record_task = task(stages.record, name="record", **_TASK_OPTS)
record_failure_task = task(stages.record_failure, name="record-failure", **_TASK_OPTS)

TASKS = Stages(
    ingest=ingest_task,
    read_text=read_text_task,
    classify=classify_task,
    extract_fields=extract_fields_task,
    match_ledger=match_ledger_task,
    decide=decide_task,
    record=record_task,
    record_failure=record_failure_task,
)
PLAIN = Stages(
    ingest=stages.ingest,
    read_text=stages.read_text,
    classify=stages.classify,
    extract_fields=stages.extract_fields,
    match_ledger=stages.match_ledger,
    decide=stages.decide_document,
    record=stages.record,
    record_failure=stages.record_failure,
)


def run_pipeline(
    ctx: PipelineContext, path: Path, *, resume: bool = False, use: Stages = TASKS
) -> Outcome:
    """Take one file from bytes to a stored decision. Never raises for a bad document."""
    try:
        intake = use.ingest(ctx, path, resume)
    except DocumentError as e:
        return Outcome(file=path.name, sha256=None, status=Status.FAILED, reasons=(e.message,),
                       error=e.message, retryable=e.retryable)
    if intake.duplicate_of is not None or intake.finished:
        return stages.outcome_of(ctx, intake.document_id, path.name)
    try:
        read = use.read_text(ctx, intake.archive_path)
        doc_type = use.classify(read.text)
        extraction = use.extract_fields(read.text, doc_type)
        match = use.match_ledger(ctx, extraction)
        decision = use.decide(ctx, extraction, match)
        return use.record(ctx, intake, read, extraction, match, decision)
    except DocumentError as e:
        return use.record_failure(ctx, intake, e)
    except SetupError:
        raise  # the whole run must stop; the file stays where it is and is picked up later
    except DocintakeError as e:
        return use.record_failure(ctx, intake, _as_document_error(e.message))
    except Exception as e:  # a bug must not lose the file: record it and move on
        log.error("unexpected error on %s\n%s", path, traceback.format_exc())
        return use.record_failure(
            ctx, intake, _as_document_error(f"internal error ({type(e).__name__}: {e})")
        )


def _as_document_error(message: str) -> DocumentError:
    err = DocumentError(message)
    err.retryable = True
    return err


def extract_only(ctx: PipelineContext, path: Path) -> Outcome:
    """Fields and the fields-only decision for one file; no ledger, writes nothing."""
    sha: str | None = None
    try:
        read = stages.read_text(ctx, path)
        sha = read.source.sha256
        extraction = stages.extract_fields(read.text, stages.classify(read.text))
        decision = stages.decide_fields_only(ctx, extraction)
    except DocumentError as e:
        return Outcome(file=str(path), sha256=sha, status=Status.FAILED, reasons=(e.message,),
                       error=e.message, retryable=e.retryable)
    return Outcome(
        file=str(path),
        sha256=sha,
        status=Status.EXTRACTED,
        document_type=extraction.document_type.value,
        fields=extraction.fields_json(),
        needs_review=decision.needs_review,
        reasons=decision.reasons,
    )


@flow(name="process-document", log_prints=False)
def process_document(ctx: PipelineContext, path: Path, resume: bool = False) -> Outcome:
    """One document, each stage a task."""
    return run_pipeline(ctx, path, resume=resume)


@task(name="handle-file", **_TASK_OPTS)
def handle_file(ctx: PipelineContext, path: Path, resume: bool = False) -> Outcome:
    return run_pipeline(ctx, path, resume=resume)


@flow(name="process-batch", log_prints=False)
def process_batch(
    ctx: PipelineContext, paths: Sequence[Path], resume: Sequence[bool] | None = None
) -> list[Outcome]:
    """Many documents at once (``ctx.workers`` in parallel), each through the same stages."""
    flags = list(resume) if resume is not None else [False] * len(paths)
    futures = [handle_file.submit(ctx, p, r) for p, r in zip(paths, flags, strict=True)]
    return [f.result() for f in futures]


def run_batch(ctx: PipelineContext, paths: Sequence[Path], resume: Sequence[bool] | None = None,
              on_done: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Run the batch flow with the configured concurrency."""
    runner = ThreadPoolTaskRunner(max_workers=ctx.workers)  # type: ignore[var-annotated]
    flow_fn = process_batch.with_options(task_runner=runner)
    outcomes: list[Outcome] = flow_fn(ctx, list(paths), resume)
    if on_done is not None:
        for o in outcomes:
            on_done(o)
    return outcomes
