"""Field parser for trade papers: customs declarations (incl. 中华人民共和国海关进/出口货物报关单),
commercial invoices, packing lists, bills of lading and air waybills.

Template-free: each field has labels in English and Chinese (``trade_labels``); its value is
read right of the label ("Consignee: ...") or under it in the label's box or column (forms,
grids, tables). Amounts, dates and currency also come from the invoice parser, and the trade
labels override them where they apply (a declaration's date is its own, not the invoice's).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from stdnum import iso6346

from docintake.domain import DocumentText, DocumentType, FieldValue, Line, Word
from extractors.doctype import leaning, titled
from extractors.parsers import trade_labels as lb
from extractors.parsers.common import (
    Band,
    cut_at_next_box,
    date_order,
    find_amounts,
    find_damaged_dates,
    find_dates,
    identifier_after,
    label_band,
    letters_ratio,
    make_field,
    normalise_space,
    parse_amount,
    span_confidence,
)
from extractors.parsers.invoice import parse_invoice
from extractors.parsers.trade_names import INCOTERMS as INCOTERM_TOKEN
from extractors.parsers.trade_names import country_code, currency_code, incoterm

# ---------------------------------------------------------------------------------------------
# Values next to and under labels
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """A text that may be a label's value, where it sits and how much its position says."""

    text: str
    line: Line
    start: int  # offset of ``text`` in ``line.text``
    rule: float  # how typical the position is for a value of this label
    label_index: int  # the label's line


_SEPARATORS = " :：#=|-_."


_NOISE_WORD = re.compile(r"^[|_‘’'\"“”`~.,:;]+$")


def words_in_band(line: Line, band: Band) -> Line:
    """The words of ``line`` whose centre lies in ``band``; unlike the common helper it keeps
    "&" and "-" between words (company names), dropping only scan specks."""
    return Line(
        words=tuple(
            w
            for w in line.words
            if band.left - band.tolerance <= w.left + w.width / 2 < band.right
            and not _NOISE_WORD.match(w.text)
        )
    )


def _spans(line: Line) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for word in line.words:
        spans.append((pos, pos + len(word.text)))
        pos += len(word.text) + 1
    return spans


def _inline(line: Line, end: int, *, wide: bool = False) -> tuple[str, int, bool] | None:
    """The value right of a label ending at ``end``: (text, offset, after a wide gap).

    It stops at the next label or a wide gap (the next box of a form line); ``wide`` values
    (a total with its currency and a right-aligned figure) run on across gaps.
    """
    text = line.text
    pos = end
    while pos < len(text) and text[pos] in _SEPARATORS:
        pos += 1
    start = stop = pos
    prev_right: int | None = None
    gapped = False
    for k, (s, e) in enumerate(_spans(line)):
        if e <= pos:
            continue
        word = line.words[k]
        seg = max(s, pos)
        height = max(word.height, 8)
        if prev_right is None:
            if lb.starts_with_label(text[seg:]):
                return None
            label_word = next(
                (line.words[j] for j, (_, e2) in enumerate(_spans(line)) if e2 >= end), None
            )
            if label_word is not None and label_word is not word:
                gapped = word.left - (label_word.left + label_word.width) > 3 * height
        else:
            gap = word.left - prev_right > 2.5 * height
            if (gap and not wide) or lb.starts_with_label(text[s:]):
                break
        stop = e
        prev_right = word.left + word.width
    value = cut_at_next_box(text[start:stop]).rstrip(" :：|")
    if not value.strip():
        return None
    return value, start, gapped


def _label_band(line: Line, start: int, end: int) -> Band | None:
    """The label's column; a box number printed before the label ("34a") starts it."""
    band = label_band(line, start, end)
    if band is None:
        return None
    spans = _spans(line)
    first = next((k for k, (s, e) in enumerate(spans) if e > start), None)
    if first and re.fullmatch(r"\d{1,2}[a-z]?[.,)]?", line.words[first - 1].text):
        return Band(min(band.left, line.words[first - 1].left), band.right, band.tolerance)
    return band


def _below(lines: Sequence[Line], index: int, band: Band, limit: int) -> Iterator[Line]:
    """Parts of the lines under a label in its box/column, until the next label there."""
    top = lines[index].top
    taken = 0
    for line in lines[index + 1 : index + 1 + limit + 2]:
        if line.top < top or taken >= limit:
            return
        part = _run_in_band(line, band)
        if not part.words:
            continue
        if lb.starts_with_label(part.text):
            return
        taken += 1
        yield part


def _run_in_band(line: Line, band: Band) -> Line:
    """The words of ``line`` in ``band``, and the words running on past its right edge at
    word spacing (a value wider than its label: "Lindner Haushaltswaren GmbH")."""
    inside = words_in_band(line, band)
    if not inside.words:
        return inside
    words = list(inside.words)
    k = line.words.index(words[-1])
    for word in line.words[k + 1 :]:
        prev = words[-1]
        if word.left - (prev.left + prev.width) > 1.0 * max(word.height, 8):
            break
        if not _NOISE_WORD.match(word.text):
            words.append(word)
    return Line(words=tuple(words))


def candidates(
    lines: Sequence[Line], label: re.Pattern[str], *, below: int = 2, wide: bool = False
) -> Iterator[Candidate]:
    """Possible values of ``label``, best position first for each place the label occurs:
    right of it, then under it in its column, then right of it across a wide gap."""
    for i, line in enumerate(lines):
        for m in label.finditer(line.text):
            inline = _inline(line, m.end(), wide=wide)
            later: list[Candidate] = []
            if inline is not None:
                text, start, gapped = inline
                cand = Candidate(text, line, start, 0.8 if gapped else 0.95, i)
                if gapped:
                    later.append(cand)
                else:
                    yield cand
            band = _label_band(line, m.start(), m.end())
            if band is not None and below:
                for part in _below(lines, i, band, below):
                    yield Candidate(part.text, part, 0, 0.88, i)
            yield from later


def _field(
    cand: Candidate, value: str | tuple[str, ...], start: int, end: int, rule: float
) -> FieldValue:
    conf = span_confidence(cand.line, cand.start + start, cand.start + end)
    return make_field(value, rule * cand.rule, conf)


# ---------------------------------------------------------------------------------------------
# Identifiers, parties, countries, terms
# ---------------------------------------------------------------------------------------------

