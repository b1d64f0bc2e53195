"""Field parser for invoices (English, German, French labels): labelled fields, then layout.

No issuer templates: a field is found from its label (``invoice_labels``) and the layout around
it - the value right of the label on the same line, or under it in the label's column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from stdnum import iban as stdnum_iban

from docintake.domain import DocumentText, FieldValue, Line
from extractors.parsers import invoice_labels as L
from extractors.parsers.common import (
    AmountCandidate,
    Band,
    amount_after_label,
    cut_at_next_box,
    date_order,
    detect_currency,
    find_dates,
    find_tax_id,
    identifier_after,
    label_band,
    labelled_identifier,
    letters_ratio,
    make_field,
    normalise_space,
    pick_date,
    span_confidence,
)
from extractors.parsers.lineitems import find_item_table

# ---- layout: the value of a label ----------------------------------------------------------


def _char_to_word(line: Line, offset: int) -> int:
    """Index of the first word of ``line`` that starts at or after character ``offset``."""
    pos = 0
    for k, w in enumerate(line.words):
        if pos >= offset:
            return k
        pos += len(w.text) + 1
    return len(line.words)


def _in_band(line: Line, band: Band) -> Line:
    """The words of ``line`` under ``band``, punctuation kept ("05/27/20 - 06/02/20"), but
    none at either end."""
    words = [
        w for w in line.words if band.left - band.tolerance <= w.left + w.width / 2 < band.right
    ]
    while words and not any(c.isalnum() for c in words[0].text):
        words.pop(0)
    while words and not any(c.isalnum() for c in words[-1].text):
        words.pop()
    return Line(words=tuple(words))


def _chunk_after(line: Line, offset: int) -> Line:
    """The words right of ``line.text[:offset]`` up to the next wide gap (the next column).

    The first gap (label to value) may be any width: forms align values in their own column.
    """
    k = _char_to_word(line, offset)
    words = line.words[k:]
    if not words:
        return Line(words=())
    out = [words[0]]
    for w in words[1:]:
        prev = out[-1]
        height = max(prev.height, w.height, 1)
        if w.left - (prev.left + prev.width) > 2.5 * height:
            break
        out.append(w)
    return Line(words=tuple(out))


@dataclass(frozen=True)
class Spot:
    """Where a label's value may be: a piece of a line, and how far it is from the label."""

    part: Line
    below: bool


def _value_spots(lines: Sequence[Line], i: int, start: int, end: int) -> list[Spot]:
    """Right of the label on its line, then under it in its column (the next two lines)."""
    line = lines[i]
    spots = []
    right = _chunk_after(line, end)
    if right.words:
        spots.append(Spot(right, below=False))
    band = label_band(line, start, end)
    if band is not None:
        for nxt in lines[i + 1 : i + 3]:
            if nxt.top < line.top:  # a page break
                break
            part = _in_band(nxt, band)
            if part.words:
                spots.append(Spot(part, below=True))
                break
    return spots


# ---- document number -----------------------------------------------------------------------


@dataclass(frozen=True)
class _NumberHit:
    value: str
    rule: float
    ocr: float
    kind: str
    line_index: int


def _number_hits(lines: Sequence[Line]) -> list[_NumberHit]:
    hits: list[_NumberHit] = []
    for i, line in enumerate(lines):
        line_text = line.text
        for label, rule, kind in L.NUMBER_LABELS:
            for m in label.finditer(line_text):
                for spot in _value_spots(lines, i, m.start(), m.end()):
                    text = cut_at_next_box(spot.part.text)
                    found = identifier_after(text[:40])
                    # The value must come first (only punctuation before it): a number after
                    # other words is another field's.
                    if not found or re.search(r"[^\W_]", text[: found[1]]):
                        continue
                    token, s, e = found
                    hits.append(
                        _NumberHit(
                            token,
                            rule * (0.9 if spot.below else 1.0),
                            span_confidence(spot.part, s, e),
                            kind,
                            i,
                        )
                    )
                    break
    return hits


_ADVERTISING = re.compile(r"\badvertiser\b|\bflight\s*dates?\b|\bspots?\b", re.IGNORECASE)


