"""The pipeline's stages as small typed functions. ``flows.tasks`` wraps each as a Prefect task;
``docintake extract`` calls the read-only ones directly."""

from __future__ import annotations

import logging
import os
import shutil
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from docintake.decision import decide, decide_fields
from docintake.domain import (
    NO_MATCH,
    Check,
    Decision,
    DocumentText,
    DocumentType,
    Extraction,
    FileKind,
    MatchResult,
    SourceFile,
    Status,
    parse_decimal,
)
from docintake.exceptions import DocumentError, SetupError, TransientError
from extractors import sniff
from extractors.doctype import detect_document_type
from extractors.facturx import compare_with_page
from extractors.locate import locate_fields
from extractors.parsers import parse_fields
from extractors.proofread import proofread_extraction
from extractors.reader import read_document
from extractors.split import plan_split, write_parts
from flows.context import PipelineContext
from matching.matcher import match_document
from storage.db import Database
from storage.ledger_index import SqlLedger
from storage.models import Bill, Document, utcnow
from storage.repositories import (
    CASH_ROUNDING,
    apply_payment,
    audit_document,
    change_status,
    find_original,
    runner_up,
)
from storage.shipments import record_references, shipment_checks

log = logging.getLogger("docintake.pipeline")
# The type an e-invoice XML declares (its type code) is not a guess.
XML_TYPE_CONFIDENCE = 0.99


class _AlreadyFinished(Exception):
    """Another worker completed this document meanwhile; its result stands."""


@dataclass(frozen=True)
class Intake:
    document_id: int
    sha256: str
    size_bytes: int
    file_name: str
    archive_path: Path
    duplicate_of: int | None = None
    finished: bool = False  # a resumed file whose document was already completed


@dataclass(frozen=True)
class Outcome:
    """The result for one file, as the CLI prints it."""

    file: str
    sha256: str | None
    status: Status
    document_type: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    needs_review: bool = False
    reasons: tuple[str, ...] = ()
    match: dict[str, Any] | None = None
    document_id: int | None = None
    error: str | None = None
    retryable: bool = False
    checks: tuple[dict[str, Any], ...] = ()
    # The documents a file was split into (status ``split``), each with its own outcome.
    parts: tuple[Outcome, ...] = ()

    @classmethod
    def failed(
        cls,
        file: str,
        message: str,
        *,
        retryable: bool,
        sha256: str | None = None,
        document_id: int | None = None,
    ) -> Outcome:
        return cls(
            file=file,
            sha256=sha256,
            status=Status.FAILED,
            reasons=(message,),
            error=message,
            retryable=retryable,
            document_id=document_id,
        )

    def to_json(self, *, with_match: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "file": self.file,
            "sha256": self.sha256,
            "document_type": self.document_type,
            "fields": self.fields,
            "needs_review": self.needs_review,
            "reasons": list(self.reasons),
            "status": self.status.value,
            "checks": list(self.checks),
        }
        if self.parts:
            out["parts"] = [p.to_json(with_match=with_match) for p in self.parts]
        if with_match:
            out["match"] = self.match or NO_MATCH.to_json()
            out["document_id"] = self.document_id
        if self.error:
            out["error"] = self.error
        return out


def _db(ctx: PipelineContext) -> Database:
    return Database(ctx.database_url, auto_migrate=False)


def _archive(ctx: PipelineContext, path: Path, sha256: str) -> Path:
    target = ctx.archive_dir / sha256[:2] / sha256
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{sha256}.{os.getpid()}.{threading.get_ident()}.tmp")
        shutil.copyfile(path, tmp)
        os.replace(tmp, target)  # atomic: the archive never holds half a file
    return target


# ---- stages -------------------------------------------------------------------------------


