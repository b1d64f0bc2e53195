"""Helpers shared by every field parser: amounts, dates, currencies, labels and confidences.

Everything here is a pure function over strings or ``Line`` objects. Confidences follow one rule:
field confidence = rule confidence (how sure the rule is that it found the right thing)
x OCR confidence of the words the value came from.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from docintake.domain import DocumentText, FieldScalar, FieldValue, Line

# ---------------------------------------------------------------------------------------------
# Lines and confidences
# ---------------------------------------------------------------------------------------------


def span_confidence(line: Line, start: int, end: int) -> float:
    """Lowest OCR confidence among the words of ``line`` that overlap ``line.text[start:end]``.

    ``Line.text`` joins words with one space, so word offsets can be recomputed exactly.
    """
    pos = 0
    confs: list[float] = []
    for word in line.words:
        w_start, w_end = pos, pos + len(word.text)
        if w_start < end and w_end > start:
            confs.append(word.confidence)
        pos = w_end + 1
    if not confs:
        return line.confidence
    return min(confs)


def make_field(value: FieldScalar, rule_conf: float, ocr_conf: float) -> FieldValue:
    rule = max(0.0, min(1.0, rule_conf))
    return FieldValue(
        value=value, confidence=round(max(0.0, min(1.0, rule * ocr_conf)), 3), rule=rule
    )


def normalise_space(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


def letters_ratio(s: str) -> float:
    chars = [c for c in s if not c.isspace()]
    if not chars:
        return 0.0
    return sum(c.isalpha() for c in chars) / len(chars)


def page_width_of(text: DocumentText) -> int:
    return max((p.width for p in text.pages), default=0)


# ---------------------------------------------------------------------------------------------
# Amounts
# ---------------------------------------------------------------------------------------------

# Currency tokens that may stick to an amount: RM60.30, $10.00, 12,50 EUR, S$ 5.00.
_CURRENCY_TOKEN = r"(?:RM|MYR|USD|US\$|S\$|SGD|EUR|GBP|AUD|A\$|CAD|C\$|CHF|INR|IDR|Rp|[$€£¥₹])"
# One amount: optional sign, digits with optional thousands separators (. , space, ') and an
# optional 1-2 digit decimal part. OCR sometimes puts a space before the decimals ("60. 30").
AMOUNT_RE = re.compile(
    rf"(?<![\w.,/:-])(?P<neg>-|\()?\s?(?:{_CURRENCY_TOKEN}\s?)?(?P<neg2>-)?"
    r"(?P<num>\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\s?\d{1,2})?)"
    # A trailing currency belongs to this amount only if no figure follows it ("1.00 RM2.00").
    r"(?![\d/:]|[.,]\d)(?:\s?(?:" + _CURRENCY_TOKEN + r")(?!\s?\d))?\)?",
    re.IGNORECASE,
)


def parse_amount(raw: str, *, allow_integer: bool = True) -> str | None:
    """Turn a printed amount into a plain decimal string with two decimals.

    Handles ``1.234,56``, ``1,234.56``, ``1 234,56``, ``RM 60.30``, ``$10.00``, ``60,30`` (OCR or
    European decimal comma), ``(5.00)``/``-5.00`` (negative). Returns None when it is not one.
    """
    s = raw.strip()
    negative = s.startswith("-") or (s.startswith("(") and s.endswith(")")) or s.endswith("-")
    s = re.sub(_CURRENCY_TOKEN, "", s, flags=re.IGNORECASE)
    s = s.strip(" ()-+*:")
    s = re.sub(r"(?<=[.,])\s+(?=\d)", "", s)  # "60. 30" -> "60.30"
    if not s or not re.fullmatch(r"[\d.,' ]+", s) or not s[0].isdigit():
        return None
    s = s.replace("'", "").replace(" ", "")
    last_dot, last_comma = s.rfind("."), s.rfind(",")
    sep = max(last_dot, last_comma)
    if sep >= 0 and len(s) - sep - 1 in (1, 2):
        # The last separator followed by 1-2 digits is the decimal mark, whichever it is.
        int_part, frac = s[:sep], s[sep + 1 :]
        # Thousands groups must have three digits: "1.2.3" is not an amount.
        if re.search(r"[.,]", int_part) and not re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", int_part):
            return None
        int_part = re.sub(r"[.,]", "", int_part)
    elif sep >= 0 and len(s) - sep - 1 == 3:
        # "1,234" / "1.234": a thousands separator (three digits after it) -> integer amount.
        if not allow_integer:
            return None
        int_part, frac = re.sub(r"[.,]", "", s), "00"
    elif sep < 0:
        if not allow_integer:
            return None
        int_part, frac = s, "00"
    else:
        return None
    if not int_part:
        int_part = "0"
    if not int_part.isdigit() or not frac.isdigit() or len(int_part) > 12:
        return None
    value = f"{int(int_part)}.{frac.ljust(2, '0')}"
    return f"-{value}" if negative and value != "0.00" else value


@dataclass(frozen=True)
class AmountHit:
    value: str  # plain decimal string
    start: int
    end: int
    has_decimals: bool


def find_amounts(s: str) -> list[AmountHit]:
    """All amounts in a line of text, left to right. Dates, times and long IDs are skipped."""
    hits: list[AmountHit] = []
    for m in AMOUNT_RE.finditer(s):
        num = m.group("num")
        digits = re.sub(r"\D", "", num)
        has_dec = bool(re.search(r"[.,]\s?\d{1,2}$", num)) and not re.fullmatch(
            r"\d{1,3}(?:[., ]\d{3})+", num
        )
        # Long digit runs without decimals are phone numbers, IDs, barcodes - not money.
        if not has_dec and len(digits) > 7:
            continue
        # "6%" is a rate, not money.
        if s[m.end() :].lstrip().startswith("%"):
            continue
        value = parse_amount(m.group(0))
        if value is None:
            continue
        hits.append(AmountHit(value, m.start("num"), m.end("num"), has_dec))
    return hits


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    (
        "january jan januar janv janvier enero ene",
        "february feb februar febr fev févr fév février fevrier febrero",
        "march mar marz märz maerz mrz mars marzo",
        "april apr avr avril abril",
        "may mai mayo",
        "june jun juni juin junio",
        "july jul juli juil juillet julio",
        "august aug augustus aout août agosto ago",
        "september sep sept septembre septiembre",
        "october oct oktober okt octobre octubre",
        "november nov novembre noviembre",
        "december dec déc dezember dez decembre décembre diciembre dic",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _num
_MONTH_ALT = "|".join(sorted(MONTHS, key=len, reverse=True))

# 2020-03-08 / 2020.03.08 / 2020/03/08: year first is never ambiguous.
_YMD = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?!\d)")
# 19/10/2018, 12-01-19, 5/3/2018, 03.03.2020. OCR sometimes adds spaces around separators.
_NUMERIC = re.compile(
    r"(?<![\w.\-/])(?P<a>\d{1,2})\s?(?P<sep>[-/.])\s?(?P<b>\d{1,2})\s?(?P=sep)\s?"
    # A four-digit year may run straight into the time: "14/03/20185:57:07PM".
    r"(?P<y>\d{4}(?=\d{1,2}:\d{2})|\d{4}(?!\d)|\d{2}(?!\d))"
    # ... but a fourth group with the same separator makes it a phone number: 05.22.95.66.66.
    r"(?!(?P=sep)\d)"
)
# 20 Dec 2017, 20-Dec-17, 3. März 2020, 20DEC2017
_D_MON_Y = re.compile(
    rf"(?<![\w])(?P<d>\d{{1,2}})(?:st|nd|rd|th|er)?[\s.\-/,]*(?P<mon>{_MONTH_ALT})\.?[\s.\-/,']*"
    r"(?P<y>\d{4}|\d{2})(?!\d)",
    re.IGNORECASE,
)
# March 3, 2020 / Mar 03 2020 / Dec-20-2017
_MON_D_Y = re.compile(
    rf"(?<![\w])(?P<mon>{_MONTH_ALT})\.?[\s\-/]*(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[\s,\-/]+"
    r"(?P<y>\d{4}|\d{2})(?!\d)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateHit:
    iso: str
    start: int
    end: int
    ambiguous: bool  # numeric day/month order could go either way


def _year(raw: str) -> int:
    y = int(raw)
    if len(raw) == 2:
        y += 2000 if y < 70 else 1900
    return y


def _iso(y: int, m: int, d: int) -> str | None:
    if not 1970 <= y <= 2100:
        return None
    try:
        return date(y, m, d).isoformat()
    except ValueError:
        return None


def find_dates(s: str, *, month_first: bool = False) -> list[DateHit]:
    """All dates in ``s``; ambiguous numeric dates read day-first unless ``month_first``."""
    hits: list[DateHit] = []
    taken: list[tuple[int, int]] = []

    def add(iso: str | None, m: re.Match[str], ambiguous: bool = False) -> None:
        if iso is None or any(a < m.end() and m.start() < b for a, b in taken):
            return
        taken.append((m.start(), m.end()))
        hits.append(DateHit(iso, m.start(), m.end(), ambiguous))

    for m in _YMD.finditer(s):
        add(_iso(int(m["y"]), int(m["m"]), int(m["d"])), m)
    for m in _D_MON_Y.finditer(s):
        add(_iso(_year(m["y"]), MONTHS[m["mon"].lower()], int(m["d"])), m)
    for m in _MON_D_Y.finditer(s):
        add(_iso(_year(m["y"]), MONTHS[m["mon"].lower()], int(m["d"])), m)
    for m in _NUMERIC.finditer(s):
        a, b, y = int(m["a"]), int(m["b"]), _year(m["y"])
        if a > 12 >= b:
            add(_iso(y, b, a), m)
        elif b > 12 >= a:
            add(_iso(y, a, b), m)
        elif month_first:
            add(_iso(y, a, b), m, ambiguous=a != b)
        else:
            add(_iso(y, b, a), m, ambiguous=a != b)
    hits.sort(key=lambda h: h.start)
    return hits


def parse_date(s: str, *, month_first: bool = False) -> str | None:
    """The first date printed in ``s`` as ISO ``YYYY-MM-DD``, or None."""
    hits = find_dates(s, month_first=month_first)
    return hits[0].iso if hits else None


# US state code + ZIP ("Dallas, TX 75320"); only real state codes, so "DE 80333" does not count.
_US_STATES = (
    "AL|AK|AZ|AR|CA|CO|CT|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ"
    "|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY"
)
_US_ZIP = re.compile(rf",\s*(?:{_US_STATES})\s+\d{{5}}(?:-\d{{4}})?\b")


def _us_signals(text: str) -> bool:
    currency = detect_currency(text)
    if currency is not None:
        return currency[0] == "USD"
    return bool(_US_ZIP.search(text))


def prefers_month_first(text: str) -> bool:
    """Decide the numeric date order for one document (see ``date_order``)."""
    return date_order(text)[0]


# Currencies of countries that write numeric dates day first (Malaysia, Singapore, the euro
# area, the UK, India, Australia...). The US and countries that mix orders are left out.
_DAY_FIRST_CURRENCIES = frozenset(
    {"MYR", "SGD", "EUR", "GBP", "INR", "IDR", "THB", "AUD", "NZD", "HKD", "CHF"}
)


def date_order(text: str) -> tuple[bool, bool]:
    """(month_first, proven) for one document.

    A numeric date whose first number is > 12 proves day-first; one whose second number is > 12
    proves month-first. Without such a date, the country decides: a day-first country's
    currency or company form (SDN BHD, GmbH...) settles the order as firmly (SROIE: 66 of 120
    Malaysian receipts prove day-first, none month-first); US signals ($, USD, "CA 90210") mean
    month-first, unproven.
    """
    day_first_votes = month_first_votes = 0
    for m in _NUMERIC.finditer(text):
        a, b = int(m["a"]), int(m["b"])
        if a > 31 or b > 31:
            continue  # "2.70.09" is a price or code, not a date
        if a > 12 >= b >= 1:
            day_first_votes += 1
        elif b > 12 >= a >= 1:
            month_first_votes += 1
    if day_first_votes != month_first_votes:
        return month_first_votes > day_first_votes, True
    # A Malaysian company form or address outweighs a "$" that OCR made out of an "S".
    day_first_country = any(
        code in _DAY_FIRST_CURRENCIES and p.search(text) for p, code in _COUNTRY_HINTS
    )
    currency = detect_currency(text)
    if day_first_country or (currency is not None and currency[0] in _DAY_FIRST_CURRENCIES):
        return False, True
    return _us_signals(text), False


# ---------------------------------------------------------------------------------------------
# Currency
# ---------------------------------------------------------------------------------------------

# (pattern, ISO code, weight). Explicit codes weigh more than symbols shared by many currencies.
_CURRENCY_PATTERNS: tuple[tuple[re.Pattern[str], str, float], ...] = tuple(
    (re.compile(p, re.IGNORECASE if ci else 0), code, w)
    for p, code, w, ci in (
        (r"\bMYR\b", "MYR", 3.0, True),
        (r"(?<![A-Za-z])RM\s?\d", "MYR", 2.0, False),
        (r"(?<![A-Za-z])RM\b", "MYR", 1.0, False),
        (r"\bRinggit\b", "MYR", 2.0, True),
        # "S$"-style symbols are weaker than codes: OCR makes them out of "5" and "8" too.
        (r"\bSGD\b", "SGD", 3.0, False),
        (r"(?<![A-Z])S\$\s?\d", "SGD", 1.5, False),
        (r"\bAUD\b", "AUD", 3.0, False),
        (r"(?<![A-Z])A\$\s?\d", "AUD", 1.5, False),
        (r"\bCAD\b", "CAD", 3.0, False),
        (r"(?<![A-Z])C\$\s?\d", "CAD", 1.5, False),
        (r"\bHKD\b|(?<![A-Z])HK\$\s?\d", "HKD", 3.0, False),
        (r"\bNZD\b|(?<![A-Z])NZ\$\s?\d", "NZD", 3.0, False),
        (r"\bUSD\b|US\$", "USD", 3.0, False),
        (r"(?<![A-Z])\$", "USD", 1.0, False),
        (r"\bEUR\b|€|\bEuro\b", "EUR", 3.0, False),
        (r"\bGBP\b|£", "GBP", 3.0, False),
        (r"\bCHF\b", "CHF", 3.0, False),
        (r"\bJPY\b|¥", "JPY", 3.0, False),
        (r"\bINR\b|₹|\bRs\.?\s?\d", "INR", 3.0, False),
        (r"\bIDR\b|\bRp\.?\s?\d", "IDR", 3.0, False),
        (r"\bTHB\b|฿", "THB", 3.0, False),
        (r"\bPHP\b|₱", "PHP", 3.0, False),
        (r"\bCNY\b|\bRMB\b", "CNY", 3.0, False),
    )
)
# Country hints used only when no currency is printed at all.
_COUNTRY_HINTS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"\bSDN\.?\s?BHD\b|\bMALAYSIA\b|\bSELANGOR\b|\bJOHOR\b|\bKUALA LUMPUR\b", re.I),
        "MYR",
    ),
    (re.compile(r"\bGmbH\b|\bMwSt\b|\bUSt\b|\bRechnung\b|\bDeutschland\b", re.I), "EUR"),
)


def detect_currency(text: str) -> tuple[str, float] | None:
    """ISO 4217 code of the document's currency and a rule confidence, or None."""
    scores: dict[str, float] = {}
    for pattern, code, weight in _CURRENCY_PATTERNS:
        n = len(pattern.findall(text))
        if n:
            scores[code] = scores.get(code, 0.0) + weight * min(n, 5)
    # "$" inside "S$"/"A$"... was also counted as USD; remove that double count.
    if "USD" in scores and not re.search(r"\bUSD\b|US\$|(?<![A-Z])\$", text):
        del scores["USD"]
    # A Malaysian/German company form outweighs one stray symbol read from noise.
    for pattern, code in _COUNTRY_HINTS:
        if pattern.search(text):
            scores[code] = scores.get(code, 0.0) + 1.0
    if scores:
        best = max(scores, key=lambda c: scores[c])
        share = scores[best] / sum(scores.values())
        strength = min(1.0, scores[best] / 3.0)
        return best, round(0.6 + 0.35 * share * strength, 3)
    for pattern, code in _COUNTRY_HINTS:
        if pattern.search(text):
            return code, 0.6
    return None


