"""Pick the customer and the open bill a document settles, with a confidence and the evidence.

The matcher scores every plausible (customer, bill) pair jointly, because a name alone is
often ambiguous (branches, look-alike companies) and an amount alone always is. It prefers
"no match" to a guess: a runner-up close to the winner makes the answer ambiguous.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from rapidfuzz import fuzz, process

from docintake.domain import DocumentType, FieldValue, MatchReason, MatchResult, parse_decimal
from matching.ledger import BillRecord, CustomerRecord, Ledger
from matching.normalize import normalize_address, normalize_id, normalize_name

# Document fields that may name the ledger's customer.
PARTY_FIELDS = ("customer_name", "consignee", "vendor_name", "consignor")
# The party whose bill a document settles, by document type: the shop on a receipt, the
# bill-to on an invoice, the consignee on a customs declaration. Other parties named on the
# document (an invoice's seller, say) are weaker evidence: another party with a ledger entry
# must not be mistaken for the customer.
EXPECTED_PARTY: dict[DocumentType, tuple[str, ...]] = {
    DocumentType.RECEIPT: ("vendor_name",),
    DocumentType.INVOICE: ("customer_name",),
    DocumentType.CUSTOMS: ("consignee", "customer_name"),
}
OTHER_PARTY_WEIGHT = 0.6


@dataclass(frozen=True)
class MatchPolicy:
    """Knobs of the matcher; defaults were set on the development ledger."""

    min_name_score: float = 80.0  # below this a customer is not considered at all
    candidates: int = 8  # best names per party field looked at
    date_slack_days: int = 3  # a document may be dated slightly outside the bill's window
    ambiguity_margin: float = 0.08  # a runner-up this close makes the answer ambiguous


@dataclass(frozen=True)
class _Scored:
    customer: CustomerRecord
    bill: BillRecord | None
    confidence: float
    reasons: tuple[MatchReason, ...]
    reference_match: bool = False


def _text(fields: Mapping[str, FieldValue], name: str) -> str | None:
    fv = fields.get(name)
    if fv is None or not isinstance(fv.value, str) or not fv.value.strip():
        return None
    return fv.value


def _date(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _name_part(score: float) -> float:
    """Map a 0..100 name similarity to 0..1 evidence: 95+ is full (a character or two of
    OCR noise), 75 or less is none (another legal form or another company)."""
    return max(0.0, min(1.0, (score - 75.0) / 20.0))


def _customer_evidence(
    customer: CustomerRecord,
    name_score: float,
    name_field: str,
    fields: Mapping[str, FieldValue],
) -> tuple[float, list[MatchReason]]:
    reasons = [MatchReason(name_field, f"customer {customer.customer_id} name", name_score)]
    conf = _name_part(name_score)
    doc_address = _text(fields, "vendor_address") if name_field == "vendor_name" else None
    if doc_address and customer.address:
        addr_score = fuzz.token_set_ratio(
            normalize_address(doc_address), normalize_address(customer.address)
        )
        reasons.append(
            MatchReason("vendor_address", f"customer {customer.customer_id} address", addr_score)
        )
        # Same name at another address is another branch: the address then decides.
        conf = 0.6 * conf + 0.4 * max(0.0, min(1.0, (addr_score - 50.0) / 45.0))
    doc_tax = _text(fields, "vendor_tax_id")
    if doc_tax and customer.tax_id and normalize_id(doc_tax) == normalize_id(customer.tax_id):
        reasons.append(MatchReason("vendor_tax_id", f"customer {customer.customer_id} tax id", 100))
        conf = max(conf, 0.97)
    return conf, reasons


def _bill_evidence(
    bill: BillRecord,
    fields: Mapping[str, FieldValue],
    policy: MatchPolicy,
) -> tuple[float, list[MatchReason]] | None:
    """Evidence that the document settles this bill, or None when it cannot."""
    total = parse_decimal(_text(fields, "total_amount"))
    currency = _text(fields, "currency")
    if currency and bill.currency and currency.upper() != bill.currency.upper():
        return None
    reasons: list[MatchReason] = []
    number = _text(fields, "document_number")
    ref_match = bool(
        number and bill.reference and normalize_id(number) == normalize_id(bill.reference)
    )
    if ref_match:
        reasons.append(MatchReason("document_number", f"bill {bill.bill_id} reference", 100))
    if total is None or total != bill.amount_remaining:
        if not ref_match:
            return None
        # The right bill by its reference, but a different amount: a partial payment.
        conf = 0.75
        reasons.append(
            MatchReason(
                "total_amount",
                f"bill {bill.bill_id} amount due",
                0,
                f"{total} vs {bill.amount_remaining}",
            )
        )
    else:
        conf = 0.97 if ref_match else 0.9
        reasons.append(MatchReason("total_amount", f"bill {bill.bill_id} amount due", 100))
    doc_date = _date(_text(fields, "document_date"))
    if doc_date and bill.issue_date:
        slack = timedelta(days=policy.date_slack_days)
        end = (bill.due_date or bill.issue_date + timedelta(days=60)) + slack
        if bill.issue_date - slack <= doc_date <= end:
            conf = min(1.0, conf + 0.05)
            reasons.append(MatchReason("document_date", f"bill {bill.bill_id} period", 100))
        else:
            conf -= 0.3
            reasons.append(
                MatchReason(
                    "document_date",
                    f"bill {bill.bill_id} period",
                    0,
                    f"{doc_date} outside {bill.issue_date}..{bill.due_date}",
                )
            )
    return conf, reasons


def _name_candidates(
    fields: Mapping[str, FieldValue], ledger: Ledger, policy: MatchPolicy
) -> dict[str, tuple[float, str]]:
    """customer_id -> (best name score, document field that gave it)."""
    choices = {c.customer_id: normalize_name(c.name) for c in ledger.customers}
    best: dict[str, tuple[float, str]] = {}
    for field_name in PARTY_FIELDS:
        value = _text(fields, field_name)
        if not value:
            continue
        query = normalize_name(value)
        if not query:
            continue
        hits = process.extract(
            query,
            choices,
            scorer=fuzz.ratio,
            limit=policy.candidates,
            score_cutoff=policy.min_name_score,
        )
        for _choice, score, customer_id in hits:
            if score > best.get(customer_id, (-1.0, ""))[0]:
                best[customer_id] = (float(score), field_name)
    return best


def match_document(
    fields: Mapping[str, FieldValue],
    ledger: Ledger,
    policy: MatchPolicy | None = None,
    document_type: DocumentType | None = None,
) -> MatchResult:
    """Best (customer, bill) for the document's fields, or no match with the reasons why.

    ``document_type`` says which party on the document is the customer; without it (or for
    an unknown type) every party field counts fully.
    """
    policy = policy or MatchPolicy()
    expected = EXPECTED_PARTY.get(document_type) if document_type else None
    by_id = {c.customer_id: c for c in ledger.customers}
    candidates = _name_candidates(fields, ledger, policy)
    if not candidates:
        return MatchResult(None, None, 0.0, problems=("no customer in the ledger has this name",))

    scored: list[_Scored] = []
    for customer_id, (name_score, field_name) in candidates.items():
        customer = by_id[customer_id]
        c_conf, c_reasons = _customer_evidence(customer, name_score, field_name, fields)
        if expected is not None and field_name not in expected:
            c_conf *= OTHER_PARTY_WEIGHT
            c_reasons.append(MatchReason(field_name, "expected party", 0, f"not the {expected[0]}"))
        bills_found = False
        for bill in ledger.open_bills_of(customer_id):
            evidence = _bill_evidence(bill, fields, policy)
            if evidence is None:
                continue
            b_conf, b_reasons = evidence
            bills_found = True
            by_reference = any(r.field == "document_number" for r in b_reasons)
            scored.append(
                _Scored(customer, bill, c_conf * b_conf, tuple(c_reasons + b_reasons), by_reference)
            )
        if not bills_found:
            # The customer alone, without a bill, is worth showing but never auto-accepted.
            scored.append(_Scored(customer, None, c_conf * 0.5, tuple(c_reasons)))

    scored.sort(key=lambda s: s.confidence, reverse=True)
    best = scored[0]
    problems: list[str] = []
    confidence = best.confidence
    # A runner-up that is a different answer and nearly as good makes this a coin toss.
    for other in scored[1:]:
        if best.confidence - other.confidence > policy.ambiguity_margin:
            break
        same_customer = other.customer.customer_id == best.customer.customer_id
        if same_customer and other.bill is None:
            continue
        if best.reference_match and not other.reference_match:
            continue  # the document names this bill; an equal amount elsewhere is chance
        what = (
            f"bill {other.bill.bill_id if other.bill else '-'} of the same customer"
            if same_customer
            else f"customer {other.customer.customer_id} ({other.customer.name})"
        )
        problems.append(f"ambiguous: {what} fits almost as well ({other.confidence:.2f})")
        confidence = min(confidence, 0.5)
        break

    if best.confidence < 0.35:
        return MatchResult(
            None,
            None,
            round(best.confidence, 3),
            best.reasons,
            ("the closest customer is too unlike the document",),
        )
    if best.bill is None:
        problems.append(
            f"no open bill of customer {best.customer.customer_id} fits the document's "
            "amount, currency and date"
        )
    return MatchResult(
        customer_id=best.customer.customer_id,
        bill_id=best.bill.bill_id if best.bill and not problems else None,
        confidence=round(max(0.0, confidence), 3),
        reasons=best.reasons,
        problems=tuple(problems),
    )
