"""Render docintake's sample documents, their expected extraction output and a demo ledger.

    /work/venv/bin/python samples/generate.py            # regenerate everything in samples/
    /work/venv/bin/python samples/generate.py --verify   # ... then OCR-check the results

Every value on a document is written once, below, and used both to draw the document and to
write ``NAME.expected.json``, so the expected output cannot drift from what is rendered. The
"scan/photo" degradations use fixed seeds, and the PDFs are written with reportlab's
``invariant`` mode (no timestamps or random IDs), so reruns give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.colors import Color, black, white
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from storage.ledger_import import BILL_COLUMNS, CUSTOMER_COLUMNS

OUT_DIR = Path(__file__).resolve().parent
LEDGER_DIR = OUT_DIR / "ledger"
SEED = 20260314
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Fields = dict[str, str | list[str]]


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def font(name: str, size: int) -> Font:
    """A DejaVu TTF if installed (it is on Debian), else Pillow's built-in scalable font."""
    path = FONT_DIR / name
    if path.exists():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def money(value: Decimal) -> str:
    """How amounts are printed on the documents: thousands separators, two decimals."""
    return f"{cents(value):,.2f}"


def plain(value: Decimal) -> str:
    """How amounts are written in expected.json: no separators, no currency sign."""
    return f"{cents(value):.2f}"


@dataclass(frozen=True)
class Item:
    description: str
    qty: int
    unit_price: Decimal

    @property
    def amount(self) -> Decimal:
        return cents(self.unit_price * self.qty)


def subtotal(items: Sequence[Item]) -> Decimal:
    return sum((i.amount for i in items), Decimal("0"))


def join_address(lines: Sequence[str]) -> str:
    """An address printed on several lines, as one string: lines joined with ", "."""
    return ", ".join(line.rstrip(", ") for line in lines)


def write_expected(sample: str, document_type: str, fields: Fields) -> None:
    stem = sample.rsplit(".", 1)[0]
    payload = {"document_type": document_type, "fields": fields}
    text = json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    (OUT_DIR / f"{stem}.expected.json").write_text(text, encoding="utf-8")


