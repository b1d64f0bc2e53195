"""Field parsers: turn a document's text into named fields, per document type."""

from __future__ import annotations

from docintake.domain import DocumentText, DocumentType, FieldValue
from extractors.doctype import leaning
from extractors.parsers import agreement
from extractors.parsers.invoice import parse_invoice
from extractors.parsers.receipt import parse_receipt
from extractors.parsers.trade import parse_trade


def parse_fields(text: DocumentText, document_type: DocumentType) -> dict[str, FieldValue]:
    """Fields found in ``text``; absent fields are left out rather than guessed.

    With a second engine's reading (combined mode), its agreement moves the confidences.
    """
    fields = _parse_one(text, document_type)
    if text.second_reading is not None:
        second = _parse_one(text.second_reading, document_type)
        fields = agreement.combine(fields, second)
    return fields


def _parse_one(text: DocumentText, document_type: DocumentType) -> dict[str, FieldValue]:
    """One reading's fields. An unknown document gets the parser of the type it leans to."""
    kind = leaning(text) if document_type is DocumentType.UNKNOWN else document_type
    if kind is DocumentType.RECEIPT:
        fields = parse_receipt(text)
    elif kind.is_trade:
        fields = parse_trade(text)
    else:
        fields = parse_invoice(text)
    if document_type is DocumentType.UNKNOWN:
        # The type itself is a guess, so nothing should be auto-accepted from it.
        fields = {
            name: FieldValue(fv.value, round(min(fv.confidence, 0.75), 3))
            for name, fv in fields.items()
        }
    return fields
