"""The top of a till receipt: the issuing company's name and its address.

A receipt header reads, top to bottom: logos and brand lines, the company name (often with its
legal form, "SDN BHD"), a registration number, the address ending in a postcode and town, then
phone, tax number and the transaction lines. The parser classifies the top lines by those
conventions, takes the name from the lines above the address, and the address from the lines
below the name. Confidence is the OCR confidence of the lines used times a rule confidence that
drops for every sign of doubt: no legal form, a second name-like line, repaired characters.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from docintake.domain import FieldValue, Line
from extractors.parsers import textfix
from extractors.parsers.common import letters_ratio, make_field, normalise_space

# How far down the page a header can reach (logos, stamps and upside-down footers included).
_TOP = 16

# ---- line classes ---------------------------------------------------------------------------

# Boilerplate printed around the header: document titles, greetings, return policies, stamps.
_NOISE = re.compile(
    r"^\W*(?:(?:simplified|full|official|cash|sales|gst|sst|tax|credit)\s*)*"
    r"(?:tax\s*)?(?:invoic\w*|receipt|bill|sales?|note)\b"
    r"|^\W*(?:welcome|copy|duplicate|reprint|original|guest\s*check|cash|posted|paid|checked)\W*$"
    r"|\b(?:thank\s*you|please|goods\s+sold|returnable|refundable|exchangeable|come\s+again"
    r"|visit\s+us|owned\s+by)\b",
    re.IGNORECASE,
)
# Stamps that land on the name line ("YONG CEN ENTERPRISE POSTED").
_STAMP = re.compile(r"\s+(?:POSTED|PAID|CHECKED|RECEIVED|APPROVED|VERIFIED)\W*$", re.IGNORECASE)
# Legal forms: a line carrying one is the company name.
_LEGAL_SUFFIX = re.compile(
    r"\b(?:s[d0oib1]n\.?\s*[b8]h[d0o]|bhd|berhad|s/b|enterprises?|ltd|limited|llc|inc|corp"
    r"|corporation|gmbh|plc|pte|pty|llp|plt)\b\.?"
    # Partnerships: "SIN THYE & COMPANY", "LEE & CO."
    r"|&\s*co(?:mpany)?\b\.?",
    re.IGNORECASE,
)
_BARE_SUFFIX = re.compile(
    r"\W*(?:\(M\)\s*)?(?:S[DO0]N\.?\s*[B8]H[DO0]\.?|BHD\.?|BERHAD)\W*", re.IGNORECASE
)
# Trade words: they make a line without a legal form more believable as a name.
_TRADE_WORD = re.compile(
    r"\b(?:trading|restaurant|restoran|cafe|bakery|mart|store|stores|shop|supermarket"
    r"|hypermarket|minimarket|pharmacy|farmasi|hardware|bookstores?|stationery|kedai|company"
    r"|florist|kitchen|house|marketing|services|carry|perniagaan|pasaraya|niaga)\b",
    re.IGNORECASE,
)
# "Dimiliki oleh:" (Malay "owned by"), "Operated by:": a label before the legal owner's name.
_OWNER_LABEL = re.compile(
    r"^\W*(?:dimiliki(?:\s*oleh)?|milik|owned\s*by|operated\s*by|a\s*member\s*of)\s*[:.-]?\s*",
    re.IGNORECASE,
)
# A company registration number after a name: "(728515-M)", "(Co. No:20154-T)", "(8199K)".
_TRAILING_REG = re.compile(
    r"\s*[(\[]?\s*(?:co\.?\s*)?(?:reg\.?\s*)?(?:no\.?\s*)?[:.]?\s*"
    r"\d{3,}(?:[\s-]*[a-z0-9]{1,2})?\s*[)\]]?\s*$",
    re.IGNORECASE,
)
# Identifier numbers: company registration ("933109-X", "JH0032980-V"), tax ids, shop codes.
_ID_NUMBER = re.compile(
    r"\b[A-Z]{0,3}\d{4,}\s?-?\s?[A-Z]\b|\(\s*[A-Z]{0,3}\d{4,}[\s-]*[A-Z0-9]{0,2}\s*\)|\d{6,}",
    re.IGNORECASE,
)
_ID_LABEL = re.compile(
    r"\b(?:co|company|companyno|conpany|roc|br|reg|regno|registration|business|id|ref|no"
    r"|number|tax)\b\.?|[gs]st\w*",
    re.IGNORECASE,
)
# Phone numbers: a leading 0 or a country code, then a separator ("03-8079 0255", "+6012-918").
_PHONE = re.compile(
    r"(?<![\d/])(?:\+\s?\d{2,3}|\(\+?\d{2,3}\)|\b6?0\d{1,2})\s?[-.\s)]\s?\d{3,4}[-.\s]?\d{3,5}(?!\d)"
)
# Contact lines. Words that also occur in shop names ("PHONE", "OUTLET") count only as a label
# before a number.
_CONTACT = re.compile(
    r"\b(?:tel|fax|e-?mail|website|www|http)\b|\S+@\S+\.\w+|^\W*[TF]\s*:"
    r"|\b(?:telephone|phone|h/?p|mobile|whats?apps?|careline|hotline|outlet|contact)\b"
    r"[\s.:/a-z]*[:.]?\s*[+(\d]",
    re.IGNORECASE,
)
# The transaction part of the receipt starts: dates, times, labelled cashier, table, numbers.
_TRANSACTION = re.compile(
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}:\d{2}\b"
    r"|\b(?:cashier|counter|table|pax|order|station|terminal|salesperson|served\s+by|staff"
    r"|slip|trans|date|time|doc|inv|member|pos|receipt|bill|invoice)\b\s*(?:no\.?|#)?\s*[:#\[]"
    r"|\b(?:table|counter|pos|terminal|order)\s*\d",
    re.IGNORECASE,
)
# Column headings of the item list: the header is over.
_ITEM_HEADING = re.compile(r"\b(?:qty|quantity|description|item|price|amount)\b", re.I)
# Words and shapes that open an address: a house number before a comma, "NO.", "LOT", streets.
_ADDRESS_OPENING = re.compile(
    r"^\W*(?:[A-Z]?-?\d{1,5}[A-Z]?(?:-[A-Z0-9]{1,3})?\s*,|no\b|no[.:,]|lot\b|unit\b|level\b"
    r"|ground\s+floor|\d{1,3}(?:st|nd|rd|th)\s+fl)"
    r"|\b(?:jalan|jln|lorong|lrg|taman|tmn|persiaran|lebuh|lebuhraya|kampung|kg|blok|blk"
    r"|seksyen|section|menara|wisma|kompleks|compleks|bangunan)\b"
    r"|(?<![\d-])\b\d{5}\b(?![-/])",
    re.IGNORECASE,
)
# Weaker signs a line belongs to an address.
_ADDRESS_WORD = re.compile(
    r"\b(?:road|rd|street|st|avenue|ave|floor|flr|level|bandar|bdr|plaza|mall|centre|center"
    r"|complex|square|park|garden|off|batu|simpang|medan|pusat|desa|kawasan|perindustrian"
    r"|industrial|utama|jaya|baru|sg|sungai|selangor|johor|kuala|lumpur|penang|pinang|perak"
    r"|pahang|melaka|malacca|kedah|kelantan|terengganu|perlis|sabah|sarawak|negeri|sembilan"
    r"|putrajaya|labuan|malaysia|singapore|darul|ehsan|takzim|kl|pj|jb)\b|,",
    re.IGNORECASE,
)
_POSTCODE = re.compile(r"(?<![\d-])\d{5}(?![\d-])")
# "Site : 2365", "Outlet:03-8062": a label and a value, not a part of an address.
_LABEL_VALUE = re.compile(r"^\W*(?!no\b|lot\b|unit\b)[A-Za-z][A-Za-z ./]{1,20}\s*:", re.I)


def _ocr_factor(score: float) -> float:
    """How far an OCR score can be trusted for a whole name or address. Engines' scores are
    optimistic (a line at 0.95 often holds a wrong letter), so the doubt (1 - score) counts two
    and a half times: 0.99 -> 0.975, 0.95 -> 0.875, 0.90 -> 0.75."""
    return max(0.0, 1.0 - 2.5 * (1.0 - score))


def _text(line: Line) -> str:
    return textfix.strip_accents(normalise_space(line.text))


def _mean_conf(line: Line) -> float:
    words = line.words
    return sum(w.confidence for w in words) / len(words) if words else 0.0


def _is_identifier(text: str) -> bool:
    """A registration or tax number line, with its label: "(CO.REG :933109-X)", "GST No."."""
    has_number = bool(_ID_NUMBER.search(text))
    if not has_number and not re.search(r"[gs]st|\breg\b|\broc\b", text, re.IGNORECASE):
        return False
    rest = _ID_LABEL.sub(" ", _ID_NUMBER.sub(" ", text))
    letters = sum(c.isalpha() for c in rest)
    return letters < 3 or (has_number and letters < 5)


def _is_contact(text: str) -> bool:
    return bool(_CONTACT.search(text) or _PHONE.search(text))


def _is_bracketed(text: str) -> bool:
    """A whole line in brackets under a name or address: a branch, "(TESCO MUTIARA DAMANSARA)"."""
    return bool(re.fullmatch(r"\W*\(.*\)\W*", text))


def _is_name_like(text: str) -> bool:
    """Could be printed as a company or shop name: mostly letters, printed (not handwritten)."""
    core = _TRAILING_REG.sub("", text)
    letters = sum(c.isalpha() for c in core)
    if letters < 3 or letters_ratio(core) < 0.55:
        return False
    if text == text.lower():  # handwriting and scanner stamps come out all lowercase
        return False
    if _NOISE.search(text) or _is_identifier(text) or _is_contact(text):
        return False
    return not (_TRANSACTION.search(text) and not _LEGAL_SUFFIX.search(text))


def _opens_address(text: str) -> bool:
    return bool(_ADDRESS_OPENING.search(text)) and not _LEGAL_SUFFIX.search(text)


def _address_starts(lines: Sequence[Line]) -> list[int]:
    """Indexes of lines that could open the vendor's address, top first."""
    starts = []
    for i, line in enumerate(lines[:_TOP]):
        text = _text(line)
        if _is_bracketed(text) or _is_contact(text) or _is_identifier(text):
            continue
        if _mean_conf(line) < 0.35:
            continue  # garbage that happens to start with "No" or a number
        if _opens_address(text) and letters_ratio(text) >= 0.3:
            starts.append(i)
    return starts