# ---------------------------------------------------------------------------------------------
# Labels
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelHit:
    line_index: int
    line: Line
    value_text: str  # text after the label on the same line (may be empty)
    value_start: int  # offset of value_text in line.text


def find_labelled(
    lines: Sequence[Line], label: re.Pattern[str], *, start: int = 0
) -> Iterable[LabelHit]:
    """Lines containing ``label``; yields the text right of the label (separators stripped)."""
    for i in range(start, len(lines)):
        line = lines[i]
        m = label.search(line.text)
        if not m:
            continue
        rest = line.text[m.end() :]
        stripped = rest.lstrip(" :#.-=|")
        yield LabelHit(i, line, stripped, m.end() + (len(rest) - len(stripped)))


def below(lines: Sequence[Line], index: int, limit: int = 2) -> list[Line]:
    """The next ``limit`` lines after ``index``."""
    return list(lines[index + 1 : index + 1 + limit])


def value_under(lines: Sequence[Line], index: int, label_left: int, limit: int = 3) -> list[Line]:
    """Lines below ``index`` whose words start roughly in the label's column (table layouts)."""
    out: list[Line] = []
    for line in lines[index + 1 : index + 1 + limit]:
        out.append(line)
    out.sort(key=lambda ln: abs(ln.left - label_left))
    return out


