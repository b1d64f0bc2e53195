"""Transport documents: the carrier's ocean bill of lading, a forwarder's sea waybill, and an
IATA air waybill."""

from __future__ import annotations

import random
from decimal import Decimal
from pathlib import Path

from docintake.domain import DocumentType
from docintake.tradegen import common as c
from docintake.tradegen.data import Shipment
from docintake.tradegen.render import Col, Sheet

BL = DocumentType.BILL_OF_LADING


def _split(s: Shipment) -> list[tuple[int, Decimal, Decimal]]:
    """Packages, gross kg and m³ per container; the shares add up to the totals exactly."""
    n = max(1, len(s.containers))
    pk, gw, cbm = s.packages, s.gross_kg, s.cbm
    out: list[tuple[int, Decimal, Decimal]] = []
    for i in range(n):
        if i < n - 1:
            p = pk // n
            share = Decimal(p) / Decimal(pk)
            g = (gw * share).quantize(Decimal("0.01"))
            m = (cbm * share).quantize(Decimal("0.001"))
        else:
            p = pk - sum(o[0] for o in out)
            g = gw - sum((o[1] for o in out), Decimal(0))
            m = cbm - sum((o[2] for o in out), Decimal(0))
        out.append((p, g, m))
    return out


def _goods_summary(s: Shipment, hs: bool) -> list[str]:
    lines = []
    for li in s.lines:
        lines.append(li.description.upper())
        if hs:
            lines.append(f"HS CODE: {li.product.hs10[:6]}")
    return lines


def _freight(s: Shipment) -> str:
    return (
        "FREIGHT PREPAID"
        if s.incoterm in ("CIF", "CFR", "CPT", "CIP", "DAP")
        else "FREIGHT COLLECT"
    )


def _bl_truth(s: Shipment, *, hs: bool, date_printed: bool = True) -> c.Truth:
    return c.truth(
        BL,
        document_number=s.transport_number,
        document_date=s.onboard_date if date_printed else None,
        consignor=s.seller.name,
        consignee=s.buyer.name,
        gross_weight_kg=s.gross_kg,
        packages=s.packages,
        transport_document_number=s.transport_number,
        container_numbers=[k.number for k in s.containers],
        hs_codes=[li.product.hs10[:6] for li in s.lines] if hs else None,
    )


# Chinese carriers and NVOCCs print their bills with bilingual box labels.
_BL_ZH = {
    "Shipper": "托运人",
    "B/L No.": "提单号",
    "Booking No.": "订舱号",
    "Consignee (not negotiable unless consigned to order)": "收货人",
    "Notify Party (carrier not responsible for failure to notify)": "通知人",
    "Forwarding Agent References": "货代",
    "Pre-carriage by": "前程运输",
    "Place of Receipt": "收货地点",
    "Ocean Vessel / Voy. No.": "船名航次",
    "Port of Loading": "装货港",
    "Port of Discharge": "卸货港",
    "Place of Delivery": "交货地点",
    "Final Destination (for merchant's reference)": "目的地",
    "Freight & Charges": "运费",
    "Place and Date of Issue": "签发地点及日期",
    "Number of Original B(s)/L": "正本提单份数",
    "Shipped on Board Date": "装船日期",
    "Container No. / Seal No.": "箱号/封号",
    "Marks & Numbers": "唛头",
    "Kind of Packages; Description of Goods": "包装种类及货名",
    "Gross Weight": "毛重",
    "Measurement": "体积",
}

# --- 1: the carrier's ocean bill of lading ---------------------------------------------------


