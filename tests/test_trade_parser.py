"""The trade parser on constructed page layouts: forms, grids, tables, English and Chinese."""

from __future__ import annotations

import pytest
from ocr_fixtures import lines_to_text

from docintake.domain import DocumentText, DocumentType, Line, Page, Word
from extractors.parsers import parse_fields
from extractors.parsers.trade import hs_in, parse_trade
from extractors.parsers.trade_names import country_code, currency_code, incoterm


def _form(rows: list[list[tuple[int, str]]], *, char: int = 12, gap: int = 40) -> DocumentText:
    """A one-page layout: each row is a list of (x, text) cells; words ``char`` px a letter.

    CJK characters are as wide as two Latin letters, as on a printed page.
    """
    lines = []
    for i, cells in enumerate(rows):
        words = []
        for x, cell in cells:
            for token in cell.split():
                width = sum(2 * char if "\u4e00" <= c <= "\u9fff" else char for c in token)
                words.append(Word(token, 0.97, x, 40 + gap * i, width, 24))
                x += width + char
        lines.append(Line(words=tuple(words)))
    return DocumentText(pages=(Page(1, 2400, 80 + gap * len(rows), tuple(lines)),), engine="t")


def _values(fields: dict, *names: str) -> dict[str, object]:
    return {name: fields[name].value if name in fields else None for name in names}


# ---- a Chinese export declaration (中华人民共和国海关出口货物报关单) -----------------------


CN_EXPORT = [
    [(700, "中华人民共和国海关出口货物报关单")],
    [(20, "预录入编号：310120260000123456"), (900, "海关编号：310120261000654321")],
    [(20, "境内发货人"), (500, "出境关别"), (800, "出口日期"), (1100, "申报日期")],
    [(20, "91310000MA1FL8XK2Q"), (500, "洋山海关（2248）"), (1100, "20260312")],
    [(20, "上海华东进出口有限公司")],
    [(20, "境外收货人"), (500, "运输方式"), (800, "运输工具名称及航次号"), (1300, "提运单号")],
    [
        (20, "Nordlicht Handels GmbH"),
        (500, "水路运输"),
        (800, "MSC ANNA/612W"),
        (1300, "MEDUSH884123"),
    ],
    [(20, "合同协议号"), (500, "贸易国（地区）"), (800, "运抵国（地区）"), (1100, "指运港")],
    [(20, "SHEC-2026-031"), (500, "德国"), (800, "德国"), (1100, "汉堡（德国）")],
    [(20, "包装种类"), (300, "件数"), (500, "毛重(千克)"), (800, "净重(千克)"), (1100, "成交方式")],
    [(20, "纸箱"), (300, "120"), (500, "2410.50"), (800, "2200.00"), (1100, "FOB")],
    [(20, "标记唛码及备注"), (1300, "集装箱号")],
    [(20, "N/M"), (1300, "MSCU1234566")],
    [
        (20, "项号"),
        (150, "商品编号"),
        (400, "商品名称及规格型号"),
        (800, "数量及单位"),
        (1050, "单价/总价/币制"),
        (1350, "原产国（地区）"),
        (1650, "最终目的国（地区）"),
    ],
    [
        (20, "1"),
        (150, "8516609000"),
        (400, "电饭煲"),
        (800, "600台"),
        (1050, "12.5000"),
        (1350, "中国"),
        (1650, "德国"),
    ],
    [(400, "3L|电热|无品牌"), (800, "1500千克"), (1050, "7500.00")],
    [(1050, "美元")],
    [
        (20, "2"),
        (150, "8516109000"),
        (400, "电热水壶"),
        (800, "400台"),
        (1050, "6.2500"),
        (1350, "中国"),
        (1650, "德国"),
    ],
    [(400, "1.7L|不锈钢|无品牌"), (800, "700千克"), (1050, "2500.00")],
    [(1050, "美元")],
    [],
    [],
    [(20, "报关人员 王芳 报关人员证号 31084425 电话 62345678")],
]