# ---- vendor ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Name:
    """A vendor name found, with its rule and OCR confidence, the last line it used and the
    doubts that lowered the rule confidence (kept to explain a confidence)."""

    text: str
    rule: float
    ocr: float
    last: int
    doubts: tuple[str, ...] = ()


def _pick_name_line(lines: Sequence[Line], window: int) -> tuple[int, bool, list[int]] | None:
    """(index, has legal form, other well-read candidate indexes) of the name line above the
    address."""
    candidates = [i for i in range(window) if _is_name_like(_text(lines[i]))]
    if not candidates:
        return None
    # Lines read with a low score next to well-read ones are logos and scribbles: they are not
    # rivals of the name.
    best = max(_mean_conf(lines[i]) for i in candidates)
    sure = [i for i in candidates if _mean_conf(lines[i]) >= max(0.35, 0.75 * best)]
    for i in candidates:
        if _LEGAL_SUFFIX.search(_TRAILING_REG.sub("", _text(lines[i]))):
            return i, True, [c for c in sure if c != i]
    # Without a legal form the first well-read line is the name.
    chosen = sure[0] if sure else candidates[0]
    return chosen, False, [c for c in sure if c != chosen]


def _clean_name(text: str) -> tuple[str, bool]:
    """The printed name without stamps, labels and registration numbers, slips repaired; and
    whether spaces were guessed around brackets or initials (printers set them both ways)."""
    text = normalise_space(_STAMP.sub("", text))
    text = _OWNER_LABEL.sub("", text)
    text = _TRAILING_REG.sub("", text).strip(" -_|*~,:")
    text = textfix.strip_accents(text)
    text = textfix.fix_legal_suffix(text)
    spaced = textfix.space_brackets(textfix.fix_initials(text))
    guessed = spaced.replace(" ", "") == text.replace(" ", "") and spaced != text
    text = textfix.merge_lone_lowercase(spaced)
    text = textfix.split_glued_name(text)
    text = textfix.fix_lookalikes(text)
    text = textfix.fix_trade_words(text)
    return normalise_space(text).strip(" -_|*~,:"), guessed


