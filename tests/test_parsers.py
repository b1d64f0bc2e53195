"""Field parsers: helpers on literal strings, and whole documents from recorded OCR output.

Expected values for recorded documents are the datasets' ground truth (sroie-dev, invoices-dev),
not whatever the parser printed.
"""

from __future__ import annotations

import pytest
from ocr_fixtures import lines_to_text, load

from docintake.domain import DocumentType
from extractors.parsers import parse_fields
from extractors.parsers.common import (
    detect_currency,
    find_amounts,
    parse_amount,
    parse_date,
    prefers_month_first,
)

AUTO_ACCEPT = 0.80


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("1.234,56", "1234.56"),
        ("1,234.56", "1234.56"),
        ("RM 60.30", "60.30"),
        ("RM60.30", "60.30"),
        ("$10.00", "10.00"),
        ("60,30", "60.30"),
        ("1 234,56 €", "1234.56"),
        ("€ 5", "5.00"),
        ("(12.50)", "-12.50"),
        ("-0,00", "0.00"),
        ("20. 00", "20.00"),
        ("12,5", "12.50"),
    ],
)
def test_parse_amount(raw: str, want: str) -> None:
    assert parse_amount(raw) == want


@pytest.mark.parametrize("raw", ["", "abc", "RM", "12/01/2019", "1.2.3"])
def test_parse_amount_rejects_non_amounts(raw: str) -> None:
    assert parse_amount(raw) is None


def test_find_amounts_skips_dates_times_rates_and_ids() -> None:
    values = [h.value for h in find_amounts("12/01/19 21:13 GST 6% 0123456789 TOTAL RM 33,92")]
    assert values == ["33.92"]


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("19/10/2018", "2018-10-19"),
        ("12-01-19", "2019-01-12"),
        ("5/3/2018", "2018-03-05"),
        ("March 3, 2020", "2020-03-03"),
        ("03.03.2020", "2020-03-03"),
        ("2020-03-08", "2020-03-08"),
        ("20 Dec 2017", "2017-12-20"),
        ("DATE: 20-DEC-17 10:11", "2017-12-20"),
        ("vom 5. März 2018", "2018-03-05"),
        ("Invoice date 3/25/2020", "2020-03-25"),  # second number > 12: month-first
    ],
)
def test_parse_date(raw: str, want: str) -> None:
    assert parse_date(raw) == want


def test_parse_date_month_first_when_asked() -> None:
    assert parse_date("5/3/2018", month_first=True) == "2018-05-03"


def test_parse_date_rejects_impossible_dates() -> None:
    assert parse_date("31/02/2018") is None
    assert parse_date("HD03-04-06 - 5/40/160") is None


def test_date_order_is_decided_per_document() -> None:
    assert prefers_month_first("Total $12.00\nDate 03/04/2020")  # US dollar, no proof
    assert not prefers_month_first("Total RM 12.00\nDate 03/04/2020")
    # A date that can only be day-first outweighs the $ sign.
    assert not prefers_month_first("Total $12.00\n25/04/2020 and 03/04/2020")
    assert prefers_month_first("Jumlah RM 1.00\n04/25/2020")


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("TOTAL RM 33.90", "MYR"),
        ("Amount due $10.00", "USD"),
        ("Gesamt 12,00 €", "EUR"),
        ("Währung: EUR", "EUR"),
        ("Total £4.50", "GBP"),
        ("Total SGD 4.50", "SGD"),
        ("ABC TRADING SDN BHD\nTOTAL 4.50", "MYR"),  # no symbol: country hint
    ],
)
def test_detect_currency(text: str, code: str) -> None:
    found = detect_currency(text)
    assert found is not None and found[0] == code


def test_detect_currency_none_without_evidence() -> None:
    assert detect_currency("TOTAL 4.50\nTHANK YOU") is None


# ---- receipts -----------------------------------------------------------------------------


def _receipt(rows: list[str], confidence: float = 0.95):
    return parse_fields(lines_to_text(rows, confidence=confidence), DocumentType.RECEIPT)


def test_receipt_prefers_labelled_total_over_subtotal_cash_and_change() -> None:
    fields = _receipt(
        [
            "KEDAI ABC TRADING SDN BHD",
            "12, JALAN MAWAR 3, TAMAN MELATI,",
            "53100 KUALA LUMPUR",
            "TEL: 03-12345678",
            "DATE: 05/03/2018 12:01",
            "MILO 2 X 4.50 9.00",
            "SUB TOTAL 52.28",
            "GST 6% 3.14",
            "TOTAL (INCL GST) 55.42",
            "ROUNDING -0.02",
            "TOTAL ROUNDED 55.40",
            "CASH 60.00",
            "CHANGE 4.60",
        ]
    )
    assert fields["total_amount"].value == "55.40"
    assert fields["total_amount"].confidence >= AUTO_ACCEPT  # label + cash-change agree
    assert fields["vendor_name"].value == "KEDAI ABC TRADING SDN BHD"
    assert fields["vendor_address"].value == ("12, JALAN MAWAR 3, TAMAN MELATI, 53100 KUALA LUMPUR")
    assert fields["document_date"].value == "2018-03-05"
    assert fields["tax_amount"].value == "3.14"
    assert fields["currency"].value == "MYR"