def test_chinese_export_declaration() -> None:
    fields = parse_trade(_form(CN_EXPORT))
    assert _values(
        fields,
        "declaration_number",
        "document_number",
        "document_date",
        "consignor",
        "consignee",
        "transport_document_number",
        "destination_country",
        "incoterms",
        "currency",
        "packages",
        "gross_weight_kg",
        "net_weight_kg",
        "container_numbers",
        "hs_codes",
        "total_amount",
    ) == {
        # The customs number, not the pre-entry number printed before it.
        "declaration_number": "310120261000654321",
        "document_number": "SHEC-2026-031",
        "document_date": "2026-03-12",
        # The company's credit code on the line above its name is not the name.
        "consignor": "上海华东进出口有限公司",
        "consignee": "Nordlicht Handels GmbH",
        "transport_document_number": "MEDUSH884123",
        "destination_country": "DE",
        "incoterms": "FOB",
        "currency": "USD",
        "packages": "120",
        "gross_weight_kg": "2410.50",
        "net_weight_kg": "2200.00",
        "container_numbers": ("MSCU1234566",),
        # One code per goods line; the declarant's certificate number is no HS code.
        "hs_codes": ("8516609000", "8516109000"),
        # No total printed: the goods lines' amounts add up to it.
        "total_amount": "10000.00",
    }
    items = fields["line_items"].value
    assert [dict(row) for row in items] == [
        # Price, amount and currency are stacked in one cell; the specification line
        # ("3L|电热|无品牌") is not the goods' name.
        {
            "description": "电饭煲",
            "quantity": "600",
            "unit_price": "12.50",
            "amount": "7500.00",
            "hs_code": "8516609000",
            "country_of_origin": "CN",
        },
        {
            "description": "电热水壶",
            "quantity": "400",
            "unit_price": "6.25",
            "amount": "2500.00",
            "hs_code": "8516109000",
            "country_of_origin": "CN",
        },
    ]


def test_chinese_import_declaration_parties() -> None:
    rows = [
        [(700, "中华人民共和国海关进口货物报关单")],
        [(20, "境内收货人：深圳金龙实业有限公司"), (900, "进境关别：蛇口海关")],
        [(20, "境外发货人：Pioneer Brands Ltd"), (900, "申报日期：2026年04月02日")],
        [(20, "启运国（地区）：英国"), (900, "原产国（地区）：英国"), (1500, "币制：英镑")],
    ]
    fields = parse_trade(_form(rows))
    assert _values(
        fields, "consignor", "consignee", "document_date", "country_of_origin", "currency"
    ) == {
        "consignor": "Pioneer Brands Ltd",
        "consignee": "深圳金龙实业有限公司",
        "document_date": "2026-04-02",
        "country_of_origin": "GB",
        "currency": "GBP",
    }


# ---- commercial invoice, packing list ----------------------------------------------------


CI_ROWS = [
    [(400, "BLUEWATER TRADING SDN. BHD.")],
    [(400, "COMMERCIAL INVOICE")],
    [(20, "Exporter"), (800, "Commercial Invoice No.")],
    [(20, "Bluewater Trading Sdn. Bhd."), (800, "INV-2026-2051")],
    [(20, "Lot 50, Jalan Perusahaan 2, 41200 Klang")],
    [(20, "Consignee (Name & Address)"), (800, "Terms")],
    [(20, "Xiamen Xinda Household Products Co., Ltd."), (800, "Delivery Terms: CIP GUANGZHOU")],
    [(20, "Made in"), (500, "Final Destination"), (800, "AWB No.")],
    [(20, "MALAYSIA"), (500, "CHINA"), (800, "176-62690876")],
    [(1000, "Unit Price"), (1250, "Line Total")],
    [(20, "No."), (200, "Description"), (600, "HS Code"), (800, "Qty"), (900, "Unit")],
    [(1000, "(USD)"), (1250, "(USD)")],
    [
        (20, "1"),
        (90, "Power adapter 12V 2A"),
        (600, "8504.40.14"),
        (800, "1,900"),
        (900, "PCS"),
        (1000, "2.34"),
        (1250, "4,446.00"),
    ],
    [(90, "Model: DA-8878")],
    [
        (20, "2"),
        (90, "Laptop computer 14 inch"),
        (600, "8471.30.10"),
        (800, "335"),
        (900, "SETS"),
        (1000, "489.16"),
        (1250, "163,868.60"),
    ],
    [(90, "Model: KC-1883")],
    [(90, "Total Invoice Value:"), (800, "2,235"), (1250, "USD 168,314.60")],
    [(20, "Qty of Pkgs: 86 CARTONS")],
    [(20, "G.W. (KGS): 891.53 KGS")],
    [(20, "Net Weight: 801.56 KGS")],
]