# ---------------------------------------------------------------------------------------------
# Labelled amounts and identifiers (shared by receipts, invoices and customs documents)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmountCandidate:
    value: str
    rule_conf: float
    ocr_conf: float
    line_index: int


def amount_after_label(
    lines: Sequence[Line],
    index: int,
    label_end: int,
    *,
    look_below: int = 1,
) -> tuple[str, float, int] | None:
    """The first amount with decimals right of the label, else on the next line(s) alone.

    Returns (value, OCR confidence of the amount words, line index) or None. The first amount
    (not the last) is taken because summary lines often continue with other figures
    ("Gross Total $180.00 Total Spots 12", "Totals 12 $8,900.00 ($1,335.00) $7,565.00").
    """
    line = lines[index]
    for hit in find_amounts(line.text[label_end:]):
        if hit.has_decimals:
            start, end = hit.start + label_end, hit.end + label_end
            return hit.value, span_confidence(line, start, end), index
    # OCR and PDF layouts often put the figure on the following line, in the same column.
    for j in range(index + 1, min(len(lines), index + 1 + look_below)):
        nxt = lines[j]
        # Only a line that is (nearly) just the figure: "RM 12.50", not "Cash 22.2".
        if sum(c.isalpha() for c in nxt.text) > 3:
            break
        hits = [h for h in find_amounts(nxt.text) if h.has_decimals]
        if len(hits) == 1:
            return hits[0].value, span_confidence(nxt, hits[0].start, hits[0].end), j
    return None


