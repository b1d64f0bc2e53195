"""Commercial invoices and packing lists: exporters print both from one template, so each
style here draws either, the invoice with prices, the packing list with weights."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from docintake.domain import DocumentType
from docintake.tradegen import common as c
from docintake.tradegen.data import Shipment
from docintake.tradegen.render import Col, Sheet

INVOICE = DocumentType.COMMERCIAL_INVOICE
PACKING = DocumentType.PACKING_LIST


def _terms(s: Shipment) -> str:
    return f"{s.incoterm} {s.incoterm_place.upper()}"


def _truth(
    kind: DocumentType,
    s: Shipment,
    *,
    hs_digits: int,
    transport: bool,
    containers: bool,
    origin: bool = True,
    destination: bool = True,
    terms: bool = True,
    weights: bool = True,
) -> c.Truth:
    invoice = kind is INVOICE
    rows = [
        c.line_truth(
            li,
            hs_digits=hs_digits,
            prices=invoice,
            weights=not invoice,
            packages=not invoice,
        )
        for li in s.lines
    ]
    return c.truth(
        kind,
        document_number=s.invoice_number,
        document_date=s.invoice_date,
        consignor=s.seller.name,
        consignee=s.buyer.name,
        country_of_origin=s.origin if origin else None,
        destination_country=s.destination if destination else None,
        incoterms=s.incoterm if invoice and terms else None,
        currency=s.currency if invoice else None,
        total_amount=s.total_amount if invoice else None,
        gross_weight_kg=s.gross_kg if weights else None,
        net_weight_kg=s.net_kg if weights else None,
        packages=s.packages,
        transport_document_number=s.transport_number if transport else None,
        container_numbers=[k.number for k in s.containers] if containers else None,
        hs_codes=[li.product.hs10[:hs_digits] for li in s.lines] if hs_digits else None,
        line_items=rows,
    )


def _right(left: float, cols: list[Col], index: int) -> float:
    """Where right-aligned text in column ``index`` ends (3 pt inside the rule)."""
    return left + sum(col.width for col in cols[: index + 1]) - 3


def _transport_label(s: Shipment, lab: dict[str, str]) -> str:
    return lab["bl_no"] if s.mode == "sea" else lab["awb_no"]


def _vessel(s: Shipment) -> str:
    return f"{s.vessel} V.{s.voyage}" if s.mode == "sea" else f"BY AIR, FLIGHT {s.vessel}"


# --- style 1: the box grid most Chinese exporters use ----------------------------------------


def grid(kind: DocumentType, path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    lab = c.labels(rng)
    ds, ns = c.date_style(rng, s), c.number_style(rng, s)
    hs_digits = rng.choice((6, 8, 8, 10))
    dotted = rng.random() < 0.5
    show_bl = rng.random() < 0.6
    show_cntr = bool(s.containers) and rng.random() < 0.6
    invoice = kind is INVOICE
    title = "COMMERCIAL INVOICE" if invoice else "PACKING LIST"
    sh = Sheet(path, title=title)
    L, W = 30.0, sh.width - 60
    sh.text(sh.width / 2, 44, s.seller.name.upper(), 12, bold=True, align="center")
    sh.text(sh.width / 2, 56, c.join_nonempty(list(s.seller.address)), 7, align="center")
    if s.seller.phone:
        sh.text(sh.width / 2, 65, f"Tel: {s.seller.phone}", 7, align="center")
    sh.text(sh.width / 2, 88, title, 15, bold=True, align="center")
    y = 98.0
    half = W * 0.55
    sh.box(L, y, half, 72, lab["consignor"], c.party_lines(s.seller), size=7.5)
    sh.box(
        L + half, y, W - half, 36, lab["invoice_no"], [s.invoice_number], size=9, bold_values=True
    )
    sh.box(L + half, y + 36, W - half, 36, lab["date"], [c.day(s.invoice_date, ds)], size=9)
    y += 72
    sh.box(L, y, half, 72, lab["consignee"], c.party_lines(s.buyer, phone=True), size=7.5)
    right = [f"{lab['terms']}: {_terms(s)}"] if invoice else []
    if invoice:
        right.append(f"{lab['payment']}: {s.payment_terms}")
    if s.notify and s.notify is not s.buyer:
        right.append(f"{lab['notify']}: {s.notify.name}")
    right_label = "Terms" if invoice else "Remarks"
    if not invoice:
        right = [f"Invoice ref.: {s.invoice_number}", "Shipping marks: as per invoice"]
    sh.box(L + half, y, W - half, 72, right_label, right, size=7.5)
    y += 72
    w4 = W / 4
    row1 = [
        (lab["loading"], s.loading.name.upper()),
        (lab["discharge"], s.discharge.name.upper()),
        ("Vessel / Voyage" if s.mode == "sea" else "Flight", _vessel(s)),
        (_transport_label(s, lab), s.transport_number if show_bl else ""),
    ]
    for i, (label, value) in enumerate(row1):
        sh.box(L + i * w4, y, w4, 28, label, [value], size=8)
    y += 28
    row2 = [
        (lab["origin"], c.country_name(s.origin).upper()),
        (lab["destination"], c.country_name(s.destination).upper()),
        ("Currency" if invoice else "Packing", s.currency if invoice else s.package_kind[0]),
        (lab["containers"], "  ".join(k.number for k in s.containers) if show_cntr else ""),
    ]
    for i, (label, value) in enumerate(row2):
        sh.box(L + i * w4, y, w4, 28, label, [value], size=8 if i < 3 else 7)
    y += 34

    def hs(li_code: str) -> str:
        return c.hs_dotted(li_code) if dotted else li_code

    if invoice:
        cols = [
            Col("No.", 22, "center"),
            Col(lab["description"], 196),
            Col(lab["hs"], 58, "center"),
            Col(lab["quantity"], 52, "right"),
            Col("Unit", 32, "center"),
            Col(f"{lab['unit_price']}\n({s.currency})", 74, "right"),
            Col(f"{lab['amount']}\n({s.currency})", W - 434, "right"),
        ]
        rows = [
            [
                str(i + 1),
                f"{li.description}\nModel: {li.model}",
                hs(li.product.hs10[:hs_digits]),
                c.qty(li.quantity, ns),
                li.product.unit,
                c.price(li.unit_price, ns),
                c.amount(li.amount, ns),
            ]
            for i, li in enumerate(s.lines)
        ]
    else:
        cols = [
            Col("No.", 22, "center"),
            Col(lab["description"], 160),
            Col(lab["hs"], 54, "center"),
            Col(lab["quantity"], 50, "right"),
            Col(f"Pkgs\n({s.package_kind[1]})", 42, "right"),
            Col(f"{lab['net']}", 62, "right"),
            Col(f"{lab['gross']}", 62, "right"),
            Col("Meas.\n(CBM)", W - 452, "right"),
        ]
        rows = [
            [
                str(i + 1),
                f"{li.description}\nModel: {li.model}",
                hs(li.product.hs10[:hs_digits]),
                f"{c.qty(li.quantity, ns)} {li.product.unit}",
                c.qty(li.packages, ns),
                c.kg(li.net_kg, ns),
                c.kg(li.gross_kg, ns),
                f"{li.cbm:.3f}",
            ]
            for i, li in enumerate(s.lines)
        ]
    y = sh.table(L, y, cols, rows, size=7.5, header_h=20, row_h=9.2, min_h=150, header_fill=0.9)
    # Totals row, boxed under the table.
    sh.rect(L, y, W, 16)
    sh.text(L + 26, y + 11, lab["total"] + ":", 8, bold=True)
    if invoice:
        sh.text(
            L + W - 3,
            y + 11,
            f"{s.currency} {c.amount(s.total_amount, ns)}",
            8.5,
            bold=True,
            align="right",
        )
        qty_total = c.qty(sum(li.quantity for li in s.lines), ns)
        sh.text(_right(L, cols, 3), y + 11, qty_total, 8, align="right")
    else:
        sh.text(_right(L, cols, 4), y + 11, c.qty(s.packages, ns), 8, bold=True, align="right")
        sh.text(_right(L, cols, 5), y + 11, c.kg(s.net_kg, ns), 8, bold=True, align="right")
        sh.text(_right(L, cols, 6), y + 11, c.kg(s.gross_kg, ns), 8, bold=True, align="right")
        sh.text(L + W - 3, y + 11, f"{s.cbm:.3f}", 8, bold=True, align="right")
    y += 30
    summary = [
        f"{lab['packages']}: {c.qty(s.packages, ns)} {s.package_kind[0]}",
        f"{lab['gross']}: {c.kg(s.gross_kg, ns)} KGS",
        f"{lab['net']}: {c.kg(s.net_kg, ns)} KGS",
        f"Measurement: {s.cbm:.3f} CBM",
    ]
    marks = s.marks.replace("{n}", str(s.packages)).split("\n")
    sh.text(L, y, "Shipping Marks:", 7, bold=True)
    sh.lines(L, y + 10, marks, 7.5)
    sh.lines(L + 200, y, summary, 8)
    y += 70
    sh.text(L + W, y, f"For and on behalf of {s.seller.name}", 7.5, align="right")
    sh.hline(L + W - 170, L + W, y + 36)
    sh.text(L + W - 85, y + 45, "Authorized Signature", 7, align="center")
    sh.save()
    return _truth(kind, s, hs_digits=hs_digits, transport=show_bl, containers=show_cntr)


# --- style 2: letterhead, label: value list, ruled table --------------------------------------


def letterhead(kind: DocumentType, path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    lab = c.labels(rng)
    ds, ns = c.date_style(rng, s), c.number_style(rng, s)
    invoice = kind is INVOICE
    show_hs = rng.random() < 0.75
    hs_digits = rng.choice((6, 8)) if show_hs else 0
    show_bl = rng.random() < 0.5
    show_cntr = bool(s.containers) and rng.random() < 0.4
    title = rng.choice(("COMMERCIAL INVOICE", "INVOICE")) if invoice else "PACKING LIST"
    if not invoice and rng.random() < 0.3:
        title = "PACKING / WEIGHT LIST"
    sh = Sheet(path, title=title)
    sh.font = rng.choice(("Helvetica", "Helvetica", "Times-Roman"))
    L, W = 40.0, sh.width - 80
    # Letterhead: name left, contact right, a coloured-looking rule (grey on paper).
    sh.text(L, 52, s.seller.name, 14, bold=True)
    sh.lines(L, 66, list(s.seller.address), 7.5)
    if s.seller.phone:
        sh.text(L + W, 52, f"Phone {s.seller.phone}", 7.5, align="right")
    sh.hline(L, L + W, 92, 1.6)
    sh.text(L, 118, title, 16, bold=True)
    # Reference block on the right as a label: value list.
    refs = [
        (lab["invoice_no"], s.invoice_number),
        (lab["date"], c.day(s.invoice_date, ds)),
    ]
    if invoice:
        terms = _terms(s) + (" Incoterms® 2020" if rng.random() < 0.3 else "")
        refs += [(lab["terms"], terms), (lab["payment"], s.payment_terms)]
    if show_bl:
        refs.append((_transport_label(s, lab), s.transport_number))
    y = 108.0
    label_w = max(sh.text_width(f"{label}:", 7.5, bold=True) for label, _ in refs)
    value_w = max(sh.text_width(value, 7.5) for _, value in refs)
    x0 = L + W - label_w - value_w - 8
    for label, value in refs:
        sh.text(x0, y, f"{label}:", 7.5, bold=True)
        sh.text(x0 + label_w + 8, y, value, 7.5)
        y += 10.5
    y = max(y, 140) + 8
    sh.text(L, y, lab["consignor"].upper(), 7, bold=True, gray=0.3)
    sh.text(L + W / 2, y, lab["consignee"].upper(), 7, bold=True, gray=0.3)
    sh.lines(L, y + 11, c.party_lines(s.seller), 8)
    end = sh.lines(L + W / 2, y + 11, c.party_lines(s.buyer, phone=True), 8)
    y = end + 8
    facts = [
        (lab["loading"], f"{s.loading.name}, {c.country_name(s.loading.country)}"),
        (lab["discharge"], f"{s.discharge.name}, {c.country_name(s.discharge.country)}"),
        ("Shipped per", _vessel(s)),
        (lab["origin"], c.country_name(s.origin)),
        (lab["destination"], c.country_name(s.destination)),
    ]
    label_w = max(sh.text_width(f"{label}:", 7.5, bold=True) for label, _ in facts) + 6
    for i, (label, value) in enumerate(facts):
        col, line = i % 2, i // 2
        sh.text(L + col * W / 2, y + line * 11, f"{label}:", 7.5, bold=True)
        sh.text(L + col * W / 2 + label_w, y + line * 11, value, 7.5)
    y += ((len(facts) + 1) // 2) * 11
    if show_cntr:
        sh.text(L, y, f"{lab['containers']}:", 7.5, bold=True)
        boxes = ", ".join(f"{k.number} ({k.size_type})" for k in s.containers)
        sh.text(L + label_w, y, boxes, 7.5)
        y += 11
    y += 12
    if invoice:
        cols = [Col("Item", 28, "center"), Col(lab["description"], 210 if show_hs else 270)]
        if show_hs:
            cols.append(Col(lab["hs"], 60, "center"))
        cols += [
            Col(lab["quantity"], 64, "right"),
            Col(f"{lab['unit_price']} {s.currency}", 66, "right"),
            Col(f"{lab['amount']} {s.currency}", W - 28 - 270 - 64 - 66, "right"),
        ]
        rows = []
        for i, li in enumerate(s.lines):
            row = [f"{i + 1:02d}", li.description]
            if show_hs:
                row.append(li.product.hs10[:hs_digits])
            row += [
                f"{c.qty(li.quantity, ns)} {li.product.unit}",
                c.price(li.unit_price, ns),
                c.amount(li.amount, ns),
            ]
            rows.append(row)
    else:
        # Packing lists number the cartons: each line covers a range, "C/NO. 1-51".
        cols = [Col("C/Nos.", 46, "center"), Col(lab["description"], 160 if show_hs else 220)]
        if show_hs:
            cols.append(Col(lab["hs"], 60, "center"))
        cols += [
            Col(lab["quantity"], 60, "right"),
            Col(s.package_kind[1], 44, "right"),
            Col(f"{lab['net']}", 62, "right"),
            Col(f"{lab['gross']}", W - 46 - 220 - 60 - 44 - 62, "right"),
        ]
        rows = []
        first = 1
        for li in s.lines:
            row = [f"{first}-{first + li.packages - 1}", li.description]
            first += li.packages
            if show_hs:
                row.append(li.product.hs10[:hs_digits])
            row += [
                f"{c.qty(li.quantity, ns)} {li.product.unit}",
                c.qty(li.packages, ns),
                c.kg(li.net_kg, ns),
                c.kg(li.gross_kg, ns),
            ]
            rows.append(row)
    y = sh.table(L, y, cols, rows, grid="rules", size=8, header_h=18, row_h=10)
    y += 14
    if invoice:
        # Printed currency: the code, or the symbol some issuers prefer on the total line.
        shown = rng.choice(
            {"USD": ("USD", "USD", "US$"), "EUR": ("EUR", "EUR", "€")}.get(
                s.currency, (s.currency,)
            )
        )
        sh.text(L + W - 120, y, f"{lab['total']} {shown}", 9, bold=True, align="right")
        sh.text(L + W - 3, y, c.amount(s.total_amount, ns), 9, bold=True, align="right")
        y += 22
        tot = [
            f"{lab['packages']}: {c.qty(s.packages, ns)} {s.package_kind[0].lower()}",
            f"{lab['gross']}: {c.kg(s.gross_kg, ns)} kg",
            f"{lab['net']}: {c.kg(s.net_kg, ns)} kg",
        ]
        sh.lines(L, y, tot, 8)
    else:
        sh.text(L + 60, y, lab["total"], 9, bold=True)
        # Totals under their columns: packages, net and gross are the last three.
        n = len(cols)
        sh.text(_right(L, cols, n - 3), y, c.qty(s.packages, ns), 8.5, bold=True, align="right")
        sh.text(_right(L, cols, n - 2), y, c.kg(s.net_kg, ns), 8.5, bold=True, align="right")
        sh.text(_right(L, cols, n - 1), y, c.kg(s.gross_kg, ns), 8.5, bold=True, align="right")
        y += 22
        sh.lines(
            L,
            y,
            [
                f"{lab['packages']}: {c.qty(s.packages, ns)} {s.package_kind[0].lower()}",
                f"Total measurement: {s.cbm:.3f} CBM",
            ],
            8,
        )
    y += 60
    sh.text(L, y, "We hereby certify that the above particulars are true and correct.", 7.5)
    sh.hline(L + W - 160, L + W, y + 40)
    sh.text(L + W - 80, y + 50, s.seller.name, 7, align="center")
    sh.save()
    return _truth(kind, s, hs_digits=hs_digits, transport=show_bl, containers=show_cntr)


# --- style 3: bilingual 商业发票 / 装箱单 grid ---------------------------------------------------


def bilingual(kind: DocumentType, path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    ds = rng.choice(("iso", "slash", "dmy"))
    ns = "en"
    invoice = kind is INVOICE
    hs_digits = rng.choice((8, 10))
    show_bl = rng.random() < 0.7
    show_cntr = bool(s.containers) and rng.random() < 0.7
    zh_title, en_title = (
        ("商业发票", "COMMERCIAL INVOICE") if invoice else ("装箱单", "PACKING LIST")
    )
    sh = Sheet(path, title=en_title)
    L, W = 28.0, sh.width - 56
    name_top = s.seller.name_zh or s.seller.name
    sh.text(sh.width / 2, 42, name_top, 13, bold=True, align="center")
    if s.seller.name_zh:
        sh.text(sh.width / 2, 55, s.seller.name.upper(), 8.5, align="center")
    sh.text(sh.width / 2, 65, c.join_nonempty(list(s.seller.address)), 7, align="center")
    sh.text(sh.width / 2, 86, f"{zh_title}  {en_title}", 14, bold=True, align="center")
    sh.hline(L, L + W, 92, 1.2)
    y = 98.0
    half = W * 0.58
    sh.box(L, y, half, 66, "出口商 Exporter / Shipper", c.party_lines(s.seller), size=7.5)
    refs = [
        ("发票号 Invoice No.", s.invoice_number),
        ("日期 Date", c.day(s.invoice_date, ds)),
        ("合同号 Contract No.", s.contract_number),
    ]
    for i, (label, value) in enumerate(refs):
        sh.box(L + half, y + i * 22, W - half, 22, label, [value], size=8, label_size=5.5)
    y += 66
    sh.box(L, y, half, 66, "收货人 Consignee", c.party_lines(s.buyer, phone=True), size=7.5)
    terms = [
        ("价格条款 Price Terms", _terms(s) if invoice else ""),
        ("付款方式 Payment", s.payment_terms if invoice else ""),
        ("唛头 Marks", " / ".join(s.marks.replace("{n}", str(s.packages)).split("\n"))),
    ]
    for i, (label, value) in enumerate(terms):
        sh.box(L + half, y + i * 22, W - half, 22, label, [value], size=7, label_size=5.5)
    y += 66
    w3 = W / 3
    cells = [
        ("装运港 Port of Loading", s.loading.name.upper()),
        ("目的港 Port of Destination", s.discharge.name.upper()),
        ("运输工具 Vessel / Flight", _vessel(s)),
        ("原产国 Country of Origin", c.country_name(s.origin).upper()),
        ("目的国 Destination", c.country_name(s.destination).upper()),
        (
            "提单号 B/L No." if s.mode == "sea" else "运单号 AWB No.",
            s.transport_number if show_bl else "",
        ),
    ]
    for i, (label, value) in enumerate(cells):
        sh.box(L + (i % 3) * w3, y + (i // 3) * 24, w3, 24, label, [value], size=8, label_size=5.5)
    y += 48
    if show_cntr:
        sh.box(
            L,
            y,
            W,
            22,
            "集装箱号 Container No.",
            ["   ".join(f"{k.number}/{k.size_type}/SEAL {k.seal}" for k in s.containers)],
            size=7.5,
            label_size=5.5,
        )
        y += 22
    y += 6
    if invoice:
        cols = [
            Col("序号\nNo.", 24, "center"),
            Col("货物描述\nDescription of Goods", 178),
            Col("海关编码\nHS Code", 58, "center"),
            Col("数量\nQuantity", 54, "right"),
            Col("单位\nUnit", 30, "center"),
            Col(f"单价 Unit Price\n({s.currency})", 80, "right"),
            Col(f"金额 Amount\n({s.currency})", W - 424, "right"),
        ]
        rows = [
            [
                str(i + 1),
                f"{li.description}\n{li.product.description_zh}",
                li.product.hs10[:hs_digits],
                c.qty(li.quantity, ns),
                li.product.unit,
                c.price(li.unit_price, ns),
                c.amount(li.amount, ns),
            ]
            for i, li in enumerate(s.lines)
        ]
    else:
        cols = [
            Col("序号\nNo.", 24, "center"),
            Col("货物描述\nDescription of Goods", 150),
            Col("海关编码\nHS Code", 56, "center"),
            Col("数量\nQuantity", 56, "right"),
            Col("件数\nPackages", 46, "right"),
            Col("净重(千克)\nN.W. (kg)", 64, "right"),
            Col("毛重(千克)\nG.W. (kg)", 64, "right"),
            Col("体积\nCBM", W - 460, "right"),
        ]
        rows = [
            [
                str(i + 1),
                f"{li.description}\n{li.product.description_zh}",
                li.product.hs10[:hs_digits],
                f"{c.qty(li.quantity, ns)} {li.product.unit}",
                c.qty(li.packages, ns),
                c.kg(li.net_kg, ns),
                c.kg(li.gross_kg, ns),
                f"{li.cbm:.3f}",
            ]
            for i, li in enumerate(s.lines)
        ]
    y = sh.table(L, y, cols, rows, size=7.5, header_h=22, row_h=9.5, min_h=130)
    sh.rect(L, y, W, 18)
    sh.text(L + 28, y + 12, "合计 TOTAL", 8, bold=True)
    if invoice:
        sh.text(
            L + W - 3,
            y + 12,
            f"{s.currency} {c.amount(s.total_amount, ns)}",
            9,
            bold=True,
            align="right",
        )
    else:
        sh.text(_right(L, cols, 4), y + 12, c.qty(s.packages, ns), 8, bold=True, align="right")
        sh.text(_right(L, cols, 5), y + 12, c.kg(s.net_kg, ns), 8, bold=True, align="right")
        sh.text(_right(L, cols, 6), y + 12, c.kg(s.gross_kg, ns), 8, bold=True, align="right")
        sh.text(L + W - 3, y + 12, f"{s.cbm:.3f}", 8, bold=True, align="right")
    y += 30
    summary = [
        f"总件数 Total Packages: {c.qty(s.packages, ns)} {s.package_kind[1]} ({s.package_kind[2]})",
        f"总毛重 Total Gross Weight: {c.kg(s.gross_kg, ns)} KGS",
        f"总净重 Total Net Weight: {c.kg(s.net_kg, ns)} KGS",
    ]
    sh.lines(L, y, summary, 8)
    sh.text(L + W, y + 40, f"{name_top}", 8, align="right")
    sh.text(L + W, y + 52, "（盖章 Stamp & Signature）", 7, align="right")
    sh.save()
    return _truth(kind, s, hs_digits=hs_digits, transport=show_bl, containers=show_cntr)


Style = Callable[[DocumentType, Path, Shipment, random.Random], c.Truth]


def _bind(style: Style, kind: DocumentType) -> c.LayoutFn:
    def draw(path: Path, s: Shipment, rng: random.Random) -> c.Truth:
        return style(kind, path, s, rng)

    return draw


def _chinese_party(s: Shipment) -> bool:
    return "CN" in (s.seller.country, s.buyer.country)


INVOICE_LAYOUTS: tuple[c.Layout, ...] = (
    c.Layout("ci-grid", _bind(grid, INVOICE)),
    c.Layout("ci-letterhead", _bind(letterhead, INVOICE)),
    c.Layout("ci-bilingual", _bind(bilingual, INVOICE), fits=_chinese_party, language="en+zh"),
)
PACKING_LAYOUTS: tuple[c.Layout, ...] = (
    c.Layout("pl-grid", _bind(grid, PACKING)),
    c.Layout("pl-letterhead", _bind(letterhead, PACKING)),
    c.Layout("pl-bilingual", _bind(bilingual, PACKING), fits=_chinese_party, language="en+zh"),
)
