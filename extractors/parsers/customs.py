"""Field parser for customs declarations and commercial invoices used for trade.

These forms are label-driven ("Consignor", "HS code", "Country of origin"...). The common invoice
fields (amounts, dates, currency) come from the invoice parser; this module adds the trade ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docintake.domain import DocumentText, FieldValue, Line
from extractors.parsers.common import (
    Band,
    LabelHit,
    below_in_band,
    cut_at_next_box,
    date_order,
    find_dates,
    find_labelled,
    identifier_after,
    label_band,
    letters_ratio,
    make_field,
    normalise_space,
    parse_amount,
    span_confidence,
    words_in_band,
)
from extractors.parsers.invoice import parse_invoice


def _rx(p: str) -> re.Pattern[str]:
    return re.compile(p, re.IGNORECASE)


_DECLARATION_LABEL = _rx(
    r"\b(?:declaration|entry|customs\s*ref(?:erence)?|mrn|sad)\s*(?P<no>no|number|nr|#|ref)?\.?\s*[:.]?"
)
# The declaration's own date (the invoice date on the same form is the covered invoice's).
_DECLARATION_DATE_LABEL = _rx(
    r"\bdate\s*of\s*(?:declaration|acceptance|lodg(?:e)?ment|entry)\b"
    r"|\b(?:declaration|acceptance|entry|lodg(?:e)?ment)\s*date\b"
)
_CONSIGNOR_LABEL = _rx(r"\b(?:consignor|exporter|shipper|sender)(?:\s*/\s*\w+)?\b\s*[:.]?")
_CONSIGNEE_LABEL = _rx(r"\b(?:consignee|importer|receiver|recipient)(?:\s*/\s*\w+)?\b\s*[:.]?")
_ORIGIN_LABEL = _rx(r"\b(?:country\s*of\s*origin|origin\s*country|made\s*in|origin)\b\s*[:.]?")
_INCOTERMS_LABEL = _rx(
    r"\b(?:incoterms?(?:\s*20\d\d)?|terms\s*of\s*(?:delivery|sale)|delivery\s*terms)\b"
)
_INCOTERMS = re.compile(r"\b(EXW|FCA|FAS|FOB|CFR|CIF|CPT|CIP|DAP|DPU|DDP|DAT|DDU|C&F|CNF)\b")
_HS_LABEL = _rx(
    r"\b(?:hs|h\.s\.|harmoni[sz]ed(?:\s*system)?|commodity|tariff)\s*(?:code|no|number|heading|"
    r"classification)?s?\b\s*[:.]?"
)
# HS codes: 6 digits, optionally extended to 8-10 (national), often dotted: 8471.30, 8471.30.01.
_HS_CODE = re.compile(r"(?<![\d.])(\d{4}[.\s]?\d{2}(?:[.\s]?\d{2}){0,2})(?![\d.,]\d)")
_WEIGHT_LABEL = _rx(r"\bgross\s*(?:weight|wt|mass)\b(?:\s*\(?\s*kgs?\s*\)?)?\s*[:.]?")
_WEIGHT_VALUE = re.compile(r"(\d[\d.,\s]*\d|\d)\s*(kgs?|kilograms?|g|lbs?|t)?\b", re.IGNORECASE)

# Country names (English and German) to ISO 3166 alpha-2; small on purpose: the common origins.
_COUNTRIES: dict[str, str] = {
    "china": "CN",
    "people's republic of china": "CN",
    "prc": "CN",
    "germany": "DE",
    "deutschland": "DE",
    "united states": "US",
    "united states of america": "US",
    "usa": "US",
    "u.s.a.": "US",
    "united kingdom": "GB",
    "great britain": "GB",
    "uk": "GB",
    "france": "FR",
    "italy": "IT",
    "spain": "ES",
    "netherlands": "NL",
    "belgium": "BE",
    "poland": "PL",
    "japan": "JP",
    "south korea": "KR",
    "korea": "KR",
    "taiwan": "TW",
    "vietnam": "VN",
    "viet nam": "VN",
    "india": "IN",
    "malaysia": "MY",
    "singapore": "SG",
    "thailand": "TH",
    "indonesia": "ID",
    "philippines": "PH",
    "bangladesh": "BD",
    "pakistan": "PK",
    "turkey": "TR",
    "türkiye": "TR",
    "mexico": "MX",
    "canada": "CA",
    "brazil": "BR",
    "australia": "AU",
    "switzerland": "CH",
    "schweiz": "CH",
    "austria": "AT",
    "österreich": "AT",
    "sweden": "SE",
    "denmark": "DK",
    "norway": "NO",
    "finland": "FI",
    "ireland": "IE",
    "portugal": "PT",
    "czech republic": "CZ",
    "czechia": "CZ",
    "hungary": "HU",
    "romania": "RO",
    "hong kong": "HK",
    "sri lanka": "LK",
    "cambodia": "KH",
    "south africa": "ZA",
    "israel": "IL",
    "united arab emirates": "AE",
    "uae": "AE",
    "saudi arabia": "SA",
    "egypt": "EG",
    "morocco": "MA",
    "new zealand": "NZ",
    "china (mainland)": "CN",
}
_ALPHA2 = frozenset(_COUNTRIES.values())
# "MALAYSIA (MY)": a country name with its code in brackets.
_NAME_AND_CODE = re.compile(r"^(?P<name>[^()]+?)\s*\(\s*(?P<code>[A-Za-z]{2})\s*\)$")


def _country_code(raw: str) -> tuple[str, float]:
    """ISO alpha-2 for a printed country, with a rule confidence; as printed when unknown."""
    text = normalise_space(raw).strip(" .,:;")
    key = text.lower()
    if key in _COUNTRIES:
        return _COUNTRIES[key], 0.92
    if text.upper() in _ALPHA2 and len(text) == 2:
        return text.upper(), 0.9
    both = _NAME_AND_CODE.match(text)
    if both:
        name_code = _COUNTRIES.get(both["name"].strip(" .,:;").lower())
        code = both["code"].upper()
        if name_code == code:
            return code, 0.95  # name and code agree
        if name_code is None and code in _ALPHA2:
            return code, 0.85
    for name in sorted(_COUNTRIES, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", key):
            return _COUNTRIES[name], 0.85
    return text, 0.6


_NEXT_BOX = _rx(r"\s{2,}|\b(?:consignee|consignor|importer|exporter)\b")


def _band_of(hit: LabelHit) -> Band | None:
    """The form box / column the label of ``hit`` heads (label text = before the value)."""
    label_text = hit.line.text[: hit.value_start].rstrip()
    start = len(label_text) - len(label_text.lstrip())
    return label_band(hit.line, start, len(label_text))


def _inline_value(hit: LabelHit) -> tuple[str, int]:
    """The value right of a label, without a neighbouring box's label merged into the line."""
    return cut_at_next_box(hit.value_text), hit.value_start


