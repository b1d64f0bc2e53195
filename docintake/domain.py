"""Plain data passed between pipeline stages. No I/O, no database, no web."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path


class FileKind(StrEnum):
    JPEG = "jpeg"
    PNG = "png"
    TIFF = "tiff"
    PDF = "pdf"

    @property
    def is_image(self) -> bool:
        return self is not FileKind.PDF


class DocumentType(StrEnum):
    RECEIPT = "receipt"
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"
    CUSTOMS = "customs_declaration"
    COMMERCIAL_INVOICE = "commercial_invoice"
    PACKING_LIST = "packing_list"
    # Bills of lading and air waybills: the carrier's transport document.
    BILL_OF_LADING = "bill_of_lading"
    UNKNOWN = "unknown"

    @property
    def is_trade(self) -> bool:
        """Trade paperwork (单证): read with the trade parser, carries trade fields."""
        return self in TRADE_TYPES

    @property
    def is_invoice_like(self) -> bool:
        """Asks for payment: read with the invoice parser."""
        return self in (DocumentType.INVOICE, DocumentType.CREDIT_NOTE)


TRADE_TYPES: frozenset[DocumentType] = frozenset(
    {
        DocumentType.CUSTOMS,
        DocumentType.COMMERCIAL_INVOICE,
        DocumentType.PACKING_LIST,
        DocumentType.BILL_OF_LADING,
    }
)


class Engine(StrEnum):
    """Which OCR engine reads images and scanned PDF pages."""

    RAPIDOCR = "rapidocr"
    TESSERACT = "tesseract"
    # Reads with rapidocr (the stronger engine) and also with tesseract; parsers use the
    # second reading only as evidence for or against what they found in the first.
    COMBINED = "combined"


class Status(StrEnum):
    """Where a document stands. ``extracted`` is only used by ``docintake extract``."""

    EXTRACTED = "extracted"
    PROCESSING = "processing"
    AUTO_ACCEPTED = "auto_accepted"
    NEEDS_REVIEW = "needs_review"
    ESCALATED = "escalated"  # two reviewers disagreed; an admin decides
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    # A file that held several documents: each part is a document of its own.
    SPLIT = "split"
    FAILED = "failed"


# Field names shared by every document type, then the invoice and the trade ones (the CLI
# contract's names; truth files use them too).
COMMON_FIELDS: tuple[str, ...] = (
    "vendor_name",
    "vendor_address",
    "document_date",
    "total_amount",
    "currency",
    "document_number",
    "customer_name",
    "tax_amount",
    "due_date",
)
INVOICE_FIELDS: tuple[str, ...] = (
    "vendor_tax_id",
    "net_amount",
    "amount_due",
    "purchase_order",
    "iban",
    "period_start",
    "period_end",
    "line_items",
)
CUSTOMS_FIELDS: tuple[str, ...] = (
    "declaration_number",
    "hs_codes",
    "consignor",
    "consignee",
    "country_of_origin",
    "destination_country",
    "incoterms",
    "gross_weight_kg",
    "net_weight_kg",
    "packages",
    "transport_document_number",
    "container_numbers",
    "line_items",
)
TRADE_FIELDS = CUSTOMS_FIELDS
ALL_FIELDS: tuple[str, ...] = tuple(dict.fromkeys(COMMON_FIELDS + INVOICE_FIELDS + CUSTOMS_FIELDS))
# Fields whose value is a list of strings.
LIST_FIELDS: frozenset[str] = frozenset({"hs_codes", "container_numbers"})
# Fields whose value is a table: a list of rows, each a mapping of column to text.
TABLE_FIELDS: frozenset[str] = frozenset({"line_items"})
DATE_FIELDS: frozenset[str] = frozenset({"document_date", "due_date", "period_start", "period_end"})
AMOUNT_FIELDS: frozenset[str] = frozenset(
    {"total_amount", "tax_amount", "net_amount", "amount_due"}
)
# Line-item columns, as in truth files: description, quantity, unit_price, amount; trade
# documents add hs_code, country_of_origin, gross_weight_kg, net_weight_kg, packages.


@dataclass(frozen=True)
class SourceFile:
    """A file identified by content: what it is and its fingerprint."""

    path: Path
    sha256: str
    size_bytes: int
    kind: FileKind


@dataclass(frozen=True)
class Word:
    text: str
    confidence: float  # 0..1; 1.0 for a PDF text layer
    left: int
    top: int
    width: int
    height: int


@dataclass(frozen=True)
class Line:
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    @property
    def confidence(self) -> float:
        if not self.words:
            return 0.0
        return min(w.confidence for w in self.words)

    @property
    def top(self) -> int:
        return min((w.top for w in self.words), default=0)

    @property
    def left(self) -> int:
        return min((w.left for w in self.words), default=0)


@dataclass(frozen=True)
class Page:
    number: int  # 1-based
    width: int
    height: int
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class EmbeddedInvoice:
    """Invoice data a PDF carries as XML (Factur-X, ZUGFeRD, XRechnung): exact when present.

    ``problem`` is set (and ``fields`` empty) when an invoice XML was found but not readable.
    """

    attachment: str  # the attachment's name, e.g. "factur-x.xml"
    profile: str  # e.g. "factur-x en16931", "xrechnung", "ubl"
    document_type: DocumentType
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    problem: str = ""

    @property
    def source(self) -> str:
        return f"{self.attachment} ({self.profile})"


@dataclass(frozen=True)
class DocumentText:
    """Text of a whole document with word positions and confidences."""

    pages: tuple[Page, ...]
    engine: str  # e.g. "tesseract 5.3.0", "rapidocr 3.10.0", "pdf-text"
    # The same document read by a second engine (combined mode): evidence, not a source.
    second_reading: DocumentText | None = None
    # Structured invoice data embedded in the PDF (Factur-X/ZUGFeRD/XRechnung), if any.
    embedded: EmbeddedInvoice | None = None

    @property
    def lines(self) -> list[Line]:
        return [line for page in self.pages for line in page.lines]

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def mean_confidence(self) -> float:
        words = [w for line in self.lines for w in line.words]
        if not words:
            return 0.0
        return sum(w.confidence for w in words) / len(words)


def parse_decimal(value: object) -> Decimal | None:
    """A plain decimal ("1998.41", "1,998.41") to cents; None if not a finite number.

    For values already in canonical form (fields, ledger cells, reviewer input); printed
    amounts ("RM 60.30", "1.234,56") are the parsers' business (extractors.parsers.common).
    """
    if value is None:
        return None
    try:
        number = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        return None
    if not number.is_finite():
        return None
    try:
        return number.quantize(Decimal("0.01"))
    except InvalidOperation:  # beyond the context's precision ("1e400"): not an amount
        return None


# A field's value: text, a list of texts (LIST_FIELDS), or a table (TABLE_FIELDS).
FieldScalar = str | tuple[str, ...] | tuple[Mapping[str, str], ...]


@dataclass(frozen=True)
class FieldValue:
    value: FieldScalar
    confidence: float  # 0..1
    # The confidence the parser's rules alone give (before doubt about the OCR reading); a
    # second engine reading the same value can remove the OCR doubt, never the rules' doubts.
    rule: float | None = None

    def to_json(self) -> dict[str, object]:
        value: object = self.value
        if isinstance(self.value, tuple):
            value = [v if isinstance(v, str) else dict(v) for v in self.value]
        return {"value": value, "confidence": round(self.confidence, 3)}


@dataclass(frozen=True)
class Check:
    """One proof-reading rule applied to a document's fields, and what it found.

    ``passed`` None means the rule could not be applied (a field it needs is missing).
    """

    rule: str  # e.g. "net_plus_tax", "iban_checksum", "xml_vs_page"
    passed: bool | None
    message: str  # in words, for the reviewer
    fields: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "rule": self.rule,
            "passed": self.passed,
            "message": self.message,
            "fields": list(self.fields),
        }


@dataclass(frozen=True)
class Extraction:
    """What the extractors made of one document."""

    document_type: DocumentType
    type_confidence: float
    fields: Mapping[str, FieldValue] = field(default_factory=dict)
    # Proof-reading results (sums, checksums, XML against page, ...); a failed one is a
    # reason for review.
    checks: tuple[Check, ...] = ()
    # Where the fields came from: "text" (parsed from the page), "xml" (Factur-X/ZUGFeRD).
    source: str = "text"

    def value(self, name: str) -> FieldScalar | None:
        fv = self.fields.get(name)
        return fv.value if fv else None

    def fields_json(self) -> dict[str, dict[str, object]]:
        return {name: fv.to_json() for name, fv in self.fields.items()}


@dataclass(frozen=True)
class MatchReason:
    """One piece of evidence: which document field was compared with what, and the score."""

    field: str
    against: str
    score: float  # 0..100
    note: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "field": self.field,
            "against": self.against,
            "score": round(self.score, 1),
            "note": self.note,
        }

    def __str__(self) -> str:
        extra = f" ({self.note})" if self.note else ""
        return f"{self.field} ~ {self.against}: {self.score:.0f}{extra}"


@dataclass(frozen=True)
class MatchCandidate:
    """One (customer, bill) answer the matcher considered, with its evidence."""

    customer_id: str
    customer_name: str
    bill_id: str | None
    confidence: float  # 0..1
    reasons: tuple[MatchReason, ...] = ()
    payment: str | None = None  # exact | rounding | partial | overpayment, when a bill fits

    def to_json(self) -> dict[str, object]:
        return {
            "customer_id": self.customer_id,
            "customer_name": self.customer_name,
            "bill_id": self.bill_id,
            "confidence": round(self.confidence, 3),
            "payment": self.payment,
            "reasons": [r.to_json() for r in self.reasons],
        }

    def __str__(self) -> str:
        bill = f", bill {self.bill_id} ({self.payment})" if self.bill_id else ", no bill"
        return f"{self.customer_id} {self.customer_name}{bill}: {self.confidence:.2f}"


@dataclass(frozen=True)
class MatchResult:
    customer_id: str | None
    bill_id: str | None
    confidence: float  # 0..1
    reasons: tuple[MatchReason, ...] = ()
    problems: tuple[str, ...] = ()  # why the match is not trusted, in words
    # The answers considered, best first; the second is the runner-up.
    candidates: tuple[MatchCandidate, ...] = ()
    payment: str | None = None  # how the document pays the bill: exact, rounding, partial...

    @property
    def runner_up(self) -> MatchCandidate | None:
        """The second-best answer: what the best had to beat (and, when it could not, why
        the document is a question for a reviewer)."""
        return self.candidates[1] if len(self.candidates) > 1 else None

    def to_json(self) -> dict[str, object]:
        runner_up = self.runner_up
        return {
            "customer_id": self.customer_id,
            "bill_id": self.bill_id,
            "confidence": round(self.confidence, 3),
            "payment": self.payment,
            "reasons": [r.to_json() for r in self.reasons],
            "problems": list(self.problems),
            "runner_up": runner_up.to_json() if runner_up else None,
            "candidates": [c.to_json() for c in self.candidates],
        }


NO_MATCH = MatchResult(customer_id=None, bill_id=None, confidence=0.0)


@dataclass(frozen=True)
class Decision:
    needs_review: bool
    reasons: tuple[str, ...]
