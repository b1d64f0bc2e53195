"""Document type detection on recorded engine output and on small synthetic documents."""

from __future__ import annotations

import pytest
from ocr_fixtures import lines_to_text, load

from docintake.domain import DocumentType
from extractors.doctype import detect_document_type


@pytest.mark.parametrize("name", ["sroie-002", "sroie-007", "sroie-082", "sroie-108"])
def test_recorded_receipts_are_receipts(name: str) -> None:
    doc_type, conf = detect_document_type(load(name))
    assert doc_type is DocumentType.RECEIPT
    assert 0.5 <= conf <= 1.0


@pytest.mark.parametrize(
    "name", ["zugferd-einfach", "zugferd-einfach-duedate", "adbuy-digital-0be55a7b"]
)
def test_recorded_invoices_are_invoices(name: str) -> None:
    doc_type, conf = detect_document_type(load(name))
    assert doc_type is DocumentType.INVOICE
    assert 0.5 <= conf <= 1.0


def test_customs_declaration() -> None:
    text = lines_to_text(
        [
            "SINGLE ADMINISTRATIVE DOCUMENT - CUSTOMS DECLARATION",
            "Declaration No: 24DE123456789012A1",
            "Consignor: Shenzhen Bright Electronics Co., Ltd.",
            "Consignee: Nordlicht Handels GmbH",
            "Country of origin: China   Incoterms: FOB",
            "HS code 8471.30   Gross weight (kg): 1250",
        ]
    )
    doc_type, conf = detect_document_type(text)
    assert doc_type is DocumentType.CUSTOMS
    assert conf >= 0.7


def test_commercial_invoice_with_hs_codes_is_a_commercial_invoice() -> None:
    # Was CUSTOMS while trade papers shared one type; its title now names its own type.
    text = lines_to_text(
        [
            "COMMERCIAL INVOICE",
            "Invoice No: CI-2201   Invoice Date: 2022-01-05",
            "Shipper: Hanoi Garments JSC   Consignee: Fashion Imports Ltd",
            "Country of Origin: Vietnam   Terms: CIF Hamburg",
            "HS Code 6109.10 Cotton T-shirts 1,200 pcs 4,800.00",
            "Gross Weight: 310 kg",
        ]
    )
    assert detect_document_type(text)[0] is DocumentType.COMMERCIAL_INVOICE


def test_plain_invoice() -> None:
    text = lines_to_text(
        ["ACME LLC", "INVOICE", "Invoice Number: 1001", "Bill To: Globex", "Due Date: 2020-04-01"]
    )
    assert detect_document_type(text)[0] is DocumentType.INVOICE


def test_german_invoice() -> None:
    text = lines_to_text(["Rechnung Nr. 2018-17", "Zahlbar bis 04.04.2018", "USt 19 %"])
    assert detect_document_type(text)[0] is DocumentType.INVOICE


def test_unrelated_text_is_unknown_with_low_confidence() -> None:
    text = lines_to_text(["Dear Sir or Madam,", "please find attached our brochure.", "Regards"])
    doc_type, conf = detect_document_type(text)
    assert doc_type is DocumentType.UNKNOWN
    assert conf < 0.5


def test_empty_document_is_unknown() -> None:
    assert detect_document_type(lines_to_text([])) == (DocumentType.UNKNOWN, 0.0)


@pytest.mark.parametrize(
    ("name", "want"),
    [
        ("sample-receipt-photo", DocumentType.RECEIPT),
        ("sample-invoice-digital", DocumentType.INVOICE),
        ("sample-invoice-scanned", DocumentType.INVOICE),
        ("sample-customs-declaration", DocumentType.CUSTOMS),
    ],
)
def test_recorded_samples(name: str, want: DocumentType) -> None:
    doc_type, conf = detect_document_type(load(name))
    assert doc_type is want
    assert conf >= 0.8


def test_till_receipt_headed_tax_invoice_is_a_receipt() -> None:
    # Malaysian GST-era till slips say TAX INVOICE and INVOICE NO; the counter payment and the
    # till's own abbreviations say receipt.
    text = lines_to_text(
        [
            "KEDAI RUNCIT ABC",
            "TAX INVOICE",
            "01 CLERK01 000000",
            "INVOICE NO: 052949",
            "2x 1.00 RM2.00",
            "SUBTOTAL RM43.40",
            "TTL CASH RM43.40",
        ],
        width=4961,
        height=7016,
    )
    kind, confidence = detect_document_type(text)
    assert kind is DocumentType.RECEIPT
    assert confidence >= 0.5


