"""The pipeline end to end with recorded engine output (no real OCR): records, decisions,
bill settlement, duplicates, and the retry of documents that failed for a passing reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ocr_fixtures import load
from sqlalchemy import select

from docintake.domain import DocumentText, SourceFile, Status
from docintake.exceptions import OcrTimeoutError
from flows import batch, stages
from flows.context import PipelineContext
from flows.intake import PLAIN, run_pipeline
from flows.watch import Folders
from storage.db import Database
from storage.ledger_import import import_ledger
from storage.models import AuditEntry, Bill, Document

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.fixture()
def demo_db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path}/pipeline.db")
    with db.session() as s:
        report = import_ledger(
            s, SAMPLES / "ledger" / "customers.csv", SAMPLES / "ledger" / "bills.csv"
        )
    assert not report.errors
    return db


@pytest.fixture()
def ctx(demo_db: Database, tmp_path: Path) -> PipelineContext:
    return PipelineContext(database_url=demo_db.url, archive_dir=tmp_path / "archive")


def _recorded(monkeypatch: pytest.MonkeyPatch, fixture: str) -> list[int]:
    """Make the reader return a recorded engine output; counts the calls."""
    calls: list[int] = []

    def fake_read(source: SourceFile, _opts: object) -> DocumentText:
        calls.append(1)
        return load(fixture)

    monkeypatch.setattr(stages, "read_document", fake_read)
    return calls


def _run_sample_receipt(
    ctx: PipelineContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> stages.Outcome:
    """The sample receipt through the plain stages, with its recorded OCR."""
    _recorded(monkeypatch, "sample-receipt-photo")
    src = tmp_path / "receipt.jpg"
    shutil.copy(SAMPLES / "receipt-photo.jpg", src)
    return run_pipeline(ctx, src, use=PLAIN)


def test_receipt_is_auto_accepted_and_settles_its_bill(
    ctx: PipelineContext, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = _run_sample_receipt(ctx, tmp_path, monkeypatch)

    # samples/ledger/expected_matches.csv: the receipt pays C001's bill B1001.
    assert outcome.status is Status.AUTO_ACCEPTED, outcome.reasons
    assert (outcome.match or {})["customer_id"] == "C001"
    assert (outcome.match or {})["bill_id"] == "B1001"
    fields_matched = {r["field"] for r in (outcome.match or {})["reasons"]}
    assert {"vendor_name", "total_amount"} <= fields_matched
    with demo_db.session() as s:
        bill = s.get(Bill, "B1001")
        assert bill is not None and bill.status == "paid" and bill.amount_remaining == 0
        doc = s.get(Document, outcome.document_id)
        assert doc is not None and doc.posted_at is not None
        actions = [a.action for a in s.scalars(select(AuditEntry))]
        assert "payment" in actions and "auto_accepted" in actions


def test_match_evidence_and_runner_up_are_stored_and_shown(
    ctx: PipelineContext, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docintake import review

    outcome = _run_sample_receipt(ctx, tmp_path, monkeypatch)

    match = outcome.match or {}
    # The demo ledger has the same shop at another branch (C004, another postcode): it is
    # the runner-up, far behind, and the evidence says why.
    best, runner_up = match["candidates"][0], match["runner_up"]
    assert (best["customer_id"], best["bill_id"]) == ("C001", "B1001")
    assert runner_up["customer_id"] == "C004"
    assert runner_up["confidence"] < 0.5 * best["confidence"]
    assert any("postcode" in r["note"] for r in runner_up["reasons"])
    shown = review.show(demo_db, outcome.document_id or 0)["match"]
    assert shown["runner_up"] == runner_up
    assert shown["candidates"] == match["candidates"]
    assert shown["reasons"] == match["reasons"]


def test_where_each_field_is_printed_is_stored_with_the_fields(
    ctx: PipelineContext, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = _run_sample_receipt(ctx, tmp_path, monkeypatch)

    with demo_db.session() as s:
        doc = s.get(Document, outcome.document_id)
        assert doc is not None
        stored = dict(doc.fields or {})
    # The word "61.80" on the TOTAL (RM) line of the recorded reading (1200 x 1868 pixels).
    assert stored["total_amount"] == {
        "value": "61.80",
        "confidence": stored["total_amount"]["confidence"],
        "box": {
            "page": 1,
            "x": 935,
            "y": 1462,
            "w": 111,
            "h": 31,
            "page_width": 1200,
            "page_height": 1868,
        },
    }
    assert "box" in stored["document_date"] and "box" not in stored["currency"]
    assert outcome.fields == stored


def test_exact_duplicate_is_linked_not_processed_again(
    ctx: PipelineContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _recorded(monkeypatch, "sample-receipt-photo")
    first, second = tmp_path / "a.jpg", tmp_path / "b.jpg"
    shutil.copy(SAMPLES / "receipt-photo.jpg", first)
    shutil.copy(SAMPLES / "receipt-photo.jpg", second)

    one = run_pipeline(ctx, first, use=PLAIN)
    two = run_pipeline(ctx, second, use=PLAIN)

    assert len(calls) == 1  # read once
    assert two.status is Status.DUPLICATE
    assert two.sha256 == one.sha256
    assert f"document {one.document_id}" in two.reasons[0]


def test_unmatched_invoice_goes_to_review_with_reasons(
    ctx: PipelineContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _recorded(monkeypatch, "sample-invoice-scanned")
    src = tmp_path / "scan.pdf"
    shutil.copy(SAMPLES / "invoice-scanned.pdf", src)

    outcome = run_pipeline(ctx, src, use=PLAIN)

    # expected_matches.csv: the scanned invoice's customer is not in the ledger.
    assert outcome.status is Status.NEEDS_REVIEW
    assert (outcome.match or {}).get("bill_id") is None
    assert any("bill" in r or "customer" in r for r in outcome.reasons)


def test_passing_failure_is_retried_from_the_archive(
    ctx: PipelineContext, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = Folders(*(tmp_path / n for n in ("inbox", "processing", "done", "failed")))
    folders.create()
    src = folders.processing / "receipt.jpg"
    shutil.copy(SAMPLES / "receipt-photo.jpg", src)

    def timeout(source: SourceFile, _opts: object) -> DocumentText:
        raise OcrTimeoutError("OCR of page 1 took longer than 1 s and was stopped.")

    monkeypatch.setattr(stages, "read_document", timeout)
    failed = run_pipeline(ctx, src, use=PLAIN)
    assert failed.status is Status.FAILED and failed.retryable
    # What the watcher does with a failure: move it to failed/, note why, remember where.
    shutil.move(src, folders.failed / "receipt.jpg")
    (folders.failed / "receipt.jpg.error.txt").write_text("timeout")
    with demo_db.session() as s:
        record = s.get(Document, failed.document_id)
        assert record is not None
        record.stored_path = str((folders.failed / "receipt.jpg").resolve())
    # An unrelated failed file of the same name elsewhere in failed/ must stay where it is.
    (folders.failed / "other").mkdir()
    (folders.failed / "other" / "receipt.jpg").write_bytes(b"another scan")
    (folders.failed / "other" / "receipt.jpg.error.txt").write_text("damaged")

    _recorded(monkeypatch, "sample-receipt-photo")
    outcomes = batch.retry_failed(ctx, folders, use=PLAIN)

    assert [o.status for o in outcomes] == [Status.AUTO_ACCEPTED]
    assert outcomes[0].file == "receipt.jpg"
    assert (folders.done / "receipt.jpg").exists()
    assert not (folders.failed / "receipt.jpg").exists()
    assert not (folders.failed / "receipt.jpg.error.txt").exists()
    assert (folders.failed / "other" / "receipt.jpg").read_bytes() == b"another scan"
    assert (folders.failed / "other" / "receipt.jpg.error.txt").exists()
    with demo_db.session() as s:
        doc = s.get(Document, failed.document_id)
        assert doc is not None and doc.attempts == 2 and doc.status == Status.AUTO_ACCEPTED
        assert doc.stored_path == str((folders.done / "receipt.jpg").resolve())
    assert batch.retry_failed(ctx, folders, use=PLAIN) == []  # nothing left to retry


def test_permanent_failure_is_not_retried(ctx: PipelineContext, tmp_path: Path) -> None:
    folders = Folders(*(tmp_path / n for n in ("inbox", "processing", "done", "failed")))
    folders.create()
    bad = tmp_path / "notes.pdf"
    bad.write_text("just some text, not a PDF")

    outcome = run_pipeline(ctx, bad, use=PLAIN)

    assert outcome.status is Status.FAILED and not outcome.retryable
    assert "not a recognised format" in (outcome.error or "")
    assert batch.retry_failed(ctx, folders, use=PLAIN) == []
