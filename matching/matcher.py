"""Pick the customer and the open bill a document settles, with a confidence and the evidence.

1. Blocking: the document's name words, ids and contacts (``matching.keys``) find a few
   candidate customers through the ledger's index; a bill reference printed on the document
   finds its bill and customer directly. The ledger is never scanned.
2. Scoring: each candidate's name, branch, legal form, address and ids (``customers``), then
   each of its open bills (``bills``). A (customer, bill) answer scores the product.
3. Deciding: the best answer, unless another one is nearly as good. Then it is a question for
   a reviewer, who sees both: "no match" beats a guess.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date

from docintake.domain import (
    DocumentType,
    FieldValue,
    MatchCandidate,
    MatchReason,
    MatchResult,
    parse_decimal,
)
from matching.bills import (
    BillFit,
    BillTerms,
    DocumentPayment,
    Payment,
    currency_mismatch,
    fit_bill,
)
from matching.customers import CustomerScore, DocumentParty, score_customer
from matching.keys import document_keys
from matching.ledger import BillRecord, CustomerRecord, Ledger, LedgerView, MemoryLedger
from matching.normalize import normalize_id

# Document fields that may name the ledger's customer, with the fields printed for that party.
PARTY_FIELDS: dict[str, tuple[str, str, str, str]] = {
    # name field: (address, tax id, phone, email)
    "vendor_name": ("vendor_address", "vendor_tax_id", "vendor_phone", "vendor_email"),
    "customer_name": ("customer_address", "customer_tax_id", "customer_phone", "customer_email"),
    "consignee": ("consignee_address", "consignee_tax_id", "", ""),
    "consignor": ("consignor_address", "consignor_tax_id", "", ""),
}
# The party whose bill a document settles, by document type: the shop on a receipt, the
# bill-to on an invoice, the consignee on a customs declaration. Other parties named on the
# document (an invoice's seller, say) are weaker evidence: another party with a ledger entry
# must not be mistaken for the customer.
EXPECTED_PARTY: dict[DocumentType, tuple[str, ...]] = {
    DocumentType.RECEIPT: ("vendor_name",),
    DocumentType.INVOICE: ("customer_name",),
    DocumentType.CREDIT_NOTE: ("customer_name",),
    DocumentType.CUSTOMS: ("consignee", "customer_name"),
    DocumentType.COMMERCIAL_INVOICE: ("consignee", "customer_name"),
    DocumentType.PACKING_LIST: ("consignee", "customer_name"),
    DocumentType.BILL_OF_LADING: ("consignee", "customer_name"),
}
OTHER_PARTY_WEIGHT = 0.6
# Numbers on the document that may be a bill's reference.
REFERENCE_FIELDS = ("document_number", "purchase_order", "reference")
MIN_REFERENCE_LENGTH = 4
# A customer without a fitting bill is worth suggesting, never auto-accepting.
NO_BILL_WEIGHT = 0.5


@dataclass(frozen=True)
class MatchPolicy:
    """Knobs of the matcher; defaults were set on the development ledger."""

    min_name_score: float = 70.0  # below this a customer is not a candidate at all...
    min_partial_score: float = 90.0  # ...unless one name holds the other's words (a lead)
    candidates: int = 12  # customers scored in full (with their bills) per document
    lookup_limit: int = 40  # customers fetched by blocking keys per document
    max_key_customers: int = 5000  # a key shared by more customers finds nobody in particular
    rare_key_customers: int = 10  # with a key this rare present...
    common_key_customers: int = 1000  # ...keys more common than this are not read
    suggest_floor: float = 0.35  # a customer less likely than this is not even suggested
    ambiguity_margin: float = 0.08  # a different answer this close makes it a question
    shown_candidates: int = 5  # kept with the result for reviewers
    terms: BillTerms = field(default_factory=BillTerms)


@dataclass(frozen=True)
class _Option:
    customer: CustomerScore
    bill: BillFit | None
    confidence: float

    @property
    def key(self) -> tuple[str, str | None]:
        return self.customer.customer.customer_id, self.bill.bill.bill_id if self.bill else None

    def reasons(self) -> tuple[MatchReason, ...]:
        return self.customer.reasons + (self.bill.reasons if self.bill else ())

    def candidate(self) -> MatchCandidate:
        c = self.customer.customer
        return MatchCandidate(
            customer_id=c.customer_id,
            customer_name=c.name,
            bill_id=self.bill.bill.bill_id if self.bill else None,
            confidence=round(self.confidence, 3),
            reasons=self.reasons(),
            payment=self.bill.payment.value if self.bill else None,
        )


def _text(fields: Mapping[str, FieldValue], name: str) -> str | None:
    fv = fields.get(name) if name else None
    if fv is None or not isinstance(fv.value, str) or not fv.value.strip():
        return None
    return fv.value


def _values(fields: Mapping[str, FieldValue], name: str) -> tuple[str, ...]:
    fv = fields.get(name) if name else None
    if fv is None:
        return ()
    if isinstance(fv.value, (list, tuple)):
        return tuple(str(v) for v in fv.value if v)
    return (str(fv.value),) if fv.value else ()


def document_parties(fields: Mapping[str, FieldValue]) -> list[DocumentParty]:
    parties = []
    for name_field, (address, tax_id, phone, email) in PARTY_FIELDS.items():
        name = _text(fields, name_field)
        if not name:
            continue
        parties.append(
            DocumentParty(
                field=name_field,
                name=name,
                address=_text(fields, address),
                address_field=address,
                tax_field=tax_id,
                phone_field=phone,
                email_field=email,
                tax_ids=_values(fields, tax_id),
                phones=_values(fields, phone),
                emails=_values(fields, email),
            )
        )
    return parties


def document_payment(fields: Mapping[str, FieldValue]) -> DocumentPayment:
    doc_date: date | None = None
    if raw := _text(fields, "document_date"):
        try:
            doc_date = date.fromisoformat(raw)
        except ValueError:
            doc_date = None
    # A bill reference is a number of some length; "12" or "A" would name bills by chance.
    references = frozenset(
        ref
        for name in REFERENCE_FIELDS
        for v in _values(fields, name)
        if len(ref := normalize_id(v)) >= MIN_REFERENCE_LENGTH and any(c.isdigit() for c in ref)
    )
    return DocumentPayment(
        amount=parse_decimal(_text(fields, "total_amount")),
        currency=_text(fields, "currency"),
        date=doc_date,
        references=references,
    )


def _blocking_keys(
    ledger: LedgerView, parties: list[DocumentParty], policy: MatchPolicy
) -> list[str]:
    """The document's keys worth looking customers up by."""
    keys = document_keys(
        [p.name for p in parties],
        tax_ids=[t for p in parties for t in p.tax_ids],
        phones=[t for p in parties for t in p.phones],
        emails=[t for p in parties for t in p.emails],
    )
    counts = ledger.key_counts(sorted(keys))
    usable = sorted(k for k, n in counts.items() if n <= policy.max_key_customers)
    if any(n <= policy.rare_key_customers for n in counts.values()):
        # A nearly unique key finds the customer; reading thousands of rows for a common
        # word as well is what makes a lookup slow (measured: no customer lost at 100k).
        return [k for k in usable if counts[k] <= policy.common_key_customers]
    return usable