def add_noise(arr: np.ndarray, rng: np.random.Generator, sigma: float) -> np.ndarray:
    noisy = arr.astype(np.float32) + rng.normal(0.0, sigma, arr.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


# --------------------------------------------------------------------------------------
# 1. Retail receipt, photographed on a table (JPEG)
# --------------------------------------------------------------------------------------

RECEIPT_FILE = "receipt-photo.jpg"
RECEIPT_SHOP = "SRI MURNI MART SDN BHD"
RECEIPT_ADDRESS = ("LOT 23, JALAN BUKIT BINTANG,", "55100 KUALA LUMPUR")
RECEIPT_NO = "CS-041827"
RECEIPT_DATE = date(2026, 3, 14)
RECEIPT_GST_RATE = Decimal("0.06")
RECEIPT_CASH = Decimal("100.00")
RECEIPT_ITEMS = (
    Item("MILO 3IN1 ACTIVGO 18X33G", 1, Decimal("15.90")),
    Item("GARDENIA WHOLEMEAL 400G", 2, Decimal("4.30")),
    Item("DUTCH LADY UHT FULL CREAM 1L", 3, Decimal("6.85")),
    Item("TELUR AYAM GRED A 10S", 1, Decimal("5.80")),
    Item("SUNLIGHT LEMON 900ML", 1, Decimal("7.45")),
)
RECEIPT_COLS = 38  # characters per printed line, like a 58-80 mm thermal printer
RECEIPT_LEADER = 90  # pixels of blank paper above and below the print


def receipt_values() -> tuple[Decimal, Decimal, Decimal]:
    sub = subtotal(RECEIPT_ITEMS)
    tax = cents(sub * RECEIPT_GST_RATE)
    return sub, tax, sub + tax


def receipt_lines() -> list[tuple[str, bool]]:
    """The receipt as (text, bold) lines of at most RECEIPT_COLS characters."""
    sub, tax, total = receipt_values()
    w = RECEIPT_COLS

    def lr(left: str, right: str) -> str:
        return left + right.rjust(w - len(left))

    rule = "-" * w
    lines: list[tuple[str, bool]] = [
        (RECEIPT_SHOP.center(w), True),
        ("(1187342-K)".center(w), False),
        *((a.center(w), False) for a in RECEIPT_ADDRESS),
        ("TEL: 03-2141 7785".center(w), False),
        ("GST ID: 001234567890".center(w), False),
        ("", False),
        ("CASH RECEIPT".center(w), True),
        (rule, False),
        (f"RECEIPT NO: {RECEIPT_NO}", False),
        (lr(f"DATE: {RECEIPT_DATE:%d/%m/%Y}", "TIME: 18:42"), False),
        (lr("CASHIER: AMIRAH", "POS: 02"), False),
        (rule, False),
    ]
    for item in RECEIPT_ITEMS:
        lines.append((item.description, False))
        lines.append((lr(f"  {item.qty} x {money(item.unit_price)}", money(item.amount)), False))
    lines += [
        (rule, False),
        (lr("SUBTOTAL", money(sub)), False),
        (lr(f"GST {RECEIPT_GST_RATE * 100:.0f}%", money(tax)), False),
        (lr("TOTAL (RM)", money(total)), True),
        (lr("CASH", money(RECEIPT_CASH)), False),
        (lr("CHANGE", money(RECEIPT_CASH - total)), False),
        (rule, False),
        ("GOODS SOLD ARE NOT RETURNABLE".center(w), False),
        ("THANK YOU. PLEASE COME AGAIN".center(w), False),
    ]
    return lines


def render_receipt_paper() -> Image.Image:
    regular, bold = font("DejaVuSansMono.ttf", 22), font("DejaVuSansMono-Bold.ttf", 22)
    char_w = regular.getlength("M")
    line_h, margin = 31, 28
    lines = receipt_lines()
    # Blank paper before and after the print, as a thermal printer feeds out.
    top = margin + RECEIPT_LEADER
    size = (int(RECEIPT_COLS * char_w) + 2 * margin, len(lines) * line_h + 2 * top)
    paper = Image.new("L", size, 246)
    draw = ImageDraw.Draw(paper)
    for n, (text, is_bold) in enumerate(lines):
        # Thermal print is dark grey rather than black.
        draw.text((margin, top + n * line_h), text, font=bold if is_bold else regular, fill=45)
    return paper


def photograph(paper: Image.Image, angle: float, seed: int, trim_y: int) -> Image.Image:
    """Make a flat rendering look like a phone photo of a receipt lying on a table.

    The table shows left and right of the receipt, but ``trim_y`` rows of paper are cut off the
    top and bottom so the paper runs off the frame, as in a close-up. This is deliberate: when dark
    table surrounds the whole receipt, tesseract's layout analysis takes the frame for a
    picture and silently drops the right-hand column of amounts (TOTAL included).
    """
    rng = np.random.default_rng(seed)
    pad = 70
    w, h = paper.width + 2 * pad, paper.height + 2 * pad

    # Dark, slightly uneven tabletop.
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    table = 62 + 18 * (xx / w) + 10 * np.sin(yy / 37.0)
    table_rgb = np.stack([table * 1.10, table * 0.95, table * 0.80], axis=-1)
    background = Image.fromarray(add_noise(table_rgb, rng, 6.0), "RGB")

    # Warm-white paper, rotated; a blurred copy of its outline becomes the drop shadow.
    paper_rgb = Image.merge("RGB", (paper, paper, paper.point(lambda v: int(v * 0.95))))
    mask = Image.new("L", paper.size, 255)
    paper_rgb = paper_rgb.rotate(angle, Image.Resampling.BICUBIC, expand=True)
    mask = mask.rotate(angle, Image.Resampling.BICUBIC, expand=True)
    ox, oy = (w - paper_rgb.width) // 2, (h - paper_rgb.height) // 2
    shadow = Image.new("L", (w, h), 0)
    shadow.paste(mask, (ox + 9, oy + 12))
    shadow = shadow.filter(ImageFilter.GaussianBlur(10)).point(lambda v: int(v * 0.6))
    background.paste((20, 16, 12), (0, 0), shadow)
    background.paste(paper_rgb, (ox, oy), mask)

    # Uneven lighting: brighter top-left, darker bottom-right, plus a soft shadow (the
    # photographer's phone) across the lower-left corner.
    light = 1.05 - 0.30 * (0.55 * xx / w + 0.45 * yy / h)
    phone = ((xx / w) * 0.8 - (yy / h) + 0.55) < 0
    shade = np.where(phone, 0.78, 1.0).astype(np.float32)
    shade = (
        np.asarray(
            Image.fromarray((shade * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(40)),
            dtype=np.float32,
        )
        / 255
    )
    lit = np.asarray(background, dtype=np.float32) * (light * shade)[..., None]
    photo = Image.fromarray(np.clip(lit, 0, 255).astype(np.uint8), "RGB")

    # Slight focus blur, then sensor noise.
    photo = photo.filter(ImageFilter.GaussianBlur(0.7))
    photo = Image.fromarray(add_noise(np.asarray(photo), rng, 4.0), "RGB")
    return photo.crop((0, pad + trim_y, w, h - pad - trim_y))


def make_receipt() -> None:
    # Trim into the blank leaders, keeping ~20 px of them so rotation never bares a corner.
    trim = RECEIPT_LEADER - 20
    photo = photograph(render_receipt_paper(), angle=1.6, seed=SEED + 1, trim_y=trim)
    # JPEG quality 70 adds the usual block artefacts and keeps the file small.
    photo.save(OUT_DIR / RECEIPT_FILE, "JPEG", quality=70, optimize=True)
    _, tax, total = receipt_values()
    write_expected(
        RECEIPT_FILE,
        "receipt",
        {
            "vendor_name": RECEIPT_SHOP,
            "vendor_address": join_address(RECEIPT_ADDRESS),
            "document_date": RECEIPT_DATE.isoformat(),
            "total_amount": plain(total),
            "currency": "MYR",
            "document_number": RECEIPT_NO,
            "tax_amount": plain(tax),
        },
    )


# --------------------------------------------------------------------------------------
# 2. Digital invoice with a real text layer (reportlab)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Invoice:
    file: str
    vendor: str
    vendor_address: tuple[str, ...]
    vendor_contact: str
    number: str
    issued: date
    due: date
    customer: str
    customer_address: tuple[str, ...]
    currency: str
    tax_label: str
    tax_rate: Decimal
    items: tuple[Item, ...]
    terms: str

    @property
    def subtotal(self) -> Decimal:
        return subtotal(self.items)

    @property
    def tax(self) -> Decimal:
        return cents(self.subtotal * self.tax_rate)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax

    def expected_fields(self) -> Fields:
        return {
            "vendor_name": self.vendor,
            "vendor_address": join_address(self.vendor_address),
            "document_date": self.issued.isoformat(),
            "total_amount": plain(self.total),
            "currency": self.currency,
            "document_number": self.number,
            "customer_name": self.customer,
            "tax_amount": plain(self.tax),
            "due_date": self.due.isoformat(),
        }


DIGITAL_INVOICE = Invoice(
    file="invoice-digital.pdf",
    vendor="Harbourline Supply Co. Pte. Ltd.",
    vendor_address=("71 Ubi Road 1, #04-12 Oxley Bizhub", "Singapore 408732"),
    vendor_contact="GST Reg. No. 201734561K  |  +65 6745 2180  |  accounts@harbourline.sg",
    number="HSC-INV-2026-0417",
    issued=date(2026, 2, 9),
    due=date(2026, 3, 11),
    customer="Tan Brothers Trading Pte Ltd",
    customer_address=("18 Jurong Port Road, #02-07", "Singapore 619094"),
    currency="SGD",
    tax_label="GST 9%",
    tax_rate=Decimal("0.09"),
    items=(
        Item("Stretch film 500 mm x 300 m, cast, 23 micron", 24, Decimal("18.75")),
        Item("Corrugated carton 600x400x400, double wall", 350, Decimal("2.36")),
        Item("PP strapping kit 12 mm with seals", 6, Decimal("64.90")),
        Item("Thermal shipping labels 100x150 (roll of 500)", 15, Decimal("11.20")),
    ),
    terms="Net 30 days",
)


def make_digital_invoice(inv: Invoice) -> None:
    path = OUT_DIR / inv.file
    # invariant=1: no creation timestamp or random document ID, so output is reproducible.
    c = Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(f"Invoice {inv.number}")
    c.setAuthor(inv.vendor)
    page_w, page_h = A4
    left, right = 50.0, page_w - 50.0
    navy = Color(0.11, 0.20, 0.38)

    # Letterhead
    c.setFillColor(navy)
    c.setFont("Helvetica-Bold", 17)
    c.drawString(left, page_h - 70, inv.vendor)
    c.setFillColor(black)
    c.setFont("Helvetica", 9.5)
    y = page_h - 86
    for line in (*inv.vendor_address, inv.vendor_contact):
        c.drawString(left, y, line)
        y -= 13
    c.setFont("Helvetica-Bold", 26)
    c.setFillColor(navy)
    c.drawRightString(right, page_h - 72, "INVOICE")
    c.setFillColor(black)

    # Invoice facts (right) and bill-to (left)
    facts = (
        ("Invoice No.", inv.number),
        ("Invoice Date", f"{inv.issued:%d %b %Y}"),
        ("Due Date", f"{inv.due:%d %b %Y}"),
        ("Terms", inv.terms),
        ("Currency", inv.currency),
    )
    y = page_h - 150
    for label, value in facts:
        c.setFont("Helvetica-Bold", 9.5)
        c.drawString(right - 200, y, label)
        c.setFont("Helvetica", 9.5)
        c.drawRightString(right, y, value)
        y -= 14
    c.setFont("Helvetica-Bold", 9.5)
    c.drawString(left, page_h - 150, "BILL TO")
    c.setFont("Helvetica", 10.5)
    y = page_h - 165
    for line in (inv.customer, *inv.customer_address):
        c.drawString(left, y, line)
        y -= 14

    # Line items table
    # x of: "#" and description (left edges); qty, unit price, amount (right edges).
    x_no, x_desc, x_qty, x_unit, x_amt = left + 4, left + 30, right - 190, right - 95, right - 4
    y = page_h - 250
    c.setFillColor(navy)
    c.rect(left, y - 5, right - left, 18, stroke=0, fill=1)
    c.setFillColor(white)
    c.setFont("Helvetica-Bold", 9.5)
    c.drawString(x_no, y, "#")
    c.drawString(x_desc, y, "Description")
    c.drawRightString(x_qty, y, "Qty")
    c.drawRightString(x_unit, y, f"Unit Price ({inv.currency})")
    c.drawRightString(x_amt, y, f"Amount ({inv.currency})")
    c.setFillColor(black)
    c.setFont("Helvetica", 9.5)
    for n, item in enumerate(inv.items, start=1):
        y -= 22
        c.drawString(x_no, y, str(n))
        c.drawString(x_desc, y, item.description)
        c.drawRightString(x_qty, y, str(item.qty))
        c.drawRightString(x_unit, y, money(item.unit_price))
        c.drawRightString(x_amt, y, money(item.amount))
        c.setStrokeColor(Color(0.8, 0.8, 0.8))
        c.line(left, y - 7, right, y - 7)

    # Totals
    y -= 34
    for label, value, bold in (
        ("Subtotal", money(inv.subtotal), False),
        (inv.tax_label, money(inv.tax), False),
        (f"Total Due ({inv.currency})", f"{inv.currency} {money(inv.total)}", True),
    ):
        c.setFont("Helvetica-Bold" if bold else "Helvetica", 11 if bold else 9.5)
        c.drawString(right - 200, y, label)
        c.drawRightString(right - 4, y, value)
        y -= 18

    c.setFont("Helvetica", 8.5)
    c.drawString(left, 110, "Payment by bank transfer to DBS Bank Ltd, account 072-934518-6,")
    c.drawString(left, 98, f"quoting invoice number {inv.number}. Thank you for your business.")
    c.showPage()
    c.save()
    write_expected(inv.file, "invoice", inv.expected_fields())


# --------------------------------------------------------------------------------------
# 3. Scanned invoice: image-only PDF page
# --------------------------------------------------------------------------------------

SCANNED_INVOICE = Invoice(
    file="invoice-scanned.pdf",
    vendor="Bright Peak Office Supplies Sdn Bhd",
    vendor_address=("22-1, Jalan Kenari 5, Bandar Puchong Jaya", "47100 Puchong, Selangor"),
    vendor_contact="Tel: 03-8076 2291   SST No: B16-1808-32004417",
    number="BPO-58213",
    issued=date(2026, 4, 22),
    due=date(2026, 5, 22),
    customer="Kelana Jaya Dental Clinic",
    customer_address=("15A, Jalan SS 7/26, Kelana Jaya", "47301 Petaling Jaya, Selangor"),
    currency="MYR",
    tax_label="SST 8%",
    tax_rate=Decimal("0.08"),
    items=(
        Item("A4 copier paper 80gsm (box of 5 reams)", 6, Decimal("54.90")),
        Item("Toner cartridge 26A, compatible", 2, Decimal("189.00")),
        Item("Ring binder A4, 2-ring, 50 mm", 24, Decimal("6.35")),
        Item("Whiteboard markers, assorted (12 pack)", 3, Decimal("27.80")),
    ),
    terms="30 days",
)
SCAN_DPI = 200  # a typical office-scanner setting; A4 is then 1654 x 2339 pixels


def render_invoice_page(inv: Invoice) -> Image.Image:
    """A plain word-processor style invoice, drawn at SCAN_DPI."""
    w, h = int(8.27 * SCAN_DPI), int(11.69 * SCAN_DPI)
    page = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(page)
    serif, serif_b = "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf"
    body, body_b = font(serif, 27), font(serif_b, 27)
    left, right = 140, w - 140

    d.text((left, 150), inv.vendor, font=font(serif_b, 42), fill=0)
    y = 215
    for line in (*inv.vendor_address, inv.vendor_contact):
        d.text((left, y), line, font=body, fill=0)
        y += 38
    d.line((left, y + 15, right, y + 15), fill=0, width=3)

    d.text((left, y + 50), "INVOICE", font=font(serif_b, 56), fill=0)
    y = y + 150
    d.text((left, y), "Bill To:", font=body_b, fill=0)
    for n, line in enumerate((inv.customer, *inv.customer_address)):
        d.text((left, y + 40 + n * 38), line, font=body, fill=0)
    facts = (
        ("Invoice No:", inv.number),
        ("Date:", f"{inv.issued:%d/%m/%Y}"),
        ("Due Date:", f"{inv.due:%d/%m/%Y}"),
        ("Terms:", inv.terms),
        ("Currency:", inv.currency),
    )
    for n, (label, value) in enumerate(facts):
        d.text((w - 660, y + n * 40), label, font=body_b, fill=0)
        d.text((right, y + n * 40), value, font=body, fill=0, anchor="ra")

    # Items table with ruled lines
    y += 290
    x_desc, x_qty, x_unit = left + 70, right - 520, right - 250
    d.rectangle((left, y, right, y + 52), outline=0, width=2)
    d.text((left + 15, y + 10), "No", font=body_b, fill=0)
    d.text((x_desc, y + 10), "Description", font=body_b, fill=0)
    d.text((x_qty, y + 10), "Qty", font=body_b, fill=0, anchor="ra")
    d.text((x_unit, y + 10), "Unit Price", font=body_b, fill=0, anchor="ra")
    d.text((right - 15, y + 10), "Amount", font=body_b, fill=0, anchor="ra")
    y += 52
    for n, item in enumerate(inv.items, start=1):
        d.text((left + 20, y + 14), str(n), font=body, fill=0)
        d.text((x_desc, y + 14), item.description, font=body, fill=0)
        d.text((x_qty, y + 14), str(item.qty), font=body, fill=0, anchor="ra")
        d.text((x_unit, y + 14), money(item.unit_price), font=body, fill=0, anchor="ra")
        d.text((right - 15, y + 14), money(item.amount), font=body, fill=0, anchor="ra")
        y += 56
        d.line((left, y, right, y), fill=90, width=1)

    y += 40
    for label, value, f in (
        ("Subtotal", money(inv.subtotal), body),
        (inv.tax_label, money(inv.tax), body),
        (f"TOTAL ({inv.currency})", money(inv.total), font(serif_b, 32)),
    ):
        d.text((right - 600, y), label, font=f, fill=0)
        d.text((right - 15, y), value, font=f, fill=0, anchor="ra")
        y += 50

    y = h - 380
    d.text((left, y), "Please pay to: Malayan Banking Berhad  514288903317", font=body, fill=0)
    d.text((left, y + 40), f"Reference: {inv.number}", font=body, fill=0)
    d.text((left, y + 130), "Authorised signature: ______________________", font=body, fill=0)
    return page


def scan(page: Image.Image, angle: float, seed: int) -> Image.Image:
    """Degrade a clean page like a cheap flatbed scan: grey paper, skew, blur, grain, specks."""
    rng = np.random.default_rng(seed)
    # Toner is never pure black and recycled paper is never pure white.
    page = page.point(lambda v: 40 + v * (232 - 40) // 255)
    page = page.rotate(angle, Image.Resampling.BICUBIC, expand=False, fillcolor=232)
    page = page.filter(ImageFilter.GaussianBlur(0.8))
    arr = np.asarray(page, dtype=np.float32)
    h, w = arr.shape
    # The lid did not close flat: a grey band along the left edge that fades inwards.
    arr *= (0.80 + 0.20 * np.clip(np.arange(w) / 120.0, 0, 1))[None, :]
    arr = add_noise(arr, rng, 5.0)
    for _ in range(250):  # dust specks
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        arr[y : y + int(rng.integers(1, 4)), x : x + int(rng.integers(1, 4))] = 60
    return Image.fromarray(arr, "L")


def make_scanned_invoice(inv: Invoice) -> None:
    scanned = scan(render_invoice_page(inv), angle=-0.9, seed=SEED + 3)
    buf = io.BytesIO()
    scanned.save(buf, "JPEG", quality=45)  # heavy compression, as scanners do
    buf.seek(0)
    # The page holds nothing but the picture, exactly like a scanner's PDF without OCR.
    c = Canvas(str(OUT_DIR / inv.file), pagesize=A4, invariant=1)
    c.drawImage(ImageReader(buf), 0, 0, width=A4[0], height=A4[1])
    c.showPage()
    c.save()
    write_expected(inv.file, "invoice", inv.expected_fields())


# --------------------------------------------------------------------------------------
# 4. Customs export declaration: bilevel TIFF, like a fax or a B/W office scan
# --------------------------------------------------------------------------------------

CUSTOMS_FILE = "customs-declaration.tiff"
CUSTOMS_DECL_NO = "K2-2026-0318752"
CUSTOMS_DATE = date(2026, 5, 6)
CUSTOMS_CONSIGNOR = "Perdana Electronics Manufacturing Sdn Bhd"
CUSTOMS_CONSIGNOR_ADDR = ("Plot 47, Bayan Lepas FIZ Phase 4", "11900 Bayan Lepas, Penang, Malaysia")
CUSTOMS_CONSIGNEE = "Rotterdam Tech Distribution B.V."
CUSTOMS_CONSIGNEE_ADDR = ("Waalhaven Z.z. 19", "3089 JH Rotterdam, Netherlands")
CUSTOMS_INVOICE_NO = "PEM-EX-26-0412"
CUSTOMS_INVOICE_DATE = date(2026, 5, 4)
CUSTOMS_CURRENCY = "USD"
CUSTOMS_GROSS_KG = Decimal("1284.60")
CUSTOMS_NET_KG = Decimal("1103.25")
# (description, HS code, quantity, unit, value)
CUSTOMS_GOODS = (
    ("Portable computers, 14 inch", "8471.30", 120, "UNT", Decimal("33540.00")),
    ("LCD monitors, 27 inch", "8528.52", 64, "UNT", Decimal("11584.00")),
    ("Docking stations (computer parts)", "8473.30", 140, "UNT", Decimal("3091.40")),
)


def customs_total() -> Decimal:
    return sum((g[4] for g in CUSTOMS_GOODS), Decimal("0"))


def render_customs_form() -> Image.Image:
    w, h = int(8.27 * SCAN_DPI), int(11.69 * SCAN_DPI)
    page = Image.new("L", (w, h), 255)
    d = ImageDraw.Draw(page)
    label_f, value_f = font("DejaVuSans.ttf", 22), font("DejaVuSans.ttf", 29)
    value_b = font("DejaVuSans-Bold.ttf", 29)
    left, right = 110, w - 110

    d.text(
        (w // 2, 120),
        "EXPORT DECLARATION",
        font=font("DejaVuSans-Bold.ttf", 50),
        fill=0,
        anchor="ma",
    )
    d.text(
        (w // 2, 185),
        "CUSTOMS FORM K2  -  DECLARATION OF GOODS TO BE EXPORTED",
        font=font("DejaVuSans.ttf", 26),
        fill=0,
        anchor="ma",
    )

    def box(x0: int, y0: int, x1: int, y1: int, label: str, lines: Sequence[str]) -> None:
        # Numbered label in small type at the top of the box, the value below it.
        d.rectangle((x0, y0, x1, y1), outline=0, width=3)
        d.text((x0 + 18, y0 + 10), label, font=label_f, fill=0)
        for n, line in enumerate(lines):
            d.text((x0 + 18, y0 + 46 + n * 38), line, font=value_b if n == 0 else value_f, fill=0)

    mid, third, two_thirds = (
        (left + right) // 2,
        left + (right - left) // 3,
        left + 2 * (right - left) // 3,
    )
    y = 260
    box(left, y, mid, y + 100, "1. Declaration No.", [CUSTOMS_DECL_NO])
    box(mid, y, right, y + 100, "2. Date of Declaration", [CUSTOMS_DATE.isoformat()])
    y += 100
    # Full-width party boxes: long company names do not fit half a page at this type size.
    box(
        left,
        y,
        right,
        y + 170,
        "3. Consignor / Exporter",
        [CUSTOMS_CONSIGNOR, *CUSTOMS_CONSIGNOR_ADDR],
    )
    y += 170
    box(
        left,
        y,
        right,
        y + 170,
        "4. Consignee / Importer",
        [CUSTOMS_CONSIGNEE, *CUSTOMS_CONSIGNEE_ADDR],
    )
    y += 170
    rows = (
        (
            ("5. Country of Origin", "MALAYSIA (MY)"),
            ("6. Country of Destination", "NETHERLANDS (NL)"),
            ("7. Mode of Transport", "SEA"),
        ),
        (
            ("8. Port of Loading", "PORT KLANG"),
            ("9. Port of Discharge", "ROTTERDAM"),
            ("10. Incoterms", "FOB Port Klang"),
        ),
        (
            ("11. Commercial Invoice No.", CUSTOMS_INVOICE_NO),
            ("12. Invoice Date", f"{CUSTOMS_INVOICE_DATE:%d %b %Y}".upper()),
            ("13. Invoice Total", f"{CUSTOMS_CURRENCY} {money(customs_total())}"),
        ),
        (
            ("14. Gross Weight (kg)", money(CUSTOMS_GROSS_KG)),
            ("15. Net Weight (kg)", money(CUSTOMS_NET_KG)),
            ("16. Packages", "18 PALLETS"),
        ),
    )
    for row in rows:
        for (x0, x1), (label, value) in zip(
            ((left, third), (third, two_thirds), (two_thirds, right)), row, strict=True
        ):
            box(x0, y, x1, y + 100, label, [value])
        y += 100

    # Goods table
    y += 40
    d.text((left, y), "17. Description of Goods", font=label_f, fill=0)
    y += 40
    x_hs, x_qty, x_unit = left + 820, right - 420, right - 300
    d.rectangle((left, y, right, y + 50), outline=0, width=3)
    head = font("DejaVuSans-Bold.ttf", 24)
    for x, text in (
        (left + 14, "Item"),
        (left + 90, "Description"),
        (x_hs, "HS Code"),
        (x_unit, "Unit"),
    ):
        d.text((x, y + 12), text, font=head, fill=0)
    d.text((x_qty + 90, y + 12), "Qty", font=head, fill=0, anchor="ra")
    d.text((right - 14, y + 12), f"Value ({CUSTOMS_CURRENCY})", font=head, fill=0, anchor="ra")
    y += 50
    for n, (desc, hs, qty, unit, value) in enumerate(CUSTOMS_GOODS, start=1):
        d.text((left + 24, y + 14), str(n), font=value_f, fill=0)
        d.text((left + 90, y + 14), desc, font=value_f, fill=0)
        d.text((x_hs, y + 14), hs, font=value_f, fill=0)
        d.text((x_qty + 90, y + 14), str(qty), font=value_f, fill=0, anchor="ra")
        d.text((x_unit, y + 14), unit, font=value_f, fill=0)
        d.text((right - 14, y + 14), money(value), font=value_f, fill=0, anchor="ra")
        y += 60
        d.line((left, y, right, y), fill=0, width=1)
    d.rectangle((left, y - 60 * len(CUSTOMS_GOODS) - 50, right, y), outline=0, width=3)

    y += 90
    d.text(
        (left, y),
        "18. Declaration: I declare that the particulars given in this form are true and complete.",
        font=label_f,
        fill=0,
    )
    d.text((left, y + 60), "Declarant: Lim Wei Jie, Export Manager", font=value_f, fill=0)
    d.text((left, y + 110), "Agent Code: FA-7741-PK", font=value_f, fill=0)
    # A quick signature scrawl.
    d.line(
        [(right - 460 + i * 18, y + 100 + (18 if i % 2 else -14)) for i in range(20)],
        fill=0,
        width=3,
    )
    d.text((right - 460, y + 150), "Signature and company stamp", font=label_f, fill=0)
    return page


def make_customs() -> None:
    rng = np.random.default_rng(SEED + 4)
    page = render_customs_form().rotate(0.6, Image.Resampling.BICUBIC, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(0.9))
    arr = add_noise(np.asarray(page), rng, 25.0)
    # Black-and-white at a fixed threshold gives ragged stroke edges, as from a fax/BW scan.
    bw = np.where(arr > 150, 255, 0).astype(np.uint8)
    h, w = bw.shape
    for _ in range(400):  # specks
        x, y = int(rng.integers(0, w)), int(rng.integers(0, h))
        bw[y : y + int(rng.integers(1, 4)), x : x + int(rng.integers(1, 4))] = 0
    image = Image.fromarray(bw, "L").convert("1", dither=Image.Dither.NONE)
    # CCITT Group 4 keeps a bilevel A4 page at a few tens of kilobytes.
    image.save(OUT_DIR / CUSTOMS_FILE, "TIFF", compression="group4", dpi=(SCAN_DPI, SCAN_DPI))
    write_expected(
        CUSTOMS_FILE,
        "customs_declaration",
        {
            "document_date": CUSTOMS_DATE.isoformat(),
            "total_amount": plain(customs_total()),
            "currency": CUSTOMS_CURRENCY,
            # The declaration's own number is declaration_number; the invoice it covers is
            # the document_number the ledger's bill reference refers to.
            "document_number": CUSTOMS_INVOICE_NO,
            "declaration_number": CUSTOMS_DECL_NO,
            "hs_codes": [g[1].replace(".", "") for g in CUSTOMS_GOODS],  # digits only
            "consignor": CUSTOMS_CONSIGNOR,
            "consignee": CUSTOMS_CONSIGNEE,
            "country_of_origin": "MY",
            "incoterms": "FOB",
            "gross_weight_kg": plain(CUSTOMS_GROSS_KG),
        },
    )


# --------------------------------------------------------------------------------------
# Demo ledger and the matches we expect
# --------------------------------------------------------------------------------------

# The look-alikes are deliberate: a matcher must weigh name, address, amount, currency, dates,
# status and reference together. Rows are kept one per line, hence fmt: off.
# fmt: off
CUSTOMERS = (
    # (customer_id, name, address, tax_id, email, phone)
    ("C001", "Sri Murni Mart Sdn Bhd", "Lot 23, Jalan Bukit Bintang, 55100 Kuala Lumpur",
     "1187342-K", "accounts@srimurni.com.my", "+60 3-2141 7785"),
    ("C002", DIGITAL_INVOICE.customer, join_address(DIGITAL_INVOICE.customer_address),
     "199804512N", "ap@tanbrothers.com.sg", "+65 6261 4408"),
    ("C003", CUSTOMS_CONSIGNEE, join_address(CUSTOMS_CONSIGNEE_ADDR),
     "NL812334906B01", "payables@rtd-distribution.nl", "+31 10 429 7715"),
    # Same shop name (same company), another branch address.
    ("C004", "Sri Murni Mart Sdn Bhd", "No. 8, Jalan SS 2/24, 47300 Petaling Jaya, Selangor",
     "1187342-K", "ss2@srimurni.com.my", "+60 3-7875 1102"),
    # Close to the scanned invoice's customer, Kelana Jaya Dental Clinic, who is NOT a customer.
    ("C005", "Kelana Jaya Medical Centre Sdn Bhd", "2, Jalan SS 6/12, 47301 Petaling Jaya",
     "1020457-H", "finance@kjmc.com.my", "+60 3-7803 5500"),
    # Name close to C002's; a different company in Johor.
    ("C006", "Tan Bros Hardware Sdn Bhd", "No. 5, Jalan Perusahaan 2, 81700 Pasir Gudang, Johor",
     "0873310-W", "tanbros.hw@gmail.com", "+60 7-251 3390"),
    # The scanned invoice's *vendor*: matching on the wrong party would land here.
    ("C007", SCANNED_INVOICE.vendor, join_address(SCANNED_INVOICE.vendor_address),
     "1130052-U", "billing@brightpeak.my", "+60 3-8076 2291"),
    ("C008", "Mewah Fresh Grocers Sdn Bhd", "12, Jalan Pasar Baru, 41400 Klang, Selangor",
     "0951266-D", "admin@mewahfresh.my", "+60 3-3371 8824"),
)

_, _, RECEIPT_TOTAL = receipt_values()
RECEIPT_SUBTOTAL = subtotal(RECEIPT_ITEMS)
INV = DIGITAL_INVOICE

BILLS = (
    # (bill_id, customer_id, reference, issue_date, due_date, currency, amount, status)
    # Receipt -> shop C001: same amount, receipt date inside the bill's window.
    ("B1001", "C001", RECEIPT_NO, "2026-03-14", "2026-04-13", "MYR", RECEIPT_TOTAL, "open"),
    # Same shop, same amount, already paid.
    ("B1002", "C001", "CS-039554", "2026-02-27", "2026-03-29", "MYR", RECEIPT_TOTAL, "paid"),
    # Other branch: open, dated around the receipt, amount = the receipt's SUBTOTAL.
    ("B1003", "C004", "CS-041790", "2026-03-12", "2026-04-11", "MYR", RECEIPT_SUBTOTAL, "open"),
    ("B1004", "C004", "CS-040112", "2026-03-01", "2026-03-31", "MYR", "124.65", "partial"),
    # Digital invoice -> bill-to customer C002.
    ("B1005", "C002", INV.number, "2026-02-09", "2026-03-11", "SGD", INV.total, "open"),
    # Last month's identical order: same amount, paid.
    ("B1006", "C002", "HSC-INV-2026-0288", "2026-01-09", "2026-02-08", "SGD", INV.total, "paid"),
    # Another open bill of the same customer, overlapping dates, different amount.
    ("B1007", "C002", "HSC-INV-2026-0391", "2026-02-02", "2026-03-04", "SGD", "745.20", "open"),
    ("B1008", "C006", "TBH-2026-118", "2026-02-05", "2026-03-07", "MYR", "2310.75", "partial"),
    # Customs declaration -> consignee C003; reference = the commercial invoice it covers.
    ("B1009", "C003", CUSTOMS_INVOICE_NO, "2026-05-04", "2026-06-03", "USD", customs_total(),
     "open"),
    ("B1010", "C003", "PEM-EX-26-0377", "2026-04-14", "2026-05-14", "USD", "12870.00", "partial"),
    ("B1011", "C003", "PEM-EX-26-0301", "2026-03-12", "2026-04-11", "USD", "39862.15", "paid"),
    # Near the scanned invoice: similar name, similar amount, open, in its dates; still no match.
    ("B1012", "C005", "KJMC-2026-044", "2026-04-15", "2026-05-15", "MYR", "1086.60", "open"),
    ("B1013", "C005", "KJMC-2026-031", "2026-03-10", "2026-04-09", "MYR", "742.00", "paid"),
    ("B1014", "C007", "BPO-57940", "2026-04-02", "2026-05-02", "MYR", "412.90", "open"),
    ("B1015", "C008", "MFG-26-0203", "2026-03-01", "2026-03-31", "MYR", "3245.80", "open"),
    ("B1016", "C008", "MFG-26-0117", "2026-01-20", "2026-02-19", "MYR", "2980.35", "paid"),
)
# fmt: on

EXPECTED_MATCHES = (
    # (document, customer_id, bill_id); empty ids mean "no match".
    (RECEIPT_FILE, "C001", "B1001"),
    (DIGITAL_INVOICE.file, "C002", "B1005"),
    (SCANNED_INVOICE.file, "", ""),
    (CUSTOMS_FILE, "C003", "B1009"),
)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow([plain(v) if isinstance(v, Decimal) else v for v in row])


def make_ledger() -> None:
    LEDGER_DIR.mkdir(exist_ok=True)
    write_csv(
        LEDGER_DIR / "customers.csv",
        CUSTOMER_COLUMNS,
        CUSTOMERS,
    )
    write_csv(
        LEDGER_DIR / "bills.csv",
        BILL_COLUMNS,
        BILLS,
    )
    write_csv(
        LEDGER_DIR / "expected_matches.csv",
        ("document", "customer_id", "bill_id"),
        EXPECTED_MATCHES,
    )


# --------------------------------------------------------------------------------------
# Optional check: can tesseract read the key values off the images?
# --------------------------------------------------------------------------------------


def ocr_text(path: Path) -> str:
    if path.suffix == ".pdf":
        import pdfplumber  # only needed for --verify

        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            if page.extract_words():
                raise SystemExit(f"{path.name}: expected no text layer, found words")
            png = OUT_DIR / f".{path.stem}-verify.png"
            page.to_image(resolution=SCAN_DPI).original.save(png)
        try:
            return ocr_text(png)
        finally:
            png.unlink()
    result = subprocess.run(
        ["tesseract", str(path), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout


def verify() -> bool:
    """OCR each image sample and look for the printed vendor, date and total."""
    checks = {
        RECEIPT_FILE: (RECEIPT_SHOP, f"{RECEIPT_DATE:%d/%m/%Y}", money(RECEIPT_TOTAL)),
        SCANNED_INVOICE.file: (
            SCANNED_INVOICE.vendor,
            f"{SCANNED_INVOICE.issued:%d/%m/%Y}",
            money(SCANNED_INVOICE.total),
        ),
        CUSTOMS_FILE: (CUSTOMS_CONSIGNOR, CUSTOMS_DATE.isoformat(), money(customs_total())),
    }
    ok = True
    for name, needles in checks.items():
        text = ocr_text(OUT_DIR / name)
        for needle in needles:
            hit = [line for line in text.splitlines() if needle in line]
            ok &= bool(hit)
            print(f"{name:28} {'ok ' if hit else 'MISSING'} {needle!r:48} {hit[:1]}")
    return ok


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verify", action="store_true", help="OCR-check the image samples")
    args = parser.parse_args(argv)
    make_receipt()
    make_digital_invoice(DIGITAL_INVOICE)
    make_scanned_invoice(SCANNED_INVOICE)
    make_customs()
    make_ledger()
    for path in sorted(OUT_DIR.glob("*.*")):
        if path.suffix in {".jpg", ".pdf", ".tiff", ".png"}:
            print(f"wrote {path.name} ({path.stat().st_size / 1024:.0f} KB)")
    if args.verify and not verify():
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