def _values_below(lines: Sequence[Line], hit: LabelHit, limit: int = 2) -> list[Line]:
    """The text under the label in its own box or column (a form's 'label above value')."""
    band = _band_of(hit)
    if band is None:
        return list(lines[hit.line_index + 1 : hit.line_index + 1 + limit])
    return below_in_band(lines, hit.line_index, band, limit=limit)


def _clean_text_value(value: str) -> str:
    value = normalise_space(value).strip(" :,;|_")
    return re.sub(r"\.{2,}$", ".", value)  # "B.V.." - a speck read as a second full stop


def _labelled_text(lines: Sequence[Line], label: re.Pattern[str], rule: float) -> FieldValue | None:
    """A party or text value: right of the label, or the first line below it."""
    for hit in find_labelled(lines, label):
        value, _ = _inline_value(hit)
        # Drop a trailing label of the next form box that a reader put on the same line.
        value = _clean_text_value(_NEXT_BOX.split(normalise_space(value))[0])
        if len(value) >= 3 and letters_ratio(value) > 0.5:
            conf = span_confidence(hit.line, hit.value_start, hit.value_start + len(value))
            return make_field(value, rule, conf)
        for nxt in _values_below(lines, hit):
            text = _clean_text_value(nxt.text)
            if len(text) >= 3 and letters_ratio(text) > 0.5:
                return make_field(text, rule * 0.85, nxt.confidence)
    return None