def ocean_bl(path: Path, s: Shipment, rng: random.Random, *, bilingual: bool = False) -> c.Truth:
    def tr(label: str) -> str:
        return f"{_BL_ZH[label]} {label}" if bilingual else label

    ds = rng.choice(("dmy", "iso", "mdy", "slash"))
    hs = rng.random() < 0.5
    data_font = rng.choice(("Courier", "Helvetica", "Helvetica"))
    upper = True
    sh = Sheet(path, title="BILL OF LADING")
    L, W = 24.0, sh.width - 48
    half = W / 2
    y = 24.0
    sh.box(
        L,
        y,
        half,
        74,
        tr("Shipper"),
        c.party_lines(s.seller, upper=upper),
        size=7.5,
        font=data_font,
    )
    # Carrier block, top right.
    sh.rect(L + half, y, half, 130)
    sh.text(L + half + half / 2, y + 24, s.carrier, 12.5, bold=True, align="center")
    sh.text(
        L + half + half / 2,
        y + 42,
        "提单 BILL OF LADING" if bilingual else "BILL OF LADING",
        14,
        bold=True,
        align="center",
    )
    sh.text(
        L + half + half / 2, y + 53, "FOR PORT-TO-PORT OR COMBINED TRANSPORT", 6.5, align="center"
    )
    sh.box(
        L + half + 8, y + 62, 120, 24, tr("B/L No."), [s.transport_number], size=9, bold_values=True
    )
    sh.box(
        L + half + 132,
        y + 62,
        half - 140,
        24,
        tr("Booking No."),
        [f"{rng.randint(10**8, 10**9 - 1)}"],
        size=8,
    )
    small = (
        "RECEIVED by the Carrier the Goods as specified above in apparent good order and "
        "condition unless otherwise stated, to be transported to such place as agreed, "
        "authorised or permitted herein and subject to all the terms and conditions appearing "
        "on the front and reverse of this Bill of Lading."
    )
    sh.lines(L + half + 6, y + 96, sh.wrap(small, half - 12, 5.2), 5.2, leading=6.2)
    y += 74
    sh.box(
        L,
        y,
        half,
        56,
        tr("Consignee (not negotiable unless consigned to order)"),
        c.party_lines(s.buyer, upper=upper),
        size=7.5,
        font=data_font,
    )
    y += 56
    notify = s.notify or s.buyer
    sh.box(
        L,
        y,
        half,
        52,
        tr("Notify Party (carrier not responsible for failure to notify)"),
        ["SAME AS CONSIGNEE"] if s.notify is None else c.party_lines(notify, upper=True),
        size=7.5,
        font=data_font,
    )
    sh.box(
        L + half,
        y,
        half,
        52,
        tr("Forwarding Agent References"),
        [rng.choice(c_forwarders())],
        size=7.5,
    )
    y += 52
    q = half / 2
    cells = [
        (tr("Pre-carriage by"), ""),
        (tr("Place of Receipt"), f"{s.loading.name.upper()} CY"),
        (tr("Ocean Vessel / Voy. No."), f"{s.vessel} / {s.voyage}"),
        (
            tr("Port of Loading"),
            f"{s.loading.name.upper()}, {c.country_name(s.loading.country).upper()}",
        ),
        (
            tr("Port of Discharge"),
            f"{s.discharge.name.upper()}, {c.country_name(s.discharge.country).upper()}",
        ),
        (tr("Place of Delivery"), f"{s.discharge.name.upper()} CY"),
    ]
    for i, (label, value) in enumerate(cells):
        col = i % 2 if i < 2 else (i % 2)
        sh.box(
            L + col * q if i < 2 else L + (i % 2) * half,
            y,
            q if i < 2 else half,
            26,
            label,
            [value],
            size=7.5,
            font=data_font,
        )
        if i == 1:
            sh.box(
                L + half,
                y,
                half,
                26,
                tr("Final Destination (for merchant's reference)"),
                [c.country_name(s.destination).upper()],
                size=7.5,
                font=data_font,
            )
            y += 26
        elif i in (3, 5):
            y += 26
    sh.text(L + W / 2, y + 10, "PARTICULARS FURNISHED BY SHIPPER", 6.5, bold=True, align="center")
    y += 14
    cols = [
        Col(tr("Container No. / Seal No.") + "\n" + tr("Marks & Numbers"), 132),
        Col("No. of Cont.\nor Packages" if not bilingual else "件数\nPackages", 62, "right"),
        Col(tr("Kind of Packages; Description of Goods"), W - 132 - 62 - 74 - 64),
        Col(tr("Gross Weight") + "\n(KGS)", 74, "right"),
        Col(tr("Measurement") + "\n(CBM)", 64, "right"),
    ]
    rows = []
    goods = _goods_summary(s, hs)
    for i, (k, (p, g, m)) in enumerate(zip(s.containers, _split(s), strict=True)):
        desc = "SHIPPER'S LOAD, COUNT AND SEAL\nSAID TO CONTAIN:" if i == 0 else ""
        rows.append(
            [
                f"{k.number}\nSEAL: {k.seal}\n{k.size_type}",
                f"{p} {s.package_kind[1]}",
                desc,
                c.kg(g),
                f"{m:.3f}",
            ]
        )
    goods_block = "\n".join(goods)
    rows.append(["", "", goods_block, "", ""])
    marks = s.marks.replace("{n}", str(s.packages))
    rows.append([marks, "", _freight(s), "", ""])
    y = sh.table(L, y, cols, rows, size=7.5, header_h=20, row_h=9, min_h=210, font=data_font)
    sh.rect(L, y, W, 18)
    sh.text(
        L + 4,
        y + 12,
        f"TOTAL: {len(s.containers)} CONTAINER(S) / {s.packages} {s.package_kind[0]}",
        8,
        bold=True,
    )
    sh.text(L + W - 64 - 3, y + 12, c.kg(s.gross_kg), 8, bold=True, align="right")
    sh.text(L + W - 3, y + 12, f"{s.cbm:.3f}", 8, bold=True, align="right")
    y += 24
    third = W / 3
    issue = f"{s.loading.name.upper()}  {c.day(s.onboard_date, ds)}"
    sh.box(L, y, third, 28, tr("Freight & Charges"), [_freight(s)], size=8)
    sh.box(L + third, y, third, 28, tr("Place and Date of Issue"), [issue], size=8)
    sh.box(L + 2 * third, y, third, 28, tr("Number of Original B(s)/L"), ["THREE (3)"], size=8)
    y += 28
    sh.box(L, y, third, 28, tr("Shipped on Board Date"), [c.day(s.onboard_date, ds)], size=8)
    sh.box(
        L + third,
        y,
        2 * third,
        48,
        f"Signed for the Carrier {s.carrier}",
        ["", "AS CARRIER"],
        size=8,
    )
    sh.save()
    return _bl_truth(s, hs=hs)


