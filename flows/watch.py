"""The watched folder: inbox/ -> processing/ -> done/ or failed/ (+ NAME.error.txt).

Every move is a rename within one file system, so a file is always in exactly one folder.
A crash at any moment leaves files in inbox/ or processing/; the next start takes both.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from docintake.domain import Status
from docintake.exceptions import SetupError
from docintake.settings import Settings
from flows.context import PipelineContext
from flows.intake import run_batch
from flows.stages import Outcome
from storage.db import Database
from storage.models import Document

log = logging.getLogger("docintake.watch")

ERROR_SUFFIX = ".error.txt"


@dataclass(frozen=True)
class Folders:
    inbox: Path
    processing: Path
    done: Path
    failed: Path

    @classmethod
    def from_settings(cls, settings: Settings) -> Folders:
        return cls(settings.inbox, settings.processing, settings.done, settings.failed)

    def create(self) -> None:
        for folder in (self.inbox, self.processing, self.done, self.failed):
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise SetupError(f"Cannot create folder {folder}: {e}") from e


@contextmanager
def exclusive(folders: Folders) -> Iterator[None]:
    """One watcher per folder tree: a second one would take files the first is working on."""
    folders.create()
    lock_path = folders.processing.parent / ".docintake-watch.lock"
    with lock_path.open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as e:
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            raise SetupError(
                f"Another docintake watcher ({holder}) is already using "
                f"{folders.processing.parent}; stop it first or use another DOCINTAKE_HOME."
            ) from e
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@dataclass
class StabilityTracker:
    """A file is ready when its size and mtime have not changed for ``stable_seconds``."""

    stable_seconds: float
    _seen: dict[Path, tuple[int, int, float]] = field(default_factory=dict)

    def ready(self, path: Path, now: float) -> bool:
        try:
            st = path.stat()
        except FileNotFoundError:
            self._seen.pop(path, None)
            return False
        sig = (st.st_size, st.st_mtime_ns)
        previous = self._seen.get(path)
        if previous is None or previous[:2] != sig:
            self._seen[path] = (*sig, now)
            return self.stable_seconds <= 0
        return now - previous[2] >= self.stable_seconds

    def forget(self, path: Path) -> None:
        self._seen.pop(path, None)

    def keep_only(self, present: set[Path]) -> None:
        """Drop what is no longer in the inbox, so a long-running watcher does not grow."""
        for path in [p for p in self._seen if p not in present]:
            del self._seen[path]


def iter_files(root: Path) -> Iterator[Path]:
    """Files under ``root``, in folders dropped in whole too; hidden and partial files skipped."""
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.startswith(".") or name.endswith((".part", ".crdownload", ".tmp")):
                continue
            yield Path(dirpath) / name


def unique_target(target: Path) -> Path:
    """``target`` or, if taken, ``stem-2.ext``, ``stem-3.ext``...: nothing is overwritten."""
    if not target.exists():
        return target
    n = 2
    while True:
        candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
        if not candidate.exists():
            return candidate
        n += 1


def move_within(
    src: Path, src_root: Path, dst_root: Path, *, before: Callable[[Path], object] | None = None
) -> Path:
    """Move ``src`` to the same place under ``dst_root``, never overwriting; ``before`` runs
    with the target path just before the (atomic) rename."""
    target = unique_target(dst_root / src.relative_to(src_root))
    target.parent.mkdir(parents=True, exist_ok=True)
    if before is not None:
        before(target)
    os.replace(src, target)
    _prune_empty_dirs(src.parent, src_root)
    return target


def _prune_empty_dirs(folder: Path, root: Path) -> None:
    # A folder dropped in whole is removed from inbox/ once all of its files have moved on.
    while folder != root and root in folder.parents:
        try:
            folder.rmdir()
        except OSError:
            return
        folder = folder.parent


def write_error_note(failed_file: Path, outcome: Outcome) -> Path:
    note = failed_file.with_name(failed_file.name + ERROR_SUFFIX)
    if outcome.retryable and outcome.document_id is not None:
        retry = "docintake will try this document again on its next scheduled retry run."
    elif outcome.retryable:
        # Nothing was recorded (e.g. the database was down), so no scheduled retry knows it.
        retry = "Once the problem is fixed, drop the file into the inbox again."
    else:
        retry = "Fix the file and drop it into the inbox again."
    note.write_text(
        f"docintake could not process {outcome.file}.\n\n"
        f"Reason: {outcome.error or '; '.join(outcome.reasons)}\n\n{retry}\n"
        + (f"Document id: {outcome.document_id}\n" if outcome.document_id else ""),
        encoding="utf-8",
    )
    return note


@dataclass
class Watcher:
    ctx: PipelineContext
    folders: Folders
    stable_seconds: float = 2.0
    on_outcome: Callable[[Outcome, Path], None] | None = None
    tracker: StabilityTracker = field(init=False)

    def __post_init__(self) -> None:
        self.folders.create()
        self.tracker = StabilityTracker(self.stable_seconds)

    def ready_in_inbox(self) -> list[Path]:
        now = time.monotonic()
        present = list(iter_files(self.folders.inbox))
        self.tracker.keep_only(set(present))
        return [p for p in present if self.tracker.ready(p, now)]

    def recover(self) -> list[Outcome]:
        """Files left in processing/ by a crash or kill are processed again."""
        leftovers = list(iter_files(self.folders.processing))
        if leftovers:
            log.warning("resuming %d file(s) left in processing/", len(leftovers))
        return self._process(leftovers, resume=True)

    def take(self, inbox_files: list[Path]) -> list[Outcome]:
        claimed: list[Path] = []
        for path in inbox_files:
            with contextlib.suppress(FileNotFoundError):  # the operator took it back
                claimed.append(move_within(path, self.folders.inbox, self.folders.processing))
            self.tracker.forget(path)
        return self._process(claimed, resume=False)

    def _process(self, files: list[Path], *, resume: bool) -> list[Outcome]:
        if not files:
            return []
        outcomes = run_batch(self.ctx, files, [resume] * len(files))
        for path, outcome in zip(files, outcomes, strict=True):
            self._finish(path, outcome)
        return outcomes

    def _remember(self, outcome: Outcome, final: Path) -> None:
        """Note on the record where the operator's copy is, so a retry can move exactly it."""
        if outcome.document_id is None:
            return
        try:
            with Database(self.ctx.database_url, auto_migrate=False).session() as s:
                doc = s.get(Document, outcome.document_id)
                if doc is not None:
                    doc.stored_path = str(final.resolve())
        except SQLAlchemyError:
            log.warning("could not record where %s was put (%s)", outcome.file, final)

    def _finish(self, path: Path, outcome: Outcome) -> None:
        if outcome.status is Status.FAILED:
            # The note is written before the move: a crash in between leaves the file in
            # processing/ (done again at restart), never a failed file without its reason.
            final = move_within(
                path,
                self.folders.processing,
                self.folders.failed,
                before=lambda target: write_error_note(target, outcome),
            )
        else:
            final = move_within(path, self.folders.processing, self.folders.done)
        self._remember(outcome, final)
        if self.on_outcome is not None:
            self.on_outcome(outcome, final)

    def scan_once(self) -> list[Outcome]:
        """Everything there now: leftovers, then the inbox, waiting for files to settle."""
        outcomes = self.recover()
        deadline = time.monotonic() + self.stable_seconds + 30
        while True:
            pending = list(iter_files(self.folders.inbox))
            if not pending:
                break
            ready = self.ready_in_inbox()
            if ready:
                outcomes += self.take(ready)
            elif time.monotonic() > deadline:
                log.warning(
                    "%d file(s) still changing in the inbox; left for the next run", len(pending)
                )
                break
            else:
                time.sleep(min(0.5, max(self.stable_seconds / 4, 0.05)))
        return outcomes

    def run_forever(self, poll_seconds: float, stop: Callable[[], bool] = lambda: False) -> None:
        needs_recovery = True
        while not stop():
            try:
                if needs_recovery:
                    self.recover()
                    needs_recovery = False
                ready = self.ready_in_inbox()
                if ready:
                    self.take(ready)
                else:
                    time.sleep(poll_seconds)
            except SetupError:
                raise  # the operator must fix the machine; files wait in processing/
            except Exception:
                # A database outage or a bug must not stop the watcher; what was claimed
                # stays in processing/ and is taken again once things work.
                log.exception("watch cycle failed; retrying in %.0f s", poll_seconds * 10)
                needs_recovery = True
                time.sleep(poll_seconds * 10)