# An air waybill number: airline prefix and eight digits, often spaced "176-1234 5675".
_AWB = re.compile(r"(?<!\d)(\d{3})\s?-\s?(\d{4})\s?(\d{4})(?!\d)")


# IATA air waybill serials end in a check digit: the other seven digits modulo 7.
_AWB_ANYWHERE = re.compile(r"(?<![\d-])(\d{3})-(\d{4})\s?(\d{4})(?![\d-])")


def _awb_unlabelled(lines: Sequence[Line]) -> FieldValue | None:
    """An air waybill's own number, printed in its corner without a label."""
    for line in lines:
        for m in _AWB_ANYWHERE.finditer(line.text):
            serial = m[2] + m[3]
            if int(serial[:7]) % 7 == int(serial[7]):
                value = f"{m[1]}-{serial}"
                return make_field(value, 0.85, span_confidence(line, m.start(), m.end()))
    return None


# Documents produced, by the EU's codes (SAD box 44): N705 bill of lading, N740 air waybill...
_EU_TRANSPORT_DOC = re.compile(
    r"\b(?:N70[45]|N71[04]|N74[01]|N730)\s*[:\-]?\s*([A-Z0-9][A-Z0-9/\-]{4,})"
)
_EU_INVOICE_DOC = re.compile(r"\b(?:N380|N935|N325)\s*[:\-]?\s*([A-Z0-9][A-Z0-9/\-]{3,})")


def _coded_reference(lines: Sequence[Line], pattern: re.Pattern[str]) -> FieldValue | None:
    for line in lines:
        m = pattern.search(line.text)
        if m and re.search(r"\d", m[1]):
            return make_field(m[1], 0.85, span_confidence(line, m.start(1), m.end(1)))
    return None


def _identifier(lines: Sequence[Line], label: re.Pattern[str], rule: float) -> FieldValue | None:
    for cand in candidates(lines, label, below=1):
        awb = _AWB.search(cand.text)
        if awb and not re.search(r"\w", cand.text[: awb.start()]):
            value = f"{awb[1]}-{awb[2]}{awb[3]}"
            return _field(cand, value, awb.start(), awb.end(), rule)
        found = identifier_after(cand.text)
        # The value must start the text: "Declaration: I declare..." has no number.
        if found and not re.search(r"\w", cand.text[: found[1]]):
            token, s, e = found
            if len(re.sub(r"\W", "", token)) >= 4:
                return _field(cand, token, s, e, rule)
    return None


# A Chinese company's unified social credit code (18 characters) or a customs code printed
# with its name: "91310000MA1FL8XK2Q 上海某某有限公司", "(3122260001)".
_PARTY_CODE = re.compile(
    r"^\s*(?:[(（\[]?\s*(?=[A-Z]*\d)[0-9A-Z]{10,18}\s*[)）\]]?\s*)+"
    r"|\s*[(（\[]\s*(?=[A-Z]*\d)[0-9A-Z]{10,18}\s*[)）\]]\s*$"
)
_ADDRESS_START = re.compile(
    r",\s*(?=(?:no\.?\s*)?\d|room\b|unit\b|floor\b|building\b|\d)|\s{2,}", re.IGNORECASE
)
_NOT_PARTY = re.compile(
    r"^\W*(?:name\s*(?:and|&)\s*address|address|same\s*as|see\s*(?:above|below)|n/?a\b|none\b"
    r"|tel\b|fax\b|phone|e-?mail|无$)",
    re.IGNORECASE,
)


def _clean_party(text: str) -> str:
    text = _PARTY_CODE.sub("", normalise_space(text))
    # Two company names run together (a neighbouring box read into the line): the first.
    runs: list[tuple[int, int]] = []
    for m in _LEGAL_FORM.finditer(text):
        if runs and m.start() - runs[-1][1] <= 2:  # "Co., Ltd." is one legal form
            runs[-1] = (runs[-1][0], m.end())
        else:
            runs.append((m.start(), m.end()))
    if len(runs) >= 2:
        end = runs[0][1]
        text = text[: end + 1] if text[end : end + 1] == "." else text[:end]
    text = _ADDRESS_START.split(text)[0]
    text = re.sub(r"\b([Ss])\.\s?r\.\s?[I1]\.", r"\1.r.l.", text)  # OCR's "S.r.I." is "S.r.l."
    text = re.sub(r"^(?:name|company)\s*[:：]\s*", "", text, flags=re.IGNORECASE)
    text = text.strip(" :：,;|_-")
    return re.sub(r"\.{2,}$", ".", text)  # "B.V.." - a speck read as a second full stop


