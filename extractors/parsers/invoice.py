"""Field parser for invoices (English and German labels): labelled fields first, layout second."""

from __future__ import annotations

import re
from collections.abc import Sequence

from docintake.domain import DocumentText, FieldValue, Line
from extractors.parsers.common import (
    AmountCandidate,
    amount_after_label,
    cut_at_next_box,
    detect_currency,
    find_tax_id,
    identifier_after,
    label_band,
    letters_ratio,
    make_field,
    normalise_space,
    pick_date,
    span_confidence,
    words_in_band,
)


def _rx(p: str) -> re.Pattern[str]:
    return re.compile(p, re.IGNORECASE)


# ---- document number ------------------------------------------------------------------------

_NUMBER_LABELS: tuple[tuple[re.Pattern[str], float], ...] = (
    (_rx(r"\b(?:invoice|inv|bill|receipt)\.?\s*(?:no|number|num|nr|#)\.?\s*[:.]?"), 0.92),
    (_rx(r"\brechnungs?-?\s*(?:nummer|nr)\.?\s*[:.]?"), 0.92),
    # "Handelsrechnung (380) Nr. 471102", "Gutschrift Nr. 12", "Credit note no. 7"
    (
        _rx(
            r"\b(?:\w*rechnung\w*|gutschrift|invoice|credit\s*note|debit\s*note|facture|factura)"
            r"\b[^:\n]{0,45}?\s(?:nr|no|nummer|number|n°|#)\.?\s*[:.]?"
        ),
        0.9,
    ),
    (_rx(r"\b(?:invoice|rechnung)\s*[:#]?\s*(?=[A-Z]{0,4}[-/]?\d)"), 0.85),
    (_rx(r"\b(?:document|doc|beleg)\.?\s*(?:no|number|nr|nummer|#)\.?\s*[:.]?"), 0.75),
    # Contracts and orders identify the bill when no invoice number is printed.
    (_rx(r"\bcontract\s*(?:no|number|#)?\.?\s*[:.]?"), 0.55),
)