def test_receipt_without_total_line_is_not_auto_accepted() -> None:
    # No TOTAL was read: cash - change (20.00 - 4.50) and the item lines (3.00 + 12.50) both
    # give 15.50, but a total never read as a figure must still go to a person.
    fields = _receipt(["SHOP", "ITEM A 3.00", "ITEM B 12.50", "CASH 20.00", "CHANGE 4.50"])
    assert fields["total_amount"].value == "15.50"
    assert fields["total_amount"].confidence < AUTO_ACCEPT


def test_receipt_low_ocr_confidence_lowers_field_confidence() -> None:
    rows = ["ABC STORE SDN BHD", "GRAND TOTAL 10.00", "19/10/2018"]
    sure = _receipt(rows, confidence=0.99)
    unsure = _receipt(rows, confidence=0.4)
    assert sure["total_amount"].value == unsure["total_amount"].value == "10.00"
    assert unsure["total_amount"].confidence < AUTO_ACCEPT <= sure["total_amount"].confidence


def test_receipt_vendor_skips_header_noise_and_reg_number() -> None:
    fields = _receipt(
        ["tan woon yann", "TAX INVOICE", "TRI SHAAS SDN BHD (728515-M)", "NO 1, JALAN A, 40400"]
    )
    assert fields["vendor_name"].value == "TRI SHAAS SDN BHD"


# Ground truth from sroie-dev for the recorded receipts.
SROIE_TRUTH = {
    "sroie-002": {"total_amount": "33.90"},  # TOTAL 33,92 then TOTAL ROUNDED 33.90
    "sroie-007": {"total_amount": "20.00", "document_date": "2019-01-23"},
    "sroie-082": {"total_amount": "277.00", "document_date": "2017-02-08"},
    "sroie-108": {
        "total_amount": "7.00",
        "document_date": "2018-02-03",
        "vendor_name": "LIM SENG THO HARDWARE TRADING",
    },
}


@pytest.mark.parametrize("name", sorted(SROIE_TRUTH))
def test_recorded_receipts_match_ground_truth(name: str) -> None:
    text = load(name)
    fields = parse_fields(text, DocumentType.RECEIPT)
    for field, want in SROIE_TRUTH[name].items():
        assert fields[field].value == want, field
    assert fields["currency"].value == "MYR"


def test_recorded_receipt_misread_total_is_not_auto_accepted() -> None:
    # sroie-236: OCR read NET TOTAL 14.85 as "14,05"; truth is 14.85. Cash 14.85 - change 0.00
    # and subtotal 14.00 + GST 0.84 + rounding 0.01 both give 14.85, so the cross-checks recover
    # the amount; the printed total still disagrees, so it must not look trustworthy.
    fields = parse_fields(load("sroie-236"), DocumentType.RECEIPT)
    assert fields["total_amount"].value == "14.85"
    assert fields["total_amount"].confidence < AUTO_ACCEPT


def test_recorded_receipt_garbled_vendor_is_not_auto_accepted() -> None:
    # sroie-082: OCR reads "HON HVA HARDWARE TRADING"; truth "HON HWA HARDWARE TRADING".
    fields = parse_fields(load("sroie-082"), DocumentType.RECEIPT)
    assert fields["vendor_name"].value != "HON HWA HARDWARE TRADING"
    assert fields["vendor_name"].confidence < AUTO_ACCEPT


# ---- invoices -----------------------------------------------------------------------------


def test_recorded_zugferd_invoice_matches_ground_truth() -> None:
    fields = parse_fields(load("zugferd-einfach"), DocumentType.INVOICE)
    truth = {
        "document_number": "471102",
        "document_date": "2018-03-05",
        "vendor_name": "Lieferant GmbH",
        "vendor_tax_id": "201/113/40209",
        "customer_name": "Kunden AG Mitte",
        "currency": "EUR",
        "total_amount": "529.87",
        "tax_amount": "56.87",
    }
    for field, want in truth.items():
        assert fields[field].value == want, field


def test_recorded_zugferd_due_date() -> None:
    fields = parse_fields(load("zugferd-einfach-duedate"), DocumentType.INVOICE)
    assert fields["due_date"].value == "2019-03-05"
    assert fields["document_date"].value == "2018-03-05"


