"""Line-item tables on invoices: found from their header row and the columns of its words.

The header row names the columns (Description / Qty / Unit price / Amount, Bezeichnung / Menge /
Einzelpreis / Gesamt, Désignation / Qté / Prix unitaire / Montant); each word below it belongs
to the column it sits under. Rows run until the subtotal/total block or the end of the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from docintake.domain import DocumentText, Line, Page, Word

_COLUMN_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        "unit_price",
        re.compile(
            r"^(?:unit\s*price|price|rate|einzelpreis|nettopreis|st[üu]ckpreis|preis|e-?preis"
            r"|prix(?:\s*unit(?:aire)?)?|p\.?\s*u\.?(?:\s*ht)?|tarif)$",
            re.IGNORECASE,
        ),
    ),
    (
        "quantity",
        re.compile(
            r"^(?:qty|quantity|menge|anzahl|anz\.?|qt[ée]\.?|quantit[ée]|units?|hours|hrs|stunden"
            r"|nombre)$",
            re.IGNORECASE,
        ),
    ),
    (
        "amount",
        re.compile(
            r"^(?:amount|line\s*total|total|gesamt(?:preis|betrag)?|betrag|nettobetrag|summe"
            r"|montant(?:\s*ht)?|total\s*ht|ext\.?\s*price|extended)$",
            re.IGNORECASE,
        ),
    ),
    (
        "description",
        re.compile(
            r"^(?:description|item|items|product|service|details|beschreibung|bezeichnung"
            r"|artikel(?:bezeichnung)?|leistung|produkt|d[ée]signation|libell[ée]|article"
            r"|prestation)$",
            re.IGNORECASE,
        ),
    ),
)
# The block after the rows: subtotals, totals, tax summaries.
_STOP = re.compile(
    r"\b(?:sub\s*-?\s*total|total|totals|summe|zwischensumme|positionssumme|belegsummen"
    r"|umsatzsteuer\w*|mwst|vat|tva|tax|net\s*amount|montant\s*ht|nettobetrag\s*gesamt)\b",
    re.IGNORECASE,
)
_SPACE_GROUPED = re.compile(r"-?\d{1,3}(?: \d{3})+(?:[.,]\d+)?(?!\S)")
# "Label : value" lines under an item are its attributes, not its description.
_ATTRIBUTE = re.compile(r"^\S+\s*:\s*\S")


@dataclass(frozen=True)
class Column:
    name: str | None  # None: a column the table has but we do not read (VAT rate, unit...)
    left: int
    right: int  # right edge of the header cell's text


@dataclass(frozen=True)
class ItemTable:
    rows: tuple[Mapping[str, str], ...]
    confidence: float  # lowest OCR confidence of the words read


# "Amount (SGD)", "Betrag in EUR", "Montant €": the currency is not part of the column's name.
_HEADER_NOISE = re.compile(r"\s*\(.*?\)|\s+(?:in\s+)?(?:EUR|USD|GBP|CHF|[€$£])\s*$", re.I)


def _cells(line: Line) -> list[Column]:
    """Header cells: words closer than a line height apart form one cell ("Unit Price")."""
    cells: list[list[Word]] = []
    for w in line.words:
        if cells:
            prev = cells[-1][-1]
            if w.left - (prev.left + prev.width) <= max(prev.height, w.height, 1):
                cells[-1].append(w)
                continue
        cells.append([w])
    out = []
    taken: set[str] = set()
    for cell in cells:
        text = _HEADER_NOISE.sub("", " ".join(w.text for w in cell)).strip(" :.")
        name = None
        # The whole cell, else one of its words: close header words may form one cell
        # ("Pos Bezeichnung" when the position column is narrow).
        for candidate in (text, *(w.text.strip(" :.") for w in cell)):
            for column, pattern in _COLUMN_WORDS:
                if column not in taken and pattern.match(candidate):
                    name = column
                    taken.add(column)
                    break
            if name:
                break
        out.append(Column(name, cell[0].left, cell[-1].left + cell[-1].width))
    return out


def _header(line: Line) -> list[Column] | None:
    """The line's header cells if it heads an item table (a description column and at least
    two figure columns), else None."""
    cells = _cells(line)
    names = {c.name for c in cells if c.name}
    if "description" in names and ("amount" in names or "unit_price" in names) and len(names) >= 3:
        return cells
    return None


def _column_of(word: Word, cells: Sequence[Column]) -> str | None:
    """The column a word sits under. Figures are aligned under their header cell, on either
    side of it, so the border between two cells is halfway; descriptions run on to the right,
    so a description cell ends only where the next cell starts."""
    x = word.left + word.width / 2
    for k, cell in enumerate(cells):
        prev_border = 0.0 if k == 0 else _border(cells[k - 1], cell)
        next_border = float(1 << 30) if k + 1 == len(cells) else _border(cell, cells[k + 1])
        if prev_border <= x < next_border:
            return cell.name
    return None


def _border(a: Column, b: Column) -> float:
    if a.name == "description" or b.name == "description":
        # Text is left-aligned: a description starts under its header, and runs on to the
        # next header.
        return b.left - 4.0
    return (a.right + b.left) / 2


def _number(text: str) -> str | None:
    """A printed quantity or price as a plain decimal ("9,9000" -> "9.9000", "1.234,5" ->
    "1234.5", "1,234.50" -> "1234.50")."""
    s = text.strip().lstrip("$€£").rstrip("€").replace("'", "")
    if not re.fullmatch(r"-?\d[\d.,]*", s):
        return None
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if dec == "," else ",", "").replace(",", ".")
    elif "," in s:
        s = s.replace(",", ".") if s.count(",") == 1 else s.replace(",", "")
    try:
        return str(Decimal(s))
    except InvalidOperation:
        return None


def _rows_on_page(page: Page, start: int) -> tuple[list[dict[str, str]], float]:
    header = page.lines[start]
    cells = _header(header)
    if cells is None:
        return [], 1.0
    rows: list[dict[str, str]] = []
    conf = 1.0
    height = max((w.height for w in header.words), default=10)
    last_top = prev_top = header.top
    for line in page.lines[start + 1 :]:
        by_col: dict[str, list[Word]] = {}
        for w in line.words:
            col = _column_of(w, cells)
            if col is not None:
                by_col.setdefault(col, []).append(w)
        text = line.text
        if _STOP.search(text) and not by_col.get("description"):
            break
        # A wide empty band ends the table (what follows is another part of the page).
        if _STOP.match(text.strip()) or line.top - prev_top > 8 * height:
            break
        prev_top = line.top
        desc = " ".join(w.text for w in by_col.get("description", []))
        numbers: dict[str, str] = {}
        for name in ("quantity", "unit_price", "amount"):
            cell = " ".join(w.text for w in by_col.get(name, []))
            grouped = _SPACE_GROUPED.match(cell)
            if grouped:  # "1 000,00": thousands grouped by spaces
                numbers[name] = _number(grouped.group(0).replace(" ", "")) or ""
                continue
            # The first figure under the header ("20 Stk": 20; "$10.00": 10.00).
            for w in by_col.get(name, []):
                value = _number(w.text)
                if value is not None:
                    numbers[name] = value
                    break
        numbers = {k: v for k, v in numbers.items() if v}
        if _ATTRIBUTE.match(desc):
            desc = ""
        # A line right under the previous one (no blank line between) continues its row:
        # a wrapped description, or the figures printed under their item. Notes further down
        # are not part of the item's name.
        close = bool(rows) and line.top - last_top <= 1.5 * height
        if close and (desc or numbers) and (not numbers or "amount" not in rows[-1]):
            if desc:
                rows[-1]["description"] += f" {desc}"
            rows[-1].update({k: v for k, v in numbers.items() if k not in rows[-1]})
        elif desc and numbers:
            rows.append({"description": desc, **numbers})
        else:
            continue
        conf = min(conf, line.confidence)
        last_top = line.top
    return [r for r in rows if "amount" in r], conf


def find_item_table(text: DocumentText) -> ItemTable | None:
    """The invoice's item rows (description, quantity, unit_price, amount), or None."""
    rows: list[dict[str, str]] = []
    conf = 1.0
    for page in text.pages:
        for k, line in enumerate(page.lines):
            if _header(line) is None:
                continue
            found, c = _rows_on_page(page, k)
            rows.extend(found)
            conf = min(conf, c)
            break  # one table per page; a repeated header starts the next page's part
    if not rows:
        return None
    return ItemTable(tuple(rows), conf)