def _declaration_number(lines: Sequence[Line]) -> FieldValue | None:
    for hit in find_labelled(lines, _DECLARATION_LABEL):
        value, offset = _inline_value(hit)
        found = identifier_after(value)
        if found and not re.search(r"\w", value[: found[1]]):
            token, s, e = found
            conf = span_confidence(hit.line, offset + s, offset + e)
            return make_field(token, 0.88, conf)
        m = _DECLARATION_LABEL.search(hit.line.text)
        if m is None or not (m["no"] or re.match(r"mrn", m.group(0), re.I)):
            continue  # "Declaration: I declare ...": not a number's label
        # Numbered forms print the value under the label, in the label's box.
        for nxt in _values_below(lines, hit, limit=1):
            found = identifier_after(nxt.text)
            if found and found[1] == 0:
                token, s, e = found
                return make_field(token, 0.85, span_confidence(nxt, s, e))
    return None


def _declaration_date(lines: Sequence[Line], body: str) -> FieldValue | None:
    """The declaration's own date: right of its label or under it in the same box."""
    mf, proven = date_order(body)
    for hit in find_labelled(lines, _DECLARATION_DATE_LABEL):
        value, offset = _inline_value(hit)
        candidates = [(hit.line, h, offset, 0.92) for h in find_dates(value, month_first=mf)]
        for nxt in _values_below(lines, hit, limit=1):
            candidates += [(nxt, h, 0, 0.88) for h in find_dates(nxt.text, month_first=mf)]
        if candidates:
            line, date_hit, off, rule = candidates[0]
            if date_hit.ambiguous and not proven:
                rule *= 0.85
            conf = span_confidence(line, off + date_hit.start, off + date_hit.end)
            return make_field(date_hit.iso, rule, conf)
    return None


# HS codes as printed: "8471.30", "8471.30.00", "8471. 30" (OCR), "8471 30 00", "847130".
_HS_DOTTED = re.compile(r"(?<![\d.,])(\d{4})\.\s?(\d{2})((?:\.\d{2}){0,2}|\.\d{4})(?![\d,]|\.\d)")
_HS_SPACED = re.compile(r"(?<![\d.,])(\d{4})\s(\d{2})((?:\s\d{2}){0,2})(?![\d.,]?\d)")
_HS_PLAIN = re.compile(r"(?<![\d.,])(\d{6}|\d{8}|\d{10})(?![\d.,]?\d)")


def _hs_in(text: str) -> list[tuple[str, int, int]]:
    """HS codes in ``text`` in the usual dotted notation ("8471.30", "8471.30.00"), with spans."""
    found: list[tuple[str, int, int]] = []
    for pattern in (_HS_DOTTED, _HS_SPACED, _HS_PLAIN):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for _, s, e in found):
                continue
            digits = re.sub(r"\D", "", m.group(0))
            if len(digits) not in (6, 8, 10):
                continue
            code = f"{digits[:4]}." + ".".join(digits[i : i + 2] for i in range(4, len(digits), 2))
            found.append((code, m.start(), m.end()))
    found.sort(key=lambda f: f[1])
    return found


def _hs_codes(lines: Sequence[Line]) -> FieldValue | None:
    """HS codes printed on labelled lines or in the column under an 'HS code' header."""
    codes: list[str] = []
    confs: list[float] = []
    for hit in find_labelled(lines, _HS_LABEL):
        value, offset = _inline_value(hit)
        scan = [(hit.line, value, offset)]
        # A table header: codes sit in the rows below it, in the header's column.
        band = _band_of(hit)
        for ln in lines[hit.line_index + 1 : hit.line_index + 30]:
            part = words_in_band(ln, band) if band else ln
            scan.append((part, part.text, 0))
        for line, text, start in scan:
            for code, s, e in _hs_in(text):
                if code not in codes:
                    codes.append(code)
                    confs.append(span_confidence(line, start + s, start + e))
        if codes:
            break
    if not codes:
        return None
    return make_field(tuple(codes), 0.85, min(confs))


