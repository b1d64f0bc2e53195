"""The storage layer, pipeline records and review rules on a real PostgreSQL server.

Runs when DOCINTAKE_TEST_POSTGRES_URL points at a server (scripts/test.sh starts one)."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from docintake import review
from docintake.domain import Status
from docintake.exceptions import ReviewError
from flows.context import PipelineContext
from flows.intake import PLAIN, run_pipeline
from storage.db import Database
from storage.ledger_import import import_ledger
from storage.models import Bill, Document

PG_URL = os.environ.get("DOCINTAKE_TEST_POSTGRES_URL")
SAMPLES = Path(__file__).resolve().parent.parent / "samples"

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not PG_URL, reason="DOCINTAKE_TEST_POSTGRES_URL is not set"),
]


@pytest.fixture()
def pg_db() -> Database:
    assert PG_URL
    engine = create_engine(PG_URL)
    with engine.begin() as conn:  # a clean schema for every test
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return Database(PG_URL)


def test_migrations_create_the_schema(pg_db: Database) -> None:
    with pg_db.session() as s:
        version = s.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
        assert version == "0007"
        assert s.execute(text("SELECT count(*) FROM documents")).scalar_one() == 0
    Database(pg_db.url)  # migrating again is a no-op


def test_pipeline_records_a_digital_invoice_and_settles_its_bill(
    pg_db: Database, tmp_path: Path
) -> None:
    with pg_db.session() as s:
        report = import_ledger(
            s, SAMPLES / "ledger" / "customers.csv", SAMPLES / "ledger" / "bills.csv"
        )
    assert not report.errors
    ctx = PipelineContext(database_url=pg_db.url, archive_dir=tmp_path / "archive")
    src = tmp_path / "invoice-digital.pdf"
    shutil.copy(SAMPLES / "invoice-digital.pdf", src)

    outcome = run_pipeline(ctx, src, use=PLAIN)

    # samples/ledger/expected_matches.csv: the digital invoice pays C002's bill B1005.
    assert outcome.status is Status.AUTO_ACCEPTED, outcome.reasons
    assert (outcome.match or {})["bill_id"] == "B1005"
    assert outcome.fields["document_number"]["value"] == "HSC-INV-2026-0417"
    # The archive keeps the original bytes under its hash.
    assert outcome.sha256
    archived = tmp_path / "archive" / outcome.sha256[:2] / outcome.sha256
    assert archived.read_bytes() == src.read_bytes()
    assert run_pipeline(ctx, src, use=PLAIN).status is Status.DUPLICATE
    with pg_db.session() as s:
        doc = s.scalars(select(Document).where(Document.id == outcome.document_id)).one()
        assert doc.fields["total_amount"]["value"] == "1998.41"
        bill = s.get(Bill, "B1005")
        assert bill is not None and bill.status == "paid" and bill.amount_remaining == 0


def _queued_document(db: Database, total: str, bill_id: str) -> int:
    with db.session() as s:
        bill = s.get(Bill, bill_id)
        assert bill is not None
        doc = Document(
            sha256=f"{bill_id:0>64}"[-64:],
            file_name=f"{bill_id}.pdf",
            source_path="x",
            status=Status.NEEDS_REVIEW.value,
            document_type="invoice",
            fields={"total_amount": {"value": total, "confidence": 0.5}},
            reasons=["low confidence in total_amount"],
            customer_id=bill.customer_id,
            bill_id=bill_id,
        )
        s.add(doc)
        s.flush()
        return doc.id


def test_double_review_on_postgres(pg_db: Database) -> None:
    with pg_db.session() as s:
        import_ledger(s, SAMPLES / "ledger" / "customers.csv", SAMPLES / "ledger" / "bills.csv")
        bill = s.get(Bill, "B1005")
        assert bill is not None
        half = str((bill.amount / 2).quantize(bill.amount))
    doc_id = _queued_document(pg_db, half, "B1005")

    review.approve(pg_db, doc_id, "alice")
    with pytest.raises(ReviewError, match="different reviewer"):
        review.approve(pg_db, doc_id, "ALICE")
    result = review.approve(pg_db, doc_id, "bob")

    assert result.status == Status.ACCEPTED
    with pg_db.session() as s:
        bill = s.get(Bill, "B1005")
        assert bill is not None and bill.status == "partial"
        assert bill.amount_remaining == bill.amount - Decimal(half)


def test_concurrent_second_approvals_settle_the_bill_once(pg_db: Database) -> None:
    with pg_db.session() as s:
        import_ledger(s, SAMPLES / "ledger" / "customers.csv", SAMPLES / "ledger" / "bills.csv")
        bill = s.get(Bill, "B1005")
        assert bill is not None
        third = str((bill.amount / 3).quantize(bill.amount))
        before = bill.amount_remaining
    doc_id = _queued_document(pg_db, third, "B1005")
    review.approve(pg_db, doc_id, "alice")

    def second(name: str) -> str:
        try:
            return review.approve(pg_db, doc_id, name).status
        except ReviewError as e:
            return f"refused: {e.message}"

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(second, ["bob", "carol"]))

    assert results.count(Status.ACCEPTED) == 1, results
    assert any(r.startswith("refused") for r in results), results
    with pg_db.session() as s:
        bill = s.get(Bill, "B1005")
        assert bill is not None
        assert bill.amount_remaining == before - Decimal(third)  # paid once, not twice


def test_concurrent_resolutions_settle_the_bill_once(pg_db: Database) -> None:
    with pg_db.session() as s:
        import_ledger(s, SAMPLES / "ledger" / "customers.csv", SAMPLES / "ledger" / "bills.csv")
        bill = s.get(Bill, "B1005")
        assert bill is not None
        third = str((bill.amount / 3).quantize(bill.amount))
        before = bill.amount_remaining
    doc_id = _queued_document(pg_db, third, "B1005")
    review.approve(pg_db, doc_id, "alice")
    other = review.parse_assignments([f"total_amount={Decimal(third) + 1}"])
    assert review.approve(pg_db, doc_id, "bob", corrections=other).status == Status.ESCALATED

    def resolve(name: str) -> str:
        try:
            return review.resolve(pg_db, doc_id, name, choose=1).status
        except ReviewError as e:
            return f"refused: {e.message}"

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(resolve, ["carol", "dave"]))

    assert results.count(Status.ACCEPTED) == 1, results
    with pg_db.session() as s:
        bill = s.get(Bill, "B1005")
        assert bill is not None
        assert bill.amount_remaining == before - Decimal(third)  # alice's version, paid once


def test_concurrent_claims_of_the_same_file_make_one_original(
    pg_db: Database, tmp_path: Path
) -> None:
    from flows.stages import ingest

    ctx = PipelineContext(database_url=pg_db.url, archive_dir=tmp_path / "archive")
    copies = []
    for i in range(4):
        p = tmp_path / f"copy-{i}.pdf"
        shutil.copy(SAMPLES / "invoice-digital.pdf", p)
        copies.append(p)
    with ThreadPoolExecutor(max_workers=4) as pool:
        intakes = list(pool.map(lambda p: ingest(ctx, p), copies))
    originals = [i for i in intakes if i.duplicate_of is None]
    assert len(originals) == 1
    assert all(i.duplicate_of == originals[0].document_id for i in intakes if i.duplicate_of)