def test_commercial_invoice_boxes_and_goods_table() -> None:
    fields = parse_fields(_form(CI_ROWS), DocumentType.COMMERCIAL_INVOICE)
    assert _values(
        fields,
        "document_number",
        "consignor",
        "consignee",
        "country_of_origin",
        "destination_country",
        "incoterms",
        "currency",
        "total_amount",
        "packages",
        "gross_weight_kg",
        "net_weight_kg",
        "transport_document_number",
        "hs_codes",
    ) == {
        "document_number": "INV-2026-2051",
        "consignor": "Bluewater Trading Sdn. Bhd.",
        "consignee": "Xiamen Xinda Household Products Co., Ltd.",
        "country_of_origin": "MY",
        "destination_country": "CN",
        "incoterms": "CIP",
        "currency": "USD",
        "total_amount": "168314.60",
        "packages": "86",
        "gross_weight_kg": "891.53",
        "net_weight_kg": "801.56",
        "transport_document_number": "176-62690876",
        "hs_codes": ("85044014", "84713010"),
    }
    # The header is printed over three lines; "Model:" lines are attributes, not names.
    assert [dict(r) for r in fields["line_items"].value] == [
        {
            "description": "Power adapter 12V 2A",
            "quantity": "1900",
            "unit_price": "2.34",
            "amount": "4446.00",
            "hs_code": "85044014",
        },
        {
            "description": "Laptop computer 14 inch",
            "quantity": "335",
            "unit_price": "489.16",
            "amount": "163868.60",
            "hs_code": "84713010",
        },
    ]
    # The labelled total agrees with the lines: more sure than either alone.
    assert fields["total_amount"].confidence >= 0.9


def test_packing_list_totals_row_and_per_line_weights() -> None:
    rows = [
        [(20, "PACKING LIST")],
        [(20, "Inv. No.: INV-2026-1671"), (800, "Date: 24 JUL 2026")],
        [
            (20, "Item"),
            (150, "Commodity"),
            (600, "HS No."),
            (800, "Quantity"),
            (1000, "PLTS"),
            (1150, "Net Wt."),
            (1350, "Gross Wt."),
        ],
        [
            (20, "01"),
            (150, "Laptop computer 14 inch"),
            (600, "847130"),
            (800, "335 SETS"),
            (1000, "67"),
            (1150, "493.97"),
            (1350, "596.49"),
        ],
        [
            (20, "02"),
            (150, "Brake pads for passenger cars"),
            (600, "870830"),
            (800, "1,700 SETS"),
            (1000, "85"),
            (1150, "1,863.29"),
            (1350, "1,987.62"),
        ],
        [(150, "Grand Total"), (1000, "152"), (1150, "2,357.26"), (1350, "2,584.11")],
    ]
    fields = parse_trade(_form(rows))
    assert _values(fields, "packages", "net_weight_kg", "gross_weight_kg", "document_date") == {
        "packages": "152",
        "net_weight_kg": "2357.26",
        "gross_weight_kg": "2584.11",
        "document_date": "2026-07-24",
    }
    assert [dict(r) for r in fields["line_items"].value] == [
        {
            "description": "Laptop computer 14 inch",
            "quantity": "335",
            "hs_code": "847130",
            "packages": "67",
            "net_weight_kg": "493.97",
            "gross_weight_kg": "596.49",
        },
        {
            "description": "Brake pads for passenger cars",
            "quantity": "1700",
            "hs_code": "870830",
            "packages": "85",
            "net_weight_kg": "1863.29",
            "gross_weight_kg": "1987.62",
        },
    ]