def c_forwarders() -> tuple[str, ...]:
    from docintake.tradegen.data import FORWARDERS

    return FORWARDERS


# --- 2: a forwarder's sea waybill / house bill, lists and rules -------------------------------


def sea_waybill(path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    ds = rng.choice(("dmy", "iso", "dotted", "mdy"))
    hs = rng.random() < 0.4
    forwarder = rng.choice(c_forwarders())
    title = rng.choice(("SEA WAYBILL", "HOUSE BILL OF LADING", "NON-NEGOTIABLE SEA WAYBILL"))
    lab = c.labels(rng)
    sh = Sheet(path, title=title)
    L, W = 36.0, sh.width - 72
    sh.text(L, 48, forwarder, 12, bold=True)
    sh.text(L, 60, "International Freight Forwarding · NVOCC", 7.5, gray=0.3)
    sh.text(L + W, 48, title, 13, bold=True, align="right")
    sh.text(L + W, 62, f"{lab['bl_no']}: {s.transport_number}", 9, bold=True, align="right")
    sh.hline(L, L + W, 72, 1.0)
    y = 88.0
    blocks = [
        (lab["consignor"], c.party_lines(s.seller, phone=True)),
        (
            lab["consignee"] if lab["consignee"] != "Sold To" else "Consignee",
            c.party_lines(s.buyer, phone=True),
        ),
        (lab["notify"], ["SAME AS CONSIGNEE"] if s.notify is None else c.party_lines(s.notify)),
    ]
    for label, lines in blocks:
        sh.text(L, y, label.upper(), 7, bold=True, gray=0.3)
        y = sh.lines(L + 110, y, lines, 8) + 6
    sh.hline(L, L + W, y - 2, 0.4)
    y += 10
    facts = [
        ("Vessel / Voyage", f"{s.vessel} {s.voyage}"),
        ("Carrier", s.carrier),
        (lab["loading"], f"{s.loading.name}, {c.country_name(s.loading.country)}"),
        (lab["discharge"], f"{s.discharge.name}, {c.country_name(s.discharge.country)}"),
        ("Shipped on board", c.day(s.onboard_date, ds)),
        ("Freight", _freight(s).title()),
    ]
    label_w = max(sh.text_width(f"{label}:", 7.5, bold=True) for label, _ in facts) + 6
    for i, (label, value) in enumerate(facts):
        col, row = i % 2, i // 2
        sh.text(L + col * W / 2, y + row * 12, f"{label}:", 7.5, bold=True)
        sh.text(L + col * W / 2 + label_w, y + row * 12, value, 7.5)
    y += 3 * 12 + 12
    cols = [
        Col("Container / Seal", 150),
        Col("Type", 40, "center"),
        Col(lab["packages"], 78, "right"),
        Col(lab["gross"], 84, "right"),
        Col("Volume (m³)", W - 352, "right"),
    ]
    rows = [
        [f"{k.number} / {k.seal}", k.size_type, f"{p} {s.package_kind[1]}", c.kg(g), f"{m:.3f}"]
        for k, (p, g, m) in zip(s.containers, _split(s), strict=True)
    ]
    y = sh.table(L, y, cols, rows, grid="rules", size=8, header_h=16, row_h=10)
    sh.text(L + 4, y + 12, "Total", 8, bold=True)
    sh.text(L + 268 - 3, y + 12, f"{s.packages} {s.package_kind[1]}", 8, bold=True, align="right")
    sh.text(L + 352 - 3, y + 12, c.kg(s.gross_kg), 8, bold=True, align="right")
    sh.text(L + W - 3, y + 12, f"{s.cbm:.3f}", 8, bold=True, align="right")
    y += 34
    sh.text(L, y, lab["description"].upper(), 7, bold=True, gray=0.3)
    y = sh.lines(
        L,
        y + 12,
        ["SHIPPER'S LOAD, STOW, COUNT AND SEAL. SAID TO CONTAIN:", *_goods_summary(s, hs)],
        8,
    )
    y += 6
    sh.text(L, y, "MARKS & NOS.", 7, bold=True, gray=0.3)
    y = sh.lines(L, y + 12, s.marks.replace("{n}", str(s.packages)).split("\n"), 8)
    y = max(y + 30, 640)
    terms = (
        "This waybill is not a document of title. Delivery will be made to the named consignee "
        "or its authorised agent on production of proof of identity. Subject to the carrier's "
        "standard conditions."
    )
    sh.lines(L, y, sh.wrap(terms, W, 6.5), 6.5, gray=0.25)
    sh.text(L, y + 40, f"Place and date of issue: {s.loading.name}, {c.day(s.onboard_date, ds)}", 8)
    sh.hline(L + W - 180, L + W, y + 70)
    sh.text(L + W - 90, y + 80, f"as agent for the carrier {s.carrier}", 6.5, align="center")
    sh.save()
    return _bl_truth(s, hs=hs)


# --- 3: IATA air waybill ----------------------------------------------------------------------


def air_waybill(path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    ds = rng.choice(("dmy", "iso"))
    prefix, serial = s.transport_number.split("-")
    sh = Sheet(path, title="AIR WAYBILL")
    L, W = 24.0, sh.width - 48
    half = W / 2
    sh.text(L, 30, f"{prefix}  {s.loading.code}  {serial[:4]} {serial[4:]}", 11, bold=True)
    sh.text(L + W, 30, s.transport_number, 11, bold=True, align="right")
    y = 38.0
    sh.box(
        L, y, half, 64, "Shipper's Name and Address", c.party_lines(s.seller, upper=True), size=7.5
    )
    sh.rect(L + half, y, half, 64)
    sh.text(L + half + 6, y + 12, "Not Negotiable", 8)
    sh.text(L + half + 6, y + 28, "Air Waybill", 13, bold=True)
    sh.text(L + half + 6, y + 40, "issued by", 7)
    sh.text(L + half + 6, y + 54, s.carrier, 10, bold=True)
    y += 64
    sh.box(
        L,
        y,
        half,
        64,
        "Consignee's Name and Address",
        c.party_lines(s.buyer, upper=True, phone=True),
        size=7.5,
    )
    legal = (
        "It is agreed that the goods described herein are accepted in apparent good order and "
        "condition (except as noted) for carriage SUBJECT TO THE CONDITIONS OF CONTRACT ON THE "
        "REVERSE HEREOF."
    )
    sh.rect(L + half, y, half, 64)
    sh.lines(L + half + 4, y + 9, sh.wrap(legal, half - 8, 5.5), 5.5, leading=6.5)
    y += 64
    agent = rng.choice(c_forwarders())
    sh.box(
        L,
        y,
        half,
        30,
        "Issuing Carrier's Agent Name and City",
        [f"{agent}, {s.loading.name}"],
        size=7.5,
    )
    sh.box(L + half, y, half, 30, "Accounting Information", [_freight(s)], size=7.5)
    y += 30
    sh.box(
        L,
        y,
        half / 2,
        22,
        "Agent's IATA Code",
        [f"{rng.randint(10, 99)}-3-{rng.randint(1000, 9999)}/0{rng.randint(100, 999)}"],
        size=7.5,
    )
    sh.box(L + half / 2, y, half / 2, 22, "Account No.", [""], size=7.5)
    sh.box(L + half, y, half, 22, "Reference Number", [s.invoice_number], size=7.5)
    y += 22
    sh.box(
        L,
        y,
        half,
        22,
        "Airport of Departure (Addr. of First Carrier) and Requested Routing",
        [f"{s.loading.name.upper()} ({s.loading.code})"],
        size=7.5,
    )
    sh.box(L + half, y, half / 4, 22, "Currency", ["USD"], size=7.5)
    sh.box(
        L + half * 1.25,
        y,
        half / 4,
        22,
        "WT/VAL",
        ["PP" if "PREPAID" in _freight(s) else "CC"],
        size=7.5,
    )
    sh.box(L + half * 1.5, y, half / 4, 22, "Decl. Val. Carriage", ["NVD"], size=7.5)
    sh.box(L + half * 1.75, y, half / 4, 22, "Decl. Val. Customs", ["NCV"], size=7.5)
    y += 22
    sh.box(
        L,
        y,
        half,
        22,
        "Airport of Destination",
        [f"{s.discharge.name.upper()} ({s.discharge.code})"],
        size=7.5,
    )
    sh.box(
        L + half,
        y,
        half,
        22,
        "Requested Flight/Date",
        [f"{s.vessel} / {c.day(s.onboard_date, ds)}"],
        size=7.5,
    )
    y += 22
    sh.box(
        L,
        y,
        W,
        26,
        "Handling Information",
        [f"DOCS ATTACHED: COMMERCIAL INVOICE {s.invoice_number}, PACKING LIST"],
        size=7.5,
    )
    y += 30
    chargeable = max(s.gross_kg, (s.cbm * Decimal(167)).quantize(Decimal("0.1")))
    rate = Decimal(str(round(rng.uniform(2.2, 5.8), 2)))
    total = (chargeable * rate).quantize(Decimal("0.01"))
    cols = [
        Col("No. of\nPieces RCP", 50, "right"),
        Col("Gross\nWeight", 62, "right"),
        Col("kg\nlb", 20, "center"),
        Col("Rate\nClass", 30, "center"),
        Col("Chargeable\nWeight", 62, "right"),
        Col("Rate\n/Charge", 48, "right"),
        Col("Total", 66, "right"),
        Col("Nature and Quantity of Goods\n(incl. Dimensions or Volume)", W - 338),
    ]
    goods = "\n".join([*_goods_summary(s, False), f"VOL: {s.cbm:.3f} CBM"])
    rows = [
        [
            str(s.packages),
            c.kg(s.gross_kg),
            "K",
            "Q",
            f"{chargeable:.1f}",
            f"{rate}",
            c.amount(total),
            goods,
        ]
    ]
    y = sh.table(L, y, cols, rows, size=8, header_h=22, row_h=10, min_h=170)
    sh.rect(L, y, W, 16)
    sh.text(L + 47, y + 11, str(s.packages), 8, bold=True, align="right")
    sh.text(L + 109, y + 11, c.kg(s.gross_kg), 8, bold=True, align="right")
    y += 22
    charges = [
        ("Weight Charge", c.amount(total)),
        ("Valuation Charge", ""),
        ("Tax", ""),
        ("Total Other Charges Due Agent", ""),
        ("Total Other Charges Due Carrier", c.amount(Decimal("35.00"))),
    ]
    for i, (label, value) in enumerate(charges):
        sh.box(
            L,
            y + i * 20,
            half * 0.9,
            20,
            f"{'Prepaid' if 'PREPAID' in _freight(s) else 'Collect'}  {label}",
            [value],
            size=7.5,
            align="right",
        )
    sh.box(
        L + half * 0.9,
        y,
        W - half * 0.9,
        60,
        "Shipper certifies that the particulars on the face hereof are correct.",
        ["", s.seller.name.upper()],
        size=7.5,
    )
    sh.box(
        L + half * 0.9,
        y + 60,
        W - half * 0.9,
        40,
        "Executed on (date)        at (place)        Signature of Issuing Carrier or its Agent",
        [f"{c.day(s.onboard_date, ds)}    {s.loading.name.upper()}    {agent.upper()}"],
        size=7.5,
    )
    sh.save()
    return c.truth(
        BL,
        document_number=s.transport_number,
        document_date=s.onboard_date,
        consignor=s.seller.name,
        consignee=s.buyer.name,
        gross_weight_kg=s.gross_kg,
        packages=s.packages,
        transport_document_number=s.transport_number,
    )


TRANSPORT_LAYOUTS: tuple[c.Layout, ...] = (
    c.Layout("bl-ocean", ocean_bl, fits=lambda s: s.mode == "sea"),
    c.Layout("bl-seawaybill", sea_waybill, fits=lambda s: s.mode == "sea"),
    c.Layout(
        "bl-ocean-bilingual",
        lambda path, s, rng: ocean_bl(path, s, rng, bilingual=True),
        fits=lambda s: s.mode == "sea" and "CN" in (s.loading.country, s.discharge.country),
        language="en+zh",
    ),
    c.Layout("awb", air_waybill, fits=lambda s: s.mode == "air"),
)