def _is_cjk(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" for c in text)


# A company's legal form: what tells a party's name from a neighbouring label or an address.
_LEGAL_FORM = re.compile(
    r"\b(?:co\.?,?\s*ltd|co\.|ltd|limited|inc|corp(?:oration)?|llc|l\.l\.c|plc|gmbh|ag|kg|se|s\.?a"
    r"|s\.?a\.?s|s\.?r\.?l|s\.?p\.?a|b\.?v|n\.?v|pty|pte|sdn\.?\s*bhd|bhd|jsc|fze|fzco|llp"
    r"|sarl|s\.?l|sas|eurl|kft|sp\.?\s*z\s*o\.?\s*o|a\.?s|s\.?r\.?o|oy|oyj|as|aps|bvba|e\.?k"
    r"|company|oy|ab|a/s|k\.?k|tbk|pvt)\b\.?|有限公司|有限责任公司|股份公司|集团|公司|株式会社",
    re.IGNORECASE,
)


def _party(lines: Sequence[Line], label: re.Pattern[str]) -> FieldValue | None:
    """A party's name: the first line of the block its label heads. Among the places a label's
    value may be (right of it, under it), one that names a company wins."""
    by_label: dict[int, list[tuple[Candidate, str]]] = {}
    below_taken: set[int] = set()
    for cand in candidates(lines, label, below=2):
        under = cand.line is not lines[cand.label_index]
        if under and cand.label_index in below_taken:
            continue  # only the first line of a block is the name; the next is its address
        value = _clean_party(cand.text)
        long_enough = len(value) >= (2 if _is_cjk(value) else 3)
        if long_enough and letters_ratio(value) > 0.5 and not _NOT_PARTY.match(value):
            by_label.setdefault(cand.label_index, []).append((cand, value))
            if under:
                below_taken.add(cand.label_index)
    for found in by_label.values():
        named = [cv for cv in found if _LEGAL_FORM.search(cv[1])]
        cand, value = named[0] if named else found[0]
        start = max(0, cand.text.find(value[:4]))
        rule = 0.9 if named else 0.8
        return _field(cand, value, start, start + len(value), rule)
    return None


def _country(lines: Sequence[Line], label: re.Pattern[str], rule: float) -> FieldValue | None:
    for cand in candidates(lines, label, below=1):
        # The whole value, else its first word: a neighbouring column's country may have
        # been read into the same box ("中国 新加坡").
        found = country_code(cand.text) or country_code(cand.text.split()[0])
        if found:
            code, conf = found
            return _field(cand, code, 0, len(cand.text), rule * conf)
    return None


def _incoterms(lines: Sequence[Line], body: str) -> FieldValue | None:
    for cand in candidates(lines, lb.INCOTERMS, below=1):
        term = incoterm(cand.text)
        if term:
            return _field(cand, term, 0, len(cand.text), 0.92)
    # Unlabelled "FOB Shanghai" anywhere: plausible but weaker.
    found = {term for m in INCOTERM_TOKEN.finditer(body) if (term := incoterm(m.group(0)))}
    if len(found) == 1:
        return make_field(found.pop(), 0.7, 1.0)
    return None


def _currency(lines: Sequence[Line]) -> FieldValue | None:
    for cand in candidates(lines, lb.CURRENCY, below=1):
        code = currency_code(cand.text)
        if code:
            return _field(cand, code, 0, len(cand.text), 0.92)
    # "Amount (USD)": a currency in a column header.
    for line in lines:
        if lb.COL_AMOUNT.search(line.text) or lb.COL_UNIT_PRICE.search(line.text):
            code = currency_code(line.text)
            if code:
                return make_field(code, 0.85, line.confidence)
    # One currency named by code or name ("USD", "美元") wherever it is printed.
    named = {(code, ln.confidence) for ln in lines if (code := currency_code(ln.text))}
    codes = {code for code, _ in named}
    if len(codes) == 1:
        return make_field(codes.pop(), 0.8, min(conf for _, conf in named))
    return None


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

_CJK_DATE = re.compile(r"((?:19|20)\d{2})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?")


def _date_in(text: str, month_first: bool) -> tuple[str, int, int, bool] | None:
    m = _CJK_DATE.search(text)
    hits = find_dates(text, month_first=month_first)
    if m and (not hits or m.start() <= hits[0].start):
        return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}", m.start(), m.end(), False
    if hits:
        return hits[0].iso, hits[0].start, hits[0].end, hits[0].ambiguous
    # Chinese declarations print dates as "20240315".
    damaged = find_damaged_dates(text, month_first=month_first)
    if damaged:
        return damaged[0].iso, damaged[0].start, damaged[0].end, damaged[0].ambiguous
    return None


def _labelled_date(
    lines: Sequence[Line], label: re.Pattern[str], body: str, rule: float
) -> FieldValue | None:
    month_first, proven = date_order(body)
    for cand in candidates(lines, label, below=1):
        found = _date_in(cand.text, month_first)
        if found:
            iso, s, e, ambiguous = found
            return _field(cand, iso, s, e, rule * (0.85 if ambiguous and not proven else 1.0))
    return None


# ---------------------------------------------------------------------------------------------
# Weights and packages
# ---------------------------------------------------------------------------------------------

_WEIGHT = re.compile(
    # A space inside a figure only groups thousands ("1 234,50"); else it parts two figures.
    r"(?<![\w.,])(\d{1,3}(?:[ ']\d{3})+(?:[.,]\d+)?(?![\d.,])|\d[\d.,]*\d|\d)"
    r"\s*(kgs?|kilo(?:gram)?s?|千克|公斤|lbs?|pounds?|磅|mt|tons?|t|吨|g)?"
    r"(?![A-Za-z])",
    re.IGNORECASE,
)
_OTHER_UNIT = re.compile(
    r"^\s*(?:ctns?|cartons?|pcs|pieces|sets?|units?|pallets?|pkgs?|packages?|cbm|m3|m³|cases?"
    r"|bags?|rolls?|%|箱|件|个|台|套)",
    re.IGNORECASE,
)


def _kg(amount: str, unit: str) -> str:
    weight = Decimal(amount)
    unit = unit.lower()
    if unit.startswith(("lb", "pound")) or unit == "磅":
        weight *= Decimal("0.45359237")
    elif unit in ("t", "mt", "ton", "tons", "吨"):
        weight *= 1000
    elif unit == "g":
        weight /= 1000
    return f"{weight.quantize(Decimal('0.01'))}"


def _weight_in(text: str, label_unit: str) -> tuple[str, int, int, bool] | None:
    """(kg, start, end, unit known) of the first weight in ``text``."""
    for m in _WEIGHT.finditer(text):
        raw = re.sub(r"\s", "", m.group(1))
        amount = parse_amount(raw, allow_integer=True)
        if amount is None or _OTHER_UNIT.match(text[m.end(1) :]):
            continue
        unit = m.group(2) or label_unit
        return _kg(amount, unit or "kg"), m.start(1), m.end(1), bool(unit)
    return None


def _label_unit(text: str) -> str:
    m = re.search(r"kgs?|千克|公斤|lbs?|磅|\btons?\b|吨", text, re.IGNORECASE)
    return m.group(0) if m else ""


def _measure(
    lines: Sequence[Line],
    label: re.Pattern[str],
    read: Callable[[str, str], tuple[str, int, int, bool] | None],
    skip: frozenset[int] = frozenset(),
) -> tuple[float, FieldValue] | None:
    """A document total (weight, packages) labelled by ``label``, "Label: value" or under a
    form box's label, with how typical its place is. Lines in ``skip`` (a goods table's header)
    are left to the table."""
    best: tuple[float, FieldValue] | None = None
    for i, line in enumerate(lines):
        if i in skip:
            continue
        for m in label.finditer(line.text):
            unit = _label_unit(line.text[m.start() : m.end()])
            band = _label_band(line, m.start(), m.end())
            found: list[tuple[float, Candidate]] = []
            inline = _inline(line, m.end())
            if inline is not None:
                text, start, gapped = inline
                found.append((0.9 if gapped else 0.95, Candidate(text, line, start, 1.0, i)))
            if band is not None:
                found += [
                    (0.85, Candidate(p.text, p, 0, 1.0, i)) for p in _below(lines, i, band, 1)
                ]
            for rank, cand in found:
                read_value = read(cand.text, unit)
                if read_value is None:
                    continue
                value, s, e, sure = read_value
                rule = rank if sure else rank * 0.7  # no unit printed: kg is only likely
                fv = _field(cand, value, s, e, rule)
                if best is None or rank > best[0]:
                    best = (rank, fv)
                break
    return best