_ID_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9/\-.]*[0-9][A-Z0-9/\-.]*", re.IGNORECASE)


def identifier_after(text: str) -> tuple[str, int, int] | None:
    """The first token that looks like a document/reference number (has a digit)."""
    for m in _ID_TOKEN.finditer(text):
        token = m.group(0).rstrip(".-/")
        # Dates are not document numbers.
        if find_dates(token) or len(token) < 2:
            continue
        return token, m.start(), m.start() + len(token)
    return None


def labelled_identifier(
    lines: Sequence[Line], label: re.Pattern[str], rule_conf: float, *, look_below: int = 1
) -> FieldValue | None:
    """Value of a ``label: ABC-123`` field, on the same line or just below the label."""
    for hit in find_labelled(lines, label):
        found = identifier_after(hit.value_text)
        if found:
            token, s, e = found
            conf = span_confidence(hit.line, hit.value_start + s, hit.value_start + e)
            return make_field(token, rule_conf, conf)
        for nxt in lines[hit.line_index + 1 : hit.line_index + 1 + look_below]:
            found = identifier_after(nxt.text)
            if found:
                token, s, e = found
                return make_field(token, rule_conf * 0.85, span_confidence(nxt, s, e))
    return None


TAX_ID_LABEL = re.compile(
    r"\b(?:(?:GST|SST|VAT|TAX)\s*(?:REG(?:ISTRATION)?\.?\s*)?(?:NO|ID|NUMBER|#)\.?"
    r"|TIN|ABN|Steuer-?\s*nummer|St\.?-?\s*Nr\.?|USt\.?-?\s*Id\.?-?\s*Nr\.?|VAT\s*ID|UID)"
    r"\s*[:.]?",
    re.IGNORECASE,
)


