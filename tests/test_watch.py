"""The watched folder with a fake pipeline: no OCR, no Prefect, only the file handling."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

import flows.watch as watch
from docintake.domain import Status
from flows.context import PipelineContext
from flows.stages import Outcome
from flows.watch import ERROR_SUFFIX, Folders, StabilityTracker, Watcher, iter_files


class FakePipeline:
    """Stands in for flows.intake.run_batch: decides by file name, records every call."""

    def __init__(self, folders: Folders) -> None:
        self.folders = folders
        self.calls: list[tuple[list[Path], list[bool]]] = []
        self.sizes: dict[str, int] = {}

    def outcome(self, path: Path) -> Outcome:
        if path.name.startswith("bad"):
            return Outcome(
                file=path.name,
                sha256="0" * 64,
                status=Status.FAILED,
                reasons=(f"{path.name} is damaged",),
                error=f"{path.name} is damaged",
                document_id=7,
            )
        if path.name.startswith("flaky"):
            # Recorded in the database, so the scheduled retry run knows about it.
            return Outcome(
                file=path.name,
                sha256="1" * 64,
                status=Status.FAILED,
                reasons=("OCR of page 1 took longer than 120 s",),
                error="OCR of page 1 took longer than 120 s",
                retryable=True,
                document_id=9,
            )
        if path.name.startswith("down"):
            # Failed before any record could be written (database unreachable).
            return Outcome(
                file=path.name,
                sha256=None,
                status=Status.FAILED,
                reasons=("The database is not available",),
                error="The database is not available",
                retryable=True,
            )
        return Outcome(
            file=path.name,
            sha256="2" * 64,
            status=Status.NEEDS_REVIEW,
            needs_review=True,
            document_id=1,
        )

    def __call__(
        self,
        ctx: PipelineContext,
        paths: Sequence[Path],
        resume: Sequence[bool] | None = None,
        on_done: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        paths = list(paths)
        flags = list(resume) if resume is not None else [False] * len(paths)
        for p in paths:
            # The pipeline only ever sees files that have been claimed into processing/.
            assert p.exists(), p
            assert self.folders.processing in p.parents, p
            self.sizes[p.name] = p.stat().st_size
        self.calls.append((paths, flags))
        outcomes = [self.outcome(p) for p in paths]
        if on_done is not None:
            for o in outcomes:
                on_done(o)
        return outcomes


@pytest.fixture
def folders(tmp_path: Path) -> Folders:
    home = tmp_path / "home"
    return Folders(home / "inbox", home / "processing", home / "done", home / "failed")


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, folders: Folders) -> FakePipeline:
    pipeline = FakePipeline(folders)
    monkeypatch.setattr(watch, "run_batch", pipeline)
    return pipeline


@pytest.fixture
def make_watcher(folders: Folders, tmp_path: Path) -> Callable[..., Watcher]:
    ctx = PipelineContext(
        database_url=f"sqlite:///{tmp_path}/unused.db", archive_dir=tmp_path / "archive"
    )

    def make(stable_seconds: float = 0.0, **kw) -> Watcher:
        return Watcher(ctx, folders, stable_seconds=stable_seconds, **kw)

    return make


def drop(folder: Path, rel: str, data: bytes = b"content") -> Path:
    path = folder / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


def test_good_files_go_to_done_and_bad_ones_to_failed_with_a_note(folders, fake, make_watcher):
    watcher = make_watcher()
    drop(folders.inbox, "receipt.png", b"good")
    drop(folders.inbox, "bad-scan.pdf", b"bad")

    outcomes = watcher.scan_once()

    assert sorted(o.status for o in outcomes) == sorted([Status.NEEDS_REVIEW, Status.FAILED])
    assert files_under(folders.inbox) == []
    assert files_under(folders.processing) == []
    assert files_under(folders.done) == ["receipt.png"]
    assert files_under(folders.failed) == ["bad-scan.pdf", "bad-scan.pdf" + ERROR_SUFFIX]
    assert (folders.done / "receipt.png").read_bytes() == b"good"
    assert (folders.failed / "bad-scan.pdf").read_bytes() == b"bad"
    note = (folders.failed / ("bad-scan.pdf" + ERROR_SUFFIX)).read_text(encoding="utf-8")
    assert "could not process bad-scan.pdf" in note
    assert "Reason: bad-scan.pdf is damaged" in note
    assert "Fix the file" in note
    assert "Document id: 7" in note
    # One batch, fresh files (not resumed).
    assert len(fake.calls) == 1
    assert fake.calls[0][1] == [False, False]


def test_retryable_failure_note_says_it_will_be_retried(folders, fake, make_watcher):
    drop(folders.inbox, "flaky.png")
    make_watcher().scan_once()
    note = (folders.failed / ("flaky.png" + ERROR_SUFFIX)).read_text(encoding="utf-8")
    assert "OCR of page 1 took longer than 120 s" in note
    assert "try this document again" in note


def test_unrecorded_failure_note_asks_for_the_file_again(folders, fake, make_watcher):
    drop(folders.inbox, "down.png")
    make_watcher().scan_once()
    note = (folders.failed / ("down.png" + ERROR_SUFFIX)).read_text(encoding="utf-8")
    assert "The database is not available" in note
    assert "drop the file into the inbox again" in note
    assert "try this document again" not in note


def test_on_outcome_sees_each_final_location(folders, fake, make_watcher):
    seen: list[tuple[str, Path]] = []
    watcher = make_watcher(on_outcome=lambda o, final: seen.append((o.file, final)))
    drop(folders.inbox, "a.png")
    drop(folders.inbox, "bad.png")

    watcher.scan_once()

    assert sorted(seen) == [
        ("a.png", folders.done / "a.png"),
        ("bad.png", folders.failed / "bad.png"),
    ]


def test_folder_dropped_whole_keeps_relative_paths_and_is_removed(folders, fake, make_watcher):
    drop(folders.inbox, "batch-7/a.png", b"a")
    drop(folders.inbox, "batch-7/scans/b.jpg", b"b")
    drop(folders.inbox, "batch-7/scans/bad-c.pdf", b"c")
    drop(folders.inbox, "loose.png", b"d")

    make_watcher().scan_once()

    assert files_under(folders.done) == ["batch-7/a.png", "batch-7/scans/b.jpg", "loose.png"]
    assert files_under(folders.failed) == [
        "batch-7/scans/bad-c.pdf",
        "batch-7/scans/bad-c.pdf" + ERROR_SUFFIX,
    ]
    # The emptied folders are gone from inbox/ and processing/, the roots stay.
    assert folders.inbox.is_dir() and list(folders.inbox.iterdir()) == []
    assert folders.processing.is_dir() and list(folders.processing.iterdir()) == []
    # The pipeline saw them under processing/ with their sub-folders.
    seen = sorted(p.relative_to(folders.processing).as_posix() for p in fake.calls[0][0])
    assert seen == ["batch-7/a.png", "batch-7/scans/b.jpg", "batch-7/scans/bad-c.pdf", "loose.png"]


def test_folder_with_a_file_still_being_copied_is_not_removed(folders, fake, make_watcher):
    drop(folders.inbox, "batch/a.png")
    drop(folders.inbox, "batch/b.png.part")  # a download in progress

    make_watcher().scan_once()

    assert files_under(folders.done) == ["batch/a.png"]
    assert files_under(folders.inbox) == ["batch/b.png.part"]


def test_hidden_and_partial_files_are_left_alone(folders, fake, make_watcher):
    for name in (".DS_Store", "x.pdf.part", "y.crdownload", "z.tmp", ".hidden/a.png"):
        drop(folders.inbox, name)

    assert make_watcher().scan_once() == []

    assert fake.calls == []
    assert len(files_under(folders.inbox)) == 5


def test_name_collisions_in_done_do_not_overwrite(folders, fake, make_watcher):
    drop(folders.done, "receipt.png", b"yesterday")
    drop(folders.done, "receipt-2.png", b"the day before")
    drop(folders.done, "batch/r.png", b"old r")
    watcher = make_watcher()
    drop(folders.inbox, "receipt.png", b"today")
    drop(folders.inbox, "batch/r.png", b"new r")

    watcher.scan_once()
    drop(folders.inbox, "receipt.png", b"later today")
    watcher.scan_once()

    assert (folders.done / "receipt.png").read_bytes() == b"yesterday"
    assert (folders.done / "receipt-2.png").read_bytes() == b"the day before"
    assert (folders.done / "receipt-3.png").read_bytes() == b"today"
    assert (folders.done / "receipt-4.png").read_bytes() == b"later today"
    assert (folders.done / "batch/r.png").read_bytes() == b"old r"
    assert (folders.done / "batch/r-2.png").read_bytes() == b"new r"


def test_name_collisions_in_failed_keep_both_files_and_notes(folders, fake, make_watcher):
    watcher = make_watcher()
    drop(folders.inbox, "bad.pdf", b"first")
    watcher.scan_once()
    first_note = (folders.failed / ("bad.pdf" + ERROR_SUFFIX)).read_text(encoding="utf-8")
    drop(folders.inbox, "bad.pdf", b"second")

    watcher.scan_once()

    assert files_under(folders.failed) == [
        "bad-2.pdf",
        "bad-2.pdf" + ERROR_SUFFIX,
        "bad.pdf",
        "bad.pdf" + ERROR_SUFFIX,
    ]
    assert (folders.failed / "bad.pdf").read_bytes() == b"first"
    assert (folders.failed / "bad-2.pdf").read_bytes() == b"second"
    assert (folders.failed / ("bad.pdf" + ERROR_SUFFIX)).read_text(encoding="utf-8") == first_note


def test_files_left_in_processing_are_resumed_first(folders, fake, make_watcher):
    drop(folders.processing, "left.png", b"left")
    drop(folders.processing, "batch/bad-left.pdf", b"bad")
    drop(folders.inbox, "new.png", b"new")

    make_watcher().scan_once()

    assert len(fake.calls) == 2
    resumed_paths, resumed_flags = fake.calls[0]
    assert sorted(p.name for p in resumed_paths) == ["bad-left.pdf", "left.png"]
    assert resumed_flags == [True, True]
    new_paths, new_flags = fake.calls[1]
    assert [p.name for p in new_paths] == ["new.png"]
    assert new_flags == [False]
    assert files_under(folders.done) == ["left.png", "new.png"]
    assert files_under(folders.failed) == [
        "batch/bad-left.pdf",
        "batch/bad-left.pdf" + ERROR_SUFFIX,
    ]
    assert list(folders.processing.iterdir()) == []


def test_recover_with_nothing_left_does_not_run_the_pipeline(folders, fake, make_watcher):
    assert make_watcher().recover() == []
    assert fake.calls == []


def test_file_taken_back_by_the_operator_is_skipped(folders, fake, make_watcher):
    watcher = make_watcher()
    gone = folders.inbox / "gone.png"
    kept = drop(folders.inbox, "kept.png")

    outcomes = watcher.take([gone, kept])

    assert [o.file for o in outcomes] == ["kept.png"]
    assert files_under(folders.done) == ["kept.png"]


# ---- stability ------------------------------------------------------------------------------


def test_stability_tracker_waits_until_size_and_time_settle(tmp_path: Path):
    f = drop(tmp_path, "growing.pdf", b"x" * 10)
    tracker = StabilityTracker(stable_seconds=2.0)

    assert tracker.ready(f, now=100.0) is False  # first sighting
    assert tracker.ready(f, now=101.0) is False  # unchanged, but not long enough
    with f.open("ab") as fh:
        fh.write(b"more")
    assert tracker.ready(f, now=102.5) is False  # changed: the clock starts again
    assert tracker.ready(f, now=104.0) is False
    assert tracker.ready(f, now=104.5) is True  # 2 s without change
    tracker.forget(f)
    assert tracker.ready(f, now=104.6) is False  # forgotten: seen anew


def test_stability_tracker_notices_a_rewrite_of_the_same_size(tmp_path: Path):
    f = drop(tmp_path, "a.png", b"aaaa")
    tracker = StabilityTracker(stable_seconds=1.0)
    assert tracker.ready(f, now=10.0) is False
    st = f.stat()
    f.write_bytes(b"bbbb")
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert tracker.ready(f, now=11.5) is False
    assert tracker.ready(f, now=12.6) is True


def test_stability_tracker_zero_seconds_and_vanished_files(tmp_path: Path):
    f = drop(tmp_path, "a.png")
    assert StabilityTracker(stable_seconds=0).ready(f, now=0.0) is True
    tracker = StabilityTracker(stable_seconds=1.0)
    tracker.ready(f, now=0.0)
    f.unlink()
    assert tracker.ready(f, now=5.0) is False
    assert f not in tracker._seen


def test_watcher_does_not_take_a_fresh_file_before_it_is_stable(folders, fake, make_watcher):
    watcher = make_watcher(stable_seconds=60)
    drop(folders.inbox, "fresh.png")

    assert watcher.ready_in_inbox() == []

    assert fake.calls == []
    assert files_under(folders.inbox) == ["fresh.png"]


def test_scan_once_waits_for_a_growing_file_to_finish(folders, fake, make_watcher):
    target = drop(folders.inbox, "big-scan.tif", b"")
    chunks, chunk = 16, b"z" * 1000
    started = threading.Event()

    def keep_writing() -> None:
        started.set()
        for _ in range(chunks):
            with target.open("ab") as fh:
                fh.write(chunk)
            time.sleep(0.05)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    started.wait()
    try:
        make_watcher(stable_seconds=0.3).scan_once()
    finally:
        writer.join()

    # It was taken once, complete, and not before the copy finished.
    assert len(fake.calls) == 1
    assert fake.sizes["big-scan.tif"] == chunks * len(chunk)
    assert (folders.done / "big-scan.tif").stat().st_size == chunks * len(chunk)


def test_iter_files_walks_sub_folders_in_order(tmp_path: Path):
    for rel in ("b.png", "a/z.png", "a/y.pdf", ".git/x", "c/.d.png"):
        drop(tmp_path, rel)
    assert [p.relative_to(tmp_path).as_posix() for p in iter_files(tmp_path)] == [
        "b.png",
        "a/y.pdf",
        "a/z.png",
    ]


def test_watcher_survives_a_failing_cycle_and_resumes_the_claimed_files(
    folders: Folders, fake: FakePipeline, make_watcher, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders.create()
    (folders.inbox / "a.png").write_bytes(b"a")
    real_call = fake.__call__
    outages = [RuntimeError("database is locked")]

    def flaky(*args, **kwargs):
        if outages:
            raise outages.pop()
        return real_call(*args, **kwargs)

    monkeypatch.setattr(watch, "run_batch", flaky)
    monkeypatch.setattr(watch.time, "sleep", lambda _s: None)
    cycles = iter(range(6))

    make_watcher().run_forever(0.01, stop=lambda: next(cycles, None) is None)

    # The first attempt failed with the file claimed; the next cycle resumed it.
    assert (folders.done / "a.png").exists()
    assert not list(iter_files(folders.processing))
    assert fake.calls[0][1] == [True]


def test_only_one_watcher_per_folder_tree(folders: Folders) -> None:
    from docintake.exceptions import SetupError
    from flows.watch import exclusive

    with (
        exclusive(folders),
        pytest.raises(SetupError, match="Another docintake watcher"),
        exclusive(folders),
    ):
        pass
    with exclusive(folders):  # released when the first one ends
        pass
