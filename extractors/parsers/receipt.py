"""Field parser for till receipts: vendor at the top, a TOTAL line, a date near the items."""

from __future__ import annotations

import re
from collections.abc import Sequence

from docintake.domain import DocumentText, FieldValue, Line
from extractors.parsers import receipt_header
from extractors.parsers.common import (
    AmountCandidate,
    amount_after_label,
    detect_currency,
    find_amounts,
    find_tax_id,
    labelled_identifier,
    make_field,
    pick_date,
    span_confidence,
)

# OCR often reads TOTAL as T0TAL / TOTA1 / TOTAI; accept those spellings.
_TOT = r"t[o0]ta[l1i|]"
# (pattern, rule confidence). Earlier, more specific labels win over a bare "TOTAL".
_TOTAL_LABELS: tuple[tuple[re.Pattern[str], float], ...] = tuple(
    (re.compile(p, re.IGNORECASE), c)
    for p, c in (
        (rf"\bgrand\s*{_TOT}\b", 0.95),
        (rf"\bnett?\s*{_TOT}\b|\b{_TOT}\s*nett?\b", 0.95),
        (rf"\b{_TOT}\s*(?:[a-z]{{2,6}}\.?\s*)?\(?\s*(?:incl(?:usive)?|inc)\b", 0.95),
        # The rounded total is what was paid, so it beats the unrounded one.
        (rf"\b{_TOT}\s*(?:after\s*)?round(?:ed|ing)?\b|\brounded\s*{_TOT}\b", 0.97),
        (rf"\b{_TOT}\s*(?:[a-z]{{2,6}}\.?\s*)?(?:payable|due)\b", 0.93),
        (rf"\b{_TOT}\s*(?:amount|amt|sales?|rm|myr)\b", 0.9),
        (r"\bamount\s*(?:due|payable)\b|\bbalance\s*due\b|\bamount\s*to\s*pay\b", 0.9),
        (rf"(?<![a-z]){_TOT}\b", 0.85),
    )
)
# Lines that carry a figure but not the total.
_NOT_TOTAL = re.compile(
    r"sub\s*-?\s*t[o0]ta[l1i]|\bqty\b|quantity|\bitems?\b|\bexcl|\bsav(?:e|ing)|discount"
    r"|\b(?:gst|sst|tax|vat)\s*(?:amt|amount|payable)?\s*[:=]?\s*$"
    r"|total\s*(?:gst|sst|tax|vat)\b(?!\s*\))|(?:gst|sst|tax|vat)\s*t[o0]tal"
    r"|\bpoints?\b|\bchange\b|\btender",
    re.IGNORECASE,
)
_CASH = re.compile(r"\bcash\b|\btender(?:ed)?\b|\bpaid\b", re.IGNORECASE)
_CHANGE = re.compile(r"\bchange\b|\bbaki\b", re.IGNORECASE)
_TAX_LINE = re.compile(
    r"\b(?:total\s*)?(?:gst|sst|vat|tax)\b(?!\s*(?:reg|id|no|summary|invoice|inv)\b)"
    r"(?:\s*(?:amt|amount|payable|@|\(?\d{1,2}\s*%\)?))*",
    re.IGNORECASE,
)
# "Total Incl. GST", OCR'd as "Inc!" too: such lines carry the total, not the tax.
_INCL = re.compile(r"\binc(?:l|lusive|\b|!)|\bexcl", re.IGNORECASE)

_DOC_NO_LABEL = re.compile(
    r"\b(?:receipt|invoice|inv|bill|doc(?:ument)?|trans(?:action)?|slip|order|check|cheque)"
    r"\s*(?:no|number|num|#)\.?\s*[:.]?",
    re.IGNORECASE,
)


def _total(lines: Sequence[Line]) -> FieldValue | None:
    candidates: list[AmountCandidate] = []
    for i, line in enumerate(lines):
        text = line.text
        for pattern, rule_conf in _TOTAL_LABELS:
            m = pattern.search(text)
            if not m:
                continue
            # "SUB TOTAL", "TOTAL QTY", "TOTAL GST" etc. share the word TOTAL but not the meaning.
            if _NOT_TOTAL.search(text) and rule_conf < 0.95:
                break
            found = amount_after_label(lines, i, m.end())
            if found:
                value, ocr_conf, j = found
                several = sum(h.has_decimals for h in find_amounts(text[m.end() :])) >= 2
                if several and rule_conf < 0.9:
                    rule_conf = 0.7  # "Total 75.00 4.50": a tax summary row, not the total
                candidates.append(AmountCandidate(value.lstrip("-"), rule_conf, ocr_conf, j))
            break
    if candidates:
        return _choose_total(candidates, lines)
    return _largest_amount(lines)


