"""Field parsers: turn a document's text into named fields, per document type."""

from __future__ import annotations

from docintake.domain import DocumentText, DocumentType, FieldValue
from extractors.doctype import leaning
from extractors.parsers import agreement
from extractors.parsers.invoice import parse_invoice
from extractors.parsers.receipt import parse_receipt
from extractors.parsers.trade import parse_trade

# Invoice fields that only an invoice (or a commercial invoice) carries.
_PAYMENT_FIELDS = frozenset(
    {
        "tax_amount",
        "net_amount",
        "amount_due",
        "due_date",
        "iban",
        "vendor_tax_id",
        "purchase_order",
        "period_start",
        "period_end",
    }
)
# The declared value: on the commercial invoice and the customs declaration only.
_VALUE_FIELDS = frozenset({"total_amount", "currency"})


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
        # Payment terms belong to the commercial invoice; on the other papers a "total" or
        # "tax" is a weight, a count or another paper's figure, not theirs.
        if kind is not DocumentType.COMMERCIAL_INVOICE:
            fields = {n: fv for n, fv in fields.items() if n not in _PAYMENT_FIELDS}
        if kind in (DocumentType.PACKING_LIST, DocumentType.BILL_OF_LADING):
            fields = {n: fv for n, fv in fields.items() if n not in _VALUE_FIELDS}
    else:
        fields = parse_invoice(text)
    if document_type is DocumentType.UNKNOWN:
        # The type itself is a guess, so nothing should be auto-accepted from it.
        fields = {
            name: FieldValue(fv.value, round(min(fv.confidence, 0.75), 3))
            for name, fv in fields.items()
        }
    return fields