def test_recorded_us_ad_invoice() -> None:
    fields = parse_fields(load("adbuy-digital-0be55a7b"), DocumentType.INVOICE)
    # An ad buy is filed by its contract number ("Contract 4228683"); the page also prints
    # "Invoice 7248774", so the choice is a convention and must not be auto-accepted.
    assert fields["document_number"].value == "4228683"
    assert fields["document_number"].confidence < 0.8
    assert fields["total_amount"].value == "1428.00"  # "Gross Total", not "Net Total"
    assert fields["currency"].value == "USD"
    assert fields["customer_name"].value == "Friends Of Jim ONeil-R"


def test_invoice_english_labels_and_us_dates() -> None:
    text = lines_to_text(
        [
            "ACME Supplies LLC",
            "INVOICE",
            "Invoice No: INV-2020-0042",
            "Invoice Date: 03/04/2020",
            "Due Date: 04/03/2020",
            "Bill To: Globex Corporation",
            "Subtotal $100.00",
            "Sales Tax $8.25",
            "Total $108.25",
            "Amount Due $108.25",
        ],
        confidence=1.0,
    )
    fields = parse_fields(text, DocumentType.INVOICE)
    assert fields["document_number"].value == "INV-2020-0042"
    assert fields["document_date"].value == "2020-03-04"  # US document: month first
    assert fields["due_date"].value == "2020-04-03"
    assert fields["customer_name"].value == "Globex Corporation"
    assert fields["vendor_name"].value == "ACME Supplies LLC"
    assert fields["total_amount"].value == "108.25"
    assert fields["tax_amount"].value == "8.25"
    assert fields["currency"].value == "USD"


def test_unknown_type_never_auto_accepts() -> None:
    text = lines_to_text(["Invoice No: 123", "Total EUR 10,00"], confidence=1.0)
    fields = parse_fields(text, DocumentType.UNKNOWN)
    assert fields["total_amount"].value == "10.00"
    assert all(fv.confidence < AUTO_ACCEPT for fv in fields.values())


# ---- customs ------------------------------------------------------------------------------


CUSTOMS_ROWS = [
    "CUSTOMS DECLARATION",
    "Declaration No: 24DE123456789012A1",
    "Consignor: Shenzhen Bright Electronics Co., Ltd.",
    "Consignee: Nordlicht Handels GmbH",
    "Country of origin: China",
    "Incoterms 2020: FOB Shenzhen",
    "Gross weight (kg): 1.250,5",
    "Item HS code Description Value",
    "1 8471.30.00 Laptop computers 12,000.00",
    "2 8504.40 Power adapters 800.00",
    "Total value: USD 12,800.00",
]


def test_customs_declaration_fields() -> None:
    fields = parse_fields(lines_to_text(CUSTOMS_ROWS, confidence=1.0), DocumentType.CUSTOMS)
    assert fields["declaration_number"].value == "24DE123456789012A1"
    assert fields["consignor"].value == "Shenzhen Bright Electronics Co., Ltd."
    assert fields["consignee"].value == "Nordlicht Handels GmbH"
    assert fields["country_of_origin"].value == "CN"
    assert fields["incoterms"].value == "FOB"
    assert fields["gross_weight_kg"].value == "1250.50"
    # HS codes in canonical form: digits only, whatever the printed notation.
    assert fields["hs_codes"].value == ("84713000", "850440")
    assert fields["currency"].value == "USD"
    assert fields["total_amount"].value == "12800.00"


def test_customs_weight_in_pounds_is_converted() -> None:
    text = lines_to_text(["Gross Weight: 100 lbs", "Country of Origin: VN"], confidence=1.0)
    fields = parse_fields(text, DocumentType.CUSTOMS)
    assert fields["gross_weight_kg"].value == "45.36"
    assert fields["country_of_origin"].value == "VN"


# ---- form boxes (numbered labels, value under the label, neighbouring boxes on one line) -----


def _form(rows: list[list[tuple[int, str]]], confidence: float = 0.95):
    """A one-page form: each row is a list of (x, text) cells, words 12 px per character."""
    from docintake.domain import DocumentText, Line, Page, Word

    lines = []
    for i, cells in enumerate(rows):
        words = []
        for x, cell in cells:
            for token in cell.split():
                words.append(Word(token, confidence, x, 40 + 40 * i, 12 * len(token), 24))
                x += 12 * len(token) + 12
        lines.append(Line(words=tuple(words)))
    return DocumentText(pages=(Page(1, 1600, 80 + 40 * len(rows), tuple(lines)),), engine="t")