def ingest(ctx: PipelineContext, path: Path, resume: bool = False) -> Intake:
    """Fingerprint, archive the original unchanged, and claim a document record.

    ``resume`` is set for files found in processing/ after a crash: their record may exist.
    """
    try:
        sha = sniff.sha256_of(path)
        size = path.stat().st_size
        archived = _archive(ctx, path, sha)
    except OSError as e:
        raise TransientError(f"{path.name} could not be read or archived: {e}") from e
    db = _db(ctx)
    for _attempt in range(3):
        try:
            with db.session() as s:
                original = find_original(s, sha)
                if original is None:
                    doc = Document(
                        sha256=sha,
                        file_name=path.name,
                        source_path=str(path),
                        archive_path=str(archived),
                        size_bytes=size,
                        status=Status.PROCESSING.value,
                    )
                    s.add(doc)
                    s.flush()
                    audit_document(
                        s,
                        doc.id,
                        actor=ctx.actor,
                        action="received",
                        new=path.name,
                    )
                    return Intake(doc.id, sha, size, path.name, archived)
                same_file = resume and original.file_name == path.name
                if original.status == Status.FAILED or (
                    same_file and original.status == Status.PROCESSING
                ):
                    # Try again on the same record rather than calling it a duplicate.
                    original.status = Status.PROCESSING.value
                    original.attempts += 1
                    original.file_name = path.name
                    return Intake(original.id, sha, size, path.name, archived)
                if same_file:
                    return Intake(original.id, sha, size, path.name, archived, finished=True)
                dup = Document(
                    sha256=sha,
                    file_name=path.name,
                    source_path=str(path),
                    archive_path=str(archived),
                    size_bytes=size,
                    status=Status.DUPLICATE.value,
                    duplicate_of_id=original.id,
                    file_kind=original.file_kind,
                    document_type=original.document_type,
                    reasons=[f"exact duplicate of document {original.id} ({original.file_name})"],
                )
                s.add(dup)
                s.flush()
                audit_document(
                    s,
                    dup.id,
                    actor=ctx.actor,
                    action="duplicate",
                    new=str(original.id),
                )
                return Intake(dup.id, sha, size, path.name, archived, duplicate_of=original.id)
        except IntegrityError:
            continue  # another worker claimed this hash at the same moment; look again
        except OperationalError as e:
            raise TransientError(f"The database is not available: {e.orig}") from e
    raise TransientError(f"Could not claim a record for {path.name}; try again.")


@dataclass(frozen=True)
class TextResult:
    source: SourceFile
    text: DocumentText


def read_text(ctx: PipelineContext, path: Path) -> TextResult:
    """Identify the file by content and get its text with positions and confidences."""
    source = sniff.identify(path)
    return TextResult(source=source, text=read_document(source, ctx.read))


def plan_parts(read: TextResult) -> tuple[range, ...]:
    """Where a multi-page PDF holds several documents; one range when it holds one.

    An e-invoice with its XML is one document by definition."""
    if read.source.kind is not FileKind.PDF or read.text.embedded is not None:
        return (range(len(read.text.pages)),)
    return plan_split(read.text.pages)


