"""The batch flow on both task runners: threads (one machine) and Dask (more than one)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from docintake.domain import Status
from flows.context import PipelineContext
from flows.intake import run_batch
from storage.db import Database

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

pytestmark = pytest.mark.integration


@pytest.mark.parametrize("runner", ["thread", "dask"])
def test_batch_flow_processes_every_file_and_reports_progress(runner: str, tmp_path: Path) -> None:
    if runner == "dask":
        pytest.importorskip("prefect_dask")
    db = Database(f"sqlite:///{tmp_path}/batch.db")
    ctx = PipelineContext(
        database_url=db.url, archive_dir=tmp_path / "archive", task_runner=runner, workers=2
    )
    files = []
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        files.append(tmp_path / name)
        shutil.copy(SAMPLES / "invoice-digital.pdf", files[-1])
    (tmp_path / "bad.pdf").write_text("not a pdf at all")
    files.append(tmp_path / "bad.pdf")
    seen: list[str] = []

    outcomes = run_batch(ctx, files, on_done=lambda o: seen.append(o.file))

    assert [o.file for o in outcomes] == ["a.pdf", "b.pdf", "c.pdf", "bad.pdf"]
    assert sorted(seen) == sorted(o.file for o in outcomes)
    statuses = [o.status for o in outcomes]
    # One original, two exact duplicates of it (whichever worker got there first), one failure.
    assert statuses.count(Status.DUPLICATE) == 2
    assert statuses.count(Status.FAILED) == 1 and statuses[-1] is Status.FAILED
    original = next(o for o in outcomes if o.status not in (Status.DUPLICATE, Status.FAILED))
    assert original.fields["document_number"]["value"] == "HSC-INV-2026-0417"