def find_tax_id(lines: Sequence[Line]) -> FieldValue | None:
    return labelled_identifier(lines, TAX_ID_LABEL, 0.85, look_below=0)


DATE_LABEL = re.compile(
    r"\b(?:date|dated|tarikh|datum|fecha|vom)\b|\b(?:biz|bill|inv|trans|txn)\s*(?:date|dt)\b",
    re.IGNORECASE,
)


def pick_date(
    lines: Sequence[Line],
    body: str,
    *,
    prefer: re.Pattern[str] = DATE_LABEL,
    avoid: re.Pattern[str] | None = None,
    look_below: int = 1,
    require_label: bool = False,
) -> FieldValue | None:
    """The document's date: a date labelled by ``prefer`` first, else the most repeated plain
    date (a timestamped one first), else a date OCR damaged (see ``find_damaged_dates``).

    Dates on lines matching ``avoid`` (due dates, print dates...) are skipped.
    """
    month_first, proven = date_order(body)
    labelled: list[tuple[Line, DateHit, float]] = []
    plain: list[tuple[Line, DateHit]] = []
    for i, line in enumerate(lines):
        text = line.text
        hits = find_dates(text, month_first=month_first)
        label = prefer.search(text)
        if avoid is not None and avoid.search(text) and not label:
            continue
        if label and avoid is not None and avoid.search(text[: label.end()]):
            label = None
        if label:
            after = [h for h in hits if h.start >= label.start()]
            if after:
                labelled.append((line, after[0], 0.95))
                continue
            # Label above its value (tables, forms).
            for nxt in lines[i + 1 : i + 1 + look_below]:
                below_hits = find_dates(nxt.text, month_first=month_first)
                if below_hits:
                    labelled.append((nxt, below_hits[0], 0.85))
                    break
        plain.extend((line, h) for h in hits)
    if labelled:
        line, hit, rule = labelled[0]
    elif plain and not require_label:
        line, hit, rule = _best_plain_date(plain)
    elif not plain and not require_label:
        found = _damaged_date(lines, prefer, avoid, month_first)
        if found is None:
            return None
        line, hit, rule = found
    else:
        return None
    if hit.ambiguous and not proven:
        rule *= 0.85  # day/month order is a guess for this document
    return make_field(hit.iso, rule, span_confidence(line, hit.start, hit.end))