def split_file(ctx: PipelineContext, intake: Intake, parts: tuple[range, ...]) -> list[Path]:
    """Write each part of the archived original as a PDF of its own, once: a resumed run finds
    the same files (same bytes, so the same records)."""
    folder = ctx.archive_dir / "parts" / intake.sha256
    stem = Path(intake.file_name).stem
    names = [folder / f"{stem}.part{n}.pdf" for n in range(1, len(parts) + 1)]
    if all(p.is_file() for p in names):
        return names
    tmp = folder.with_name(f".{intake.sha256}.{os.getpid()}.{threading.get_ident()}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    # The archive copy carries the file's name only in its sha256; write_parts names parts
    # after the operator's file.
    source = tmp / f"{stem}.pdf"
    tmp.mkdir(parents=True)
    shutil.copyfile(intake.archive_path, source)
    written = write_parts(source, parts, tmp / "out")
    folder.mkdir(parents=True, exist_ok=True)
    for path, target in zip(written, names, strict=True):
        if not target.exists():
            os.replace(path, target)
    shutil.rmtree(tmp, ignore_errors=True)
    return names


def record_split(
    ctx: PipelineContext, intake: Intake, parts: tuple[range, ...], outcomes: list[Outcome]
) -> Outcome:
    """The original is done once every part has its own record: status ``split``."""
    pages = ", ".join(
        f"pages {r.start + 1}–{r.stop}" if len(r) > 1 else f"page {r.start + 1}" for r in parts
    )
    reason = f"holds {len(parts)} documents ({pages}); each was processed on its own"
    with _db(ctx).session() as s:
        doc = s.get(Document, intake.document_id, with_for_update=True)
        assert doc is not None, "ingest created this record"
        doc.file_kind = FileKind.PDF.value
        doc.reasons = [reason]
        for outcome in outcomes:
            if outcome.document_id is not None:
                part = s.get(Document, outcome.document_id)
                if part is not None and part.split_from_id is None:
                    part.split_from_id = doc.id
        if doc.status == Status.PROCESSING:
            change_status(s, doc, Status.SPLIT, actor=ctx.actor, action="split")
    return Outcome(
        file=intake.file_name,
        sha256=intake.sha256,
        status=Status.SPLIT,
        reasons=(reason,),
        document_id=intake.document_id,
        parts=tuple(outcomes),
    )


def classify(text: DocumentText) -> tuple[DocumentType, float]:
    return detect_document_type(text)


def extract_fields(text: DocumentText, doc_type: tuple[DocumentType, float]) -> Extraction:
    """Fields from the page, or from the embedded e-invoice XML when there is one (it is exact;
    the page is still read and compared with it), then proof-read."""
    kind, confidence = doc_type
    embedded = text.embedded
    if embedded is not None and embedded.fields:
        page_fields = parse_fields(text, embedded.document_type)
        extraction = Extraction(
            document_type=embedded.document_type,
            type_confidence=XML_TYPE_CONFIDENCE,
            # What the XML lacks, the page may still give (with the page's confidence).
            fields={**page_fields, **embedded.fields},
            checks=compare_with_page(embedded.fields, page_fields),
            source="xml",
        )
    else:
        checks: tuple[Check, ...] = ()
        if embedded is not None and embedded.problem:
            checks = (
                Check(
                    "embedded_xml",
                    False,
                    f"the e-invoice XML {embedded.attachment} could not be read: "
                    f"{embedded.problem}; the fields come from the page",
                ),
            )
        extraction = Extraction(
            document_type=kind,
            type_confidence=confidence,
            fields=parse_fields(text, kind),
            checks=checks,
        )
    return proofread_extraction(extraction)


def fields_with_boxes(text: DocumentText, extraction: Extraction) -> dict[str, dict[str, object]]:
    """The fields' JSON, with ``box`` (where the value is printed) on each field found."""
    fields = extraction.fields_json()
    for name, box in locate_fields(text, extraction.fields).items():
        fields[name]["box"] = box.to_json()
    return fields


def match_ledger(ctx: PipelineContext, extraction: Extraction) -> MatchResult:
    """Match through the ledger's index: a few lookups per document, never a full scan."""
    try:
        with _db(ctx).session() as s:
            return match_document(
                extraction.fields, SqlLedger(s), ctx.policy, extraction.document_type
            )
    except OperationalError as e:
        raise TransientError(f"The database is not available: {e.orig}") from e


def decide_document(
    ctx: PipelineContext, extraction: Extraction, match: MatchResult | None
) -> Decision:
    return decide(extraction, match, ctx.thresholds)


def decide_fields_only(ctx: PipelineContext, extraction: Extraction) -> Decision:
    reasons = decide_fields(extraction, ctx.thresholds)
    return Decision(needs_review=bool(reasons), reasons=tuple(reasons))


def record(
    ctx: PipelineContext,
    intake: Intake,
    read: TextResult,
    extraction: Extraction,
    match: MatchResult,
    decision: Decision,
) -> Outcome:
    """Store the results; an auto-accepted document settles its bill in the same transaction."""
    reasons = list(decision.reasons)
    # Settling a bill is check-then-write: the bill row is locked (FOR UPDATE on PostgreSQL,
    # BEGIN IMMEDIATE on SQLite), so two documents cannot both pay it.
    try:
        with _db(ctx).session() as s:
            doc = s.get(Document, intake.document_id, with_for_update=True)
            assert doc is not None, "ingest created this record"
            if doc.status != Status.PROCESSING:
                raise _AlreadyFinished
            return _store(
                ctx, s, doc, intake, read, extraction, match, reasons, decision.needs_review
            )
    except _AlreadyFinished:
        return outcome_of(ctx, intake.document_id, intake.file_name)


def _store(
    ctx: PipelineContext,
    s: Session,
    doc: Document,
    intake: Intake,
    read: TextResult,
    extraction: Extraction,
    match: MatchResult,
    reasons: list[str],
    needs_review: bool,
) -> Outcome:
    """Write the results onto the claimed record and settle the bill if auto-accepted."""
    doc.file_kind = read.source.kind.value
    doc.document_type = extraction.document_type.value
    doc.type_confidence = extraction.type_confidence
    fields = fields_with_boxes(read.text, extraction)
    doc.fields = fields
    doc.text = read.text.text
    doc.ocr_engine = read.text.engine
    doc.field_source = extraction.source
    checks = list(extraction.checks)
    if extraction.document_type.is_trade:
        # The shipment's other papers (sharing a B/L, invoice or container number) must agree
        # on packages, weights, value and consignee; a disagreement is a person's question.
        record_references(s, doc.id, extraction.fields)
        for check in shipment_checks(s, doc.id):
            checks.append(check)
            if check.passed is False:
                reasons.append(f"shipment check failed: {check.message}")
                needs_review = True
    doc.checks = [c.to_json() for c in checks]
    doc.customer_id = match.customer_id
    doc.bill_id = match.bill_id
    doc.match_confidence = match.confidence
    doc.match_reasons = [r.to_json() for r in match.reasons]
    doc.match_candidates = [c.to_json() for c in match.candidates]
    doc.error = None
    status = Status.NEEDS_REVIEW if needs_review else Status.AUTO_ACCEPTED
    if status is Status.AUTO_ACCEPTED and match.bill_id is not None:
        bill = s.get(Bill, match.bill_id, with_for_update=True)
        amount = _amount(extraction)
        if bill is None or bill.status == "paid" or amount is None:
            # Settled by another document since matching ran.
            status = Status.NEEDS_REVIEW
            reasons.append(f"bill {match.bill_id} is no longer open")
        elif match.payment in ("exact", "rounding") and (
            abs(amount - bill.amount_remaining) > CASH_ROUNDING
        ):
            # Partly paid by another document since matching ran: this one no longer fits.
            status = Status.NEEDS_REVIEW
            reasons.append(f"bill {match.bill_id} now has {bill.amount_remaining} due")
        else:
            apply_payment(s, match.bill_id, amount, actor=ctx.actor)
            doc.posted_at = utcnow()
    doc.reasons = reasons
    change_status(s, doc, status, actor=ctx.actor, action=status.value)
    return Outcome(
        file=intake.file_name,
        sha256=intake.sha256,
        status=status,
        document_type=extraction.document_type.value,
        fields=fields,
        needs_review=status is Status.NEEDS_REVIEW,
        reasons=tuple(reasons),
        match=match.to_json(),
        document_id=doc.id,
        checks=tuple(doc.checks),
    )


def record_failure(ctx: PipelineContext, intake: Intake, error: DocumentError) -> Outcome:
    try:
        with _db(ctx).session() as s:
            doc = s.get(Document, intake.document_id, with_for_update=True)
            assert doc is not None
            if doc.status != Status.PROCESSING:
                raise _AlreadyFinished
            _store_failure(ctx, s, doc, error)
    except _AlreadyFinished:
        return outcome_of(ctx, intake.document_id, intake.file_name)
    return Outcome.failed(
        intake.file_name,
        error.message,
        retryable=error.retryable,
        sha256=intake.sha256,
        document_id=intake.document_id,
    )


def _store_failure(ctx: PipelineContext, s: Session, doc: Document, error: DocumentError) -> None:
    doc.error = error.message
    doc.error_retryable = error.retryable
    doc.reasons = [error.message]
    change_status(s, doc, Status.FAILED, actor=ctx.actor, action="failed")


def outcome_of(ctx: PipelineContext, document_id: int, file_name: str) -> Outcome:
    """The stored result of a document (for duplicates and resumed files)."""
    with _db(ctx).session() as s:
        doc = s.get(Document, document_id)
        assert doc is not None
        shown = s.get(Document, doc.duplicate_of_id) if doc.duplicate_of_id else doc
        assert shown is not None
        return Outcome(
            file=file_name,
            sha256=doc.sha256,
            status=Status(doc.status),
            document_type=shown.document_type,
            fields=dict(shown.fields or {}),
            needs_review=doc.status == Status.NEEDS_REVIEW,
            reasons=tuple(doc.reasons or ()),
            match=MatchResult(
                shown.customer_id, shown.bill_id, shown.match_confidence or 0.0
            ).to_json()
            | {
                "reasons": shown.match_reasons or [],
                "candidates": shown.match_candidates or [],
                "runner_up": runner_up(shown),
            },
            document_id=doc.id,
            error=doc.error,
            retryable=doc.error_retryable,
            checks=tuple(shown.checks or ()),
        )


def extract_only(ctx: PipelineContext, path: Path) -> Outcome:
    """Fields and the fields-only decision for one file; no ledger, writes nothing."""
    sha: str | None = None
    try:
        read = read_text(ctx, path)
        sha = read.source.sha256
        extraction = extract_fields(read.text, classify(read.text))
        decision = decide_fields_only(ctx, extraction)
        fields = fields_with_boxes(read.text, extraction)
    except DocumentError as e:
        return Outcome.failed(str(path), e.message, retryable=e.retryable, sha256=sha)
    except SetupError:
        raise
    except Exception as e:  # one bad file must not end the whole command
        log.error("unexpected error reading %s", path, exc_info=True)
        message = f"internal error ({type(e).__name__}: {e})"
        return Outcome.failed(str(path), message, retryable=True, sha256=sha)
    return Outcome(
        file=str(path),
        sha256=sha,
        status=Status.EXTRACTED,
        document_type=extraction.document_type.value,
        fields=fields,
        needs_review=decision.needs_review,
        reasons=decision.reasons,
        checks=tuple(c.to_json() for c in extraction.checks),
    )


def _amount(extraction: Extraction) -> Decimal | None:
    value = extraction.value("total_amount")
    return parse_decimal(value) if isinstance(value, str) else None