def test_customs_form_values_under_numbered_box_labels() -> None:
    text = _form(
        [
            [(20, "CUSTOMS EXPORT DECLARATION")],
            [(20, "1. Declaration No."), (600, "2. Date of Declaration")],
            [(20, "AB-2025-77123"), (600, "12.03.2025")],
            [(20, "5. Country of origin"), (600, "6. Country of destination"), (1100, "7. Mode")],
            [(20, "VIET NAM (VN)"), (600, "GERMANY (DE)"), (1100, "AIR")],
            [(20, "8. Gross weight (kg)"), (600, "9. Net weight (kg)"), (1100, "10. Incoterms")],
            [(20, "2.310,50"), (600, "2.100,00"), (1100, "DAP Hamburg")],
            [(20, "11. Commercial invoice No."), (600, "12. Invoice date")],
            [(20, "VN-INV-0091"), (600, "01.03.2025")],
            [(20, "Item Description"), (700, "HS code"), (900, "Qty"), (1100, "Value")],
            [(20, "1 Rice cookers"), (700, "8516. 60"), (880, "40"), (1100, "1,200.00")],
            [(20, "2 Kettles"), (700, "8516.10.80"), (880, "64"), (1100, "960.00")],
        ]
    )
    fields = parse_fields(text, DocumentType.CUSTOMS)
    assert fields["declaration_number"].value == "AB-2025-77123"
    assert fields["document_date"].value == "2025-03-12"  # the declaration's, not the invoice's
    assert fields["document_number"].value == "VN-INV-0091"
    assert fields["country_of_origin"].value == "VN"
    assert fields["gross_weight_kg"].value == "2310.50"
    assert fields["incoterms"].value == "DAP"
    # OCR's "8516. 60" is one code; the quantity column beside it is not part of it.
    assert fields["hs_codes"].value == ("851660", "85161080")


def test_declaration_sentence_is_not_a_declaration_number() -> None:
    text = _form(
        [
            [(20, "EXPORT DECLARATION")],
            [(20, "CUSTOMS FORM K2 - DECLARATION OF GOODS TO BE EXPORTED")],
            [(20, "18. Declaration: I declare that the particulars are true.")],
            [(20, "Agent Code: FA-7741-PK")],
        ]
    )
    assert "declaration_number" not in parse_fields(text, DocumentType.CUSTOMS)


def test_unit_less_weight_under_label_stays_below_auto_accept() -> None:
    text = _form([[(20, "Gross weight"), (600, "Net weight")], [(20, "1,284.60"), (600, "9")]])
    weight = parse_fields(text, DocumentType.CUSTOMS)["gross_weight_kg"]
    assert weight.value == "1284.60"
    assert weight.confidence < 0.8


def test_recorded_sample_customs_declaration() -> None:
    fields = parse_fields(load("sample-customs-declaration"), DocumentType.CUSTOMS)
    assert fields["declaration_number"].value == "K2-2026-0318752"
    assert fields["document_date"].value == "2026-05-06"
    assert fields["document_number"].value == "PEM-EX-26-0412"
    assert fields["country_of_origin"].value == "MY"
    assert fields["gross_weight_kg"].value == "1284.60"
    assert fields["incoterms"].value == "FOB"
    assert fields["hs_codes"].value == ("847130", "852852", "847330")
    assert fields["consignee"].value == "Rotterdam Tech Distribution B.V."
    # "USD 48,215.40" was read as "USD 48,215. ao": no total rather than a wrong one.
    assert "total_amount" not in fields
    # The last HS code was read from a garbled word: the list must go to review.
    assert fields["hs_codes"].confidence < 0.8


def test_recorded_sample_invoices_party_column_and_box_numbers() -> None:
    scanned = parse_fields(load("sample-invoice-scanned"), DocumentType.INVOICE)
    # "Invoice No: ' .BPO-58213": scan specks between label and value.
    assert scanned["document_number"].value == "BPO-58213"
    # "Bill To:" heads the left column; the right column's "Date: ..." is not the name.
    assert scanned["customer_name"].value == "Kelana Jaya Dental Clinic"
    assert scanned["tax_amount"].value == "75.46"  # "SST 8%"
    # First line of a block without a legal form: it might be a person or a department.
    assert scanned["customer_name"].confidence < 0.8
    digital = parse_fields(load("sample-invoice-digital"), DocumentType.INVOICE)
    assert digital["customer_name"].value == "Tan Brothers Trading Pte Ltd"
    # ... with one ("Pte Ltd"), it is the company's registered name (issue 7).
    assert digital["customer_name"].confidence >= 0.8
    # The letterhead above the bill-to block names the seller.
    assert digital["vendor_name"].value == "Harbourline Supply Co. Pte. Ltd."
    assert digital["vendor_name"].confidence >= 0.8


def test_recorded_sample_receipt() -> None:
    fields = parse_fields(load("sample-receipt-photo"), DocumentType.RECEIPT)
    assert fields["total_amount"].value == "61.80"
    assert fields["document_date"].value == "2026-03-14"
    assert fields["document_number"].value == "CS-041827"