def _scored_customers(
    customers: list[CustomerRecord],
    parties: list[DocumentParty],
    expected: tuple[str, ...] | None,
    referenced_customers: set[str],
    policy: MatchPolicy,
) -> list[CustomerScore]:
    scored: list[CustomerScore] = []
    for customer in customers:
        if parties:
            s = _score(customer, parties, expected)
        else:  # only a reference tied the document to this customer
            s = CustomerScore(customer, DocumentParty("document_number", ""), 0.0, 0.0, 0.0, ())
        if s.name_score >= policy.min_name_score or customer.customer_id in referenced_customers:
            scored.append(s)
        elif s.partial_score >= max(policy.min_partial_score, policy.min_name_score):
            scored.append(replace(s, confidence=0.0))  # a lead to show, no evidence to use
    scored.sort(key=lambda s: (-s.confidence, s.customer.customer_id))
    return scored[: policy.candidates]


def _merge(*groups: list[CustomerRecord]) -> list[CustomerRecord]:
    seen: dict[str, CustomerRecord] = {}
    for group in groups:
        for c in group:
            seen.setdefault(c.customer_id, c)
    return list(seen.values())


def _score(
    customer: CustomerRecord, parties: list[DocumentParty], expected: tuple[str, ...] | None
) -> CustomerScore:
    best: CustomerScore | None = None
    for party in parties:
        s = score_customer(customer, party)
        if expected is not None and party.field not in expected:
            note = MatchReason(party.field, "expected party", 0, f"not the {expected[0]}")
            s = replace(s, confidence=s.confidence * OTHER_PARTY_WEIGHT, reasons=(*s.reasons, note))
        if best is None or s.confidence > best.confidence:
            best = s
    assert best is not None
    return best


