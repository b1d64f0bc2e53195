"""The pipeline with the issue-7 stages: a PDF holding several documents is split, an embedded
e-invoice XML is read and compared with the page, proof-reading checks are stored, and a
shipment's papers that disagree are sent to review. Text-layer PDFs only: no OCR."""

from __future__ import annotations

import shutil
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from sqlalchemy import select
from test_facturx import cii
from test_split import draw_page as _page

from docintake.domain import (
    DocumentText,
    DocumentType,
    Extraction,
    FieldValue,
    FileKind,
    SourceFile,
    Status,
)
from flows import stages
from flows.context import PipelineContext
from flows.intake import PLAIN, run_pipeline
from storage.db import Database
from storage.models import Document


@pytest.fixture()
def ctx(tmp_path: Path) -> PipelineContext:
    db = Database(f"sqlite:///{tmp_path}/trade.db")
    return PipelineContext(database_url=db.url, archive_dir=tmp_path / "archive")


def _bundle(path: Path) -> Path:
    """Two one-page invoices from different sellers in one PDF, each "Page 1 of 1"."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for number, seller, total in (("INV-1001", "Globex Ltd", "50.00"), ("A-77", "Acme GmbH", "80")):
        _page(
            c,
            ["Page 1 of 1", seller, "INVOICE", f"Invoice No: {number}", "Date: 2024-04-02"],
            [f"Total due {total} USD"],
        )
    c.save()
    return path


def test_a_pdf_with_two_invoices_becomes_two_documents(
    ctx: PipelineContext, tmp_path: Path
) -> None:
    src = _bundle(tmp_path / "bundle.pdf")
    outcome = run_pipeline(ctx, src, use=PLAIN)

    assert outcome.status is Status.SPLIT
    assert len(outcome.parts) == 2
    assert "holds 2 documents" in outcome.reasons[0]
    numbers = [p.fields["document_number"]["value"] for p in outcome.parts]
    assert numbers == ["INV-1001", "A-77"]
    with Database(ctx.database_url).session() as s:
        original = s.get(Document, outcome.document_id)
        assert original is not None and original.status == Status.SPLIT
        parts = s.scalars(select(Document).where(Document.split_from_id == original.id)).all()
        assert sorted(p.file_name for p in parts) == ["bundle.part1.pdf", "bundle.part2.pdf"]
        for part in parts:
            # Each part is archived as a file of its own, one page each.
            assert part.archive_path and Path(part.archive_path).is_file()
            assert len(pdfium.PdfDocument(part.archive_path)) == 1


def test_a_split_file_seen_again_is_a_duplicate_not_new_parts(
    ctx: PipelineContext, tmp_path: Path
) -> None:
    src = _bundle(tmp_path / "bundle.pdf")
    first = run_pipeline(ctx, src, use=PLAIN)
    again = tmp_path / "again.pdf"
    shutil.copy(src, again)
    second = run_pipeline(ctx, again, use=PLAIN)

    assert first.status is Status.SPLIT
    assert second.status is Status.DUPLICATE
    with Database(ctx.database_url).session() as s:
        assert len(s.scalars(select(Document)).all()) == 4  # original, 2 parts, the duplicate


def test_a_resumed_split_reuses_its_parts(ctx: PipelineContext, tmp_path: Path) -> None:
    """A crash after the parts were processed but before the original was marked split: the
    run at restart finds the same part files and records, and creates no new ones."""
    src = _bundle(tmp_path / "bundle.pdf")
    intake = stages.ingest(ctx, src)
    read = stages.read_text(ctx, src)
    parts = stages.plan_parts(read)
    paths = stages.split_file(ctx, intake, parts)
    for p in paths:
        run_pipeline(ctx, p, resume=True, use=PLAIN)

    outcome = run_pipeline(ctx, src, resume=True, use=PLAIN)

    assert outcome.status is Status.SPLIT
    assert [p.status for p in outcome.parts] != []
    with Database(ctx.database_url).session() as s:
        docs = s.scalars(select(Document)).all()
        assert len(docs) == 3
        assert all(d.status != Status.DUPLICATE for d in docs)


def _einvoice(path: Path, printed_total: str) -> Path:
    page = path.with_suffix(".page.pdf")
    c = canvas.Canvas(str(page), pagesize=A4)
    _page(
        c,
        [
            "Nordlicht Papier GmbH",
            "Rechnung",
            "Rechnungsnummer: RE-2024-118",
            "Rechnungsdatum: 05.03.2024",
        ],
        [f"Gesamtbetrag {printed_total} EUR"],
    )
    c.save()
    pdf = pdfium.PdfDocument(page)
    pdf.new_attachment("factur-x.xml").set_data(cii(total="529.87", seller="Nordlicht Papier GmbH"))
    pdf.save(path)
    pdf.close()
    return path


def test_embedded_xml_gives_the_fields_and_agrees_with_the_page(
    ctx: PipelineContext, tmp_path: Path
) -> None:
    outcome = run_pipeline(ctx, _einvoice(tmp_path / "einvoice.pdf", "529,87"), use=PLAIN)

    assert outcome.document_type == DocumentType.INVOICE.value
    assert outcome.fields["total_amount"]["value"] == "529.87"
    assert outcome.fields["document_number"]["value"] == "RE-2024-118"
    xml_checks = [c for c in outcome.checks if c["rule"] == "xml_vs_page"]
    assert xml_checks and all(c["passed"] for c in xml_checks)
    with Database(ctx.database_url).session() as s:
        doc = s.get(Document, outcome.document_id)
        assert doc is not None and doc.field_source == "xml"
        assert any(c["rule"] == "xml_vs_page" for c in doc.checks)


def test_page_disagreeing_with_its_xml_goes_to_review(ctx: PipelineContext, tmp_path: Path) -> None:
    outcome = run_pipeline(ctx, _einvoice(tmp_path / "einvoice.pdf", "592,87"), use=PLAIN)

    assert outcome.needs_review
    # The XML is exact, so it stays the value; the reviewer is told about the page.
    assert outcome.fields["total_amount"]["value"] == "529.87"
    failed = [c for c in outcome.checks if c["rule"] == "xml_vs_page" and c["passed"] is False]
    assert failed and "total_amount" in failed[0]["fields"]
    assert any("529.87" in r and "592.87" in r for r in outcome.reasons)


def _fields(**values: str | tuple[str, ...]) -> dict[str, FieldValue]:
    return {k: FieldValue(v, 0.95, rule=0.95) for k, v in values.items()}


def _record_trade(
    ctx: PipelineContext,
    tmp_path: Path,
    name: str,
    kind: DocumentType,
    fields: dict[str, FieldValue],
) -> stages.Outcome:
    """Store an extraction as the pipeline's record stage does (the reading is not the point)."""
    path = tmp_path / name
    path.write_bytes(f"%PDF-1.4 {name}".encode())
    intake = stages.ingest(ctx, path)
    read = stages.TextResult(
        source=SourceFile(path, intake.sha256, intake.size_bytes, FileKind.PDF),
        text=DocumentText(pages=(), engine="pdf-text"),
    )
    extraction = Extraction(kind, 0.95, fields)
    decision = stages.decide_fields_only(ctx, extraction)
    return stages.record(ctx, intake, read, extraction, stages.NO_MATCH, decision)