def _document_number(lines: Sequence[Line]) -> FieldValue | None:
    hits = _number_hits(lines)
    if not hits:
        return None
    # Broadcast advertising is filed by contract: the station's invoice, the advertiser's order
    # and the affidavit all carry the contract number, while invoice numbers change monthly.
    advertising = _ADVERTISING.search("\n".join(ln.text for ln in lines[:60])) is not None
    best = max(hits, key=lambda h: (advertising and h.kind == "contract", h.rule, -h.line_index))
    rule = best.rule
    rivals = {h.value for h in hits if h.value != best.value and h.rule >= 0.8}
    if any(h.kind == best.kind for h in hits if h.value in rivals):
        rule -= 0.15  # two different numbers under the same kind of label
    if any(
        h.kind in ("invoice", "contract") and h.kind != best.kind for h in hits if h.value in rivals
    ):
        # An invoice number and a contract number: which one the books file the bill under
        # is a convention of the reader, not something the page settles.
        rule = min(rule, 0.7)
    return make_field(best.value, rule, best.ocr)


# ---- dates ---------------------------------------------------------------------------------


def _dates(lines: Sequence[Line], body: str) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    issue = pick_date(
        lines, body, prefer=L.ISSUE_DATE_LABEL, avoid=L.NOT_ISSUE_DATE, require_label=True
    )
    if issue is None:
        issue = pick_date(lines, body, prefer=L.ANY_DATE_LABEL, avoid=L.NOT_ISSUE_DATE)
        if issue is not None:  # a bare "Date" or the first date: plausible, not certain
            issue = FieldValue(issue.value, round(issue.confidence * 0.85, 3))
    if issue is not None:
        out["document_date"] = issue
    due = pick_date(lines, body, prefer=L.DUE_DATE_LABEL, require_label=True)
    issue_value = out["document_date"].value if "document_date" in out else None
    # A "due" date equal to the issue date is usually the issue date read twice; one before
    # the issue date is not a due date at all.
    if (
        due is not None
        and due.value != issue_value
        and (issue_value is None or str(due.value) > str(issue_value))
    ):
        out["due_date"] = due
    return out


# Dates glued by a dash ("06/02/20-06/08/20") or "to" ("05/25/20to05/31/20"): split them so
# each reads as a date on its own.
_GLUED_RANGE = re.compile(r"(?<=\d)\s*(?:-|–|to|bis|au)\s*(?=\d{1,2}[./]\d{1,2}[./]\d{2})", re.I)
_RANGE_GAP = re.compile(r"^\s*(?:-|–|to|bis|au|through|thru)\s*$", re.IGNORECASE)


def _date_range(text: str, month_first: bool) -> tuple[str, str] | None:
    text = _GLUED_RANGE.sub(" - ", text)
    hits = find_dates(text, month_first=month_first)
    if len(hits) < 2:
        return None
    a, b = hits[0], hits[1]
    if not _RANGE_GAP.match(text[a.end : b.start]) or a.iso > b.iso:
        return None
    return a.iso, b.iso


def _period(lines: Sequence[Line], body: str) -> dict[str, FieldValue]:
    month_first, proven = date_order(body)
    best: tuple[float, int, tuple[str, str], float] | None = None
    for i, line in enumerate(lines):
        line_text = line.text
        for label, rule in L.PERIOD_LABELS:
            for m in label.finditer(line_text):
                for spot in _value_spots(lines, i, m.start(), m.end()):
                    found = _date_range(spot.part.text, month_first)
                    if found is None:
                        continue
                    r = rule * (0.9 if spot.below else 1.0) * (1.0 if proven else 0.9)
                    if best is None or (r, -i) > (best[0], -best[1]):
                        best = (r, i, found, spot.part.confidence)
                    break
    if best is None:
        return {}
    rule, _, (start, end), ocr = best
    return {
        "period_start": make_field(start, rule, ocr),
        "period_end": make_field(end, rule, ocr),
    }


# ---- amounts -------------------------------------------------------------------------------


def _best_amount(
    lines: Sequence[Line],
    labels: tuple[tuple[re.Pattern[str], float], ...],
    exclude: re.Pattern[str],
) -> FieldValue | None:
    candidates: list[AmountCandidate] = []
    for i, line in enumerate(lines):
        line_text = line.text
        for label, rule in labels:
            m = label.search(line_text)
            # Judge exclusions near the label only: "Gross Total $180.00 Total Spots 12".
            if not m or exclude.search(line_text[max(0, m.start() - 15) : m.end() + 10]):
                continue
            found = amount_after_label(lines, i, m.end())
            if found:
                value, conf, j = found
                candidates.append(AmountCandidate(value, rule, conf, j))
            break
    if not candidates:
        return None
    # Best label first; among equals the last one (final totals follow page and line totals).
    best = max(candidates, key=lambda c: (c.rule_conf, c.line_index))
    rule = best.rule_conf
    if len({c.value for c in candidates if c.rule_conf == best.rule_conf}) > 1:
        rule -= 0.1
    return make_field(best.value, rule, best.ocr_conf)


