"""The storage layer, pipeline records and review rules on a real PostgreSQL server.

Runs when DOCINTAKE_TEST_POSTGRES_URL points at a server (scripts/test.sh starts one)."""

from __future__ import annotations

import os
import shutil
from concurrent.futures import ThreadPoolExecutor
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
        assert version == "0001"
        assert s.execute(text("SELECT count(*) FROM documents")).scalar_one() == 0
    Database(pg_db.url)  # migrating again is a no-op


def test_pipeline_records_a_digital_invoice_and_review_settles_its_bill(
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
    assert outcome.status in (Status.AUTO_ACCEPTED, Status.NEEDS_REVIEW)
    assert outcome.fields["document_number"]["value"] == "HSC-INV-2026-0417"
    # The archive keeps the original bytes under its hash.
    assert (tmp_path / "archive" / outcome.sha256[:2] / outcome.sha256).read_bytes() == (
        src.read_bytes()
    )
    again = run_pipeline(ctx, src, use=PLAIN)
    assert again.status is Status.DUPLICATE

    with pg_db.session() as s:
        doc = s.scalars(select(Document).where(Document.id == outcome.document_id)).one()
        assert doc.fields["total_amount"]["value"] == "1998.41"
        if doc.status == Status.AUTO_ACCEPTED:
            return
        # Put it in the queue state for the review path on PostgreSQL.
        bill = s.scalars(select(Bill).where(Bill.reference == "HSC-INV-2026-0417")).one()
        bill_id = bill.bill_id
    review.approve(pg_db, outcome.document_id, "alice", bill_id=bill_id)
    with pytest.raises(ReviewError, match="different reviewer"):
        review.approve(pg_db, outcome.document_id, "ALICE")
    result = review.approve(pg_db, outcome.document_id, "bob")
    assert result.status == Status.ACCEPTED
    with pg_db.session() as s:
        assert s.get(Bill, bill_id).status == "paid"  # type: ignore[union-attr]


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
