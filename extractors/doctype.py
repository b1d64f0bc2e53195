"""Guess whether a document is a receipt, an invoice or a customs/trade document.

Scoring is keyword and layout based: each type collects weighted evidence, and the winner must
both reach a minimum score and beat the runner-up clearly, else the result is ``unknown``.
"""

from __future__ import annotations

import re

from docintake.domain import DocumentText, DocumentType

_Rule = tuple[re.Pattern[str], float]


def _rules(*pairs: tuple[str, float]) -> tuple[_Rule, ...]:
    return tuple((re.compile(p, re.IGNORECASE), w) for p, w in pairs)


# Each pattern counts once per document: repeated boilerplate should not outvote structure.
_RECEIPT = _rules(
    (r"\bcashier\b|\bkasir\b|\boperator\b|\bclerk\d*\b", 2.0),
    # Till abbreviations: "TTL CASH", "TTL AFT RND".
    (r"\bttl\b", 1.0),
    # Till item lines: "2x 4.50", "1 X 19.00".
    (r"(?<![\w.])\d{1,3}\s?[x×]\s?\d+\.\d{2}\b", 1.0),
    (r"\bchange\b(?!\s+(?:of|to|in)\b)", 1.5),
    (r"\bcash\b", 1.0),
    # Money handed over at the counter, with its amount: "CASH RM 50.00", "TUNAI 20.00".
    (r"\b(?:cash|tunai|tender(?:ed)?|change|baki)\b[^\n\d]{0,20}\d+\.\d{2}\b", 1.5),
    (r"\brounding\b|\bround(?:ing)?\s*adj", 2.0),
    (r"\btotal\s*(?:\(?incl\.?\s*(?:gst|sst|vat)\)?|rounded|qty)", 1.5),
    (r"\b(?:gst|sst)\s*summary\b|\bgst\s*@?\s*\d|\bsst\s*@?\s*\d", 1.5),
    (r"\breceipt\b", 2.0),
    (r"\bthank\s*you\b|\bplease\s*come\s*again\b|\bcome\s*again\b", 1.5),
    (r"\bgoods\s*sold\s*are\s*not\s*(?:returnable|refundable)\b|\bno\s*(?:cash\s*)?refund", 1.5),
    (r"\b(?:visa|master\s*card|mastercard|debit|credit\s*card|e-?wallet)\b", 0.5),
    (r"\btable\s*(?:no)?\b|\bpax\b|\bdine\s*in\b|\btake\s*away\b", 1.0),
    (r"\bqty\b", 0.5),
    (r"\bitem\(?s\)?\s*:?\s*\d", 1.0),
    (r"\bpos\b|\bterminal\b|\bcounter\b", 0.5),
    (r"\bsdn\.?\s*bhd\b", 0.5),
)
_INVOICE = _rules(
    (r"\binvoice\b", 2.0),
    (r"\btax\s*invoice\b", 0.5),
    (r"\bbill\s*to\b|\bsold\s*to\b|\binvoice\s*to\b|\bship\s*to\b", 2.5),
    (r"\bdue\s*date\b|\bpayment\s*due\b|\bdue\s*upon\b|\bnet\s*\d{1,3}\b", 2.0),
    (r"\binvoice\s*(?:no|number|num|#|date)\b|\binv\.?\s*(?:no|date|#)\b", 2.5),
    (r"\brechnung|\bgutschrift\b|\bfaktura\b|\bfacture\b|\bfactura\b", 3.0),
    (r"\bzahlbar\b|\bf[äa]llig|\bzahlungsbedingungen\b|\bbankverbindung\b", 1.5),
    (r"\b(?:ust|mwst|umsatzsteuer)\b|\bsteuernummer\b", 1.0),
    (r"\biban\b|\bbic\b|\bswift\b|\baccount\s*(?:no|number)\b", 1.0),
    (r"\bterms\b|\bremit\b|\bpurchase\s*order\b|\bp\.?o\.?\s*(?:no|number|#)", 1.5),
    (r"\bsubtotal\b|\bamount\s*due\b|\bbalance\s*due\b", 1.0),
    (r"\bvat\s*(?:no|number|reg)", 1.0),
    (r"\badvertiser\b|\bcontract\b|\bagency\b", 1.0),
)
_CUSTOMS = _rules(
    (r"\bcustoms\b", 2.5),
    (r"\bcustoms\s*declaration\b|\bsingle\s*administrative\s*document\b", 3.0),
    (r"\bSAD\b", 1.0),
    (r"\bconsignor\b|\bexporter\b|\bshipper\b", 2.0),
    (r"\bconsignee\b|\bimporter\b", 2.0),
    (r"\bhs\s*(?:code|no|tariff)|\bharmoni[sz]ed\s*(?:system|code)|\bcommodity\s*code\b", 3.0),
    (r"\btariff\b", 1.5),
    (r"\bcountry\s*of\s*origin\b|\borigin\s*country\b|\bmade\s*in\b", 2.0),
    (r"\bincoterms?\b|\b(?:EXW|FCA|FAS|FOB|CFR|CIF|CPT|CIP|DAP|DPU|DDP)\b", 1.5),
    (r"\bCN\s*2[23]\b", 3.0),
    (r"\bgross\s*(?:weight|wt|mass)\b|\bnet\s*(?:weight|wt|mass)\b", 1.5),
    (r"\bport\s*of\s*(?:loading|discharge|entry)\b|\bbill\s*of\s*lading\b|\bairway\s*bill\b", 1.5),
    (r"\bdeclaration\s*(?:no|number)\b|\bmrn\b|\beori\b", 2.0),
    (r"\bduty\b|\bduties\b", 1.0),
    (r"\bcommercial\s*invoice\b|\bpro\s*-?\s*forma\s*invoice\b", 1.0),
)

