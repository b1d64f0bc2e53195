"""The top of a till receipt: the issuing company's name and its address."""

from __future__ import annotations

import re
from collections.abc import Sequence

from docintake.domain import FieldValue, Line
from extractors.parsers.common import letters_ratio, make_field, normalise_space

# Top-of-receipt lines that are not the vendor's name.
_HEADER_NOISE = re.compile(
    r"^\W*(?:(?:tax|cash|simplified|official|sales)?\s*(?:invoice|receipt|bill|sale)s?"
    r"|welcome|copy|duplicate|reprint|tel|fax|phone|gst|sst|co\.?\s*reg|company\s*reg|reg\.?\s*no)\b",
    re.IGNORECASE,
)
# Legal forms: a line carrying one is the company name even when it is not the first line.
_LEGAL_SUFFIX = re.compile(
    r"\b(?:s[d0oib1]n\.?\s*bhd|bhd|berhad|s/b|enterprise|ltd|limited|llc|inc|corp(?:oration)?"
    r"|gmbh|plc|pte)\b\.?",
    re.IGNORECASE,
)
# Trade words: they make the first candidate line more believable as a name, nothing more.
_TRADE_WORD = re.compile(
    r"\b(?:trading|restaurant|restoran|cafe|bakery|mart|store|stores|shop|supermarket"
    r"|hypermarket|pharmacy|hardware|bookstore|stationery|kedai|company|co\.)\b",
    re.IGNORECASE,
)
# Trailing registration number after a name: "TRI SHAAS SDN BHD (728515-M)".
_TRAILING_REG = re.compile(
    r"\s*[(\[]?\s*(?:co\.?\s*)?(?:reg\.?\s*)?(?:no\.?\s*)?[:.]?\s*"
    r"\d{3,}[\s-]*[a-z]?\s*[)\]]?\s*$",
    re.IGNORECASE,
)
_REG_LINE = re.compile(
    r"\b(?:roc|br|co|company|business|gst|sst)\.?\s*(?:reg(?:istration)?\.?\s*)?"
    r"(?:no|id|number)\b",
    re.IGNORECASE,
)
_ADDRESS_STOP = re.compile(
    r"\b(?:tel|fax|phone|h/?p|mobile|e-?mail|www|http|gst|sst|co\.?\s*reg|reg\s*no|invoice"
    r"|receipt|cashier|date|time|table|bill|order|member)\b|@",
    re.IGNORECASE,
)
_ADDRESS_HINT = re.compile(
    r"\b\d{5}\b|\b(?:jalan|jln|lorong|taman|tmn|lot|no\.?|blok|block|road|rd|street|st"
    r"|avenue|ave|floor|level|bandar|kampung|kg|off|persiaran|lebuh|plaza|mall|centre|center"
    r"|selangor|johor|kuala|lumpur|penang|perak|pahang|melaka|kedah|sabah|sarawak|negeri)\b|,",
    re.IGNORECASE,
)
# A company registration number under the name: "(CO.REG :933109-X)", "(4150-1)".
_REG_NO_LINE = re.compile(
    r"^\W*\(?\s*(?:co\.?\s*)?(?:reg\.?|no\.?)?[^a-z]*\d[\d\s\-a-z]*\)?\W*$", re.IGNORECASE
)


def _clean_name(text: str) -> str:
    """Undo OCR slips that are safe to undo in company names."""
    text = re.sub(r"\bS[O0IB1]N\.?(\s*)BHD\b", r"SDN\1BHD", text)
    text = re.sub(r"\bSDN\.?(\s*)(?:8|B)H[DO0]\b", r"SDN\1BHD", text)
    return text.replace("¥", "Y")


def _is_name_candidate(line: Line) -> bool:
    text = line.text.strip()
    words = line.words
    # Garbage read from logos and stamps: mostly low-confidence words.
    if words and sum(w.confidence for w in words) / len(words) < 0.35:
        return False
    letters = sum(c.isalpha() for c in text)
    if letters < 3 or letters_ratio(text) < 0.55:
        return False
    # All-lowercase scribbles (handwriting, scanner stamps) are not printed vendor names.
    if text == text.lower():
        return False
    return not _HEADER_NOISE.search(text)


def vendor(lines: Sequence[Line]) -> tuple[FieldValue | None, int]:
    """Vendor name from the first lines, and the index of the last line it used (-1 if none)."""
    top = list(enumerate(lines[:10]))
    candidates = [(i, ln) for i, ln in top if _is_name_candidate(ln)]
    if not candidates:
        return None, -1
    # A line with a company suffix (SDN BHD, LTD, GmbH...) near the top is almost surely the name.
    chosen: tuple[int, Line] | None = None
    rule = 0.7
    for i, ln in candidates[:4]:
        if _LEGAL_SUFFIX.search(ln.text):
            chosen, rule = (i, ln), 0.85
            break
    if chosen is None:
        chosen = candidates[0]
        if _TRADE_WORD.search(chosen[1].text):
            rule = 0.8
        elif _ADDRESS_HINT.search(chosen[1].text) and re.search(r"\d", chosen[1].text):
            rule = 0.5  # looks more like an address than a name
    i, line = chosen
    name = _clean_name(normalise_space(line.text))
    conf = line.confidence
    last = i
    # "PASARAYA BORONG PINTAR" + "SDN BHD": a bare legal suffix line belongs to the line above.
    bare = _LEGAL_SUFFIX.sub("", name).strip(" .,()-")
    if len(bare) < 3 and i > 0 and _is_name_candidate(lines[i - 1]):
        name = f"{_clean_name(normalise_space(lines[i - 1].text))} {name}"
        conf = min(conf, lines[i - 1].confidence)
    # "ABC TRADING" + "SDN BHD" split over two lines.
    if i + 1 < len(lines) and re.fullmatch(
        r"\W*(?:\(M\)\s*)?(?:SDN\.?\s*BHD\.?|BHD\.?|BERHAD)\W*", lines[i + 1].text, re.IGNORECASE
    ):
        name = f"{name} {normalise_space(lines[i + 1].text)}"
        conf = min(conf, lines[i + 1].confidence)
        last = i + 1
    name = _TRAILING_REG.sub("", name).strip(" -_|*~,")
    if len(name) < 3:
        return None, -1
    return make_field(name, rule, conf), last


def address(lines: Sequence[Line], after: int) -> FieldValue | None:
    parts: list[Line] = []
    for line in lines[after + 1 : after + 9]:
        text = line.text.strip()
        if not parts and (_REG_NO_LINE.match(text) or _REG_LINE.search(text)):
            continue  # registration number printed between the name and the address
        if _ADDRESS_STOP.search(text) or _REG_LINE.search(text):
            break
        if not parts and not _ADDRESS_HINT.search(text):
            continue
        if letters_ratio(text) < 0.3:
            break
        parts.append(line)
        if len(parts) >= 5:
            break
    if not parts:
        return None
    address = normalise_space(" ".join(p.text for p in parts))
    hints = len(_ADDRESS_HINT.findall(address))
    rule = 0.8 if hints >= 2 else 0.6
    return make_field(address, rule, min(p.confidence for p in parts))
