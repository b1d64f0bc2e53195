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
from typing import Any, ParamSpec, TypeVar

from prefect import Task, flow, task
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from docintake.exceptions import DocintakeError, DocumentError, SetupError
from flows import progress, stages
from flows.context import PipelineContext
from flows.stages import Intake, Outcome

log = logging.getLogger("docintake.flows")

P = ParamSpec("P")
R = TypeVar("R")


def _as_task(fn: Callable[P, R], name: str) -> Task[P, R]:
    # Inputs (contexts, OCR text) are not worth hashing; results live in our own database.
    return task(name=name, cache_policy=NO_CACHE, persist_result=False)(fn)


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


ingest_task = _as_task(stages.ingest, "ingest")
read_text_task = _as_task(stages.read_text, "read-text")
classify_task = _as_task(stages.classify, "classify")
extract_fields_task = _as_task(stages.extract_fields, "extract-fields")
match_ledger_task = _as_task(stages.match_ledger, "match-ledger")
decide_task = _as_task(stages.decide_document, "decide")
record_task = _as_task(stages.record, "record")
record_failure_task = _as_task(stages.record_failure, "record-failure")

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
        return Outcome.failed(path.name, e.message, retryable=e.retryable)
    except SetupError:
        raise
    except Exception as e:  # nothing is recorded yet; the caller keeps the file and says so
        log.error("unexpected error taking in %s\n%s", path, traceback.format_exc())
        message = f"internal error while taking in the file ({type(e).__name__}: {e})"
        return Outcome.failed(path.name, message, retryable=True)
    if intake.duplicate_of is not None or intake.finished:
        return stages.outcome_of(ctx, intake.document_id, path.name)
    try:
        # The file as the operator named it (same bytes as the archive copy), so that
        # messages name it.
        read = use.read_text(ctx, path)
        parts = stages.plan_parts(read)
        if len(parts) > 1:
            # Each part goes through the whole pipeline as a file of its own; the original is
            # marked split only after every part has its record, so a crash loses nothing.
            outcomes = [
                run_pipeline(ctx, part, resume=True, use=use)
                for part in stages.split_file(ctx, intake, parts)
            ]
            return stages.record_split(ctx, intake, parts, outcomes)
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


@flow(name="process-document", log_prints=False)
def process_document(ctx: PipelineContext, path: Path, resume: bool = False) -> Outcome:
    """One document, each stage a task."""
    return run_pipeline(ctx, path, resume=resume)


@task(name="handle-file", cache_policy=NO_CACHE, persist_result=False)
def handle_file(ctx: PipelineContext, path: Path, resume: bool = False) -> Outcome:
    return run_pipeline(ctx, path, resume=resume)


def task_runner_for(ctx: PipelineContext) -> Any:
    """Threads on one machine (tesseract runs as a process and onnxruntime releases the GIL,
    so threads suffice), or Dask when one machine is not enough."""
    if ctx.task_runner == "dask":
        try:
            from prefect_dask import DaskTaskRunner
        except ImportError as e:
            raise SetupError(
                "DOCINTAKE_TASK_RUNNER=dask needs the Dask extra: pip install 'docintake[dask]'."
            ) from e
        if ctx.dask_address:
            return DaskTaskRunner(address=ctx.dask_address)
        return DaskTaskRunner(
            cluster_kwargs={
                "n_workers": ctx.workers,
                "threads_per_worker": 1,
                "dashboard_address": None,
            }
        )
    return ThreadPoolTaskRunner(max_workers=ctx.workers)


@flow(name="process-batch", log_prints=False)
def process_batch(
    ctx: PipelineContext, paths: Sequence[Path], resume: Sequence[bool] | None = None
) -> list[Outcome]:
    """Many documents at once (``ctx.workers`` in parallel), each through the same stages."""
    flags = list(resume) if resume is not None else [False] * len(paths)
    futures = [handle_file.submit(ctx, p, r) for p, r in zip(paths, flags, strict=True)]
    hook = progress.current()
    if hook is not None:
        for done in as_completed(futures):
            hook(done.result())
    return [f.result() for f in futures]


def run_batch(
    ctx: PipelineContext,
    paths: Sequence[Path],
    resume: Sequence[bool] | None = None,
    on_done: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run the batch flow with the configured concurrency; ``on_done`` sees each result."""
    flow_fn = process_batch.with_options(task_runner=task_runner_for(ctx))  # type: ignore[arg-type]
    with progress.reporting(on_done):
        outcomes: list[Outcome] = flow_fn(ctx, list(paths), resume)
    return outcomes