def test_shipment_papers_that_disagree_are_sent_to_review(
    ctx: PipelineContext, tmp_path: Path
) -> None:
    common = {
        "document_number": "CI-2024-0042",
        "document_date": "2024-04-02",
        "consignee": "Hamburg Importers GmbH",
        "transport_document_number": "MSCUNB123456",
        "gross_weight_kg": "1250.00",
        "net_weight_kg": "1100.00",
    }
    invoice = _record_trade(
        ctx,
        tmp_path,
        "ci.pdf",
        DocumentType.COMMERCIAL_INVOICE,
        _fields(**common, packages="120", total_amount="15400.00", currency="USD"),
    )
    packing = _record_trade(
        ctx, tmp_path, "pl.pdf", DocumentType.PACKING_LIST, _fields(**common, packages="102")
    )

    assert invoice.status is not Status.FAILED
    assert packing.needs_review
    why = " ".join(packing.reasons)
    assert "shipment check failed" in why and "120" in why and "102" in why
    assert any(
        c["rule"].startswith("shipment") or "packages" in c["fields"] for c in packing.checks
    )


def test_shipment_papers_that_agree_pass_their_checks(ctx: PipelineContext, tmp_path: Path) -> None:
    common = {
        "document_number": "CI-2024-0043",
        "document_date": "2024-04-02",
        "consignee": "Hamburg Importers GmbH",
        "transport_document_number": "MSCUNB654321",
        "gross_weight_kg": "1250.00",
        "net_weight_kg": "1100.00",
        "packages": "120",
    }
    _record_trade(ctx, tmp_path, "ci.pdf", DocumentType.COMMERCIAL_INVOICE, _fields(**common))
    packing = _record_trade(ctx, tmp_path, "pl.pdf", DocumentType.PACKING_LIST, _fields(**common))

    assert not any("shipment check failed" in r for r in packing.reasons)
    shipment = [c for c in packing.checks if c.get("documents")]
    assert shipment and all(c["passed"] is not False for c in shipment)