def _amounts(lines: Sequence[Line]) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    total = _best_amount(lines, L.TOTAL_LABELS, L.NOT_TOTAL)
    net = _best_amount(lines, L.NET_LABELS, L.NOT_NET)
    tax = _best_amount(lines, L.TAX_LABELS, L.NOT_TAX)
    due = _best_amount(lines, L.DUE_AMOUNT_LABELS, L.NOT_DUE_AMOUNT)
    if total:
        out["total_amount"] = total
        # A dash OCR read before a subtotal ("Subtotal | ; - 943.20") is not a minus sign when
        # the total is positive: keep the figure, doubt it.
        if not str(total.value).startswith("-"):
            net, tax = _unsigned(net), _unsigned(tax)
    if tax and (total is None or abs(float(str(tax.value))) < abs(float(str(total.value)))):
        out["tax_amount"] = tax
    if net and (total is None or abs(float(str(net.value))) <= abs(float(str(total.value)))):
        out["net_amount"] = net
    if due:
        out["amount_due"] = due
    return _cross_check(out)


def _unsigned(fv: FieldValue | None) -> FieldValue | None:
    if fv is None or not str(fv.value).startswith("-"):
        return fv
    rule = fv.rule if fv.rule is not None else fv.confidence
    ocr = fv.confidence / rule if rule else 0.0
    return make_field(str(fv.value)[1:], rule * 0.8, ocr)


def _cross_check(fields: dict[str, FieldValue]) -> dict[str, FieldValue]:
    """net + tax = total raises all three; a sum that does not add up lowers them."""
    parts = [fields.get(n) for n in ("net_amount", "tax_amount", "total_amount")]
    if not all(parts):
        return fields
    net, tax, total = (round(float(str(p.value)), 2) for p in parts if p)
    agree = abs(net + tax - total) < 0.015
    out = dict(fields)
    for name in ("net_amount", "tax_amount", "total_amount"):
        fv = fields[name]
        rule = fv.rule if fv.rule is not None else fv.confidence
        ocr = fv.confidence / rule if rule else 0.0
        new_rule = min(0.97, rule + 0.08) if agree else rule * 0.8
        out[name] = make_field(str(fv.value), new_rule, ocr)
    return out


# ---- parties -------------------------------------------------------------------------------

_NAME_FIELD = re.compile(r"^\W*(?:name|firma|company|raison\s*sociale|nom)\s*:\s*", re.IGNORECASE)
# A value that is an identifier or another label rather than a name.
_NOT_A_NAME = re.compile(
    r"^\W*(?:nummer|number|no\.?|nr\.?|id|globale|gln|anschrift|address|adresse|tel|phone|fax"
    r"|e-?mail|ust|vat|tax|steuer|name|code|ref|representative|and|or|of|#)\b",
    re.IGNORECASE,
)
_LEGAL_FORM = re.compile(
    r"\b(?:gmbh|ag|kg|ug|se|ltd|limited|llc|inc|corp|plc|pte|sdn\.?\s*bhd|bhd|s\.?a\.?r?\.?l?"
    r"|sas|b\.?v\.?|oy|ab|a\.?s\.?|co\.)\b",
    re.IGNORECASE,
)
# Where a text layer glued the next column's label onto a value: "X Market: Y", "X Invoice Date".
_MERGED_LABEL = re.compile(
    r"(?:^|\s+)[A-Z][\w$/]*\.?\s?:|(?:^|\s+)(?:invoice|order|date|total|commission"
    r"|market|original|contract|page|phone|tel|fax|attn|attention|entered\s+by)\b"
    # An address glued on by OCR merging columns: "Bernie 2020 PO Box 391".
    r"|(?:^|\s+)p\.?\s?o\.?\s*box\b"
    # ... or a label glued without a space: "US/DemInvoice".
    r"|(?<=[a-z])(?-i:Invoice|Order|Date|Total|Contract|Market|Page)\b",
    re.IGNORECASE,
)
# An account code a booking system prints after a name: "Ditch Mitch (16904)".
_TRAILING_CODE = re.compile(r"\s*\(\d[\d-]*\)?\s*$")


def _clean_party(text: str) -> str:
    text = normalise_space(_NAME_FIELD.sub("", text.strip()))
    # "Ditch Mitch (16904) Entered By ...": a reference code ends the name (merged columns).
    m = re.search(r"\s*\(\d[\d-]*\)?", text)
    if m:
        text = text[: m.start()]
    text = _MERGED_LABEL.split(text)[0]
    text = _TRAILING_CODE.sub("", text)
    return text.strip(" :,;-")