_TIME_AFTER = re.compile(r"^\D{0,8}\d{1,2}[:.]\d{2}")


def _best_plain_date(plain: list[tuple[Line, DateHit]]) -> tuple[Line, DateHit, float]:
    """Among unlabelled dates: the most repeated, then one printed with a time of day.

    A date printed more than once (sale time, entry/exit time) outvotes a stray one, and a
    till's timestamp ("12-01-19 21:13") is the sale; promotion periods and expiry dates carry
    no time.
    """
    counts = Counter(h.iso for _, h in plain)
    timed = {h.iso for ln, h in plain if _TIME_AFTER.match(ln.text[h.end :])}
    line, hit = max(plain, key=lambda lh: (counts[lh[1].iso], lh[1].iso in timed))
    others = set(counts) - {hit.iso}
    if not others:
        rule = 0.85
    elif hit.iso in timed and not timed & others:
        rule = 0.85  # the only timestamped date
    else:
        rule = 0.75
    return line, hit, rule


# Dates OCR damaged, tried only when a document has no clean date at all:
# "#19536001/06/2018" (glued to a number before it), "2703/2018" (lost separator),
# "27032018" / "20180428" (no separators).
_GLUED = re.compile(
    r"(?P<a>\d{1,2})(?P<sep>[-/.])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2})(?!\d)"
)
_DDMM_Y = re.compile(r"(?<!\d)(?P<a>\d{2})(?P<b>\d{2})[-/.](?P<y>(?:19|20)\d{2})(?!\d)")
_COMPACT = re.compile(r"(?<![\d.,])(?P<digits>\d{8})(?![\d.,])")


def find_damaged_dates(s: str, *, month_first: bool = False) -> list[DateHit]:
    """Dates with OCR damage (see above). Compact 8-digit ones count only when exactly one of
    YYYYMMDD / DDMMYYYY (MMDDYYYY) gives a real date in 1970-2099."""
    hits: list[DateHit] = []
    for pattern in (_GLUED, _DDMM_Y):
        for m in pattern.finditer(s):
            a, b, y = int(m["a"]), int(m["b"]), int(m["y"])
            if b > 12 >= a or (month_first and a <= 12 and b <= 12):
                day, month = b, a
            else:
                day, month = a, b
            iso = _iso(y, month, day)
            if iso:
                hits.append(DateHit(iso, m.start(), m.end(), ambiguous=a <= 12 and b <= 12))
    for m in _COMPACT.finditer(s):
        d = m["digits"]
        first, second = (int(d[2:4]), int(d[:2])) if month_first else (int(d[:2]), int(d[2:4]))
        readings = {
            iso
            for iso in (
                _iso(int(d[:4]), int(d[4:6]), int(d[6:])) if d[:2] in ("19", "20") else None,
                _iso(int(d[4:]), second, first) if d[4:6] in ("19", "20") else None,
            )
            if iso
        }
        if len(readings) == 1:
            hits.append(DateHit(readings.pop(), m.start(), m.end(), ambiguous=False))
    hits.sort(key=lambda h: h.start)
    return hits