def _words_under(line: Line, left: int, right: int) -> Line:
    """The words of ``line`` that sit in the horizontal band [left, right] (a table column)."""
    slack = max(10, (right - left) // 2)
    words = tuple(
        w for w in line.words if w.left < right + slack and w.left + w.width > left - slack
    )
    return Line(words=words)


def _label_box(line: Line, start: int, end: int) -> tuple[int, int] | None:
    pos = 0
    lefts: list[int] = []
    rights: list[int] = []
    for w in line.words:
        if pos < end and pos + len(w.text) > start:
            lefts.append(w.left)
            rights.append(w.left + w.width)
        pos += len(w.text) + 1
    if not lefts:
        return None
    return min(lefts), max(rights)


def _document_number(lines: Sequence[Line]) -> FieldValue | None:
    for label, rule in _NUMBER_LABELS:
        for i, line in enumerate(lines):
            m = label.search(line.text)
            if not m:
                continue
            # A neighbouring form box merged into the line ("12. Invoice Date") is not a value.
            rest = cut_at_next_box(line.text[m.end() :])
            found = identifier_after(rest[:40])
            # The value must follow the label closely (only punctuation or scan specks between);
            # a number after other words is another column's.
            if found and not re.search(r"[^\W_]", rest[: found[1]]):
                token, s, e = found
                conf = span_confidence(line, m.end() + s, m.end() + e)
                return make_field(token, rule, conf)
            # Label above its value: take the identifier in the same column on the next line.
            box = _label_box(line, m.start(), m.end())
            if box and i + 1 < len(lines):
                under = _words_under(lines[i + 1], *box)
                found = identifier_after(under.text)
                if found:
                    token, s, e = found
                    return make_field(token, rule * 0.9, span_confidence(under, s, e))
    return None


# ---- dates ---------------------------------------------------------------------------------

_ISSUE_LABEL = _rx(
    r"\b(?:invoice|inv|bill|rechnungs?|belegs?)\.?\s*-?\s*(?:date|datum)\b|\bdate\s*of\s*issue\b"
    r"|\bissue\s*date\b|\bausstellungsdatum\b|\bdated\b|\bvom\b"
)
_ANY_DATE_LABEL = _rx(r"\bdate\b|\bdatum\b")
_NOT_ISSUE = _rx(
    r"\bdue\b|f[äa]llig|zahlbar|\bbis\b|liefer|leistung|delivery|ship|print|gen\.|order"
    r"|bestell|period|zeitraum|skonto|übergabe|rückgabe|valid|expir|birth|start|end"
)
_DUE_LABEL = _rx(
    r"\bdue\s*(?:date|on|by)?\b|\bpayment\s*due\b|\bpay\s*by\b|f[äa]llig(?:keit|keitsdatum)?"
    r"|zahlbar\b.*?\bbis\b|\bzahlungsziel\b"
)


def _dates(lines: Sequence[Line], body: str) -> dict[str, FieldValue]:
    out: dict[str, FieldValue] = {}
    issue = pick_date(lines, body, prefer=_ISSUE_LABEL, avoid=_NOT_ISSUE, require_label=True)
    if issue is None:
        issue = pick_date(lines, body, prefer=_ANY_DATE_LABEL, avoid=_NOT_ISSUE)
        if issue is not None:  # a bare "Date" or the first date: plausible, not certain
            issue = FieldValue(issue.value, round(issue.confidence * 0.85, 3))
    if issue is not None:
        out["document_date"] = issue
    due = pick_date(lines, body, prefer=_DUE_LABEL, require_label=True)
    issue_value = out["document_date"].value if "document_date" in out else None
    # A "due" date equal to the issue date is usually the issue date read twice.
    if due is not None and due.value != issue_value:
        out["due_date"] = due
    return out


# ---- amounts -------------------------------------------------------------------------------

_TOTAL_LABELS: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        _rx(
            r"\b(?:grand\s*total|invoice\s*total|total\s*invoice|gross\s*total|total\s*gross"
            r"|total\s*(?:amount\s*)?(?:incl|inc)\.?\s*(?:vat|tax|gst|ust|mwst)?"
            r"|bruttosumme|brutto-?\s*betrag|gesamtbetrag(?!\s*der)|rechnungsbetrag|endbetrag"
            r"|gesamtsumme|rechnungssumme\s*(?:inkl|mit)|total\s*amount)\b"
        ),
        0.92,
    ),
    (_rx(r"\btotals?\b|\bsumme\b"), 0.8),
    (_rx(r"\b(?:amount|balance|total)\s*due\b|\bzahlbetrag\b|\bamount\s*payable\b"), 0.78),
)
_NOT_TOTAL = _rx(
    r"sub\s*-?\s*total|zwischensumme|\bnet(?:to)?\b|netto|ohne\s*ust|\bexcl|positionssumme"
    r"|total\s*(?:tax|vat|gst|ust|spots?|qty|quantity|items?|hours|units|weight)"
    r"|(?:tax|vat|steuer)\s*(?:total|summe|betrag)|der\s*(?:zuschl|abschl)|anzahlung"
)
_TAX_LABELS: tuple[tuple[re.Pattern[str], float], ...] = (
    (
        _rx(
            r"\b(?:steuerbetrag|umsatzsteuerbetrag|mwst\.?-?\s*betrag|ust\.?-?\s*betrag"
            r"|total\s*(?:tax|vat|gst|sales\s*tax)|(?:tax|vat|gst)\s*(?:amount|total)"
            r"|summe\s*(?:ust|mwst|umsatzsteuer)|sales\s*tax)\b"
        ),
        0.88,
    ),
    (_rx(r"\b(?:vat|tax|gst|sst|mwst|ust|umsatzsteuer|mehrwertsteuer)\b"), 0.6),
)
_NOT_TAX = _rx(
    r"\b(?:id|nr|no|number|reg|registration|steuernummer|identifikation)\b|incl|inkl|excl|ohne"
    r"|\bnet\b|netto|gross|brutto"
)


def _best_amount(
    lines: Sequence[Line],
    labels: tuple[tuple[re.Pattern[str], float], ...],
    exclude: re.Pattern[str],
) -> FieldValue | None:
    candidates: list[AmountCandidate] = []
    for i, line in enumerate(lines):
        for label, rule in labels:
            m = label.search(line.text)
            # Judge exclusions near the label only: "Gross Total $180.00 Total Spots 12".
            if not m or exclude.search(line.text[max(0, m.start() - 15) : m.end() + 10]):
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


# ---- parties -------------------------------------------------------------------------------