def _shared_words(a: str, b: str) -> set[str]:
    def words(s: str) -> set[str]:
        return set(re.findall(r"[A-Z]{4,}", s.upper()))

    return words(a) & words(b)


def _join_split_name(
    lines: Sequence[Line], i: int, legal: bool, candidates: list[int]
) -> tuple[int, int]:
    """First and last index of a name printed over two lines around line ``i``."""
    text = _text(lines[i])
    first, last = i, i
    # "RESTAURANT JIAWEI" / "JIAWEI HOUSE": without a legal form, a name-like line right below
    # that repeats a word of the first is the rest of the name, not a second business.
    below = _text(lines[i + 1]) if i + 1 < len(lines) else ""
    joined = not legal and (i + 1) in candidates and _shared_words(text, below)
    if joined and not _brand_with_branch(lines, i, text):
        return i, i + 1
    bare = _LEGAL_SUFFIX.sub("", _TRAILING_REG.sub("", text)).strip(" .,()-")
    # "PASARAYA BORONG PINTAR" / "SDN BHD": the legal form alone on its line.
    if len(bare) < 3 and (i - 1) in candidates:
        above = _text(lines[i - 1])
        if not _LEGAL_SUFFIX.search(above) and not _is_bracketed(above):
            first = i - 1
    # "ABC ENTERPRISE" / "SDN BHD": a line with a legal word continued by the legal form.
    if i + 1 < len(lines) and _BARE_SUFFIX.fullmatch(_text(lines[i + 1])):
        last = i + 1
    return first, last