def match_document(
    fields: Mapping[str, FieldValue],
    ledger: LedgerView | Ledger,
    policy: MatchPolicy | None = None,
    document_type: DocumentType | None = None,
) -> MatchResult:
    """Best (customer, bill) for the document's fields, or no match with the reasons why.

    ``document_type`` says which party on the document is the customer; without it (or for
    an unknown type) every party field counts fully.
    """
    policy = policy or MatchPolicy()
    view: LedgerView = MemoryLedger(ledger) if isinstance(ledger, Ledger) else ledger
    expected = EXPECTED_PARTY.get(document_type) if document_type else None
    parties = document_parties(fields)
    payment = document_payment(fields)
    referenced = [b for ref in sorted(payment.references) for b in view.bills_by_reference(ref)]
    referenced_customers = {b.customer_id for b in referenced}
    by_reference = view.customers(sorted(referenced_customers))
    keys = _blocking_keys(view, parties, policy)
    found = view.customers_by_keys(keys, policy.lookup_limit) if keys else []
    scored = _scored_customers(
        _merge(found, by_reference), parties, expected, referenced_customers, policy
    )
    if not scored:
        return MatchResult(None, None, 0.0, problems=("no customer in the ledger has this name",))

    bills: dict[str, dict[str, BillRecord]] = defaultdict(dict)
    for b in [*view.open_bills([s.customer.customer_id for s in scored]), *referenced]:
        bills[b.customer_id][b.bill_id] = b  # referenced bills may be paid: fit_bill says no
    named = {b.bill_id: b for b in referenced}

    options: list[_Option] = []
    notes: list[str] = []
    for s in scored:
        cid = s.customer.customer_id
        fits = [f for b in bills[cid].values() if (f := fit_bill(b, payment, policy.terms))]
        # A bill the document names confirms a customer whose name is only a little off; it
        # does not turn another name into this customer (the number may be someone else's).
        named_fit = any(f.by_reference for f in fits)
        plausible = s.name_score >= policy.min_name_score or s.confirmed
        confidence = max(s.confidence, 0.9) if named_fit and plausible else s.confidence
        for f in fits:
            options.append(_Option(s, f, confidence * f.fit))
        if not fits:
            options.append(_Option(s, None, confidence * NO_BILL_WEIGHT))
            notes += [
                f"bill {b.bill_id} is in {b.currency}, the document in {payment.currency}"
                for b in bills[cid].values()
                if currency_mismatch(b, payment) and b.amount_remaining == payment.amount
            ]
    # Between equals, the answer whose bill the document names by its reference comes first.
    options.sort(key=lambda o: (-o.confidence, not (o.bill and o.bill.by_reference), o.key))
    return _decide(options, scored, policy, notes, named)


def _look_alike(best: CustomerScore, scored: list[CustomerScore]) -> CustomerScore | None:
    """Another customer whose name is as close as the best one's and that the best's postcode
    or identifiers do not rule out: nothing but the bill would tell them apart."""
    for s in scored:
        if (
            s.customer is not best.customer
            and s.party.field == best.party.field
            and s.name_score >= max(90.0, best.name_score - 3)
            and (not best.confirmed or best.confirmed_by <= s.confirmed_by)
        ):
            return s
    return None