def _paid_minus_change(lines: Sequence[Line]) -> str | None:
    cash = change = None
    for line in lines:
        amounts = [h.value for h in find_amounts(line.text) if h.has_decimals]
        if not amounts:
            continue
        if _CHANGE.search(line.text):
            change = amounts[-1]
        elif _CASH.search(line.text) and cash is None:
            cash = amounts[-1]
    if cash is None or change is None:
        return None
    return f"{float(cash) - float(change):.2f}"


def _choose_total(candidates: list[AmountCandidate], lines: Sequence[Line]) -> FieldValue:
    # The best label wins; among equal labels the first wins (summaries and tax tables that
    # repeat "Total" come after the real total).
    best = max(candidates, key=lambda c: (c.rule_conf, -c.line_index))
    values = {c.value for c in candidates if c.value != "0.00"}
    rule = best.rule_conf
    agree = sum(c.value == best.value for c in candidates)
    if len(values) > 1:
        # Disagreeing totals (e.g. before/after rounding): trust the choice less.
        rule -= 0.1
    if agree >= 2:
        rule += 0.05
    # A receipt with a rounding line pays a rounded amount; an unrounded pick is likely the
    # pre-rounding total (the rounded one was misread).
    rounded_doc = any(re.search(r"\bround", ln.text, re.IGNORECASE) for ln in lines)
    if rounded_doc and round(float(best.value) * 100) % 5 != 0:
        rule -= 0.15
    # Cash paid minus change is an independent check of the total.
    paid = _paid_minus_change(lines)
    if paid == best.value:
        rule += 0.05
    elif paid is not None and float(paid) > 0:
        rule -= 0.15
    return make_field(best.value, min(rule, 0.98), best.ocr_conf)


def _largest_amount(lines: Sequence[Line]) -> FieldValue | None:
    """Fallback when no TOTAL label was read: the largest decimal amount not paid/changed."""
    best: tuple[float, str, float] | None = None
    for line in lines:
        if _CASH.search(line.text) or _CHANGE.search(line.text):
            continue
        for hit in find_amounts(line.text):
            if not hit.has_decimals:
                continue
            amount = float(hit.value)
            if amount <= 0 or amount > 100_000:
                continue
            if best is None or amount > best[0]:
                best = (amount, hit.value, span_confidence(line, hit.start, hit.end))
    if best is None:
        return None
    return make_field(best[1], 0.4, best[2])


def _tax(lines: Sequence[Line]) -> FieldValue | None:
    for i, line in enumerate(lines):
        m = _TAX_LINE.search(line.text)
        if not m or _INCL.search(line.text) or re.search(r"sub\s*total", line.text, re.I):
            continue
        found = amount_after_label(lines, i, m.end(), look_below=0)
        if found:
            value, ocr_conf, _ = found
            rule = 0.8 if re.search(r"total", line.text[: m.end()], re.I) else 0.7
            return make_field(value, rule, ocr_conf)
    return None


def parse_receipt(text: DocumentText) -> dict[str, FieldValue]:
    lines = text.lines
    body = text.text
    fields: dict[str, FieldValue] = {}
    vendor, last = receipt_header.vendor(lines)
    if vendor:
        fields["vendor_name"] = vendor
        address = receipt_header.address(lines, last)
        if address:
            fields["vendor_address"] = address
    total = _total(lines)
    if total:
        fields["total_amount"] = total
    date = pick_date(lines, body)
    if date:
        fields["document_date"] = date
    currency = detect_currency(body)
    if currency:
        fields["currency"] = make_field(currency[0], currency[1], 1.0)
    tax = _tax(lines)
    if tax and (total is None or float(str(tax.value)) < float(str(total.value))):
        fields["tax_amount"] = tax
    number = labelled_identifier(lines, _DOC_NO_LABEL, 0.8, look_below=0)
    if number:
        fields["document_number"] = number
    tax_id = find_tax_id(lines)
    if tax_id:
        fields["vendor_tax_id"] = tax_id
    return fields