@dataclass(frozen=True)
class _Reading:
    """A name as printed (``raw``) and as cleaned, with whether spaces in it were guessed."""

    raw: str
    name: str
    respaced: bool


def _name_doubts(
    lines: Sequence[Line], i: int, last: int, legal: bool, others: list[int], reading: _Reading
) -> list[tuple[str, float]]:
    """Signs of doubt about a name, each with the factor it takes off the rule confidence."""
    raw, name = reading.raw, reading.name
    doubts: list[tuple[str, float]] = []
    if not legal:
        doubts.append(("no legal form", 0.9))
        if not _TRADE_WORD.search(name) and len(name.split()) < 2:
            doubts.append(("a lone word: maybe a logo", 0.85))
        if any(abs(o - i) == 1 for o in others if o != last):
            doubts.append(("another name-like line beside it", 0.8))
        if _brand_with_branch(lines, i, name):
            doubts.append(("repeated with a branch: a brand", 0.75))
    elif (i - 1) in others:
        if len(_LEGAL_SUFFIX.sub("", name).split()) <= 1:
            doubts.append(("one word before the legal form: may start above", 0.7))
        elif _shared_words(_text(lines[i - 1]), name):
            doubts.append(("the line above repeats a word of the name", 0.8))
    if last > i:
        doubts.append(("joined from two lines", 0.88))
    if _OWNER_LABEL.search(raw):
        doubts.append(("owner label: whether it belongs to the name varies", 0.75))
    below = _text(lines[last + 1]) if last + 1 < len(lines) else ""
    if _is_bracketed(below) and not _is_identifier(below):
        doubts.append(("bracketed branch under the name: sometimes part of it", 0.8))
    if not name[:1].isalnum():
        doubts.append(("starts with punctuation: the start is lost", 0.7))
    if textfix.odd_characters(name) or name.count("(") != name.count(")"):
        doubts.append(("odd characters", 0.7))
    if textfix.glued_token(name):
        doubts.append(("words glued together", 0.7))
    simple = normalise_space(_TRAILING_REG.sub("", _OWNER_LABEL.sub("", _STAMP.sub("", raw))))
    if _repaired_characters(simple, name):
        doubts.append(("characters repaired", 0.93))
    if reading.respaced:
        doubts.append(("spaces guessed around brackets or initials", 0.8))
    elif name.count(" ") > textfix.fix_legal_suffix(simple).count(" "):
        doubts.append(("glued words split", 0.93))
    return doubts