def test_packing_list_without_totals_row_sums_its_lines() -> None:
    rows = [
        [(20, "Description"), (600, "Qty"), (800, "Cartons"), (1000, "G.W. (kg)")],
        [(20, "Cotton T-shirts"), (600, "1200"), (800, "40"), (1000, "310.50")],
        [(20, "Denim jeans"), (600, "600"), (800, "30"), (1000, "402.25")],
    ]
    fields = parse_trade(_form(rows))
    assert fields["gross_weight_kg"].value == "712.75"
    assert fields["packages"].value == "70"
    # Added up, not printed: not for auto-acceptance.
    assert fields["gross_weight_kg"].confidence < 0.8


# ---- transport documents -----------------------------------------------------------------


BL_ROWS = [
    [(20, "Shipper"), (900, "BILL OF LADING")],
    [(20, "SILVERLINE VIETNAM COMPANY LIMITED"), (900, "B/L No."), (1200, "Booking No.")],
    [(20, "LOT B1, TAN THUAN EPZ, DISTRICT 7"), (900, "BALUSG327910"), (1200, "580854856")],
    [(20, "Consignee (not negotiable unless consigned to order)")],
    [(20, "DONGGUAN BAOLONG IMPORT & EXPORT CO., LTD.")],
    [(20, "Notify Party")],
    [(20, "SAME AS CONSIGNEE")],
    [(20, "Port of Loading"), (600, "Port of Discharge")],
    [(20, "HO CHI MINH CITY, VIET NAM"), (600, "NINGBO, CHINA")],
    [
        (20, "Container No. / Seal No."),
        (500, "No. of Pkgs"),
        (800, "Description of Goods"),
        (1400, "Gross Weight (KGS)"),
    ],
    [
        (20, "TCNU5440944 / BA7029314"),
        (500, "258 PLTS"),
        (800, "POWER ADAPTERS"),
        (1400, "5,142.33"),
    ],
    [(20, "Place and Date of Issue"), (600, "Shipped on Board Date")],
    [(20, "HO CHI MINH CITY 2026/07/13"), (600, "2026/07/13")],
]


def test_bill_of_lading() -> None:
    fields = parse_fields(_form(BL_ROWS), DocumentType.BILL_OF_LADING)
    assert _values(
        fields,
        "document_number",
        "transport_document_number",
        "consignor",
        "consignee",
        "destination_country",
        "container_numbers",
        "packages",
        "gross_weight_kg",
        "document_date",
    ) == {
        # A bill of lading is numbered by its B/L number.
        "document_number": "BALUSG327910",
        "transport_document_number": "BALUSG327910",
        "consignor": "SILVERLINE VIETNAM COMPANY LIMITED",
        "consignee": "DONGGUAN BAOLONG IMPORT & EXPORT CO., LTD.",
        "destination_country": "CN",
        "container_numbers": ("TCNU5440944",),
        "packages": "258",
        "gross_weight_kg": "5142.33",
        "document_date": "2026-07-13",
    }


def test_container_numbers_with_a_bad_check_digit_go_to_review() -> None:
    good = parse_trade(lines_to_text(["Container No.: MSCU 123456-6"]))
    assert good["container_numbers"].value == ("MSCU1234566",)
    assert good["container_numbers"].confidence >= 0.85
    bad = parse_trade(lines_to_text(["Container No.: MSCU1234565"]))
    assert bad["container_numbers"].confidence < 0.7


def test_air_waybill_number_printed_without_label_needs_its_check_digit() -> None:
    assert (
        parse_trade(lines_to_text(["176 KUL 6269 0876 176-62690876", "AIR WAYBILL"]))[
            "transport_document_number"
        ].value
        == "176-62690876"
    )
    # 6269087 mod 7 is 6, not 5: a phone number or a reference, not an air waybill.
    assert "transport_document_number" not in parse_trade(
        lines_to_text(["Ref 176-62690875", "AIR WAYBILL"])
    )


