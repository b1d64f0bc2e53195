"""Field parser for till receipts: vendor at the top, a TOTAL line, a date near the items.

The total is not read from one line and trusted. Every amount row of the receipt gets a role
from its label (total, subtotal, tax, service charge, discount, rounding, payment, change), and
candidate totals are then cross-checked against the rest of the receipt:

* cash paid - change = total (or the card/cash amount equals it when no change is given);
* subtotal (or an earlier total, or the sum of the item lines, or the GST summary) plus tax,
  service charge, rounding, minus discounts = total;
* a later total that is an earlier one plus tax or rounding supersedes it (the amount paid is
  the rounded one).

The candidate with the best label and the most agreement wins, and how much of the receipt
agrees with it sets its confidence: a total confirmed by arithmetic on other printed figures is
very likely both read and chosen right; a bare labelled figure is only as good as its OCR.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from itertools import product

from docintake.domain import DocumentText, FieldValue, Line, parse_decimal
from extractors.parsers import receipt_header
from extractors.parsers.common import (
    detect_currency,
    find_amounts,
    find_tax_id,
    labelled_identifier,
    make_field,
    pick_date,
    span_confidence,
)

# ---------------------------------------------------------------------------------------------
# Row roles
# ---------------------------------------------------------------------------------------------


class Role(Enum):
    NONE = "none"  # item lines and anything unlabelled
    TOTAL = "total"
    SUBTOTAL = "subtotal"
    TAX = "tax"
    SERVICE = "service"
    DISCOUNT = "discount"
    ROUNDING = "rounding"
    PAID = "paid"
    CHANGE = "change"
    OTHER = "other"  # quantities, item counts, savings, points: figures that are not money due


# The word TOTAL as OCR reads it: T0TAL, TOTA1, TOTAI, Totak, TOTL, Ttal, TTL, and "otal" when
# the T was lost. Never inside a word ("Subtotal" is a subtotal).
_T = r"(?<![a-z])(?:[tf][o0]ta[l1i|kì]|t[o0]t[l1]|tta[l1]|ttl|[o0]ta[l1](?=\s))"
_TAXWORD = r"(?:gst|gsi|g\$t|sst|vat|tax|cukai)"
_RATE = r"(?:\s*@?\s*\d+(?:\.\d+)?\s*%)?"

# (role, label strength, pattern). Strength only matters for TOTAL: how surely the label names
# the amount to pay. When several patterns match one label, the longest overlapping match
# wins and then the one starting last (the words next to the amount name it:
# "Qty 4 Rounding 0.02" is a rounding, "Item 2 Total with GST 41.48" a total).
_ROLE_PATTERNS: tuple[tuple[Role, float, re.Pattern[str]], ...] = tuple(
    (role, strength, re.compile(p, re.IGNORECASE))
    for role, strength, p in (
        (Role.TOTAL, 0.95, rf"grand\s*{_T}|final\s*{_T}|\bnett?\s*{_T}|{_T}\s*nett?\b"),
        # Total after rounding: what was paid. "TTL ATF RND", "Total AtlerCRounding".
        (Role.TOTAL, 0.95, rf"{_T}\s*\w{{0,8}}\s*(?:round\w*|rnd)|round(?:ed|ing)?\s*{_T}"),
        (
            Role.TOTAL,
            0.95,
            rf"{_T}\s*(?:amount|amt|sales)?\.?\s*(?:payable|payabie|due)\b"
            r"|\b(?:amount|amt|balance|jumlah)\.?\s*(?:payable|due|perlu\s*dibayar)\b"
            r"|\bamount\s*to\s*pay\b|\bjumlah\s*(?:besar|keseluruhan|bayaran)\b",
        ),
        (
            Role.TOTAL,
            0.92,
            rf"{_T}[^\n]{{0,24}}?\(?\s*(?:inc[l1!]?\w*|with)\.?,?\s*(?:of\s*)?"
            rf"{_TAXWORD}?{_RATE}\s*\)?",
        ),
        (
            Role.TOTAL,
            0.9,
            rf"{_T}\s*(?:amount|amt|sales?|rm|myr|\(rm\))\b\.?"
            rf"|{_T}[^\n]{{0,12}}?\(\s*{_TAXWORD}[^)\n]*\)?",
        ),
        (
            Role.TOTAL,
            0.85,
            rf"\ba[mn]ount\s*incl?\w*\.?,?\s*(?:of\s*)?{_TAXWORD}|{_T}|\bjumlah\b",
        ),
        (
            Role.SUBTOTAL,
            0.0,
            r"\bsub\s*-?\s*(?:t\w*|1\s*:\s*\w+)?(?:\s*incl?\w*\.?\s*" + _TAXWORD + r"?"
            r"|\s*before\s*disc\w*|\s*/?\s*\(ex\))?",
        ),
        (
            Role.SUBTOTAL,
            0.0,
            rf"{_T}[^\n]{{0,24}}?\(?\s*(?:excl?\w*|exclusive|before|b4)\.?\s*(?:of\s*)?"
            rf"{_TAXWORD}?\)?"
            rf"|\b(?:amt|amount)\.?\s*excl?\w*\.?\s*{_TAXWORD}?"
            r"|\bgross\s*(?:amount|amt|total|sales)|\bafter\s*discount|\bjumlah\s*kecil"
            r"|\btaxable\s*(?:amt|amount)|\bzero\s*(?:tax|rated)\s*(?:amt|amount)?",
        ),
        (
            Role.TAX,
            0.0,
            rf"(?:{_T}\s*)?{_TAXWORD}(?!\s*(?:reg|id\b|no\b|number|summary|invoice|inv\b|code))"
            r"(?:\s*/\s*" + _TAXWORD + r")?"
            rf"(?:\s*(?:amt|amount|payable|\(?\d{{1,2}}(?:\.\d+)?\s*%\)?|@\s*\d+\s*%))*"
            rf"(?:\s*incl\w*(?:\s*in\s*{_T})?)?",
        ),
        (Role.TAX, 0.0, rf"\binc[l1]\w*\.?\s*\d+\s*%\s*{_TAXWORD}|{_TAXWORD}\s*{_T}"),
        (
            Role.SERVICE,
            0.0,
            r"s?ervice\s*(?:charge|chrg|chg|tax)?(?:\s*\([^)]*\)?)?|\bsvc\b|\bsrv\.?\s*chg"
            r"|\bcaj\s*perkhidmatan",
        ),
        (Role.DISCOUNT, 0.0, r"\bdisc(?:ount)?\b|\bcoupon|\bless\b|\bdiskaun|\bvoucher"),
        (Role.ROUNDING, 0.0, r"\bro?c?un?d\w*|\brnd\b|\bpembundaran|\badj\w*"),
        (
            Role.PAID,
            0.0,
            r"\bcash\b|\btunai\b|\bpayment\b|\bpaid\b|\bpald\b|\btender\w*|\breceived\b"
            r"|\bvisa\b|\bmaster\s*card\b|\bmaster\b|\bamex\b|\bcard\b|\bedc\b|\bcredit\b"
            r"|\bdebit\b|\baccept\w*(?:\s*(?:total|amount|amt))?|\bbayaran\b|\bdibayar\b"
            r"|\bterminal\b|\besp[eè]ces?\b|\be-?wallet\b",
        ),
        (Role.CHANGE, 0.0, r"\bchange\b|\bchang\b|\bbaki\b|\bkembali\w*"),
        (
            Role.OTHER,
            0.0,
            rf"{_T}\s*(?:qty|quantity|qu\w*ty|items?|item\(s\)|itein\w*|saving\w*|loading\w*"
            r"|points?|no\.?\s*of\w*)|\bqty\b|\bquantity\b|\bitem\w*|\bcount\b|\bpoints?\b"
            r"|\bpts\b|\bsaving\w*|\bno\.?\s*of\s*items?",
        ),
    )
)


def _role_of(label: str) -> tuple[Role, float]:
    """The role a row's label gives it (NONE for item lines) and, for totals, its strength."""
    found: list[tuple[int, int, Role, float]] = []
    for role, strength, pattern in _ROLE_PATTERNS:
        for m in pattern.finditer(label):
            if m.end() > m.start():
                found.append((m.start(), m.end(), role, strength))
    if not found:
        return Role.NONE, 0.0
    # A longer match swallows the ones it overlaps ("TOTAL TAX" is a tax, not a total).
    kept = [
        f
        for f in found
        if not any(
            g is not f and g[0] < f[1] and f[0] < g[1] and (g[1] - g[0], g[3]) > (f[1] - f[0], f[3])
            for g in found
        )
    ]
    start, end, role, strength = max(kept, key=lambda f: (f[0], f[1] - f[0], f[3]))
    return role, strength