def _brand_with_branch(lines: Sequence[Line], i: int, name: str) -> bool:
    """ "DOMINO'S PIZZA" and "DOMINO'S PIZZA SEGAMBUT" both near the top: a chain's brand and
    its branch, while the issuing company may be printed elsewhere."""
    upper = re.sub(r"\W", "", name.upper())
    for j in range(max(0, i - 4), min(len(lines), i + 5)):
        other = re.sub(r"\W", "", _text(lines[j]).upper())
        related = other.startswith(upper) or upper.startswith(other)
        if j != i and len(other) >= 4 and other != upper and related:
            return True
    return False


def _repaired_characters(before: str, after: str) -> bool:
    """Whether letters or digits were changed (not only spaces and punctuation moved)."""

    def keep(s: str) -> str:
        return re.sub(r"[^A-Za-z0-9]", "", s).upper()

    return keep(before) != keep(after)


def _read_name(lines: Sequence[Line]) -> _Name | None:
    # The name is above the address; if nothing above the first address-like line can be a
    # name, that line was not the address (a customer's, a misread) and the next one is tried.
    picked = None
    for window in [*_address_starts(lines), min(len(lines), 8)]:
        picked = _pick_name_line(lines, window)
        if picked is not None:
            break
    if picked is None:
        return None
    i, legal, others = picked
    first, last = _join_split_name(lines, i, legal, [i, *others])
    used = lines[first : last + 1]
    raw = normalise_space(" ".join(_text(ln) for ln in used))
    name, respaced = _clean_name(raw)
    if len(re.sub(r"\W", "", name)) < 3:
        return None
    reading = _Reading(raw, name, respaced)
    doubts = _name_doubts(lines, first, last, legal, [o for o in others if o != first], reading)
    rule = 0.97
    for _, factor in doubts:
        rule *= factor
    return _Name(name, rule, min(ln.confidence for ln in used), last, tuple(d for d, _ in doubts))


def vendor(lines: Sequence[Line]) -> tuple[FieldValue | None, int]:
    """Vendor name from the first lines, and the index of the last line it used (-1 if none)."""
    found = _read_name(lines)
    if found is None:
        return None, -1
    return make_field(found.text, found.rule, _ocr_factor(found.ocr)), found.last


# ---- address --------------------------------------------------------------------------------

# Rule confidence of a clean address. Even a faithful reading of the print is right only
# about four times in five as a whole (OCR slips in digits and names, spacing printed one way
# and written down another), so an address stays below the auto-accept level of 0.80.
_ADDRESS_RULE = 0.79

_PLACE_LINE = re.compile(r"(?:\d{5}\s+)?[A-Za-z][A-Za-z .,'-]*")


def _ends_address_block(text: str) -> bool:
    """Lines that follow an address and are not part of it."""
    return bool(
        _is_contact(text)
        or _is_identifier(text)
        or _NOISE.search(text)
        or _TRANSACTION.search(text)
        or _ITEM_HEADING.search(text)
        or _is_bracketed(text)
        or _LEGAL_SUFFIX.search(text)
        or _LABEL_VALUE.match(text)
    )


def _is_place_line(text: str) -> bool:
    """Town, state or country after the postcode: "SELANGOR DARUL EHSAN", "10400 Penang."."""
    return bool(_PLACE_LINE.fullmatch(text)) and len(text.split()) <= 6


def _find_address_start(lines: Sequence[Line], after: int) -> tuple[int, bool] | None:
    """(index of the first address line, whether it was a guess) below the name."""
    end = min(len(lines), after + 8)
    for i in range(after + 1, end):
        text = _text(lines[i])
        if _is_identifier(text) or _NOISE.search(text) or _is_bracketed(text):
            continue  # registration and tax numbers, titles, branch names sit in between
        if _is_contact(text) or _TRANSACTION.search(text):
            return None
        if _opens_address(text) or (_ADDRESS_WORD.search(text) and i == after + 1):
            return i, False
        # "G.23 & G.22, Plaza Seri Setia,": brand lines carry no commas, address lines do.
        if "," in text and re.search(r"\d", text) and letters_ratio(text) >= 0.3:
            return i, False
        # "AUTOROUTE RABAT MEKNES" / "15000 KHEMISSET": a street with no street word, known
        # only because the postcode line follows it.
        nxt = _text(lines[i + 1]) if i + 1 < len(lines) else ""
        if re.match(r"^\W*\d{5}\b", nxt) and _is_name_like(text):
            return i, True
    return None