def _gross_weight(lines: Sequence[Line]) -> FieldValue | None:
    for hit in find_labelled(lines, _WEIGHT_LABEL):
        label_text = hit.line.text[: hit.value_start]
        value, offset = _inline_value(hit)
        texts = [(value, hit.line, offset)]
        texts += [(ln.text, ln, 0) for ln in _values_below(lines, hit, limit=1)]
        for text, line, off in texts:
            m = _WEIGHT_VALUE.search(text)
            if not m:
                continue
            amount = parse_amount(m.group(1).replace(" ", ""), allow_integer=True)
            if amount is None:
                continue
            unit = (m.group(2) or ("kg" if re.search(r"kg", label_text, re.I) else "")).lower()
            weight = float(amount)
            if unit.startswith("lb"):
                weight *= 0.45359237
            elif unit == "t":
                weight *= 1000
            elif unit == "g":
                weight /= 1000
            rule = 0.88 if unit else 0.6  # no unit printed: kg is only the likely reading
            conf = span_confidence(line, off + m.start(1), off + m.end(1))
            return make_field(f"{weight:.2f}", rule, conf)
    return None


def _incoterms(lines: Sequence[Line], body: str) -> FieldValue | None:
    for hit in find_labelled(lines, _INCOTERMS_LABEL):
        value, offset = _inline_value(hit)
        texts = [(hit.line, value, offset)]
        texts += [(ln, ln.text, 0) for ln in _values_below(lines, hit, limit=1)]
        for line, text, off in texts:
            m = _INCOTERMS.search(text.upper())
            if m:
                conf = span_confidence(line, off + m.start(1), off + m.end(1))
                return make_field(_canonical_incoterm(m.group(1)), 0.9, conf)
    # Unlabelled "FOB Shanghai" anywhere: plausible but weaker.
    found = {_canonical_incoterm(t) for t in _INCOTERMS.findall(body)}
    if len(found) == 1:
        return make_field(found.pop(), 0.65, 1.0)
    return None


def _canonical_incoterm(term: str) -> str:
    return {"C&F": "CFR", "CNF": "CFR"}.get(term, term)


def _origin(lines: Sequence[Line]) -> FieldValue | None:
    for hit in find_labelled(lines, _ORIGIN_LABEL):
        value, offset = _inline_value(hit)
        texts = [(hit.line, value, offset)]
        texts += [(ln, ln.text, 0) for ln in _values_below(lines, hit, limit=1)]
        for line, text, off in texts:
            text = re.split(r"\s{2,}|\b(?:incoterms?|hs|gross|net|port)\b", text, flags=re.I)[0]
            text = text.strip(" :.;,|")
            if len(text) >= 2 and letters_ratio(text) > 0.6:
                code, rule = _country_code(text)
                return make_field(code, rule, span_confidence(line, off, off + len(text)))
    return None


def parse_customs(text: DocumentText) -> dict[str, FieldValue]:
    lines = text.lines
    body = text.text
    fields = parse_invoice(text)
    # The document date of a declaration is its own date, not the covered invoice's.
    declared = _declaration_date(lines, body)
    if declared is not None:
        fields["document_date"] = declared
    extra = {
        "declaration_number": _declaration_number(lines),
        "consignor": _labelled_text(lines, _CONSIGNOR_LABEL, 0.85),
        "consignee": _labelled_text(lines, _CONSIGNEE_LABEL, 0.85),
        "country_of_origin": _origin(lines),
        "incoterms": _incoterms(lines, body),
        "hs_codes": _hs_codes(lines),
        "gross_weight_kg": _gross_weight(lines),
    }
    fields.update({name: fv for name, fv in extra.items() if fv is not None})
    # The consignor of a trade document is its vendor when no seller block was found.
    if "vendor_name" not in fields and "consignor" in fields:
        consignor = fields["consignor"]
        fields["vendor_name"] = FieldValue(consignor.value, round(consignor.confidence * 0.9, 3))
    if "customer_name" not in fields and "consignee" in fields:
        consignee = fields["consignee"]
        fields["customer_name"] = FieldValue(consignee.value, round(consignee.confidence * 0.9, 3))
    return fields
