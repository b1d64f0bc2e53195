"""How much a document's party looks like one ledger customer, with the evidence.

Real ledgers hold look-alikes: the same brand at another branch, another legal form, another
address. So the name is compared in parts: the words that name the company, its legal form
(SDN BHD, ENTERPRISE, LTD...) and its branch words (bracketed: "(KUCHAI)"). A branch or legal
form the document does not show costs more than a letter of OCR noise does.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from docintake.domain import MatchReason
from matching.ledger import CustomerRecord
from matching.normalize import (
    email_domain,
    name_parts,
    normalize_address,
    normalize_id,
    normalize_phone,
    postcodes,
    same_modulo_ocr,
)

# Points off the 0..100 name score. A branch the ledger names but the document does not is
# the typical look-alike; a different legal form is another company of the same family.
MISSING_BRANCH = 18.0
BRANCH_ONLY_IN_ADDRESS = 6.0
EXTRA_BRANCH = 12.0
OTHER_LEGAL_FORM = 20.0
LEGAL_FORM_NOT_SHOWN = 4.0  # the ledger has one, the document does not (OCR drops it)
LEGAL_FORM_ONLY_ON_DOCUMENT = 10.0  # "KEDAI MAJU ENTERPRISE" is not the ledger's "KEDAI MAJU"


@dataclass(frozen=True)
class DocumentParty:
    """One party as printed on the document, with the contact details printed for it."""

    field: str  # vendor_name, customer_name, consignee...
    name: str
    address: str | None = None
    address_field: str = "vendor_address"
    tax_field: str = "vendor_tax_id"
    phone_field: str = "vendor_phone"
    email_field: str = "vendor_email"
    tax_ids: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


@dataclass(frozen=True)
class CustomerScore:
    customer: CustomerRecord
    party: DocumentParty
    name_score: float  # 0..100 after the branch and legal-form checks
    partial_score: float  # 0..100: the shorter name's words all within the longer one's
    confidence: float  # 0..1: how sure we are this is the customer
    reasons: tuple[MatchReason, ...]
    # What tells this customer from a same-named one: "postcode 43300", "tax id", ...
    confirmed_by: frozenset[str] = frozenset()
    # The name is the ledger's, read with at most OCR's confusions; branch and legal form agree.
    same_name: bool = False

    @property
    def confirmed(self) -> bool:
        return bool(self.confirmed_by)


def _contains(words: set[str], phrase: str) -> bool:
    return set(phrase.split()) <= words


def _mostly_in(words: set[str], phrase: str) -> bool:
    parts = phrase.split()
    return sum(p in words for p in parts) * 2 >= len(parts)


def _misread(a: str, b: str) -> bool:
    """Two short branch words that OCR could have confused ("KL" read as "EL")."""
    return abs(len(a) - len(b)) <= 1 and fuzz.ratio(a, b) >= 50


def partial_similarity(document_name: str, ledger_name: str) -> float:
    """How well the words of one name sit within the other ("TOKYO KITCHEN" in "TOKYO KITCHEN
    (CITTA MALL) TOKYO KITCHEN"): a lead for a reviewer, never evidence enough to accept."""
    a, b = name_parts(document_name), name_parts(ledger_name)
    return float(fuzz.token_set_ratio(a.words, b.words))


def name_similarity(
    document_name: str, ledger_name: str, document_address: str | None = None
) -> tuple[float, list[str]]:
    """0..100 and the notes on what differed."""
    score, notes, _same = compare_names(document_name, ledger_name, document_address)
    return score, notes


def compare_names(
    document_name: str, ledger_name: str, document_address: str | None = None
) -> tuple[float, list[str], bool]:
    """0..100, the notes on what differed, and whether it is the same name read with at
    most OCR's confusions (same words, branch and legal form).

    The words that name the company are compared without the branch words on either side;
    each branch word then counts on its own, so that "CHECKERS (KLANG)" against "CHECKERS" is
    the same company at another branch, not the same name with a few letters wrong.
    """
    a, b = name_parts(document_name), name_parts(ledger_name)
    doc_words = set(a.words.split())
    address_words = set(normalize_address(document_address or "").split())
    missing = [q for q in sorted(b.qualifiers) if not _contains(doc_words, q)]
    extra = [q for q in sorted(a.qualifiers) if not _contains(set(b.words.split()), q)]
    # Branch words found in the document's name are part of the match, not a difference.
    found = {w for q in b.qualifiers if _contains(doc_words, q) for w in q.split()}
    drop_a = {w for q in a.qualifiers for w in q.split()} | found
    drop_b = {w for q in b.qualifiers for w in q.split()}
    core_a = " ".join(w for w in a.words.split() if w not in drop_a) or a.words
    core_b = " ".join(w for w in b.words.split() if w not in drop_b) or b.words
    if not core_a or not core_b:
        return 0.0, ["no name to compare"], False  # rapidfuzz calls two empty strings equal
    score = max(
        fuzz.ratio(core_a, core_b),
        fuzz.ratio(core_a.replace(" ", ""), core_b.replace(" ", "")),
        fuzz.token_sort_ratio(core_a, core_b),
    )
    notes: list[str] = []
    other_branch = bool(extra)  # a branch word one side has and the other does not
    for q in missing:
        misread = next((x for x in extra if _misread(x, q)), None)
        if misread is not None:
            extra.remove(misread)
            score -= BRANCH_ONLY_IN_ADDRESS
            notes.append(f"branch ({misread}) on the document, ({q}) in the ledger")
        elif _mostly_in(address_words, q):
            score -= BRANCH_ONLY_IN_ADDRESS
            notes.append(f"ledger name has ({q}), the document only in its address")
        else:
            score -= MISSING_BRANCH
            notes.append(f"ledger name has ({q}), the document does not")
            other_branch = True
    for q in extra:
        score -= EXTRA_BRANCH
        notes.append(f"document has ({q}), the ledger name does not")
    if a.legal and b.legal and a.legal != b.legal:
        score -= OTHER_LEGAL_FORM
        notes.append(f"legal form {a.legal} vs {b.legal}")
    elif a.legal and not b.legal:
        score -= LEGAL_FORM_ONLY_ON_DOCUMENT
        notes.append(f"legal form {a.legal} on the document, none in the ledger")
    elif b.legal and not a.legal:
        score -= LEGAL_FORM_NOT_SHOWN
    same = (
        same_modulo_ocr(core_a, core_b) and not other_branch and (a.legal == b.legal or not a.legal)
    )
    return max(0.0, score), notes, same


def _name_confidence(score: float) -> float:
    """95+ is full (a character or two of OCR noise); 75 or less is none."""
    return max(0.0, min(1.0, (score - 75.0) / 20.0))


def _address_evidence(
    party: DocumentParty, document_address: str, customer: CustomerRecord
) -> tuple[float, MatchReason, str | None] | None:
    """A factor on the confidence, the reason, and the postcode when it confirms the customer;
    None when there is nothing to compare. A vague address ("KUALA LUMPUR") confirms nothing."""
    if not customer.address:
        return None
    against = f"customer {customer.customer_id} address"
    ratio = fuzz.token_set_ratio(
        normalize_address(document_address), normalize_address(customer.address)
    )
    ours, theirs = postcodes(document_address), postcodes(customer.address)
    # A branch shares the company's name but not its postcode: the postcode decides.
    if ours and theirs:
        if shared := ours & theirs:
            note = f"postcode {min(shared)}"
            return 1.05, MatchReason(party.address_field, against, ratio, note), note
        note = f"postcode {min(ours)} vs {min(theirs)}"
        return 0.55, MatchReason(party.address_field, against, ratio, note), None
    if ratio >= 85:
        return 1.03, MatchReason(party.address_field, against, ratio), None
    if ratio < 55:
        return 0.8, MatchReason(party.address_field, against, ratio, "addresses differ"), None
    return 1.0, MatchReason(party.address_field, against, ratio), None


def score_customer(customer: CustomerRecord, party: DocumentParty) -> CustomerScore:
    cid = customer.customer_id
    name_score, notes, same_name = compare_names(party.name, customer.name, party.address)
    reasons = [MatchReason(party.field, f"customer {cid} name", name_score, "; ".join(notes))]
    confidence = _name_confidence(name_score)
    confirmed: set[str] = set()
    if party.address:
        evidence = _address_evidence(party, party.address, customer)
        if evidence is not None:
            factor, reason, postcode = evidence
            reasons.append(reason)
            confidence *= factor
            if postcode:
                confirmed.add(postcode)
    # Identifiers are printed exactly; one that agrees is strong, but only for a name that is
    # at least similar (a tax id can belong to another party printed on the same page).
    if customer.tax_id and any(
        normalize_id(t) == normalize_id(customer.tax_id) for t in party.tax_ids
    ):
        reasons.append(MatchReason(party.tax_field, f"customer {cid} tax id", 100))
        confidence = max(confidence, 0.95 if name_score >= 60 else 0.7)
        confirmed.add(f"tax id {normalize_id(customer.tax_id)}")
    if customer.phone and any(
        normalize_phone(p) and normalize_phone(p) == normalize_phone(customer.phone)
        for p in party.phones
    ):
        reasons.append(MatchReason(party.phone_field, f"customer {cid} phone", 100))
        confidence += 0.1
        confirmed.add(f"phone {normalize_phone(customer.phone)}")
    domain = email_domain(customer.email) if customer.email else ""
    if domain and any(email_domain(e) == domain for e in party.emails):
        reasons.append(MatchReason(party.email_field, f"customer {cid} mail domain", 100))
        confidence += 0.1
        confirmed.add(f"mail domain {domain}")
    return CustomerScore(
        customer=customer,
        party=party,
        name_score=name_score,
        partial_score=partial_similarity(party.name, customer.name),
        confidence=max(0.0, min(1.0, confidence)),
        reasons=tuple(reasons),
        confirmed_by=frozenset(confirmed),
        same_name=same_name,
    )