def _collect_address(lines: Sequence[Line], start: int) -> list[Line]:
    """The address lines from ``start``: on to the postcode, then at most two place lines."""
    parts = [lines[start]]
    seen_postcode = bool(_POSTCODE.search(_text(lines[start])))
    after_postcode = 0
    for line in lines[start + 1 : start + 7]:
        text = _text(line)
        if _ends_address_block(text):
            break
        if letters_ratio(text) < 0.25 and not _POSTCODE.search(text):
            break  # numbers only: a phone or code line without its label
        if _mean_conf(line) < 0.5:
            break  # garbage under the address (logos, smudges)
        if seen_postcode and not _is_place_line(text):
            break  # after the postcode only the town, state and country follow
        if _text(parts[-1]).endswith(".") and not (
            _opens_address(text) or _ADDRESS_WORD.search(text) or _is_place_line(text)
        ):
            break  # a full stop may end the address; go on only with more address
        if seen_postcode:
            after_postcode += 1
            if after_postcode > 2:
                break
        parts.append(line)
        seen_postcode = seen_postcode or bool(_POSTCODE.search(text))
    return parts


def _clean_address(parts: Sequence[Line]) -> str:
    """The address lines joined, with OCR slips repaired (see ``textfix``)."""
    text = " ".join(textfix.drop_stray_colon(_STAMP.sub("", _text(p))) for p in parts)
    text = textfix.fix_lookalikes(text)
    text = textfix.fix_address_words(text)
    text = textfix.split_postcode(text)
    text = textfix.split_camel_case(text)
    text = textfix.dots_to_commas(text)
    return normalise_space(text)


def _address_doubts(
    raw: str, address: str, guessed: bool, skipped: bool, below: str
) -> list[tuple[str, float]]:
    """Signs of doubt about an address, each with the factor it takes off the rule confidence.

    Spacing after commas and after "NO." is printed both ways and OCR keeps or drops those
    spaces freely, so an address that depends on them is less likely to be right as a whole.
    """
    doubts: list[tuple[str, float]] = []
    if not _POSTCODE.search(address):
        doubts.append(("no postcode: the end of the address is a guess", 0.75))
    if guessed:
        doubts.append(("first line taken for its place above the postcode", 0.65))
    if skipped:
        doubts.append(("a branch or brand line before it: sometimes part of it", 0.9))
    if _is_bracketed(below) and not _is_identifier(below):
        doubts.append(("a bracketed branch after it: sometimes part of it", 0.85))
    if len(_ADDRESS_OPENING.findall(address)) + len(_ADDRESS_WORD.findall(address)) < 3:
        doubts.append(("few address words", 0.85))
    if re.search(r",\S|\s,", address):
        doubts.append(("comma without a space after it, or with one before", 0.85))
    if re.search(r"\bno\.\s\d", address, re.IGNORECASE):
        doubts.append(('"NO. 1" is printed both with and without the space', 0.85))
    if textfix.odd_characters(address):
        doubts.append(("odd characters", 0.7))
    if _repaired_characters(raw, address):
        doubts.append(("characters repaired", 0.9))
    return doubts


def address(lines: Sequence[Line], after: int) -> FieldValue | None:
    """The vendor's address: the lines below the name (line ``after``) up to the town."""
    found = _find_address_start(lines, after)
    if found is None:
        return None
    start, guessed = found
    parts = _collect_address(lines, start)
    raw = normalise_space(" ".join(_text(p) for p in parts))
    text = _clean_address(parts)
    if len(text) < 5:
        return None
    end = start + len(parts)
    below = _text(lines[end]) if end < len(lines) else ""
    skipped = any(
        _is_name_like(_text(lines[i])) or _mean_conf(lines[i]) < 0.7
        for i in range(after + 1, start)
    )
    rule = _ADDRESS_RULE
    for _, factor in _address_doubts(raw, text, guessed, skipped, below):
        rule *= factor
    return make_field(text, rule, _ocr_factor(min(p.confidence for p in parts)))