def _best_measure(
    labelled: tuple[float, FieldValue] | None, table: GoodsTable | None, name: str
) -> FieldValue | None:
    """A labelled total, or the goods table's column total when that is better placed."""
    column = table.totals.get(name) if table is not None else None
    if labelled is None:
        return column
    if column is not None and (column.rule or 0) > labelled[0]:
        return column
    return labelled[1]


_PACKAGE_UNIT = (
    r"ctns?|cartons?|pallets?|plts?|packages?|pkgs?|cases?|crates?|bags?|drums?|rolls?|bales?"
    r"|boxe?s|bundles?|skids?|coils?|pieces?\s*\(?pkgs?\)?|箱|件|托|包|纸箱"
)
_PACKAGES_VALUE = re.compile(
    rf"(?<![\w.,])(\d{{1,3}}(?:,\d{{3}})+|\d+)(?![.,]?\d)\s*({_PACKAGE_UNIT})?(?![\w.])", re.I
)
_PACKAGES_WITH_UNIT = re.compile(
    rf"(?<![\w.,])(\d{{1,3}}(?:,\d{{3}})+|\d+)\s*(?:{_PACKAGE_UNIT})(?![A-Za-z])", re.IGNORECASE
)


def _packages_in(text: str, _unit: str) -> tuple[str, int, int, bool] | None:
    m = _PACKAGES_VALUE.search(text)
    after = text[m.end(1) :] if m else ""
    if m is None or re.match(r"\s*(?:kgs?|lbs?|cbm|m3|千克|公斤|%|\.\d|[/-]\d)", after, re.I):
        return None  # a weight, a volume or a date, not a count
    return str(int(m.group(1).replace(",", ""))), m.start(1), m.end(1), True


def _packages(lines: Sequence[Line], table: GoodsTable | None) -> FieldValue | None:
    skip = frozenset(table.header) if table is not None else frozenset()
    found = _best_measure(_measure(lines, lb.PACKAGES, _packages_in, skip), table, "packages")
    if found is not None:
        return found
    # "TOTAL: 120 CTNS ...": the package count of a totals row, without a column label.
    for line in lines:
        if lb.TOTAL_ROW.match(line.text):
            m = _PACKAGES_WITH_UNIT.search(line.text)
            if m:
                value = str(int(m.group(1).replace(",", "")))
                return make_field(value, 0.75, span_confidence(line, m.start(1), m.end(1)))
    return None


# ---------------------------------------------------------------------------------------------
# Codes: HS codes, container numbers
# ---------------------------------------------------------------------------------------------

# HS codes as printed: "8471.30", "8471.30.00", "8471. 30" (OCR), "8471 30 00", "8471300000".
_HS_DOTTED = re.compile(r"(?<![\d.,])(\d{4})\.\s?(\d{2})((?:\.\d{2}){0,2}|\.\d{4})(?![\d,]|\.\d)")
_HS_SPACED = re.compile(r"(?<![\d.,])(\d{4})\s(\d{2})((?:\s\d{2}){0,2})(?![\d.,]?\d)")
_HS_PLAIN = re.compile(r"(?<![\d.,])(\d{6}|\d{8}|\d{10})(?![\d.,]?\d)")


def hs_in(text: str) -> list[tuple[str, int, int]]:
    """HS codes in ``text`` as digits only ("84713000"), with their spans."""
    found: list[tuple[str, int, int]] = []
    for pattern in (_HS_DOTTED, _HS_SPACED, _HS_PLAIN):
        for m in pattern.finditer(text):
            if any(s < m.end() and m.start() < e for _, s, e in found):
                continue
            digits = re.sub(r"\D", "", m.group(0))
            if len(digits) not in (6, 8, 10) or (len(digits) == 8 and find_dates(m.group(0))):
                continue  # "2026.03.12" is a date
            found.append((digits, m.start(), m.end()))
    found.sort(key=lambda f: f[1])
    return found


def _hs_labelled(lines: Sequence[Line]) -> FieldValue | None:
    """HS codes right of 'HS code' labels, or in the column under an 'HS code' header."""
    codes: list[str] = []
    confs: list[float] = []
    seen: set[tuple[int, int]] = set()
    for i, line in enumerate(lines):
        for m in lb.HS_CODE.finditer(line.text):
            scan: list[tuple[int, Line, str, int]] = [(i, line, line.text[m.end() :], m.end())]
            band = _label_band(line, m.start(), m.end())
            if band is not None:
                for j in range(i + 1, min(len(lines), i + 30)):
                    if lb.TABLE_END.match(lines[j].text) or lines[j].top < line.top:
                        break
                    part = words_in_band(lines[j], band)
                    scan.append((j, part, part.text, 0))
            for j, part, text, offset in scan:
                for code, s, e in hs_in(text)[:1]:
                    if (j, s + offset) in seen or any(k == j for k, _ in seen):
                        continue
                    seen.add((j, s + offset))
                    codes.append(code)
                    confs.append(span_confidence(part, offset + s, offset + e))
    if not codes:
        return None
    return make_field(tuple(codes), 0.85, min(confs))


_CONTAINER = re.compile(r"(?<![A-Z0-9])([A-Z]{3}[UJZ])\s?(\d{6})\s?-?\s?(\d)(?![0-9])")


def _containers(lines: Sequence[Line]) -> FieldValue | None:
    """ISO 6346 container numbers anywhere, in order; a failed check digit lowers the rule."""
    found: list[str] = []
    confs: list[float] = []
    valid = True
    for line in lines:
        for m in _CONTAINER.finditer(line.text):
            number = "".join(m.groups())
            if number in found:
                continue
            found.append(number)
            confs.append(span_confidence(line, m.start(), m.end()))
            valid = valid and iso6346.is_valid(number)
    if not found:
        return None
    return make_field(tuple(found), 0.92 if valid else 0.6, min(confs))


# ---------------------------------------------------------------------------------------------
# Line items
# ---------------------------------------------------------------------------------------------