_MIN_SCORE = 3.0


def _score(text: str, rules: tuple[_Rule, ...]) -> float:
    return sum(weight for pattern, weight in rules if pattern.search(text))


def _narrowness(text: DocumentText) -> float:
    """Layout evidence for a till roll: a tall, thin page or short lines of text."""
    page = text.pages[0] if text.pages else None
    if page is None or not page.lines or len(text.pages) > 1:
        return 0.0
    if page.height > 1.8 * page.width:
        return 3.0  # no paper format but a till roll is this elongated
    lengths = sorted(len(line.text) for line in page.lines)
    return 1.5 if lengths[len(lengths) // 2] <= 36 else 0.0


def _scores(text: DocumentText) -> dict[DocumentType, float]:
    body = text.text
    scores = {
        DocumentType.RECEIPT: _score(body, _RECEIPT),
        DocumentType.INVOICE: _score(body, _INVOICE),
        DocumentType.CUSTOMS: _score(body, _CUSTOMS),
    }
    scores[DocumentType.RECEIPT] += _narrowness(text)
    # A commercial invoice with HS codes / origin is trade paperwork, not a plain invoice;
    # the "invoice" words it carries should not pull it to the invoice type.
    if scores[DocumentType.CUSTOMS] >= 6.0:
        scores[DocumentType.CUSTOMS] += 0.5 * scores[DocumentType.INVOICE]
    return scores


def leaning(text: DocumentText) -> DocumentType:
    """The type with the most evidence, however little: which parser suits an ``unknown``
    document best. Invoice when there is no evidence at all (its labelled rules are the most
    cautious)."""
    scores = _scores(text)
    best = max(scores, key=lambda k: scores[k])
    return best if scores[best] > scores[DocumentType.INVOICE] else DocumentType.INVOICE


def detect_document_type(text: DocumentText) -> tuple[DocumentType, float]:
    """The most likely document type and a 0..1 confidence; ``unknown`` when nothing convinces."""
    if len(text.text.strip()) < 20:
        return DocumentType.UNKNOWN, 0.0
    scores = _scores(text)
    ranked = sorted(scores.items(), key=lambda kv: kv[1], reverse=True)
    (best, top), (_, second) = ranked[0], ranked[1]
    if top < _MIN_SCORE:
        return DocumentType.UNKNOWN, round(min(0.4, top / 10), 3)
    margin = (top - second) / top
    if margin < 0.15:
        return DocumentType.UNKNOWN, 0.3
    # Confidence grows with the evidence and with the lead over the runner-up.
    strength = min(1.0, top / 10.0)
    return best, round(min(0.98, 0.45 + 0.3 * strength + 0.25 * margin), 3)