def _decide(
    options: list[_Option],
    scored: list[CustomerScore],
    policy: MatchPolicy,
    notes: list[str],
    named: Mapping[str, BillRecord],
) -> MatchResult:
    best = options[0]
    shown = tuple(o.candidate() for o in options[: policy.shown_candidates])
    customer = best.customer
    # A weak name is still worth showing a reviewer when a bill of exactly this amount
    # backs it; it is never enough to accept.
    backed = best.bill is not None and best.bill.payment in (Payment.EXACT, Payment.ROUNDING)
    if customer.confidence < policy.suggest_floor and not backed:
        return MatchResult(
            None,
            None,
            round(best.confidence, 3),
            best.reasons(),
            ("the closest customer is too unlike the document",),
            candidates=shown,
        )
    problems: list[str] = []
    confidence = best.confidence
    bill = best.bill
    for other in options[1:]:
        if best.confidence - other.confidence > policy.ambiguity_margin:
            break
        if other.bill is None and other.customer.customer is customer.customer:
            continue
        if bill is not None and bill.by_reference and not (other.bill and other.bill.by_reference):
            continue  # the document names this bill; an equal amount elsewhere is chance
        if other.customer.customer is customer.customer:
            problems.append(
                f"ambiguous: bills {bill.bill.bill_id if bill else '-'} and "
                f"{other.bill.bill.bill_id if other.bill else '-'} of customer "
                f"{customer.customer.customer_id} fit equally well"
            )
        else:
            c = other.customer.customer
            problems.append(
                f"ambiguous: customer {c.customer_id} ({c.name}) fits almost as well "
                f"({other.confidence:.2f} vs {best.confidence:.2f})"
            )
        confidence = min(confidence, 0.5)
        bill = None
        break
    cid = customer.customer.customer_id
    own_named = [b for b in named.values() if b.customer_id == cid]
    if own_named and (bill is None or bill.bill.bill_id not in named):
        # The document names one bill of this customer; paying another would be a guess.
        for b in own_named:
            state = "already paid" if not b.is_open else f"{b.status}, {b.amount_remaining} due"
            problems.append(f"the document names bill {b.bill_id} ({state})")
        confidence = min(confidence, 0.5)
        bill = None
    if bill is not None and (rival := _look_alike(customer, scored)) is not None:
        # The document's own customer may be missing from the ledger while a same-named one
        # has a bill of this amount; only a postcode or an identifier can rule that out.
        problems.append(
            f"look-alike customer {rival.customer.customer_id} ({rival.customer.name}) has as "
            "close a name, and no postcode or identifier tells them apart"
        )
        confidence = min(confidence, 0.8)
    if bill is not None and not customer.same_name and not customer.confirmed:
        # A name a letter or two off may be OCR noise, or another company that is not a
        # customer at all; without a postcode or identifier a person decides.
        problems.append(
            f"the name differs from customer {cid}'s beyond OCR's usual confusions "
            f"({customer.name_score:.0f}), and no postcode or identifier confirms it"
        )
        confidence = min(confidence, 0.8)
    if best.bill is None:
        problems.append(
            f"no open bill of customer {customer.customer.customer_id} fits the document's "
            "amount, currency and date"
        )
        problems += notes
    elif bill is not None:
        problems += bill.problems
        if bill.payment is Payment.PARTIAL and not bill.by_reference:
            problems.append(f"the document pays only part of bill {bill.bill.bill_id}")
    return MatchResult(
        customer_id=customer.customer.customer_id,
        bill_id=bill.bill.bill_id if bill else None,
        confidence=round(max(0.0, confidence), 3),
        # Without a chosen bill, the evidence is the customer's; the bills are candidates.
        reasons=best.reasons() if bill else customer.reasons,
        problems=tuple(problems),
        candidates=shown,
        payment=bill.payment.value if bill else None,
    )