_COLUMN_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("hs_code", lb.COL_HS),
    ("gross_weight_kg", lb.GROSS_WEIGHT),
    ("net_weight_kg", lb.NET_WEIGHT),
    ("packages", lb.COL_PACKAGES),
    ("country_of_origin", lb.ORIGIN),
    ("unit_price", lb.COL_UNIT_PRICE),
    ("quantity", lb.COL_QUANTITY),
    ("amount", lb.COL_AMOUNT),
    ("description", lb.COL_DESCRIPTION),
)
_NUMERIC_WORD = re.compile(r"^[(\-]?[$€£¥]?\d[\d.,'/\-]*%?\)?$")


@dataclass(frozen=True)
class Column:
    name: str
    left: int
    right: int


def _cells(line: Line) -> list[tuple[int, int]]:
    """Word index ranges of a header line's cells: words closer than a wide space."""
    cells: list[tuple[int, int]] = []
    start = 0
    for k in range(1, len(line.words) + 1):
        if k < len(line.words):
            prev, word = line.words[k - 1], line.words[k]
            if word.left - (prev.left + prev.width) <= 1.2 * max(word.height, 8):
                continue
        cells.append((start, k))
        start = k
    return cells


def _named_in(text: str) -> list[tuple[str, int, int]]:
    """Column names in a header text, by priority, without overlaps: (name, start, end)."""
    found: list[tuple[str, int, int]] = []
    for name, pattern in _COLUMN_PATTERNS:
        for m in pattern.finditer(text):
            if not any(s < m.end() and m.start() < e for _, s, e in found):
                found.append((name, m.start(), m.end()))
    return sorted(found, key=lambda f: f[1])


def _header_columns(line: Line) -> list[Column]:
    """Columns of a table header line. A cell ("单价 Unit Price") names one column; a cell
    naming several is split at its names. Unnamed cells (item no., marks...) are columns too:
    they absorb their own values, so those are not taken for a neighbouring column."""
    columns: list[Column] = []
    for a, b in _cells(line):
        words = line.words[a:b]
        cell = Line(words=words)
        named = _named_in(cell.text)
        if len({n for n, _, _ in named}) <= 1:
            name = named[0][0] if named else "other"
            columns.append(Column(name, words[0].left, max(w.left + w.width for w in words)))
            continue
        spans = _spans(cell)
        # Names sharing their words head one stacked cell: "单价/总价/币制" prints the price, the
        # amount and the currency one above the other.
        by_words: dict[tuple[int, ...], list[str]] = {}
        for name, s, e in named:
            idx = tuple(k for k, (ws, we) in enumerate(spans) if ws < e and we > s)
            if idx and name not in by_words.setdefault(idx, []):
                by_words[idx].append(name)
        for idx, names in by_words.items():
            part = [words[k] for k in idx]
            name = "+".join(names)
            if not any(c.name == name for c in columns):
                columns.append(Column(name, part[0].left, max(w.left + w.width for w in part)))
    return sorted(columns, key=lambda c: c.left)


def _assign(word_left: int, word_right: int, columns: list[Column]) -> Column:
    """The column a word of a table row belongs to: the header it sits under; else, between
    its neighbours, the description (its text starts left of a centred header and runs on to
    the right of it); else the nearest header."""

    def overlap(c: Column, tol: int) -> int:
        return min(word_right, c.right + tol) - max(word_left, c.left - tol)

    exact = [(overlap(c, 0), c) for c in columns if overlap(c, 0) > 0]
    if exact:
        return max(exact, key=lambda oc: oc[0])[1]
    for k, col in enumerate(columns):
        if col.name != "description":
            continue
        lo = columns[k - 1].right if k > 0 else -(1 << 30)
        hi = columns[k + 1].left if k + 1 < len(columns) else 1 << 30
        if lo <= word_left and word_right <= hi:
            return col
    near = [(overlap(c, 12), c) for c in columns if overlap(c, 12) > 0]
    if near:
        return max(near, key=lambda oc: oc[0])[1]
    centre = (word_left + word_right) / 2
    return min(columns, key=lambda c: min(abs(centre - c.left), abs(centre - c.right)))


def _plain_number(raw: str) -> str | None:
    """A printed quantity or price as a plain decimal without thousands separators."""
    text = re.sub(r"[^\d.,'\-]", "", raw)
    amount = parse_amount(text, allow_integer=True) if text else None
    if amount is None:
        m = re.fullmatch(r"(\d+)[.,](\d{3,4})", text)  # unit prices with 3-4 decimals
        if not m:
            return None
        amount = f"{m[1]}.{m[2]}"
    try:
        number = Decimal(amount)
    except InvalidOperation:
        return None
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _money(raw: str) -> str | None:
    value = _plain_number(raw)
    if value is None:
        return None
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


@dataclass
class _Row:
    cells: dict[str, list[str]]
    confidence: float


# A row that only names an attribute of the item above ("Model: DA-8878", "Colour: red").
_ATTRIBUTE = re.compile(r"^\W*[A-Za-z][\w .]{0,15}[:：]\s*\S")


def _script(text: str) -> str:
    return "cjk" if _is_cjk(text) else "latin"


def _continues(row: _Row, extra: list[str]) -> bool:
    """Whether text on a line of its own continues the item above: a wrapped description
    does; an attribute line or a translation into another script does not."""
    text = " ".join(extra)
    first = " ".join(row.cells.get("description", []))
    # "5件套|不锈钢|无品牌": a declaration's specification elements, not the goods' name.
    return "|" not in text and (not first or _script(first) == _script(text))


_FIGURE_COLUMNS = ("quantity", "amount", "gross_weight_kg", "net_weight_kg", "packages")


def _row_cells(line: Line, columns: list[Column]) -> dict[str, list[str]]:
    """A row's words by column. Two figures under one header, the header left of it empty:
    the left figure is that column's (right-aligned figures spill right of a narrow header)."""
    placed = [columns.index(_assign(w.left, w.left + w.width, columns)) for w in line.words]
    numeric = [bool(_NUMERIC_WORD.match(w.text)) for w in line.words]
    for k in range(1, len(line.words)):
        prev, word = line.words[k - 1], line.words[k]
        apart = word.left - (prev.left + prev.width) > max(word.height, 8)  # not "8528. 52"
        same = placed[k] == placed[k - 1] and numeric[k] and numeric[k - 1] and apart
        if same and placed[k] > 0 and (placed[k] - 1) not in placed:
            placed[k - 1] -= 1
    cells: dict[str, list[str]] = {}
    for word, index in zip(line.words, placed, strict=True):
        cells.setdefault(columns[index].name, []).append(word.text)
    return cells


