"""Customs declarations: the Chinese export and import forms (中华人民共和国海关出口/进口货物报关单,
2018 layout), an EU Single Administrative Document export copy, and a generic English export
declaration."""

from __future__ import annotations

import random
from pathlib import Path

from docintake.domain import DocumentType
from docintake.tradegen import common as c
from docintake.tradegen.data import CURRENCY_ZH, Shipment
from docintake.tradegen.render import LANDSCAPE, Col, Sheet

CUSTOMS = DocumentType.CUSTOMS

# 成交方式: the Chinese form knows CIF, C&F, FOB, C&I, EXW (and two non-Incoterm codes);
# brokers declare the other Incoterms under the nearest one.
_CN_TERMS = {
    "FOB": "FOB",
    "FCA": "FOB",
    "CFR": "C&F",
    "CPT": "C&F",
    "CIF": "CIF",
    "CIP": "CIF",
    "DAP": "CIF",
    "EXW": "EXW",
}
_CN_TERMS_CANON = {"FOB": "FOB", "C&F": "CFR", "CIF": "CIF", "EXW": "EXW"}
_CN_MODES = {"sea": "水路运输", "air": "航空运输"}
_BROKER_NAMES = ("王伟", "李娜", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽")


def _cn_declaration(path: Path, s: Shipment, rng: random.Random, *, export: bool) -> c.Truth:
    title = "中华人民共和国海关出口货物报关单" if export else "中华人民共和国海关进口货物报关单"
    sh = Sheet(path, LANDSCAPE, title=title)
    L, W = 24.0, sh.width - 48
    domestic, foreign = (s.seller, s.buyer) if export else (s.buyer, s.seller)
    code, office = s.customs_office
    terms = _CN_TERMS[s.incoterm]
    cur_zh = CURRENCY_ZH.get(s.currency, s.currency)
    foreign_port = s.discharge if export else s.loading
    cn_port = s.loading if export else s.discharge
    sh.text(sh.width / 2, 34, title, 15, bold=True, align="center")
    sh.text(L, 52, f"预录入编号：{s.pre_entry_number}", 8)
    sh.text(L + 230, 52, f"海关编号：{s.declaration_number}", 8)
    sh.text(L + 470, 52, f"（{office}）", 8)
    sh.text(L + W, 52, "页码/页数：1/1", 8, align="right")
    y = 58.0
    h = 25.0
    size = 7.5

    def row(cells: list[tuple[str, str, float]], height: float = h) -> None:
        nonlocal y
        x = L
        for i, (label, value, width) in enumerate(cells):
            w = width if i < len(cells) - 1 else L + W - x
            sh.box(
                x,
                y,
                w,
                height,
                label,
                value.split("\n") if value else [],
                size=size,
                label_size=6.5,
            )
            x += w
        y += height

    party_domestic = f"{domestic.tax_id}\n{domestic.name_zh}"
    if export:
        row(
            [
                ("境内发货人", party_domestic, 250),
                ("出境关别", f"{office}（{code}）", 110),
                ("出口日期", c.day(s.onboard_date, "compact") if rng.random() < 0.5 else "", 90),
                ("申报日期", c.day(s.declaration_date, "compact"), 90),
                ("备案号", "", 0),
            ],
            h + 6,
        )
        row(
            [
                ("境外收货人", foreign.name, 250),
                ("运输方式", _CN_MODES[s.mode], 110),
                ("运输工具名称及航次号", f"{s.vessel}/{s.voyage}" if s.voyage else s.vessel, 180),
                ("提运单号", s.transport_number, 0),
            ]
        )
        row(
            [
                ("生产销售单位", party_domestic, 250),
                ("监管方式", "一般贸易", 110),
                ("征免性质", "一般征税", 180),
                ("许可证号", "", 0),
            ],
            h + 6,
        )
        row(
            [
                ("合同协议号", s.contract_number, 250),
                ("贸易国（地区）", c.country_zh(s.buyer.country), 110),
                ("运抵国（地区）", c.country_zh(s.destination), 90),
                ("指运港", f"{foreign_port.name_zh}（{c.country_zh(foreign_port.country)}）", 90),
                ("离境口岸", cn_port.name_zh, 0),
            ]
        )
    else:
        row(
            [
                ("境内收货人", party_domestic, 250),
                ("进境关别", f"{office}（{code}）", 110),
                ("进口日期", c.day(s.arrival_date, "compact"), 90),
                ("申报日期", c.day(s.declaration_date, "compact"), 90),
                ("备案号", "", 0),
            ],
            h + 6,
        )
        row(
            [
                ("境外发货人", foreign.name, 250),
                ("运输方式", _CN_MODES[s.mode], 110),
                ("运输工具名称及航次号", f"{s.vessel}/{s.voyage}" if s.voyage else s.vessel, 180),
                ("提运单号", s.transport_number, 170),
                ("货物存放地点", f"{cn_port.name_zh}监管库", 0),
            ]
        )
        row(
            [
                ("消费使用单位", party_domestic, 250),
                ("监管方式", "一般贸易", 110),
                ("征免性质", "一般征税", 180),
                ("许可证号", "", 170),
                ("启运港", f"{foreign_port.name_zh}（{c.country_zh(foreign_port.country)}）", 0),
            ],
            h + 6,
        )
        row(
            [
                ("合同协议号", s.contract_number, 250),
                ("贸易国（地区）", c.country_zh(s.seller.country), 110),
                ("启运国（地区）", c.country_zh(s.export_country), 90),
                ("经停港", "", 90),
                ("入境口岸", cn_port.name_zh, 0),
            ]
        )
    freight = ""
    if terms in ("C&F", "CIF"):
        freight = f"{cur_zh}/{rng.randint(8, 40) * 100}/3"
    row(
        [
            ("包装种类", s.package_kind[2], 110),
            ("件数", str(s.packages), 60),
            ("毛重(千克)", f"{s.gross_kg:.2f}", 80),
            ("净重(千克)", f"{s.net_kg:.2f}", 80),
            ("成交方式", terms, 60),
            ("运费", freight, 100),
            ("保费", "", 80),
            ("杂费", "", 0),
        ]
    )
    docs = f"随附单证1：发票 {s.invoice_number}；随附单证2：装箱单"
    row([("随附单证及编号", docs, 0)])
    marks = " ".join(s.marks.replace("{n}", str(s.packages)).split("\n"))
    cntr = " ".join(k.number for k in s.containers) if s.containers else "N/M"
    remark = f"集装箱标箱数：{len(s.containers)}" if s.containers else "空运"
    row(
        [
            (
                "标记唛码及备注",
                f"{marks}  备注：{remark}",
                420,
            ),
            ("集装箱号", cntr, 0),
        ],
        h + 4,
    )
    cols = [
        Col("项号", 30, "center"),
        Col("商品编号", 72, "center"),
        Col("商品名称及规格型号", 200),
        Col("数量及单位", 78, "right"),
        Col("单价/总价/币制", 86, "right"),
        Col("原产国（地区）", 72, "center"),
        Col("最终目的国（地区）", 80, "center"),
        Col("境内货源地" if export else "境内目的地", 90, "center"),
        Col("征免", W - 708, "center"),
    ]
    rows = []
    for i, li in enumerate(s.lines):
        home = (s.seller if export else s.buyer).city_zh
        rows.append(
            [
                str(i + 1),
                li.product.hs10,
                f"{li.product.description_zh}\n{li.product.spec_zh}",
                f"{li.quantity}{li.product.unit_zh}\n{li.net_kg:.2f}千克",
                f"{li.unit_price:.4f}\n{li.amount:.2f}\n{cur_zh}",
                c.country_zh(li.origin),
                c.country_zh(s.destination),
                home,
                "照章征税",
            ]
        )
    y = sh.table(L, y, cols, rows, size=7.5, header_size=7, header_h=15, row_h=9.5, min_h=150)
    y += 4
    sh.text(
        L,
        y + 9,
        "特殊关系确认：否    价格影响确认：否    支付特许权使用费确认：否    自报自缴：是",
        7.5,
    )
    y += 16
    broker = rng.choice(_BROKER_NAMES)
    foot_h = 48.0
    sh.rect(L, y, W, foot_h)
    sh.vline(L + W * 0.62, y, y + foot_h)
    sh.text(
        L + 4,
        y + 11,
        f"报关人员  {broker}    报关人员证号  {rng.randint(10**7, 10**8 - 1)}    "
        f"电话  {rng.randint(10**7, 10**8 - 1)}",
        7.5,
    )
    sh.text(L + 4, y + 24, "兹申明对以上内容承担如实申报、依法纳税之法律责任", 7.5)
    sh.text(L + 4, y + 40, f"申报单位  {domestic.name_zh}", 7.5)
    sh.text(L + W * 0.62 + 4, y + 11, "海关批注及签章", 7.5)
    sh.text(L + W - 6, y + 40, "申报单位（签章）", 7.5, align="right")
    sh.save()
    return c.truth(
        CUSTOMS,
        document_number=s.contract_number,
        document_date=s.declaration_date,
        declaration_number=s.declaration_number,
        consignor=s.seller.name_zh if export else s.seller.name,
        consignee=s.buyer.name if export else s.buyer.name_zh,
        country_of_origin=s.origin,
        destination_country=s.destination,
        incoterms=_CN_TERMS_CANON[terms],
        currency=s.currency,
        # The form has no total box: the declared value is only printed per item (总价).
        gross_weight_kg=s.gross_kg,
        net_weight_kg=s.net_kg,
        packages=s.packages,
        transport_document_number=s.transport_number,
        container_numbers=[k.number for k in s.containers],
        hs_codes=list(s.hs_codes),
        line_items=[
            c.line_truth(li, description=li.product.description_zh, hs_digits=10, origin=True)
            for li in s.lines
        ],
    )


def cn_export(path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    return _cn_declaration(path, s, rng, export=True)


def cn_import(path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    return _cn_declaration(path, s, rng, export=False)


# --- EU Single Administrative Document, export copy ------------------------------------------

_EU = ("DE", "NL", "FR", "IT", "ES", "PL")


def sad_export(path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    sh = Sheet(path, title="SINGLE ADMINISTRATIVE DOCUMENT")
    L, W = 40.0, sh.width - 64
    ns = "en"
    # The copy number strip down the left edge, as on the printed set.
    sh.rect(24, 24, 16, sh.height - 48)
    sh.text(32, 60, "1", 10, bold=True, align="center")
    sh.text(32, 400, "3", 10, bold=True, align="center")
    sh.text(L + 4, 20, "EUROPEAN COMMUNITY", 8, bold=True)
    y = 24.0
    left = W * 0.5
    sh.box(L, y, left, 64, "2 Consignor/Exporter          No", [*c.party_lines(s.seller)], size=7.5)
    sh.box(L + left, y, 70, 22, "1 D E C L A R A T I O N", ["EX  A"], size=9, bold_values=True)
    sh.box(
        L + left + 70,
        y,
        W - left - 70,
        22,
        "A OFFICE OF DISPATCH/EXPORT",
        [f"{s.export_country}00{rng.randint(1000, 9999)}"],
        size=8,
    )
    sh.box(L + left, y + 22, W - left, 42, "MRN", [s.declaration_number], size=11, bold_values=True)
    y += 64
    sh.box(L, y, left, 60, "8 Consignee                    No", c.party_lines(s.buyer), size=7.5)
    q = (W - left) / 4
    for i, (label, value) in enumerate(
        [
            ("3 Forms", "1 | 1"),
            ("4 Loading lists", ""),
            ("5 Items", str(len(s.lines))),
            ("6 Total packages", str(s.packages)),
        ]
    ):
        sh.box(
            L + left + i * q,
            y,
            q,
            26,
            label,
            [value],
            size=8.5,
            align="right" if i >= 2 else "left",
        )
    sh.box(L + left, y + 26, W - left, 34, "7 Reference number", [s.invoice_number], size=8.5)
    y += 60
    sh.box(
        L,
        y,
        left,
        44,
        "14 Declarant/Representative          No",
        [rng.choice(_fw()), f"EORI {s.export_country}{rng.randint(10**11, 10**12 - 1)}"],
        size=7.5,
    )
    sh.box(
        L + left,
        y,
        (W - left) / 2,
        22,
        "15 Country of dispatch/export",
        [c.country_name(s.export_country).upper()],
        size=7.5,
    )
    sh.box(
        L + left + (W - left) / 2,
        y,
        (W - left) / 4,
        22,
        "15 C.disp./exp. Code",
        [s.export_country],
        size=8,
    )
    sh.box(
        L + left + (W - left) * 0.75,
        y,
        (W - left) / 4,
        22,
        "17 C.dest. Code",
        [s.destination],
        size=8,
    )
    sh.box(
        L + left,
        y + 22,
        W - left,
        22,
        "17 Country of destination",
        [c.country_name(s.destination).upper()],
        size=7.5,
    )
    y += 44
    sh.box(
        L,
        y,
        left * 0.8,
        26,
        "18 Identity and nationality of means of transport at departure",
        [f"{s.vessel} {s.voyage}" if s.mode == "sea" else f"FLIGHT {s.vessel}"],
        size=7.5,
    )
    sh.box(L + left * 0.8, y, left * 0.2, 26, "19 Ctr.", ["1" if s.containers else "0"], size=8)
    sh.box(
        L + left,
        y,
        W - left,
        26,
        "20 Delivery terms",
        [f"{s.incoterm}  {s.incoterm_place.upper()}"],
        size=8,
    )
    y += 26
    sh.box(
        L,
        y,
        left,
        26,
        "21 Identity and nationality of active means of transport crossing the border",
        [f"{s.vessel}" + (" / " + s.transport_number)],
        size=7.5,
    )
    sh.box(
        L + left,
        y,
        (W - left) * 0.6,
        26,
        "22 Currency and total amount invoiced",
        [f"{s.currency}   {c.amount(s.total_amount, ns)}"],
        size=8.5,
        bold_values=True,
    )
    sh.box(
        L + left + (W - left) * 0.6,
        y,
        (W - left) * 0.4,
        26,
        "24 Nature of transaction",
        ["11"],
        size=8,
    )
    y += 26
    fifth = W / 5
    for i, (label, value) in enumerate(
        [
            ("25 Mode of transport at the border", "1" if s.mode == "sea" else "4"),
            ("26 Inland mode of transport", "3"),
            ("27 Place of loading", s.loading.name.upper()),
            ("29 Office of exit", f"{s.export_country}00{rng.randint(1000, 9999)}"),
            ("30 Location of goods", s.loading.code),
        ]
    ):
        sh.box(L + i * fifth, y, fifth, 26, label, [value], size=7.5)
    y += 30
    containers = " ".join(k.number for k in s.containers)
    for n, li in enumerate(s.lines):
        bh = 74.0 if len(s.lines) < 5 else 70.0
        sh.rect(L, y, W, bh)
        sh.text(
            L + 3,
            y + 8,
            "31 Packages and description of goods — Marks and numbers - Container No(s) - "
            "Number and kind",
            6,
            gray=0.15,
        )
        desc = [
            f"{li.packages} {s.package_kind[0]}  {li.description.upper()}",
            f"Marks: {s.marks.split(chr(10))[0]}"
            + (f"   Containers: {containers}" if containers else ""),
        ]
        sh.lines(L + 4, y + 20, [t for d in desc for t in sh.wrap(d, W * 0.52, 7.5)], 7.5)
        bx = L + W * 0.56
        bw = W - W * 0.56
        cells = [
            ("32 Item No", str(n + 1), 0.2),
            ("33 Commodity Code", li.product.hs10[:8], 0.45),
            ("34a C.orig. Code", li.origin, 0.35),
            ("35 Gross mass (kg)", c.kg(li.gross_kg, ns), 0.5),
            ("37 Procedure", "10 00", 0.5),
            ("38 Net mass (kg)", c.kg(li.net_kg, ns), 0.5),
            ("41 Supplementary units", str(li.quantity), 0.5),
        ]
        cx, cy = bx, y
        row_w = 0.0
        for label, value, frac in cells:
            w = bw * frac
            if row_w + frac > 1.001:
                cx, cy, row_w = bx, cy + 24, 0.0
            sh.box(
                cx,
                cy,
                w,
                24,
                label,
                [value],
                size=7.5,
                align="right" if "mass" in label or "units" in label else "left",
            )
            cx += w
            row_w += frac
        sh.text(
            L + 4, y + bh - 6, f"46 Statistical value: {s.currency} {c.amount(li.amount, ns)}", 7.5
        )
        y += bh
    y += 4
    sh.box(
        L,
        y,
        W * 0.5,
        40,
        "44 Additional information/Documents produced",
        [f"N935 {s.invoice_number}", f"N705 {s.transport_number}"],
        size=7.5,
    )
    sh.box(
        L + W * 0.5,
        y,
        W * 0.5,
        40,
        "54 Place and date:",
        [
            f"{s.loading.name}, {c.day(s.declaration_date, 'dotted')}",
            "Signature and name of declarant/representative",
        ],
        size=7.5,
    )
    sh.save()
    shown = s.lines
    return c.truth(
        CUSTOMS,
        document_number=s.invoice_number,
        document_date=s.declaration_date,
        declaration_number=s.declaration_number,
        consignor=s.seller.name,
        consignee=s.buyer.name,
        country_of_origin=s.origin,
        destination_country=s.destination,
        incoterms=s.incoterm,
        currency=s.currency,
        total_amount=s.total_amount,
        packages=s.packages,
        transport_document_number=s.transport_number,
        container_numbers=[k.number for k in s.containers],
        hs_codes=[li.product.hs10[:8] for li in shown],
        line_items=[
            {
                "description": li.description.upper(),
                "quantity": str(li.quantity),
                "amount": c.canon_amount(li.amount),
                "hs_code": li.product.hs10[:8],
                "country_of_origin": li.origin,
                "gross_weight_kg": c.canon_amount(li.gross_kg),
                "net_weight_kg": c.canon_amount(li.net_kg),
                "packages": str(li.packages),
            }
            for li in shown
        ],
    )


def _fw() -> tuple[str, ...]:
    from docintake.tradegen.data import FORWARDERS

    return FORWARDERS


# --- a generic English export declaration (list and table) ------------------------------------


def export_generic(path: Path, s: Shipment, rng: random.Random) -> c.Truth:
    lab = c.labels(rng)
    ds = c.date_style(rng, s)
    sh = Sheet(path, title="EXPORT DECLARATION")
    L, W = 36.0, sh.width - 72
    authority = {
        "MY": "ROYAL CUSTOMS DEPARTMENT",
        "VN": "GENERAL DEPARTMENT OF CUSTOMS",
        "IN": "CENTRAL BOARD OF INDIRECT TAXES AND CUSTOMS",
        "JP": "CUSTOMS AND TARIFF BUREAU",
        "KR": "KOREA CUSTOMS SERVICE",
    }.get(s.export_country, "CUSTOMS ADMINISTRATION")
    sh.text(L + W / 2, 44, authority, 9, align="center")
    sh.text(L + W / 2, 62, "CUSTOMS EXPORT DECLARATION", 14, bold=True, align="center")
    sh.text(
        L + W / 2,
        74,
        "(Goods exported by sea or air — to be completed in English)",
        7,
        align="center",
        gray=0.3,
    )
    sh.box(L, 84, W / 2, 30, "Declaration No.", [s.declaration_number], size=10, bold_values=True)
    sh.box(
        L + W / 2, 84, W / 4, 30, "Date of Declaration", [c.day(s.declaration_date, ds)], size=8.5
    )
    sh.box(
        L + W * 0.75,
        84,
        W / 4,
        30,
        "Customs Station",
        [f"{s.loading.name.upper()} ({s.loading.code})"],
        size=8,
    )
    y = 126.0
    sections = [
        ("1. " + lab["consignor"], c.party_lines(s.seller)),
        (
            "2. " + ("Consignee" if lab["consignee"] == "Sold To" else lab["consignee"]),
            c.party_lines(s.buyer),
        ),
    ]
    for i, (label, lines) in enumerate(sections):
        sh.box(L + i * W / 2, y, W / 2, 58, label, lines, size=7.5)
    y += 66
    facts = [
        ("3. Mode of transport", "SEA" if s.mode == "sea" else "AIR"),
        ("4. Vessel / Flight", f"{s.vessel} {s.voyage}".strip()),
        ("5. " + lab["loading"], s.loading.name),
        ("6. " + lab["discharge"], f"{s.discharge.name}, {c.country_name(s.discharge.country)}"),
        ("7. Country of final destination", c.country_name(s.destination)),
        ("8. " + lab["terms"], f"{s.incoterm} {s.incoterm_place}"),
        ("9. " + lab["invoice_no"], s.invoice_number),
        ("10. Invoice value", f"{s.currency} {c.amount(s.total_amount)}"),
        ("11. " + (lab["bl_no"] if s.mode == "sea" else lab["awb_no"]), s.transport_number),
        ("12. " + lab["packages"], f"{s.packages} {s.package_kind[0]}"),
        ("13. " + lab["gross"], f"{c.kg(s.gross_kg)} KG"),
        ("14. " + lab["net"], f"{c.kg(s.net_kg)} KG"),
    ]
    label_w = max(sh.text_width(f"{label}:", 7.5, bold=True) for label, _ in facts) + 8
    for i, (label, value) in enumerate(facts):
        col, r = i % 2, i // 2
        x = L + col * W / 2
        sh.text(x + 2, y + r * 13, f"{label}:", 7.5, bold=True)
        sh.text(x + 2 + label_w, y + r * 13, value, 8)
    y += 6 * 13 + 2
    if s.containers:
        sh.text(L + 2, y, "15. " + lab["containers"] + ":", 7.5, bold=True)
        sh.text(L + 2 + label_w, y, ", ".join(k.number for k in s.containers), 8)
        y += 13
    y += 8
    cols = [
        Col("Item", 28, "center"),
        Col("HS Code", 62, "center"),
        Col("Description of Goods", W - 28 - 62 - 44 - 64 - 36 - 62 - 74),
        Col("Origin", 44, "center"),
        Col("Quantity", 64, "right"),
        Col("Unit", 36, "center"),
        Col("Net Wt (kg)", 62, "right"),
        Col(f"Value\n({s.currency})", 74, "right"),
    ]
    rows = [
        [
            str(i + 1),
            li.product.hs10[:8],
            li.description,
            li.origin,
            c.qty(li.quantity),
            li.product.unit,
            c.kg(li.net_kg),
            c.amount(li.amount),
        ]
        for i, li in enumerate(s.lines)
    ]
    y = sh.table(L, y, cols, rows, size=7.5, header_h=20, row_h=10, min_h=120, header_fill=0.92)
    sh.rect(L, y, W, 16)
    sh.text(L + 100, y + 11, "TOTAL", 8, bold=True)
    sh.text(L + W - 3, y + 11, c.amount(s.total_amount), 8, bold=True, align="right")
    sh.text(L + W - 77, y + 11, c.kg(s.net_kg), 8, bold=True, align="right")
    y += 40
    decl = (
        "I/We declare that the particulars given above are true and complete and that the goods "
        "described are being exported under the conditions stated."
    )
    sh.lines(L, y, sh.wrap(decl, W, 7.5), 7.5)
    sh.text(L, y + 40, f"Declarant: {rng.choice(_fw())}", 8)
    sh.hline(L + W - 170, L + W, y + 50)
    sh.text(L + W - 85, y + 60, "Signature / Company stamp", 7, align="center")
    sh.rect(L, y + 76, W, 60)
    sh.text(L + 4, y + 86, "FOR CUSTOMS USE ONLY", 7, bold=True, gray=0.3)
    sh.save()
    return c.truth(
        CUSTOMS,
        document_number=s.invoice_number,
        document_date=s.declaration_date,
        declaration_number=s.declaration_number,
        consignor=s.seller.name,
        consignee=s.buyer.name,
        country_of_origin=s.origin,
        destination_country=s.destination,
        incoterms=s.incoterm,
        currency=s.currency,
        total_amount=s.total_amount,
        gross_weight_kg=s.gross_kg,
        net_weight_kg=s.net_kg,
        packages=s.packages,
        transport_document_number=s.transport_number,
        container_numbers=[k.number for k in s.containers],
        hs_codes=[li.product.hs10[:8] for li in s.lines],
        line_items=[
            {
                "description": li.description,
                "quantity": str(li.quantity),
                "amount": c.canon_amount(li.amount),
                "hs_code": li.product.hs10[:8],
                "country_of_origin": li.origin,
                "net_weight_kg": c.canon_amount(li.net_kg),
            }
            for li in s.lines
        ],
    )


CUSTOMS_LAYOUTS: tuple[c.Layout, ...] = (
    c.Layout("customs-cn-export", cn_export, fits=lambda s: s.direction == "export", language="zh"),
    c.Layout("customs-cn-import", cn_import, fits=lambda s: s.direction == "import", language="zh"),
    c.Layout(
        "customs-eu-sad",
        sad_export,
        fits=lambda s: s.direction == "other" and s.export_country in _EU,
    ),
    c.Layout("customs-export-en", export_generic, fits=lambda s: s.direction == "other"),
)