# ---------------------------------------------------------------------------------------------
# Rows: a label and the amounts printed after it
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    index: int  # line index
    role: Role
    strength: float
    cents: tuple[int, ...]
    ocr: float  # lowest OCR confidence of the amount words
    loose: bool = False  # read from a damaged amount ("20 00", "19-80", "4.0")

    @property
    def single(self) -> int | None:
        """The row's one value; None for a table row with several different amounts."""
        return self.cents[0] if len(set(self.cents)) == 1 else None


# Same-length OCR repairs that let amounts be found: "RN43.40"/"RH 60.30" -> RM, "RMO.00" -> RM0.00.
_RM_MISREAD = re.compile(r"\bR[NHW](?=\s?\d)")
_RM_O = re.compile(r"(?<=RM)[Oo](?=[.,]\d)")
_CURRENCY_WORDS = re.compile(r"\b(?:RM|MYR|RH|RN|DH|USD|SGD|EUR)\b", re.IGNORECASE)
# A damaged amount at the end of a labelled line: decimal point read as a space or dash.
_LOOSE_SPLIT = re.compile(r"(?:(?<=RM)|(?<![\w.,/:-]))(\d{1,5})[ \->](\d{2})\W{0,3}$")
# ... or lost altogether: "Total Amt Incl. GST@6% : 2700".
_LOOSE_WHOLE = re.compile(r"(?<![\w.,/:-])(\d{3,6})\W{0,3}$")