def _table_rows(
    lines: Sequence[Line], start: int, columns: list[Column]
) -> tuple[list[_Row], _Row | None]:
    """The rows under a table header, and its totals row when it has one."""
    rows: list[_Row] = []
    pending: list[str] = []
    top = lines[start].top
    anchored = any(c.name == "hs_code" for c in columns)
    height = max((w.height for w in lines[start].words), default=10)
    last = top
    for line in lines[start + 1 : start + 60]:
        # A wide blank band ends the table (what follows is the form's footer).
        if line.top < top or _header_names(line.text) or line.top - last > 3.5 * height:
            break
        if lb.starts_with_label(line.text) and not lb.TABLE_END.match(line.text):
            break  # the form's next labelled box
        last = line.top
        cells = _row_cells(line, columns)
        if lb.TABLE_END.match(line.text):
            return rows, _Row(cells, line.confidence) if lb.TOTAL_ROW.match(line.text) else None
        has_figures = any(
            _plain_number(" ".join(cells.get(n, [])[:1])) is not None for n in _FIGURE_COLUMNS
        ) or bool(hs_in(" ".join(cells.get("hs_code", []))))
        continued = (
            anchored
            and rows
            and "hs_code" in rows[-1].cells
            and not hs_in(" ".join(cells.get("hs_code", [])))
        )
        if has_figures and continued:
            # A row printed over several lines (a declaration's second quantity, its amount
            # under its price): one item, anchored by its HS code.
            for key, texts in cells.items():
                if key != "description" or _continues(rows[-1], texts):
                    rows[-1].cells.setdefault(key, []).extend(texts)
        elif has_figures:
            if pending:
                cells["description"] = pending + cells.get("description", [])
                pending = []
            rows.append(_Row(cells, line.confidence))
        elif _ATTRIBUTE.match(line.text):
            continue
        elif cells.get("description") and "unit_price" not in cells:
            # A description's second line (or its first, when figures sit on the next line).
            if rows and not pending:
                if _continues(rows[-1], cells["description"]):
                    rows[-1].cells.setdefault("description", []).extend(cells["description"])
            else:
                pending.extend(cells["description"])
        elif rows and "hs_code" in cells and "hs_code" not in rows[-1].cells:
            rows[-1].cells["hs_code"] = cells["hs_code"]
    return rows, None


def _header_names(text: str) -> set[str]:
    """The goods-table columns a header text names; empty unless it is a header."""
    if re.search(r"\d{2}", _unbracketed(text)):
        return set()
    names = {name for name, _, _ in _named_in(text)}
    return names if "description" in names and len(names) >= 3 else set()


def _header_group(lines: Sequence[Line], i: int) -> list[int]:
    """Line ``i`` and the header lines printed with it: a header cell may wrap ("Unit" over
    "Price"), or carry a second language or a unit ("(USD)") on the line below."""
    height = max((w.height for w in lines[i].words), default=10)
    group = [i]
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(lines) and abs(j - i) <= 2:
            # Stacked tightly on the header line, or naming a column itself (a value line
            # under a form's boxes is neither).
            dtop = abs(lines[j].top - lines[i].top)
            near = dtop <= 1.3 * height or (dtop <= 2.2 * height and _named_in(lines[j].text))
            if not near or re.search(r"\d{2}", _unbracketed(lines[j].text)):
                break
            group.append(j)
            j += step
    return sorted(group)


def _unbracketed(text: str) -> str:
    return re.sub(r"[(（][^)）]*[)）]", "", text)


def _merged_columns(lines: Sequence[Line], group: list[int]) -> list[Column]:
    """The columns of a header printed over several lines: cells one above the other are one
    header ("Gross" over "Weight", "单价 Unit Price" over "(USD)")."""
    stacks: list[list[Word]] = []
    for j in group:
        line = lines[j]
        for a, b in _cells(line):
            words = list(line.words[a:b])
            left, right = words[0].left, max(w.left + w.width for w in words)
            for stack in stacks:
                s_left = min(w.left for w in stack)
                s_right = max(w.left + w.width for w in stack)
                if left < s_right and s_left < right:
                    stack.extend(words)
                    break
            else:
                stacks.append(words)
    columns: list[Column] = []
    for stack in stacks:
        cell = Line(words=tuple(stack))
        named = _named_in(cell.text)
        if len({n for n, _, _ in named}) > 1:
            # One stack naming several columns ("Nature and Quantity of Goods"): its lines'
            # own cells decide.
            for j in group:
                part = Line(words=tuple(w for w in lines[j].words if w in stack))
                if part.words:
                    columns += _header_columns(part)
            continue
        name = named[0][0] if named else "other"
        left = min(w.left for w in stack)
        columns.append(Column(name, left, max(w.left + w.width for w in stack)))
    out: list[Column] = []
    for col in sorted(columns, key=lambda c: (c.name == "other", c.left)):
        if col.name != "other" and any(c.name == col.name for c in out):
            col = Column("other", col.left, col.right)
        if col.name == "other" and any(col.left < c.right and c.left < col.right for c in out):
            continue
        out.append(col)
    return sorted(out, key=lambda c: c.left)


