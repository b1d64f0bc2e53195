"""What every layout shares: number and date styles, label wordings, truth records."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

from docintake.domain import DocumentType
from docintake.tradegen.data import COUNTRIES, Company, LineItem, Shipment

Truth = dict[str, object]
# A layout draws one document to ``path`` and returns the truth of what it printed.
LayoutFn = Callable[[Path, Shipment, random.Random], Truth]


@dataclass(frozen=True)
class Layout:
    name: str
    draw: LayoutFn
    # Whether the layout fits the shipment (e.g. an air waybill needs an air shipment).
    fits: Callable[[Shipment], bool] = lambda s: True
    language: str = "en"


def amount(value: Decimal, style: str = "en") -> str:
    """``en`` 12,345.60 · ``plain`` 12345.60 · ``eu`` 12.345,60."""
    if style == "plain":
        return f"{value:.2f}"
    text = f"{value:,.2f}"
    if style == "eu":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def price(value: Decimal, style: str = "en", places: int = 2) -> str:
    text = f"{value:,.{places}f}" if style != "plain" else f"{value:.{places}f}"
    if style == "eu":
        return text.replace(",", "_").replace(".", ",").replace("_", ".")
    return text


def qty(n: int, style: str = "en") -> str:
    if style == "plain":
        return str(n)
    text = f"{n:,}"
    return text.replace(",", ".") if style == "eu" else text


def kg(value: Decimal, style: str = "en", places: int = 2) -> str:
    return price(value, style, places)


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")


def day(d: date, style: str) -> str:
    """Unambiguous printed date styles real forms use."""
    if style == "iso":
        return d.isoformat()
    if style == "dmy":  # 05 MAR 2026
        return f"{d.day:02d} {_MONTHS[d.month - 1]} {d.year}"
    if style == "mdy":  # Mar. 05, 2026
        return f"{_MONTHS[d.month - 1].title()}. {d.day:02d}, {d.year}"
    if style == "dotted":  # 05.03.2026 (European)
        return f"{d.day:02d}.{d.month:02d}.{d.year}"
    if style == "slash":  # 2026/03/05
        return f"{d.year}/{d.month:02d}/{d.day:02d}"
    if style == "compact":  # 20260305 (Chinese customs)
        return f"{d.year}{d.month:02d}{d.day:02d}"
    if style == "zh":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    raise ValueError(style)


def date_style(rng: random.Random, s: Shipment) -> str:
    styles = ["iso", "dmy", "dmy", "mdy", "slash"]
    if s.seller.country in ("DE", "NL", "IT", "ES", "FR", "PL"):
        styles.append("dotted")
    return rng.choice(styles)


def number_style(rng: random.Random, s: Shipment) -> str:
    if s.seller.country in ("DE", "IT", "ES") and rng.random() < 0.3:
        return "eu"
    return "en"


# Label wordings seen on real forms, per field; a document picks one of each.
LABELS: dict[str, tuple[str, ...]] = {
    "consignor": ("Shipper", "Exporter", "Consignor", "Seller", "Shipper/Exporter"),
    "consignee": ("Consignee", "Buyer / Consignee", "Consignee (Name & Address)", "Sold To"),
    "notify": ("Notify Party", "Notify", "Also Notify"),
    "invoice_no": ("Invoice No.", "Invoice Number", "Inv. No.", "Commercial Invoice No."),
    "date": ("Date", "Invoice Date", "Date of Issue", "Dated"),
    "gross": ("Gross Wt.", "Gross Weight (kg)", "G.W. (KGS)", "Gross Weight"),
    "net": ("Net Wt.", "Net Weight (kg)", "N.W. (KGS)", "Net Weight"),
    "packages": ("Packages", "No. of Packages", "Total Packages", "Qty of Pkgs"),
    "origin": ("Country of Origin", "Origin of Goods", "Made in", "Country of Manufacture"),
    "destination": ("Country of Destination", "Final Destination", "Destination Country"),
    "terms": ("Terms of Delivery", "Incoterms", "Delivery Terms", "Price Terms"),
    "loading": ("Port of Loading", "Port of Shipment", "From"),
    "discharge": ("Port of Discharge", "Port of Destination", "To"),
    "vessel": ("Vessel / Voyage", "Ocean Vessel / Voy. No.", "Carrier / Vessel"),
    "bl_no": ("B/L No.", "Bill of Lading No.", "B/L Number"),
    "awb_no": ("AWB No.", "Air Waybill No.", "MAWB No."),
    "containers": ("Container No(s).", "Container Numbers", "Cntr No."),
    "payment": ("Payment Terms", "Terms of Payment", "Payment"),
    "hs": ("HS Code", "H.S. Code", "Tariff No.", "HS No."),
    "description": ("Description of Goods", "Description", "Goods Description", "Commodity"),
    "quantity": ("Quantity", "Qty", "Quantity (Units)"),
    "unit_price": ("Unit Price", "Price / Unit", "Unit Value"),
    "amount": ("Amount", "Total Value", "Line Total", "Extended Value"),
    "total": ("TOTAL", "Total Invoice Value", "Grand Total", "TOTAL AMOUNT"),
}


def labels(rng: random.Random) -> dict[str, str]:
    return {key: rng.choice(options) for key, options in LABELS.items()}


def country_name(code: str) -> str:
    return COUNTRIES[code].name


def country_zh(code: str) -> str:
    return COUNTRIES[code].name_zh


def party_lines(c: Company, *, phone: bool = False, upper: bool = False) -> list[str]:
    lines = [c.name, *c.address]
    if phone and c.phone:
        lines.append(f"Tel: {c.phone}")
    return [ln.upper() for ln in lines] if upper else lines


def hs_printed(li: LineItem, digits: int) -> str:
    return li.product.hs10[:digits]


def hs_dotted(code: str) -> str:
    """8516.79 / 8516.79.90 / 8516.79.9000 as printed on many invoices."""
    if len(code) <= 4:
        return code
    return ".".join([code[:4], code[4:6]] + ([code[6:]] if len(code) > 6 else []))


def canon_amount(value: Decimal) -> str:
    return f"{value:.2f}"


def line_truth(
    li: LineItem,
    *,
    description: str | None = None,
    hs_digits: int = 0,
    prices: bool = True,
    weights: bool = False,
    packages: bool = False,
    origin: bool = False,
) -> dict[str, str]:
    row = {"description": description or li.description, "quantity": str(li.quantity)}
    if prices:
        row["unit_price"] = canon_amount(li.unit_price)
        row["amount"] = canon_amount(li.amount)
    if hs_digits:
        row["hs_code"] = li.product.hs10[:hs_digits]
    if origin:
        row["country_of_origin"] = li.origin
    if packages:
        row["packages"] = str(li.packages)
    if weights:
        row["net_weight_kg"] = canon_amount(li.net_kg)
        row["gross_weight_kg"] = canon_amount(li.gross_kg)
    return row


def truth(doc_type: DocumentType, **fields: object) -> Truth:
    """The truth record: document_type then the printed fields, canonical, None dropped."""
    out: Truth = {"document_type": doc_type.value}
    for name, value in fields.items():
        if value is None or value == "" or value == [] or value == ():
            continue
        if isinstance(value, Decimal):
            value = canon_amount(value)
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, int):
            value = str(value)
        elif isinstance(value, tuple):
            value = list(value)
        out[name] = value
    return out


def join_nonempty(parts: Sequence[str], sep: str = ", ") -> str:
    return sep.join(p for p in parts if p)
