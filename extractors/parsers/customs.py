"""Field parser for customs declarations and commercial invoices used for trade.

These forms are label-driven ("Consignor", "HS code", "Country of origin"...). The common invoice
fields (amounts, dates, currency) come from the invoice parser; this module adds the trade ones.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from docintake.domain import DocumentText, FieldValue, Line
from extractors.parsers.common import (
    find_labelled,
    identifier_after,
    letters_ratio,
    make_field,
    normalise_space,
    parse_amount,
    span_confidence,
)
from extractors.parsers.invoice import parse_invoice


def _rx(p: str) -> re.Pattern[str]:
    return re.compile(p, re.IGNORECASE)


_DECLARATION_LABEL = _rx(
    r"\b(?:declaration|entry|customs\s*ref(?:erence)?|mrn|sad)\s*(?:no|number|nr|#|ref)?\.?\s*[:.]?"
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


def _country_code(raw: str) -> tuple[str, float]:
    """ISO alpha-2 for a printed country, with a rule confidence; as printed when unknown."""
    text = normalise_space(raw).strip(" .,:;")
    key = text.lower()
    if key in _COUNTRIES:
        return _COUNTRIES[key], 0.92
    if text.upper() in _ALPHA2 and len(text) == 2:
        return text.upper(), 0.9
    for name in sorted(_COUNTRIES, key=len, reverse=True):
        if re.search(rf"\b{re.escape(name)}\b", key):
            return _COUNTRIES[name], 0.85
    return text, 0.6


_NEXT_BOX = _rx(r"\s{2,}|\b(?:consignee|consignor|importer|exporter)\b")


def _labelled_text(lines: Sequence[Line], label: re.Pattern[str], rule: float) -> FieldValue | None:
    """A party or text value: right of the label, or the first line below it."""
    for hit in find_labelled(lines, label):
        value = normalise_space(hit.value_text)
        # Drop a trailing label of the next form box that a reader put on the same line.
        value = _NEXT_BOX.split(value)[0].strip(" :,")
        if len(value) >= 3 and letters_ratio(value) > 0.5:
            conf = span_confidence(hit.line, hit.value_start, len(hit.line.text))
            return make_field(value, rule, conf)
        for nxt in lines[hit.line_index + 1 : hit.line_index + 3]:
            text = normalise_space(nxt.text)
            if len(text) >= 3 and letters_ratio(text) > 0.5:
                return make_field(text, rule * 0.85, nxt.confidence)
    return None


def _declaration_number(lines: Sequence[Line]) -> FieldValue | None:
    for hit in find_labelled(lines, _DECLARATION_LABEL):
        found = identifier_after(hit.value_text)
        if found and found[1] <= 2:
            token, s, e = found
            conf = span_confidence(hit.line, hit.value_start + s, hit.value_start + e)
            return make_field(token, 0.88, conf)
    return None


def _hs_codes(lines: Sequence[Line]) -> FieldValue | None:
    """HS codes printed on labelled lines or in the column under an 'HS code' header."""
    codes: list[str] = []
    confs: list[float] = []
    for hit in find_labelled(lines, _HS_LABEL):
        scan = [(hit.line, hit.value_start)]
        # A table header: codes sit in the rows below it.
        scan += [(ln, 0) for ln in lines[hit.line_index + 1 : hit.line_index + 30]]
        for line, start in scan:
            for m in _HS_CODE.finditer(line.text, start):
                code = re.sub(r"\D", "", m.group(1))
                if len(code) in (6, 8, 10) and code not in codes:
                    codes.append(code)
                    confs.append(span_confidence(line, m.start(1), m.end(1)))
        if codes:
            break
    if not codes:
        return None
    return make_field(tuple(codes), 0.85, min(confs))


def _gross_weight(lines: Sequence[Line]) -> FieldValue | None:
    for hit in find_labelled(lines, _WEIGHT_LABEL):
        label_text = hit.line.text[: hit.value_start]
        texts = [(hit.value_text, hit.line, hit.value_start)]
        texts += [(ln.text, ln, 0) for ln in lines[hit.line_index + 1 : hit.line_index + 2]]
        for text, line, offset in texts:
            m = _WEIGHT_VALUE.search(text)
            if not m:
                continue
            amount = parse_amount(m.group(1).replace(" ", ""), allow_integer=True)
            if amount is None:
                continue
            unit = (m.group(2) or ("kg" if re.search(r"kg", label_text, re.I) else "")).lower()
            value = float(amount)
            if unit.startswith("lb"):
                value *= 0.45359237
            elif unit == "t":
                value *= 1000
            elif unit == "g":
                value /= 1000
            rule = 0.88 if unit else 0.6  # no unit printed: kg is only the likely reading
            conf = span_confidence(line, offset + m.start(1), offset + m.end(1))
            return make_field(f"{value:.2f}", rule, conf)
    return None


def _incoterms(lines: Sequence[Line], body: str) -> FieldValue | None:
    for hit in find_labelled(lines, _INCOTERMS_LABEL):
        below = [ln.text for ln in lines[hit.line_index + 1 : hit.line_index + 2]]
        for text in [hit.value_text, *below]:
            m = _INCOTERMS.search(text.upper())
            if m:
                return make_field(_canonical_incoterm(m.group(1)), 0.9, hit.line.confidence)
    # Unlabelled "FOB Shanghai" anywhere: plausible but weaker.
    found = {_canonical_incoterm(t) for t in _INCOTERMS.findall(body)}
    if len(found) == 1:
        return make_field(found.pop(), 0.65, 1.0)
    return None


def _canonical_incoterm(term: str) -> str:
    return {"C&F": "CFR", "CNF": "CFR"}.get(term, term)


def _origin(lines: Sequence[Line]) -> FieldValue | None:
    for hit in find_labelled(lines, _ORIGIN_LABEL):
        below = [ln.text for ln in lines[hit.line_index + 1 : hit.line_index + 2]]
        for text in [hit.value_text, *below]:
            text = re.split(r"\s{2,}|\b(?:incoterms?|hs|gross|net|port)\b", text, flags=re.I)[0]
            if len(text.strip(" :.")) >= 2 and letters_ratio(text) > 0.6:
                code, rule = _country_code(text)
                return make_field(code, rule, hit.line.confidence)
    return None


def parse_customs(text: DocumentText) -> dict[str, FieldValue]:
    lines = text.lines
    body = text.text
    fields = parse_invoice(text)
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