def _item(row: _Row) -> dict[str, str]:
    out: dict[str, str] = {}
    cells = dict(row.cells)
    for key in [k for k in cells if "+" in k]:
        figures = [w for w in cells.pop(key) if re.search(r"\d", w)]
        for name, figure in zip(key.split("+"), figures, strict=False):
            cells.setdefault(name, []).append(figure)
    row = _Row(cells, row.confidence)
    desc = normalise_space(" ".join(row.cells.get("description", [])))
    desc = re.sub(r"^[\W_]*(?:\d{1,3}[.)]?\s+(?=\D))?", "", desc)  # item number, scan specks
    desc = re.sub(r"[\s;:,|_\-‘’'\"“”.]+$", "", desc)
    if desc:
        out["description"] = desc
    qty = _plain_number(" ".join(row.cells.get("quantity", [])[:1]))
    if qty is not None:
        out["quantity"] = qty
    price = _plain_number(
        " ".join(w for w in row.cells.get("unit_price", []) if re.search(r"\d", w))
    )
    if price is not None:
        # Prices carry cents, or more decimals when printed so ("0.0450").
        cents = Decimal(price) == round(Decimal(price), 2)
        out["unit_price"] = f"{Decimal(price):.2f}" if cents else price
    amount = _money(" ".join(w for w in row.cells.get("amount", []) if re.search(r"\d", w)))
    if amount is not None:
        out["amount"] = amount
    codes = hs_in(" ".join(row.cells.get("hs_code", [])))
    if codes:
        out["hs_code"] = codes[0][0]
    for name in ("gross_weight_kg", "net_weight_kg"):
        weight = _weight_in(" ".join(row.cells.get(name, [])), "kg")
        if weight is not None:
            out[name] = weight[0]
    packages = _packages_in(" ".join(row.cells.get("packages", [])), "")
    if packages is not None:
        out["packages"] = packages[0]
    country = country_code(" ".join(row.cells.get("country_of_origin", [])))
    if country is not None:
        out["country_of_origin"] = country[0]
    return out


@dataclass(frozen=True)
class Items:
    rows: tuple[Mapping[str, str], ...]
    confidence: float
    has_hs_column: bool


@dataclass(frozen=True)
class GoodsTable:
    """A goods table: its items, the header's lines, and the column totals (weights,
    packages) from its totals row or summed over its rows."""

    items: Items | None
    header: tuple[int, ...]
    totals: Mapping[str, FieldValue]


def _column_totals(rows: list[_Row], total: _Row | None) -> dict[str, FieldValue]:
    readers: dict[str, Callable[[str, str], tuple[str, int, int, bool] | None]] = {
        "gross_weight_kg": _weight_in,
        "net_weight_kg": _weight_in,
        "packages": _packages_in,
    }
    out: dict[str, FieldValue] = {}
    for name, read in readers.items():
        if total is not None:
            found = read(" ".join(total.cells.get(name, [])), "kg")
            if found is not None:
                out[name] = make_field(found[0], 0.9, total.confidence)
                continue
        values = [
            (Decimal(v[0]), row.confidence)
            for row in rows
            # A bare 6-10 digit figure in the column is an HS code spilled from a description.
            if not re.fullmatch(r"\d{6,10}", " ".join(row.cells.get(name, [])))
            and (v := read(" ".join(row.cells.get(name, [])), "kg")) is not None
        ]
        if not values:
            continue
        conf = min(c for _, c in values)
        numbers = [v for v, _ in values]
        if len(numbers) == 1 or numbers[-1] == sum(numbers[:-1]):
            value, rule = numbers[-1], 0.85  # the only row, or an unlabelled totals row
        else:
            value, rule = sum(numbers, Decimal(0)), 0.75  # no totals printed: the rows' sum
        text = str(int(value)) if name == "packages" else f"{value.quantize(Decimal('0.01'))}"
        out[name] = make_field(text, rule, conf)
    return out


def goods_table(lines: Sequence[Line]) -> GoodsTable | None:
    """The goods table: under a header naming a description and figure columns."""
    done: set[int] = set()
    for i, line in enumerate(lines):
        if i in done or not any(p.search(line.text) for _, p in _COLUMN_PATTERNS):
            continue
        group = _header_group(lines, i)
        text = " ".join(lines[j].text for j in group)
        names = _header_names(text)
        if not names & {"quantity", "amount", "gross_weight_kg", "net_weight_kg", "packages"}:
            continue
        done.update(group)
        columns = _merged_columns(lines, group)
        raw, total = _table_rows(lines, max(group), columns)
        rows = [_item(r) for r in raw]
        keep = [
            k
            for k, r in enumerate(rows)
            if "description" in r and r.keys() & {"amount", "quantity", "hs_code"}
        ]
        items = None
        if keep:
            conf = min(raw[k].confidence for k in keep)
            items = Items(tuple(rows[k] for k in keep), conf, "hs_code" in names)
        return GoodsTable(items, tuple(group), _column_totals(raw, total))
    return None


_PACKED = re.compile(
    rf"^\W*(\d[\d,]*)\s+((?:[A-Za-z]+\s+)?(?:{_PACKAGE_UNIT}))\b[\s:,;-]*(.+)$", re.IGNORECASE
)


def _block_value(
    block: Sequence[Line], label: re.Pattern[str], read: Callable[[str], str | None]
) -> tuple[str, float] | None:
    for cand in candidates(block, label, below=1):
        if cand.line is block[cand.label_index] and cand.text.lstrip()[:1] in "—–-":
            continue  # the label's own wording running on ("— Marks and numbers")
        value = read(cand.text)
        if value is not None:
            return value, cand.line.confidence * cand.rule
    return None


def _first_hs(text: str) -> str | None:
    codes = hs_in(text)
    return codes[0][0] if codes else None


def _first_country(text: str) -> str | None:
    found = country_code(text)
    return found[0] if found else None


def _first_weight(text: str) -> str | None:
    found = _weight_in(text, "kg")
    return found[0] if found else None


def _text_value(text: str) -> str | None:
    return text if letters_ratio(text) > 0.5 else None


def _first_amount(text: str) -> str | None:
    hits = [h for h in find_amounts(text) if h.has_decimals]
    return hits[0].value if hits else None


def _first_count(text: str) -> str | None:
    m = re.match(r"\W*(\d[\d,]*)(?![.,]?\d)", text)
    return str(int(m[1].replace(",", ""))) if m else None


def item_blocks(lines: Sequence[Line]) -> Items | None:
    """Items printed as repeated blocks of labelled boxes (the EU SAD's boxes 31-46), one
    block per commodity code, when the goods are not a table."""
    starts = [
        i
        for i, ln in enumerate(lines)
        if lb.ITEM_COMMODITY_CODE.search(ln.text) and lb.ITEM_DESCRIPTION.search(ln.text)
    ]
    if not starts:
        return None
    rows: list[Mapping[str, str]] = []
    confs: list[float] = [1.0]
    span = max((b - a for a, b in zip(starts, starts[1:], strict=False)), default=12)
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else min(len(lines), start + span)
        block = lines[start:end]
        row: dict[str, str] = {}
        readers: tuple[tuple[str, re.Pattern[str], Callable[[str], str | None]], ...] = (
            ("hs_code", lb.ITEM_COMMODITY_CODE, _first_hs),
            ("description", lb.ITEM_DESCRIPTION, _text_value),
            ("quantity", lb.ITEM_QUANTITY, _first_count),
            ("amount", lb.ITEM_VALUE, _first_amount),
            ("country_of_origin", lb.ORIGIN, _first_country),
            ("gross_weight_kg", lb.GROSS_WEIGHT, _first_weight),
            ("net_weight_kg", lb.NET_WEIGHT, _first_weight),
        )
        for name, label, read in readers:
            found = _block_value(block, label, read)
            if found is not None:
                row[name] = found[0]
                confs.append(found[1])
        packed = _PACKED.match(row.get("description", ""))
        if packed:
            row["packages"] = str(int(packed[1].replace(",", "")))
            row["description"] = packed[3].strip()
        if "hs_code" in row and "description" in row:
            rows.append(row)
    if not rows:
        return None
    return Items(tuple(rows), min(confs), True)