# ---- EU single administrative document: items as blocks of boxes --------------------------


def test_eu_sad_items_printed_as_blocks() -> None:
    block = [
        [
            (20, "31 Packages and description of goods - Marks and numbers"),
            (900, "33 Commodity Code"),
            (1200, "34a C.orig. Code"),
        ],
        [(900, "87083010"), (1200, "DE")],
        [(20, "44 WOODEN CASES BRAKE PADS FOR PASSENGER CARS")],
        [(900, "35 Gross mass (kg)"), (1200, "38 Net mass (kg)")],
        [(900, "1,061.59"), (1200, "956.12")],
        [(900, "41 Supplementary units")],
        [(900, "880")],
        [(20, "46 Statistical value: EUR 7,374.40")],
    ]
    rows = [
        [(20, "2 Consignor/Exporter"), (900, "1 D E C L A R A T I O N")],
        [(20, "Lindner Haushaltswaren GmbH"), (900, "EX A")],
        *block,
    ]
    fields = parse_trade(_form(rows))
    assert fields["consignor"].value == "Lindner Haushaltswaren GmbH"
    assert [dict(r) for r in fields["line_items"].value] == [
        {
            "hs_code": "87083010",
            "description": "BRAKE PADS FOR PASSENGER CARS",
            "quantity": "880",
            "amount": "7374.40",
            "country_of_origin": "DE",
            "gross_weight_kg": "1061.59",
            "net_weight_kg": "956.12",
            "packages": "44",
        },
    ]


def test_eu_document_codes_name_the_transport_document_and_invoice() -> None:
    fields = parse_trade(
        lines_to_text(["44 Additional information", "N935 LHG264643", "N705 BALUBR698312"])
    )
    assert fields["transport_document_number"].value == "BALUBR698312"
    assert fields["document_number"].value == "LHG264643"


# ---- values --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "code"),
    [
        ("中国", "CN"),
        ("(502)美国", "US"),
        ("Deutschland", "DE"),
        ("VIET NAM (VN)", "VN"),
        ("HAMBURG, GERMANY", "DE"),
        ("Republic of Korea", "KR"),
        ("日本", "JP"),
        ("韩国", "KR"),
        ("越南", "VN"),
        ("中国台湾", "TW"),
    ],
)
def test_country_names_to_codes(printed: str, code: str) -> None:
    found = country_code(printed)
    assert found is not None and found[0] == code


def test_country_not_guessed_from_a_word_or_two_countries() -> None:
    assert country_code("we can ship") is None
    assert country_code("China / Vietnam") is None


@pytest.mark.parametrize(
    ("printed", "code"), [("美元", "USD"), ("人民币", "CNY"), ("欧元", "EUR"), ("USD", "USD")]
)
def test_currency_names(printed: str, code: str) -> None:
    assert currency_code(printed) == code


def test_currency_codes_are_upper_case_words_only() -> None:
    assert currency_code("please try again") is None


@pytest.mark.parametrize(
    ("printed", "term"), [("FOB Shanghai", "FOB"), ("C&F HAMBURG", "CFR"), ("离岸价", "FOB")]
)
def test_incoterms(printed: str, term: str) -> None:
    assert incoterm(printed) == term


@pytest.mark.parametrize(
    ("printed", "codes"),
    [
        ("8471.30.00", ["84713000"]),
        ("8516. 60", ["851660"]),
        ("8471 30 00", ["84713000"]),
        ("8516609000", ["8516609000"]),
        ("12,000.00 847130", ["847130"]),
        ("2026.03.12", []),
    ],
)
def test_hs_codes_are_digits_only(printed: str, codes: list[str]) -> None:
    assert [c for c, _, _ in hs_in(printed)] == codes


def test_weights_in_tonnes_and_pounds_become_kilograms() -> None:
    fields = parse_trade(lines_to_text(["Gross Weight: 2.5 t", "Net Weight: 1,000 lbs"]))
    assert fields["gross_weight_kg"].value == "2500.00"
    assert fields["net_weight_kg"].value == "453.59"