def _damaged_date(
    lines: Sequence[Line],
    prefer: re.Pattern[str],
    avoid: re.Pattern[str] | None,
    month_first: bool,
) -> tuple[Line, DateHit, float] | None:
    """The first damaged date; a labelled one is more believable than a bare digit run."""
    first: tuple[Line, DateHit, float] | None = None
    for line in lines:
        if avoid is not None and avoid.search(line.text):
            continue
        hits = find_damaged_dates(line.text, month_first=month_first)
        if not hits:
            continue
        if prefer.search(line.text):
            return line, hits[0], 0.75
        if first is None:
            first = (line, hits[0], 0.6)
    return first


# ---------------------------------------------------------------------------------------------
# Form boxes: numbered labels and the column a label heads
# ---------------------------------------------------------------------------------------------

# A numbered box label inside a line: "6. Country of origin", "12, Invoice Date" (OCR often
# reads the box number's full stop as a comma). Only a Title-case word may follow the number,
# so amounts ("12.50") and dates ("3. März") are not taken for box labels.
BOX_LABEL = re.compile(r"(?<![\w.,/-])\d{1,2}\s?[.,)]\s?(?=[A-Z][a-z])")
_BOX_NUMBER_WORD = re.compile(r"\d{1,2}[.,)]")


def cut_at_next_box(text: str) -> str:
    """``text`` up to the next numbered box label (the neighbouring box a reader merged in)."""
    m = BOX_LABEL.search(text)
    return text[: m.start()] if m else text


def _word_spans(line: Line) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for word in line.words:
        spans.append((pos, pos + len(word.text)))
        pos += len(word.text) + 1
    return spans


def _has_alnum(s: str) -> bool:
    return any(c.isalnum() for c in s)


@dataclass(frozen=True)
class Band:
    """The horizontal extent of a form box or table column, from the label that heads it."""

    left: int
    right: int
    tolerance: int  # how far left of ``left`` a value may start


def label_band(line: Line, start: int, end: int) -> Band | None:
    """The column headed by the label at ``line.text[start:end]``.

    It starts at the label (or the box number just before it) and ends where the next box or
    column of the same line starts: a numbered label ("7. Mode of transport"), or a word after
    a wide gap. Stray punctuation (scan noise) is ignored when looking for that gap.
    """
    spans = _word_spans(line)
    idx = [k for k, (s, e) in enumerate(spans) if s < end and e > start]
    if not idx:
        return None
    words = line.words
    first, last = idx[0], idx[-1]
    height = max(words[k].height for k in idx)
    left = words[first].left
    if first > 0 and _BOX_NUMBER_WORD.fullmatch(words[first - 1].text):
        prev = words[first - 1]
        if left - (prev.left + prev.width) < 3 * height:
            left = prev.left
    right = 1 << 30
    prev_end = words[last].left + words[last].width
    for k in range(last + 1, len(words)):
        word = words[k]
        if not _has_alnum(word.text):
            continue
        numbered = _BOX_NUMBER_WORD.fullmatch(word.text) and k + 1 < len(words)
        if (numbered and words[k + 1].text[:1].isupper()) or word.left - prev_end > 2.5 * height:
            right = word.left
            break
        prev_end = word.left + word.width
    return Band(left, right, max(10, height))


def words_in_band(line: Line, band: Band) -> Line:
    """The words of ``line`` whose centre lies in ``band``, without stray punctuation."""
    return Line(
        words=tuple(
            w
            for w in line.words
            if band.left - band.tolerance <= w.left + w.width / 2 < band.right
            and _has_alnum(w.text)
        )
    )


def below_in_band(lines: Sequence[Line], index: int, band: Band, *, limit: int = 2) -> list[Line]:
    """The parts of the next ``limit`` lines that sit in ``band`` (value under its label).

    Stops at a page break (a line higher on the page than the label line).
    """
    out: list[Line] = []
    top = lines[index].top
    for line in lines[index + 1 : index + 1 + limit]:
        if line.top < top:
            break
        part = words_in_band(line, band)
        if part.words:
            out.append(part)
    return out