# ---------------------------------------------------------------------------------------------
# Totals
# ---------------------------------------------------------------------------------------------

_NOT_MONEY_AFTER = re.compile(
    r"^\s*(?:kgs?|lbs?|千克|公斤|ctns?|cartons?|pcs|pieces|sets?|units?|pallets?|pkgs?|packages?"
    r"|cbm|m3|%)",
    re.IGNORECASE,
)


def _labelled_totals(lines: Sequence[Line]) -> list[tuple[str, FieldValue]]:
    found: list[tuple[str, FieldValue]] = []
    for cand in candidates(lines, lb.TOTAL, below=1, wide=True):
        for hit in find_amounts(cand.text):
            if not hit.has_decimals or _NOT_MONEY_AFTER.match(cand.text[hit.end :]):
                continue
            found.append((hit.value, _field(cand, hit.value, hit.start, hit.end, 0.85)))
            break
    return found


def _total(lines: Sequence[Line], items: Items | None) -> FieldValue | None:
    labelled = _labelled_totals(lines)
    amounts = [r.get("amount") for r in items.rows] if items else []
    # Only a sum over every row is the total; a row without its amount (unread) breaks it.
    items_sum = f"{sum(Decimal(a) for a in amounts if a):.2f}" if amounts and all(amounts) else None
    if items_sum is not None:
        for value, fv in labelled:
            if value == items_sum:
                ocr = fv.confidence / fv.rule if fv.rule else fv.confidence
                return make_field(fv.value, 0.97, ocr)  # printed and added up: they agree
    if labelled:
        return labelled[0][1]
    if items_sum is not None and items is not None:
        return make_field(items_sum, 0.75, items.confidence)
    return None


# ---------------------------------------------------------------------------------------------
# The parser
# ---------------------------------------------------------------------------------------------


def parse_trade(text: DocumentText) -> dict[str, FieldValue]:
    """Trade fields of a customs declaration, commercial invoice, packing list or B/L."""
    lines = text.lines
    body = text.text
    fields = parse_invoice(text)
    table = goods_table(lines)
    items = table.items if table is not None else item_blocks(lines)
    skip = frozenset(table.header) if table is not None else frozenset()
    date = (
        _labelled_date(lines, lb.DECLARATION_DATE, body, 0.95)
        or _labelled_date(lines, lb.SHIPMENT_DATE, body, 0.85)
        or _labelled_date(lines, lb.DOCUMENT_DATE, body, 0.88)
    )
    hs = (
        make_field(tuple(r["hs_code"] for r in items.rows if "hs_code" in r), 0.9, items.confidence)
        if items is not None and items.has_hs_column and all("hs_code" in r for r in items.rows)
        else _hs_labelled(lines)
    )
    found = {
        "declaration_number": _identifier(lines, lb.DECLARATION_NUMBER, 0.9)
        or _identifier(lines, lb.PRE_ENTRY_NUMBER, 0.75),
        "document_number": _identifier(lines, lb.DOCUMENT_NUMBER, 0.9)
        or _identifier(lines, lb.CONTRACT_NUMBER, 0.75),
        "transport_document_number": _identifier(lines, lb.TRANSPORT_DOCUMENT, 0.9),
        "document_date": date,
        "consignor": _party(lines, lb.CONSIGNOR),
        "consignee": _party(lines, lb.CONSIGNEE),
        "country_of_origin": _country(lines, lb.ORIGIN, 1.0),
        "destination_country": _country(lines, lb.DESTINATION, 1.0)
        or _country(lines, lb.DESTINATION_PLACE, 0.75),
        "incoterms": _incoterms(lines, body),
        "currency": _currency(lines),
        "total_amount": _total(lines, items),
        "gross_weight_kg": _best_measure(
            _measure(lines, lb.GROSS_WEIGHT, _weight_in, skip), table, "gross_weight_kg"
        ),
        "net_weight_kg": _best_measure(
            _measure(lines, lb.NET_WEIGHT, _weight_in, skip), table, "net_weight_kg"
        ),
        "packages": _packages(lines, table),
        "container_numbers": _containers(lines),
        "hs_codes": hs if hs is not None and hs.value else None,
    }
    if found["transport_document_number"] is None:
        found["transport_document_number"] = _coded_reference(
            lines, _EU_TRANSPORT_DOC
        ) or _awb_unlabelled(lines)
    if found["document_number"] is None:
        found["document_number"] = _coded_reference(lines, _EU_INVOICE_DOC)
    titles = titled(text)
    transport = found["transport_document_number"]
    if (
        DocumentType.BILL_OF_LADING in titles
        and leaning(text) is DocumentType.BILL_OF_LADING
        and transport is not None
    ):
        # A bill of lading / air waybill is numbered by its own B/L or AWB number; the
        # invoice it quotes is another paper's number.
        found["document_number"] = transport
    fields.update({name: fv for name, fv in found.items() if fv is not None})
    if items is not None:
        fields["line_items"] = FieldValue(items.rows, round(0.8 * items.confidence, 3), 0.8)
    # The consignor of a trade document is its vendor when no seller block was found.
    if "vendor_name" not in fields and "consignor" in fields:
        consignor = fields["consignor"]
        fields["vendor_name"] = FieldValue(consignor.value, round(consignor.confidence * 0.9, 3))
    if "customer_name" not in fields and "consignee" in fields:
        consignee = fields["consignee"]
        fields["customer_name"] = FieldValue(consignee.value, round(consignee.confidence * 0.9, 3))
    return fields
