"""Whether a document pays one open bill, how (exactly, within rounding, partly), and how well.

Only open and partial bills are considered; a paid bill is never matched. A bill in another
currency is not a match. A payment smaller than the bill is believed only when the document
names the bill (its reference); an overpayment is flagged for a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from docintake.domain import MatchReason
from matching.ledger import BillRecord
from matching.normalize import normalize_id


class Payment(StrEnum):
    EXACT = "exact"
    ROUNDING = "rounding"  # cash rounding: the till rounded the bill to the coin
    PARTIAL = "partial"
    OVERPAYMENT = "overpayment"
    UNKNOWN = "unknown"  # the document names the bill but its amount was not read


@dataclass(frozen=True)
class DocumentPayment:
    """What on the document can tie it to a bill."""

    amount: Decimal | None
    currency: str | None
    date: date | None
    references: frozenset[str]  # normalised numbers printed on the document


@dataclass(frozen=True)
class BillTerms:
    rounding: Decimal = Decimal("0.02")  # cash rounding to 0.05 moves a total by at most 0.02
    date_slack_days: int = 3  # a document dated slightly before the bill
    late_days: int = 60  # paying later than this after the due date is unusual
    default_term_days: int = 30  # when a bill has no due date


@dataclass(frozen=True)
class BillFit:
    bill: BillRecord
    fit: float  # 0..1
    payment: Payment
    reasons: tuple[MatchReason, ...]
    by_reference: bool
    problems: tuple[str, ...] = ()


def currency_mismatch(bill: BillRecord, doc: DocumentPayment) -> bool:
    return bool(doc.currency and bill.currency and doc.currency.upper() != bill.currency.upper())


def fit_bill(bill: BillRecord, doc: DocumentPayment, terms: BillTerms) -> BillFit | None:
    """How well the document fits the bill, or None when it cannot be this bill's payment."""
    if not bill.is_open or currency_mismatch(bill, doc):
        return None
    bid = bill.bill_id
    by_reference = bool(bill.reference and normalize_id(bill.reference) in doc.references)
    reasons: list[MatchReason] = []
    problems: list[str] = []
    if by_reference:
        reasons.append(MatchReason("document_number", f"bill {bid} reference", 100))
    due = bill.amount_remaining
    if doc.amount is None:
        if not by_reference:
            return None
        payment, fit = Payment.UNKNOWN, 0.6
    else:
        diff = doc.amount - due
        note = f"{doc.amount} vs {due}"
        if diff == 0:
            payment, fit, score = Payment.EXACT, 1.0, 100.0
            note = ""
        elif abs(diff) <= terms.rounding:
            payment, fit, score = Payment.ROUNDING, 0.93, 95.0
        elif diff < 0:
            # Part of the bill: believable when the document names the bill, otherwise any
            # bigger bill of the customer would "fit".
            # Even then a person confirms it (fit below what is accepted on its own).
            if not by_reference:
                return None
            payment, fit, score = Payment.PARTIAL, 0.8, 0.0
            note = f"pays {doc.amount} of {due}; {due - doc.amount} would remain"
        else:
            if not by_reference:
                return None
            payment, fit, score = Payment.OVERPAYMENT, 0.6, 0.0
            problems.append(f"the document pays {doc.amount}, {diff} more than bill {bid} owes")
        reasons.append(MatchReason("total_amount", f"bill {bid} amount due", score, note))
    if doc.date is not None and bill.issue_date is not None:
        start = bill.issue_date - timedelta(days=terms.date_slack_days)
        due_date = bill.due_date or bill.issue_date + timedelta(days=terms.default_term_days)
        end = due_date + timedelta(days=terms.late_days)
        period = f"bill {bid} period"
        if doc.date < start:
            fit *= 0.5
            reasons.append(
                MatchReason(
                    "document_date", period, 0, f"{doc.date} before issue {bill.issue_date}"
                )
            )
        elif doc.date > end:
            fit *= 0.75
            reasons.append(
                MatchReason("document_date", period, 30, f"{doc.date} long after due {due_date}")
            )
        else:
            reasons.append(MatchReason("document_date", period, 100))
    elif doc.date is None:
        fit *= 0.95
    return BillFit(bill, min(1.0, fit), payment, tuple(reasons), by_reference, tuple(problems))