def test_invoice_paid_by_bank_transfer_stays_an_invoice() -> None:
    text = lines_to_text(
        [
            "INVOICE",
            "Invoice No: INV-2041",
            "Bill To: Tan Brothers Trading",
            "Due Date: 30/04/2026",
            "Subtotal 1,200.00",
            "Amount Due 1,272.00",
            "Bank transfer to IBAN DE44 5001 0517 5407 3249 31",
        ]
    )
    assert detect_document_type(text)[0] is DocumentType.INVOICE


def test_an_unknown_document_is_parsed_as_what_it_leans_to_and_never_trusted() -> None:
    from extractors.doctype import leaning
    from extractors.parsers import parse_fields

    # Invoice words and till words almost level: unknown, but leaning to a receipt.
    rows = [
        "ELKEN SERVICE SDN BHD",
        "TAX INVOICE",
        "INVOICE NO : ESS447-004439",
        "BILL TO : WONG PEI HAR",
        "SUBTOTAL 235.85",
        "GST (6%) 14.15",
        "TOTAL AMOUNT DUE 250.00",
        "PAYMENT MODE: CASH 250.00",
        "CHANGE 0.00",
        "CASHIER: ANN",
        "THANK YOU",
    ]
    text = lines_to_text(rows)
    kind, _ = detect_document_type(text)
    assert kind is DocumentType.UNKNOWN
    assert leaning(text) is DocumentType.RECEIPT
    fields = parse_fields(text, DocumentType.UNKNOWN)
    assert fields["total_amount"].value == "250.00"
    assert all(fv.confidence <= 0.75 for fv in fields.values())


# ---- trade papers and credit notes -------------------------------------------------------

_TRADE_BODY = [
    "Shipper: Ningbo Yongsheng Import & Export Co., Ltd.",
    "Consignee: Redwood Distribution SARL",
    "Port of Loading: Ningbo   Port of Discharge: Le Havre",
    "Country of Origin: China   Incoterms: FOB Ningbo",
    "Invoice No.: INV-2026-6950   B/L No.: PMSCTA832948",
    "Gross Weight: 3,814.07 KGS   Net Weight: 3,594.10 KGS",
]


@pytest.mark.parametrize(
    ("title", "want"),
    [
        ("COMMERCIAL INVOICE", DocumentType.COMMERCIAL_INVOICE),
        ("PACKING LIST", DocumentType.PACKING_LIST),
        ("PACKING / WEIGHT LIST", DocumentType.PACKING_LIST),
        ("BILL OF LADING", DocumentType.BILL_OF_LADING),
        ("NON-NEGOTIABLE SEA WAYBILL", DocumentType.BILL_OF_LADING),
        ("AIR WAYBILL", DocumentType.BILL_OF_LADING),
        ("EXPORT DECLARATION", DocumentType.CUSTOMS),
    ],
)
def test_trade_papers_are_told_apart_by_their_title(title: str, want: DocumentType) -> None:
    # The same trade vocabulary under each title: packing lists quote "Invoice No.",
    # invoices quote "B/L No.". The title decides.
    text = lines_to_text(["Ningbo Yongsheng Import & Export Co., Ltd.", title, *_TRADE_BODY])
    kind, confidence = detect_document_type(text)
    assert kind is want
    assert confidence >= 0.7


@pytest.mark.parametrize(
    ("title", "want"),
    [
        ("中华人民共和国海关出口货物报关单", DocumentType.CUSTOMS),
        ("中华人民共和国海关进口货物报关单", DocumentType.CUSTOMS),
        ("商业发票 COMMERCIAL INVOICE", DocumentType.COMMERCIAL_INVOICE),
        ("装箱单 PACKING LIST", DocumentType.PACKING_LIST),
        ("提单", DocumentType.BILL_OF_LADING),
        ("航空运单", DocumentType.BILL_OF_LADING),
    ],
)
def test_chinese_trade_papers(title: str, want: DocumentType) -> None:
    text = lines_to_text(
        [
            title,
            "境内发货人 宁波永盛进出口有限公司",
            "境外收货人 Redwood Distribution SARL",
            "原产国（地区） 中国  毛重(千克) 3814.07  净重(千克) 3594.10",
            "装货港 宁波  卸货港 勒阿弗尔  成交方式 FOB",
        ]
    )
    kind, confidence = detect_document_type(text)
    assert kind is want
    assert confidence >= 0.7