_SELLER_HEADING = _rx(
    r"^\W*(?:verk[äa]ufer|seller|supplier|vendor|lieferant|rechnungssteller|leistungserbringer"
    r"|from|remit\s*to|pay\s*to)\b\s*:?"
)
_BUYER_HEADING = _rx(
    r"(?:^\W*|\s)(?:bill\s*to|billed\s*to|sold\s*to|invoice\s*to|advertiser)\b\s*:?"
    r"|^\W*(?:k[äa]ufer|buyer|customer|client|kunde|rechnungsempf[äa]nger"
    r"|leistungsempf[äa]nger)\b(?:\s*/\s*\w+)?\s*:?"
)
_NAME_FIELD = _rx(r"^\W*(?:name|firma|company)\s*:\s*")
# A value that is an identifier or another label rather than a name.
_NOT_A_NAME = _rx(
    r"^\W*(?:nummer|number|no\.?|nr\.?|id|globale|gln|anschrift|address|tel|phone|fax"
    r"|e-?mail|ust|vat|tax|steuer|name|code|ref|representative|and|or|of|#)\b"
)
_LEGAL_FORM = _rx(
    r"\b(?:gmbh|ag|kg|ug|se|ltd|limited|llc|inc|corp|plc|pte|sdn\.?\s*bhd|bhd|s\.?a\.?r?\.?l?"
    r"|b\.?v\.?|oy|ab|a\.?s\.?|co\.)\b"
)
# Where a text layer glued the next column's label onto a value: "X Market: Y", "X Invoice Date".
_MERGED_LABEL = re.compile(
    r"(?:^|\s+)[A-Z][\w$/]*\s?:|(?:^|\s+)(?:invoice|order|date|total|commission"
    r"|market|original|contract|page|phone|tel|fax|attn|attention)\b",
    re.IGNORECASE,
)
_TRAILING_CODE = re.compile(r"\s*\(\d+\)\s*$")


def _clean_party(text: str) -> str:
    text = normalise_space(_NAME_FIELD.sub("", text.strip()))
    # "Ditch Mitch (16904) Entered By ...": a reference code ends the name (merged columns).
    text = re.split(r"\s*\(\d[\d-]*\)?", text)[0]
    text = _MERGED_LABEL.split(text)[0]
    text = _TRAILING_CODE.sub("", text)
    return text.strip(" :,;-")


def _party(lines: Sequence[Line], heading: re.Pattern[str]) -> FieldValue | None:
    """The name in a party block: ``Bill to: X`` inline, or the block's ``Name:``/first line."""
    for i, line in enumerate(lines):
        m = heading.search(line.text)
        if not m:
            continue
        raw = line.text[m.end() :]
        inline = _clean_party(raw)
        if (
            len(inline) >= 3
            and len(inline) <= 60
            and letters_ratio(inline) > 0.5
            and (not _NOT_A_NAME.match(raw) or _NAME_FIELD.match(raw))
        ):
            # Text layers may merge columns into one line, so an inline value is less sure.
            return make_field(inline, 0.75, line.confidence)
        # A heading with another column right of it ("Bill To:      Invoice No: ..."): the
        # block is only the part of the following lines in the heading's column.
        band = label_band(line, m.start(), m.end())
        first_plain: Line | None = None
        for nxt in lines[i + 1 : i + 6]:
            if band is not None and band.right < line.words[-1].left + line.words[-1].width:
                nxt = words_in_band(nxt, band)
                if not nxt.words:
                    continue
            named = _NAME_FIELD.match(nxt.text)
            if named:
                value = _clean_party(nxt.text[named.end() :])
                if value:
                    return make_field(value, 0.9, nxt.confidence)
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
            return make_field(_clean_party(first_plain.text), 0.55, first_plain.confidence)
    return None


def _vendor_fallback(text: DocumentText) -> FieldValue | None:
    """Without a seller block: a company-looking line near the top of page 1."""
    if not text.pages:
        return None
    page = text.pages[0]
    cutoff = page.height * 0.3
    for line in page.lines:
        if line.top > cutoff:
            break
        if _LEGAL_FORM.search(line.text) and letters_ratio(line.text) > 0.6:
            return make_field(_clean_party(line.text), 0.55, line.confidence)
    return None


def parse_invoice(text: DocumentText) -> dict[str, FieldValue]:
    lines = text.lines
    body = text.text
    fields: dict[str, FieldValue] = {}
    number = _document_number(lines)
    if number:
        fields["document_number"] = number
    fields.update(_dates(lines, body))
    total = _best_amount(lines, _TOTAL_LABELS, _NOT_TOTAL)
    if total:
        fields["total_amount"] = total
    tax = _best_amount(lines, _TAX_LABELS, _NOT_TAX)
    if tax and (total is None or float(str(tax.value)) < float(str(total.value))):
        fields["tax_amount"] = tax
    currency = detect_currency(body)
    if currency:
        fields["currency"] = make_field(currency[0], currency[1], 1.0)
    vendor = _party(lines, _SELLER_HEADING) or _vendor_fallback(text)
    if vendor:
        fields["vendor_name"] = vendor
    customer = _party(lines, _BUYER_HEADING)
    if customer and (vendor is None or customer.value != vendor.value):
        fields["customer_name"] = customer
    tax_id = find_tax_id(lines)
    if tax_id:
        fields["vendor_tax_id"] = tax_id
    return fields
