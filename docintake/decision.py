"""Auto-accept or send to double review: the rules in one place, as plain functions."""

from __future__ import annotations

from dataclasses import dataclass

from docintake.domain import Decision, DocumentType, Extraction, MatchResult

# Without these a document cannot be posted against a bill, whatever its type.
REQUIRED_FIELDS: dict[DocumentType, tuple[str, ...]] = {
    DocumentType.RECEIPT: ("vendor_name", "document_date", "total_amount"),
    # The number and the bill-to party are what posts an invoice against the right bill.
    DocumentType.INVOICE: ("document_number", "total_amount", "customer_name"),
    DocumentType.CREDIT_NOTE: ("document_number", "total_amount", "customer_name"),
    DocumentType.CUSTOMS: ("declaration_number", "document_date"),
    DocumentType.COMMERCIAL_INVOICE: ("document_number", "document_date", "total_amount"),
    DocumentType.PACKING_LIST: ("document_number", "packages"),
    DocumentType.BILL_OF_LADING: ("transport_document_number",),
    DocumentType.UNKNOWN: (),
}


@dataclass(frozen=True)
class Thresholds:
    field_confidence: float = 0.80
    match_confidence: float = 0.85
    type_confidence: float = 0.5


# A match reason at least this strong confirms the document field it compared.
CORROBORATION_SCORE = 90.0


def decide_fields(
    extraction: Extraction, thresholds: Thresholds, corroborated: frozenset[str] = frozenset()
) -> list[str]:
    """Reasons the fields alone need a person; empty when they look trustworthy.

    ``corroborated`` names fields the ledger confirmed (a bill of exactly this amount, a
    customer of nearly this name): low OCR confidence in those is no longer a reason.
    """
    reasons: list[str] = []
    if extraction.document_type is DocumentType.UNKNOWN:
        reasons.append("document type not recognised")
    elif extraction.type_confidence < thresholds.type_confidence:
        reasons.append(
            f"document type uncertain ({extraction.document_type.value}, "
            f"{extraction.type_confidence:.2f})"
        )
    for name in REQUIRED_FIELDS[extraction.document_type]:
        fv = extraction.fields.get(name)
        if fv is None:
            reasons.append(f"missing {name}")
        elif fv.confidence < thresholds.field_confidence and name not in corroborated:
            reasons.append(
                f"low confidence in {name} "
                f"({fv.confidence:.2f} < {thresholds.field_confidence:.2f})"
            )
    if extraction.document_type.is_invoice_like or extraction.document_type.is_trade:
        # Invoices and trade papers carry many fields a clerk would post as read: every one
        # shown must be trusted, not only the required ones.
        required = set(REQUIRED_FIELDS[extraction.document_type])
        for name, fv in extraction.fields.items():
            if (
                name not in required
                and fv.confidence < thresholds.field_confidence
                and name not in corroborated
            ):
                reasons.append(
                    f"low confidence in {name} "
                    f"({fv.confidence:.2f} < {thresholds.field_confidence:.2f})"
                )
    if extraction.document_type.is_invoice_like and not (
        "vendor_name" in extraction.fields or "customer_name" in extraction.fields
    ):
        reasons.append("missing vendor_name and customer_name")
    # A failed proof-reading rule (sums, checksums, the XML against the page) is a question
    # for a person whatever the confidences say.
    for check in extraction.checks:
        if check.passed is False:
            reasons.append(f"check failed: {check.message}")
    return reasons


def decide(extraction: Extraction, match: MatchResult | None, thresholds: Thresholds) -> Decision:
    """The decision for a document; ``match`` None means no ledger was consulted."""
    corroborated: frozenset[str] = frozenset()
    if match is not None and match.bill_id is not None:
        corroborated = frozenset(r.field for r in match.reasons if r.score >= CORROBORATION_SCORE)
    reasons = decide_fields(extraction, thresholds, corroborated)
    if match is not None:
        if match.customer_id is None:
            reasons.append("no matching customer")
        elif match.bill_id is None:
            reasons.append("no single open bill matches")
        elif match.confidence < thresholds.match_confidence:
            reasons.append(
                f"match confidence {match.confidence:.2f} < {thresholds.match_confidence:.2f}"
            )
        reasons.extend(match.problems)
    return Decision(needs_review=bool(reasons), reasons=tuple(dict.fromkeys(reasons)))