def test_chinese_customs_declaration_without_title_is_still_customs() -> None:
    text = lines_to_text(
        [
            "预录入编号：425820260126772164 海关编号：425820260078598835",
            "境内发货人 出境关别 出口日期 申报日期 备案号",
            "宁波永盛进出口有限公司 黄岛海关 20260519",
            "境外收货人 运输方式 运输工具名称及航次号 提运单号",
            "项号 商品编号 商品名称及规格型号 数量及单位 单价/总价/币制 原产国（地区）",
        ]
    )
    assert detect_document_type(text)[0] is DocumentType.CUSTOMS


def test_eu_single_administrative_document() -> None:
    text = lines_to_text(
        [
            "EUROPEAN COMMUNITY",
            "2 Consignor/Exporter No 1 D E C L A R A T I O N A OFFICE OF DISPATCH/EXPORT",
            "Lindner Haushaltswaren GmbH EX A DE005796",
            "MRN 26DE795856993652B4",
            "8 Consignee No 15 Country of dispatch/export 17 Country of destination",
            "33 Commodity Code 35 Gross mass (kg) 38 Net mass (kg) 46 Statistical value",
        ]
    )
    assert detect_document_type(text)[0] is DocumentType.CUSTOMS


def test_a_title_quoting_another_paper_is_no_title() -> None:
    # "Commercial Invoice No." at the top of a packing list names the invoice, not the paper.
    text = lines_to_text(
        [
            "Yiwu Kaiyuan Technology Co., Ltd.",
            "Commercial Invoice No.: INV-2026-1671",
            "PACKING LIST",
            *_TRADE_BODY,
        ]
    )
    assert detect_document_type(text)[0] is DocumentType.PACKING_LIST


def test_plain_invoice_title_with_trade_vocabulary_is_a_commercial_invoice() -> None:
    text = lines_to_text(["Yiwu Baolong Industrial Co., Ltd.", "INVOICE", *_TRADE_BODY])
    assert detect_document_type(text)[0] is DocumentType.COMMERCIAL_INVOICE


def test_zugferd_handelsrechnung_stays_an_invoice() -> None:
    # E-invoicing calls every plain invoice a "commercial invoice" (UNTDID 380).
    text = lines_to_text(
        [
            "Handelsrechnung (380) Nr. 471102 vom 05.03.2018",
            "Commercial invoice",
            "Rechnung gemäß Bestellung",
            "Zahlbar bis 04.04.2018",
            "USt 19 %",
            "IBAN DE02",
        ]
    )
    assert detect_document_type(text)[0] is DocumentType.INVOICE


@pytest.mark.parametrize(
    "title", ["CREDIT NOTE", "Gutschrift", "Rechnungskorrektur", "AVOIR", "Credit Memo"]
)
def test_credit_notes_and_invoice_corrections(title: str) -> None:
    text = lines_to_text(
        [
            "ACME Handels GmbH",
            title,
            "Nr. 2024-0042   Datum: 12.03.2024",
            "Bezug auf Rechnung 2024-0017 vom 01.03.2024",
            "Bill To: Globex Corp",
            "Subtotal -100.00   VAT -19.00   Total -119.00",
            "IBAN DE44 5001 0517 5407 3249 31",
        ]
    )
    kind, confidence = detect_document_type(text)
    assert kind is DocumentType.CREDIT_NOTE
    assert confidence >= 0.7


def test_invoice_mentioning_credit_notes_in_its_terms_stays_an_invoice() -> None:
    text = lines_to_text(
        [
            "INVOICE",
            "Invoice No: INV-2041",
            "Bill To: Tan Brothers Trading",
            "Due Date: 30/04/2026",
            "Returns are refunded by credit note within 30 days.",
            "Amount Due 1,272.00",
        ]
    )
    assert detect_document_type(text)[0] is DocumentType.INVOICE


def test_trade_paper_without_title_or_telling_evidence_is_unknown() -> None:
    # Shared trade vocabulary only: which paper it is stays open, so a person decides.
    kind, confidence = detect_document_type(lines_to_text(_TRADE_BODY))
    assert kind is DocumentType.UNKNOWN
    assert confidence < 0.5