def _continuation(lines: Sequence[Line], j: int, part: Line) -> str:
    """A name wrapped onto the next line of its column ("Diana Harshbarger for" / "TN CD-1")."""
    if j + 1 >= len(lines) or not part.words:
        return ""
    nxt = lines[j + 1]
    height = max(w.height for w in part.words)
    if not 0 < nxt.top - part.top <= 1.3 * height:
        return ""
    left = part.words[0].left
    right = part.words[-1].left + part.words[-1].width
    inside = [
        w for w in nxt.words if left - height <= w.left and w.left + w.width <= right + height
    ]
    others = [
        w for w in nxt.words if w not in inside and left - 8 * height < w.left < right + height
    ]
    if not inside or others or len(inside) > 4:
        return ""
    text = " ".join(w.text for w in inside)
    # An address line or another field below the name is not part of it.
    if text[:1].isdigit() or _clean_party(text) != normalise_space(text).strip(" :,;-"):
        return ""
    return text if letters_ratio(text) > 0.4 and ":" not in text else ""


def _stacked_above(lines: Sequence[Line], j: int, value_left: int) -> str:
    """A name line printed just above its ``Name:`` row, in the value column (two-line names
    whose label is aligned with the last line)."""
    if j < 2:
        return ""
    prev, before = lines[j - 1], lines[j - 2]
    if prev.left < value_left - 5 or ":" in prev.text:
        return ""
    if lines[j].top - prev.top >= prev.top - before.top:
        return ""
    return prev.text if letters_ratio(prev.text) > 0.6 else ""


def _party(lines: Sequence[Line], heading: re.Pattern[str]) -> FieldValue | None:
    """The name in a party block: ``Bill to: X`` inline, or the block's ``Name:``/first line."""
    for i, line in enumerate(lines):
        m = heading.search(line.text)
        if not m:
            continue
        raw = line.text[m.end() :]
        chunk = _chunk_after(line, m.end())
        inline = _clean_party(chunk.text) if chunk.words else ""
        if (
            len(inline) >= 3
            and len(inline) <= 60
            and letters_ratio(inline) > 0.5
            and (not _NOT_A_NAME.match(raw) or _NAME_FIELD.match(raw))
        ):
            if inline == normalise_space(chunk.text).strip(" :,;-"):
                extra = _continuation(lines, i, chunk)
                if extra:
                    inline = f"{inline} {extra}"
            # Text layers may merge columns into one line, so an inline value is less sure.
            return make_field(inline, 0.75, line.confidence)
        # A heading with another column right of it ("Bill To:      Invoice No: ..."): the
        # block is only the part of the following lines in the heading's column.
        band = label_band(line, m.start(), m.end())
        first_plain: Line | None = None
        for j in range(i + 1, min(len(lines), i + 6)):
            nxt = lines[j]
            if band is not None and band.right < line.words[-1].left + line.words[-1].width:
                nxt = _in_band(nxt, band)
                if not nxt.words:
                    continue
            named = _NAME_FIELD.match(nxt.text)
            if named:
                value_part = _chunk_after(nxt, named.end())
                value = _clean_party(value_part.text)
                if value:
                    left = value_part.words[0].left if value_part.words else nxt.left
                    above = _stacked_above(lines, j, left)
                    if above:
                        value = f"{normalise_space(above)} {value}"
                    return make_field(value, 0.85 if not above else 0.75, nxt.confidence)
            if (
                first_plain is None
                and not _NOT_A_NAME.match(nxt.text)
                and not nxt.text[:1].isdigit()
                and _clean_party(nxt.text) == normalise_space(nxt.text).strip(" :,;-")
                and letters_ratio(nxt.text) > 0.6
                and ":" not in nxt.text
            ):
                first_plain = nxt
        if first_plain is not None:
            name = _clean_party(first_plain.text)
            # The block's first line ending in a legal form ("... Pte. Ltd.", "... GmbH") is
            # the company's name as it registered it; anything else there may be a person,
            # a department or a merged column.
            rule = 0.82 if _LEGAL_FORM.search(name) and len(name.split()) >= 2 else 0.55
            return make_field(name, rule, first_plain.confidence)
    return None