def _cents(value: str) -> int:
    """Integer cents of an amount already in plain form ("60.30", "-0.02")."""
    number = parse_decimal(value)
    if number is None:
        raise ValueError(f"not a plain amount: {value!r}")
    return int(number * 100)


def _money(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _letters(s: str) -> int:
    return sum(c.isalpha() for c in _CURRENCY_WORDS.sub("", s))


def _clean(text: str) -> str:
    return _RM_O.sub("0", _RM_MISREAD.sub("RM", text))


def _line_rows(index: int, line: Line, pending: tuple[Role, float] | None) -> list[Row]:
    """Rows of one line. A new row starts wherever a word label sits between two amounts."""
    text = _clean(line.text)
    hits = [h for h in find_amounts(text) if h.has_decimals]
    if not hits:
        return _loose_row(index, line, text)
    rows: list[Row] = []
    label_start = 0
    group: list[tuple[int, float, bool]] = []
    label = ""
    for k, hit in enumerate(hits):
        between = text[label_start : hit.start]
        if k == 0 or _letters(between) >= 2:
            if group:
                rows.append(_make_row(index, label, group, pending if not rows else None))
            label, group = between, []
        cents = _cents(hit.value)
        # A trailing minus ("0.02-", "20.00-") marks a negative figure on some tills.
        if text[hit.end : hit.end + 1] == "-" and cents > 0:
            cents = -cents
        one_decimal = bool(re.search(r"[.,]\d$", text[hit.start : hit.end]))
        group.append((cents, span_confidence(line, hit.start, hit.end), one_decimal))
        label_start = hit.end
    rows.append(_make_row(index, label, group, pending if not rows else None))
    return rows


def _make_row(
    index: int, label: str, group: list[tuple[int, float, bool]], pending: tuple[Role, float] | None
) -> Row:
    role, strength = _role_of(label)
    if role is Role.NONE and pending is not None and _letters(label) <= 3:
        role, strength = pending  # the label sits on the line above its amount
    return Row(
        index,
        role,
        strength,
        tuple(c for c, _, _ in group),
        min(o for _, o, _ in group),
        loose=any(one for _, _, one in group),
    )


def _loose_row(index: int, line: Line, text: str) -> list[Row]:
    """A labelled total/subtotal/tax whose amount lost its decimal point."""
    role, strength = _role_of(text)
    if role not in (Role.TOTAL, Role.SUBTOTAL, Role.TAX):
        return []
    m = _LOOSE_SPLIT.search(text)
    if m:
        cents = int(m[1]) * 100 + int(m[2])
    else:
        m = _LOOSE_WHOLE.search(text)
        if not m or role is not Role.TOTAL:
            return []
        cents = int(m[1])
    conf = span_confidence(line, m.start(), m.end())
    return [Row(index, role, strength, (cents,), conf, loose=True)]


def _label_alone(text: str) -> tuple[Role, float] | None:
    """A total/subtotal label printed on a line of its own, its amount on the next line."""
    role, strength = _role_of(text)
    if role not in (Role.TOTAL, Role.SUBTOTAL) or _letters(text) > 25:
        return None
    return role, strength


def receipt_rows(lines: Sequence[Line]) -> list[Row]:
    """Every amount row of the receipt, in reading order."""
    rows: list[Row] = []
    pending: tuple[Role, float] | None = None
    for i, line in enumerate(lines):
        found = _line_rows(i, line, pending)
        rows.extend(found)
        pending = None
        if not found:
            pending = _label_alone(_clean(line.text))
    return rows


# ---------------------------------------------------------------------------------------------
# Cross-checks
# ---------------------------------------------------------------------------------------------

_FOOTER_ROLES = frozenset(
    {
        Role.TOTAL,
        Role.SUBTOTAL,
        Role.TAX,
        Role.SERVICE,
        Role.ROUNDING,
        Role.PAID,
        Role.CHANGE,
        Role.OTHER,
    }
)
# A rounding adjustment is a few cents; a "rounding" row with a big figure is the rounded total
# whose "Total after" label was lost.
_MAX_ROUNDING = 5
_MAX_ADJUSTERS = 6
_MAX_TERMS = 4
# Label strength of a total only computed from payment rows, never read as a figure.
_UNPRINTED = 0.25


@dataclass
class Receipt:
    """The amount rows of one receipt and the figures the cross-checks are built from."""

    rows: list[Row]
    footer: int  # first line index of the totals block
    items: list[int] = field(default_factory=list)  # item line amounts, in cents
    paid: int | None = None
    change: int | None = None
    summary: int | None = None  # gross amount of the tax summary table
    summary_tax: int | None = None  # its tax column
    summary_first: int | None = None  # its first amount column, when that is tax-inclusive
    rounded_doc: bool = False

    @property
    def paid_minus_change(self) -> int | None:
        if self.paid is None or self.change is None or self.change == 0:
            return None
        return self.paid - self.change

    @property
    def paid_exact(self) -> int | None:
        """The amount tendered when it must equal the total (no change, or change 0.00)."""
        if self.paid is not None and not self.change:
            return self.paid
        return None


def analyse(lines: Sequence[Line]) -> Receipt:
    rows = receipt_rows(lines)
    item_rows = [r for r in rows if r.role is Role.NONE]
    first_item = item_rows[0].index if item_rows else -1
    footer = next(
        (r.index for r in rows if r.role in _FOOTER_ROLES and r.index > first_item), len(lines)
    )
    receipt = Receipt(rows, footer)
    receipt.items = _item_amounts(rows, footer)
    receipt.paid, receipt.change = _payment(rows)
    summary = _summary(rows, footer)
    if summary is not None:
        receipt.summary, receipt.summary_tax, receipt.summary_first = summary
    receipt.rounded_doc = any(
        re.search(r"\bround|\brnd\b", ln.text, re.IGNORECASE) for ln in lines[footer:]
    )
    return receipt


def _item_amounts(rows: list[Row], footer: int) -> list[int]:
    """The amount of each item line above the totals block (its last figure)."""
    by_line: dict[int, int] = {}
    for row in rows:
        if row.index >= footer or row.role not in (Role.NONE, Role.DISCOUNT):
            continue
        value = row.cents[-1]
        by_line[row.index] = -abs(value) if row.role is Role.DISCOUNT else value
    return list(by_line.values())


def _payment(rows: list[Row]) -> tuple[int | None, int | None]:
    """(amount tendered, change): the payment row closest above the change row.

    Signs are dropped: tills print tenders as "-20.00" and change as "20.00-".
    """
    changes = [
        (r.index, abs(v)) for r in rows if r.role is Role.CHANGE and (v := r.single) is not None
    ]
    paid = [(r.index, abs(v)) for r in rows if r.role is Role.PAID and (v := r.single) is not None]
    if changes:
        change_at, change = changes[0]
        above = [value for index, value in paid if index <= change_at]
        return (above[-1] if above else None), change
    return (paid[-1][1] if paid else None), None


def _summary(rows: list[Row], footer: int) -> tuple[int, int, int] | None:
    """(net + tax, tax, first column) of the GST/SST summary table under the totals (rows of
    2-3 figures). Some tills print the tax-inclusive amount first ("S 6% 99.80 5.64"), hence
    the first column. A summary "Total" row, when printed, stands for the whole table.
    """
    table = [r for r in rows if r.index >= footer and len(r.cents) >= 2 and r.single is None]
    table = [r for r in table if r.role in (Role.NONE, Role.TAX, Role.TOTAL, Role.SERVICE)]
    if not table:
        return None
    totals = [r for r in table if r.role is Role.TOTAL]
    gross = tax = first = 0
    for row in totals[-1:] if totals else table:
        c = row.cents
        if len(c) >= 3 and c[-3] + c[-2] == c[-1]:
            gross, tax, first = gross + c[-1], tax + c[-2], first + c[-3]  # net, tax, gross
        else:
            gross, tax, first = gross + c[-2] + c[-1], tax + c[-1], first + c[-2]  # net, tax
    return gross, tax, first


# ---------------------------------------------------------------------------------------------
# Candidate totals
# ---------------------------------------------------------------------------------------------


@dataclass
class Candidate:
    cents: int
    strength: float  # label strength; low for values only derived from other rows
    ocr: float
    index: float  # line index; derived values count as after every line
    loose: bool = False
    strong: set[str] = field(default_factory=set)  # arithmetic confirmations
    weak: set[str] = field(default_factory=set)  # the same figure read again elsewhere
    against: set[str] = field(default_factory=set)  # checks that contradict it
    repairs: int | None = None  # the misread figure this one corrects
    count: int = 1  # how many total rows print it
    score: float = 0.0


def _candidates(receipt: Receipt) -> list[Candidate]:
    found: dict[int, Candidate] = {}

    def add(cents: int, strength: float, ocr: float, index: float, loose: bool = False) -> None:
        have = found.get(cents)
        if have is None:
            found[cents] = Candidate(cents, strength, ocr, index, loose)
            return
        if (strength, -loose) > (have.strength, -have.loose):
            have.strength, have.ocr, have.loose = strength, ocr, loose
        have.index = max(have.index, index)  # the later reading is the one after the figures
        have.count += 1
        have.weak.add("repeated")

    for row in receipt.rows:
        value = row.single
        if value is None:
            continue
        if row.role is Role.TOTAL and row.index >= receipt.footer - 1:
            strength = row.strength * (0.8 if row.loose else 1.0)
            add(abs(value), strength, row.ocr, row.index, row.loose)
        elif row.role is Role.ROUNDING and abs(value) > 100:
            add(abs(value), 0.6, row.ocr, row.index, row.loose)
    # A stray mark read as a leading digit ("Total Payable: 194.19" for 94.19): the figure
    # without it competes too, but only wins when the receipt's arithmetic confirms it.
    for cand in list(found.values()):
        shorter = _money(cand.cents)[1:]
        if cand.cents >= 1000 and shorter[0] != "0":
            value = _cents(shorter)
            if value not in found:
                found[value] = Candidate(
                    value, cand.strength * 0.8, cand.ocr, cand.index, loose=True, repairs=cand.cents
                )
    # Values the payment implies; printed ones (the cash row, a bare "60.30") are believable.
    for derived in (receipt.paid_minus_change, receipt.paid_exact):
        if derived is not None and derived > 0 and derived not in found:
            printed = _printed(receipt, derived)
            strength = 0.35 if printed is not None else _UNPRINTED
            ocr = printed.ocr if printed is not None else 0.9
            found[derived] = Candidate(derived, strength, ocr, float("inf"))
    return list(found.values())


def _printed(receipt: Receipt, cents: int) -> Row | None:
    for row in receipt.rows:
        if row.index >= receipt.footer and cents in (abs(c) for c in row.cents):
            return row
    return None


def _adjusters(receipt: Receipt, before: float) -> list[tuple[Role, int, tuple[int, ...]]]:
    """What may lie between a base figure and a total: tax, service, discounts, rounding and
    partial totals, each with its possible contributions (0 = not part of this total)."""
    options: list[tuple[Role, int, tuple[int, ...]]] = []
    seen: set[tuple[Role, int]] = set()
    for row in reversed(receipt.rows):
        value = row.single
        if value is None or value == 0 or row.index < receipt.footer:
            continue
        # Partial totals come before the total they add up to; tax, service and rounding may
        # be printed anywhere in the totals block (tax summaries often follow the total).
        if row.index >= before and row.role is Role.TOTAL:
            continue
        key = (row.role, abs(value))
        if key in seen:
            continue
        if row.role in (Role.TAX, Role.SERVICE, Role.TOTAL):
            opts: tuple[int, ...] = (0, abs(value))
        elif row.role is Role.DISCOUNT:
            opts = (0, -abs(value))
        elif row.role is Role.ROUNDING and abs(value) <= _MAX_ROUNDING:
            opts = (0, abs(value), -abs(value))  # OCR drops minus signs; try both
        else:
            continue
        seen.add(key)
        options.append((row.role, abs(value), opts))
        if len(options) >= _MAX_ADJUSTERS:
            break
    return options


def _bases(receipt: Receipt, cand: Candidate) -> Iterator[tuple[int, str]]:
    """(value, kind) of figures a total may be built up from."""
    for row in receipt.rows:
        value = row.single
        if value is None or row.index >= cand.index:
            continue
        if row.role is Role.SUBTOTAL:
            yield value, "subtotal"
        elif row.role is Role.TOTAL and row.index >= receipt.footer - 1:
            yield abs(value), "total"
    if len(receipt.items) >= 1:
        yield sum(receipt.items), "items" if len(receipt.items) >= 2 else "item"
    if receipt.summary is not None:
        yield receipt.summary, "summary"
    if receipt.summary_first is not None:
        yield receipt.summary_first, "summary-first"


def _reachable(receipt: Receipt, before: float) -> dict[int, set[int]]:
    """Nonzero adjustments reachable from the adjusters above ``before``, each with the partial
    totals it adds up (those are superseded by a total built from them)."""
    adjusters = _adjusters(receipt, before)
    reach: dict[int, set[int]] = {}
    for combo in product(*(opts for _, _, opts in adjusters)):
        # Subtotal + service + tax - discount + rounding is as far as real receipts go; allowing
        # more terms only makes chance agreements likelier.
        if not any(combo) or sum(1 for part in combo if part) > _MAX_TERMS:
            continue
        partials = {
            value
            for (role, value, _), part in zip(adjusters, combo, strict=True)
            if part and role is Role.TOTAL
        }
        reach.setdefault(sum(combo), partials)
    return reach


def _check_arithmetic(receipt: Receipt, cand: Candidate, superseded: set[int]) -> None:
    reach = _reachable(receipt, cand.index)
    for base, kind in _bases(receipt, cand):
        if base <= 0:
            continue
        if base == cand.cents and kind in ("total", "subtotal", "item", "summary-first"):
            cand.weak.add(kind)
        elif base == cand.cents:
            cand.strong.add(kind)  # a sum of several printed figures equals it
        elif cand.cents - base in reach and kind != "summary-first":
            cand.strong.add(f"{kind}+adjustments")
            superseded.update(reach[cand.cents - base] - {cand.cents})
            if kind == "total" and base > 0:
                superseded.add(base)
        elif kind == "total" and receipt.rounded_doc and _rounds_to(base, cand.cents):
            # The rounding row itself was misread, but the later total is the earlier one
            # rounded to 5 sen: the amount paid.
            cand.strong.add("rounded")
            superseded.add(base)


def _rounds_to(before: int, after: int) -> bool:
    return after % 5 == 0 and before % 5 != 0 and abs(after - before) < 5


def _check_payment(receipt: Receipt, cand: Candidate) -> None:
    pmc = receipt.paid_minus_change
    if pmc is not None:
        if pmc == cand.cents:
            cand.strong.add("paid-change")
        elif pmc > 0:
            cand.against.add("paid-change")
    exact = receipt.paid_exact
    if exact is not None and exact == cand.cents:
        cand.weak.add("paid")
    elif exact is not None and receipt.change == 0 and exact > 0:
        cand.against.add("paid")  # "CHANGE 0.00": what was tendered was the total


def _score(cand: Candidate, receipt: Receipt, superseded: set[int]) -> float:
    score = cand.strength + 0.35 * len(cand.strong) + 0.15 * len(cand.weak)
    if "paid-change" in cand.strong:
        score += 0.25  # the strongest single check: money actually handed over
    # A contradiction weighs less against a total the receipt's arithmetic confirms: then the
    # cash or change figure is the likelier misread.
    score -= (0.2 if cand.strong else 0.5) * len(cand.against)
    if cand.cents in superseded:
        score -= 0.8  # a partial or pre-rounding total: a later one builds on it
    if cand.cents == 0 and any(r.single for r in receipt.rows):
        score -= 1.0  # a receipt with amounts on it did not cost nothing
    if cand.loose:
        score -= 0.2
    return score


def _confidence(
    best: Candidate, cands: list[Candidate], superseded: set[int]
) -> tuple[float, float]:
    """(confidence, the rules' part of it before OCR doubt)."""
    runner_up = cands[1] if len(cands) > 1 else None
    checks = len(best.strong) + len(best.weak)
    if best.cents in superseded or (best.against and not best.strong):
        rule = 0.5
    elif best.against:
        rule = 0.75  # confirmed by arithmetic but contradicted by the payment
    elif best.strength >= 0.8:
        # A labelled total: arithmetic agreement makes it near certain, the same figure read
        # twice (cash tendered, a repeated total) rules out a misread; alone it is one reading
        # of one line, as good as its label (GRAND TOTAL may pass, a bare TOTAL may not).
        rule = 0.98 if best.strong else 0.95 if best.weak else best.strength - 0.1
    elif best.strong and checks >= 2:
        # No label, but two independent checks agree on it. A figure never read anywhere on
        # the receipt still goes to a person: the receipt is too damaged to be sure of.
        rule = 0.9 if best.strength > _UNPRINTED else 0.75
    elif checks:
        rule = 0.6  # one computation (paid - change) is one misread away from wrong
    else:
        rule = 0.4
    if best.loose:
        rule = min(rule, 0.75)
    if best.strength < 0.8 and any(_printed_total_disagrees(c, best, superseded) for c in cands):
        rule = min(rule, 0.75)  # the checks overrule a printed TOTAL: a person should look
    if runner_up is not None and best.score - runner_up.score < 0.1:
        rule *= 0.5  # a tie: the choice between two totals is a coin flip
    elif runner_up is not None and best.score - runner_up.score < 0.3:
        rule *= 0.85  # another reading of the receipt is nearly as good
    ocr = best.ocr
    if best.strong:
        # Arithmetic on other printed figures confirms the digits, whatever the OCR thought.
        ocr = 1 - (1 - ocr) * 0.3
    rule = max(0.0, min(1.0, rule))
    return round(rule * ocr, 3), rule


def _printed_total_disagrees(cand: Candidate, best: Candidate, superseded: set[int]) -> bool:
    return (
        cand.strength >= 0.8
        and cand.cents != best.cents
        and cand.cents not in superseded
        and best.repairs != cand.cents
    )


@dataclass(frozen=True)
class TotalResult:
    value: FieldValue
    candidate: Candidate


def choose_total(receipt: Receipt) -> TotalResult | None:
    cands = _candidates(receipt)
    if not cands:
        return None
    superseded: set[int] = set()
    for cand in cands:
        _check_arithmetic(receipt, cand, superseded)
        _check_payment(receipt, cand)
    for cand in cands:
        if cand.repairs is not None and cand.strong:
            misread = next((c for c in cands if c.cents == cand.repairs), None)
            if misread is not None and not misread.strong:
                misread.against.add("repaired")
    for cand in cands:
        cand.score = _score(cand, receipt, superseded)
    cands.sort(key=lambda c: (c.score, c.count, c.strength, c.index), reverse=True)
    best = cands[0]
    conf, rule = _confidence(best, cands, superseded)
    return TotalResult(FieldValue(_money(best.cents), conf, rule=rule), best)


def _largest_amount(lines: Sequence[Line]) -> FieldValue | None:
    """Fallback when no total can be told: the largest decimal amount not paid/changed."""
    best: tuple[float, str, float] | None = None
    for line in lines:
        role, _ = _role_of(line.text)
        if role in (Role.PAID, Role.CHANGE):
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


def _tax(receipt: Receipt, total: Candidate | None) -> FieldValue | None:
    """The tax of the totals block, or of the GST summary when no tax row was read.

    A tax row that makes the total's arithmetic add up is confirmed by it.
    """
    limit = total.cents if total is not None else None
    rows = [
        (abs(r.single), r)
        for r in receipt.rows
        if r.role is Role.TAX and r.single is not None and r.index >= receipt.footer
    ]
    # Tax is a fraction of the total (GST/SST/VAT rates stay under 30%): a larger "tax" row is
    # a taxable amount.
    rows = [(v, r) for v, r in rows if limit is None or v * 10 < limit * 3]
    for value, row in rows:
        if value and total is not None and _tax_adds_up(receipt, total, value):
            return make_field(_money(value), 0.9, row.ocr)
    summary_tax = receipt.summary_tax
    gross = receipt.summary
    if summary_tax is not None and total is not None and gross is not None:
        near = abs(gross - total.cents) <= _MAX_ROUNDING
    else:
        near = False
    if near and summary_tax is not None:
        # The summary adds up to the total (give or take rounding): its tax column is the tax.
        return make_field(_money(summary_tax), 0.85, 1.0)
    if summary_tax is not None and total is not None and receipt.summary_first == total.cents:
        return make_field(_money(summary_tax), 0.8, 1.0)
    nonzero = [(v, r) for v, r in rows if v]
    for value, row in nonzero or rows:
        return make_field(_money(value), 0.75, row.ocr)
    return None


def _tax_adds_up(receipt: Receipt, total: Candidate, tax: int) -> bool:
    """Does subtotal + tax (+ service, rounding) give the total?"""
    for base, _kind in _bases(receipt, total):
        rest = total.cents - base - tax
        if rest == 0 or (0 < abs(rest) <= _MAX_ROUNDING):
            return True
        service = [abs(r.single or 0) for r in receipt.rows if r.role is Role.SERVICE]
        if any(abs(rest - s) <= _MAX_ROUNDING for s in service if s):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# The receipt
# ---------------------------------------------------------------------------------------------

# "Receipt No.", "Bill No:", "INV No.:", and the bare "Invoice:9820", "Slip: 0000011000395667",
# "Trans # : 255018", "TRN: CR0008964", "Chk 263370" forms tills print.
_DOC_NO_LABEL = re.compile(
    r"\b(?:receipt|invoice|inv|bill|doc(?:ument)?|trans(?:action)?|slip|order|check|cheque"
    r"|trn|chk|cb)(?:\s*(?:no|number|num|#)\.?\s*[:.]?|\s*[:#]|(?<=chk)\s)",
    re.IGNORECASE,
)


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
    receipt = analyse(lines)
    result = choose_total(receipt)
    total = result.value if result else _largest_amount(lines)
    if total:
        fields["total_amount"] = total
    date = pick_date(lines, body)
    if date:
        fields["document_date"] = date
    currency = detect_currency(body)
    if currency:
        fields["currency"] = make_field(currency[0], currency[1], 1.0)
    tax = _tax(receipt, result.candidate if result else None)
    if tax:
        fields["tax_amount"] = tax
    number = labelled_identifier(lines, _DOC_NO_LABEL, 0.8, look_below=0)
    if number:
        fields["document_number"] = number
    tax_id = find_tax_id(lines)
    if tax_id:
        fields["vendor_tax_id"] = tax_id
    return fields