def _vendor_fallback(text: DocumentText) -> FieldValue | None:
    """Without a seller block: a company-looking line near the top of page 1."""
    if not text.pages:
        return None
    page = text.pages[0]
    cutoff = page.height * 0.3
    for i, line in enumerate(page.lines):
        if line.top > cutoff:
            break
        if L.BUYER_HEADING.search(line.text):
            break  # from here on, names are the customer's
        if _LEGAL_FORM.search(line.text) and letters_ratio(line.text) > 0.6:
            name = _clean_party(line.text)
            # The letterhead: the first company name on the page, above a bill-to block that
            # the page does have, and nothing but the name on its line.
            letterhead = (
                i <= 2
                and name == normalise_space(line.text).strip(" :,;-")
                and any(L.BUYER_HEADING.search(other.text) for other in page.lines[i + 1 :])
            )
            return make_field(name, 0.82 if letterhead else 0.55, line.confidence)
    return None


# ---- references: purchase order, IBAN, VAT id ----------------------------------------------


def _purchase_order(lines: Sequence[Line]) -> FieldValue | None:
    for i, line in enumerate(lines):
        for m in L.PO_LABEL.finditer(line.text):
            for spot in _value_spots(lines, i, m.start(), m.end()):
                text = spot.part.text
                found = identifier_after(text[:40])
                if not found or re.search(r"[^\W_]", text[: found[1]]):
                    continue
                token, s, e = found
                rule = 0.85 * (0.9 if spot.below else 1.0)
                return make_field(token, rule, span_confidence(spot.part, s, e))
    return None


_IBAN_SHAPE = re.compile(r"\b[A-Z]{2}\d{2}(?:\s?[A-Z0-9]{4}){2,7}(?:\s?[A-Z0-9]{1,3})?\b")


def _iban(lines: Sequence[Line]) -> FieldValue | None:
    """An IBAN: one whose checksum holds is sure; a labelled one that fails is shown, doubted."""
    invalid: FieldValue | None = None
    for line in lines:
        line_text = line.text
        labelled = L.IBAN_LABEL.search(line_text)
        for m in _IBAN_SHAPE.finditer(line_text.upper()):
            raw = m.group(0)
            compact = stdnum_iban.compact(raw)
            # A word glued after the IBAN ("... 00 BIC") may have been taken in: try shorter.
            for cut in range(len(compact), 14, -1):
                if stdnum_iban.is_valid(compact[:cut]):
                    conf = span_confidence(line, m.start(), m.end())
                    return make_field(compact[:cut], 0.95 if labelled else 0.85, conf)
            if labelled and invalid is None:
                invalid = make_field(compact, 0.4, line.confidence)
    return invalid


_FR_TAX_ID = re.compile(
    r"\b(?:n°\s*)?(?:tva\s*intra(?:communautaire)?|n°\s*tva|num[ée]ro\s*de\s*tva|siret|siren)"
    r"\s*[:.]?",
    re.IGNORECASE,
)


# ---- the parser ----------------------------------------------------------------------------


def parse_invoice(text: DocumentText) -> dict[str, FieldValue]:
    lines = text.lines
    body = text.text
    fields: dict[str, FieldValue] = {}
    number = _document_number(lines)
    if number:
        fields["document_number"] = number
    fields.update(_dates(lines, body))
    fields.update(_period(lines, body))
    fields.update(_amounts(lines))
    currency = detect_currency(body)
    if currency:
        fields["currency"] = make_field(currency[0], currency[1], 1.0)
    vendor = _party(lines, L.SELLER_HEADING) or _vendor_fallback(text)
    if vendor:
        fields["vendor_name"] = vendor
    customer = _party(lines, L.BUYER_HEADING)
    if customer and (vendor is None or customer.value != vendor.value):
        fields["customer_name"] = customer
    tax_id = find_tax_id(lines) or labelled_identifier(lines, _FR_TAX_ID, 0.8, look_below=0)
    if tax_id:
        fields["vendor_tax_id"] = tax_id
    po = _purchase_order(lines)
    if po and (number is None or po.value != number.value):
        fields["purchase_order"] = po
    iban = _iban(lines)
    if iban:
        fields["iban"] = iban
    items = _line_items(text, fields.get("net_amount"))
    if items is not None:
        fields["line_items"] = items
    return fields


def _line_items(text: DocumentText, net: FieldValue | None) -> FieldValue | None:
    """The item table; its rows are trusted when their amounts add up to the net amount."""
    table = find_item_table(text)
    if table is None:
        return None
    total = sum(Decimal(r["amount"]) for r in table.rows)
    adds_up = net is not None and Decimal(str(net.value)) == total
    return make_field(table.rows, 0.85 if adds_up else 0.55, table.confidence)
