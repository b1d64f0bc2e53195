"""Template-free invoice fields: German, French and US layouts built as positioned lines."""

from __future__ import annotations

from docintake.domain import DocumentText, Line, Page, Word
from extractors.parsers.invoice import parse_invoice
from extractors.parsers.lineitems import find_item_table

# One character is 6 units wide, a line 10 high; rows are 14 apart.
_CHAR, _HEIGHT, _PITCH = 6, 10, 14


def laid_out(rows: list[list[tuple[int, str]]], *, confidence: float = 1.0) -> DocumentText:
    """A page from rows of (x, text) chunks: each chunk's words start at x, one space apart."""
    lines = []
    for i, chunks in enumerate(rows):
        words = []
        for x, chunk in chunks:
            left = x
            for token in chunk.split():
                words.append(
                    Word(token, confidence, left, 40 + _PITCH * i, _CHAR * len(token), _HEIGHT)
                )
                left += _CHAR * (len(token) + 1)
        lines.append(Line(words=tuple(words)))
    page = Page(1, 600, 60 + _PITCH * len(rows), tuple(lines))
    return DocumentText(pages=(page,), engine="pdf-text")


def value(fields: dict, name: str) -> object:
    return fields[name].value if name in fields else None


GERMAN = [
    [(40, "Muster Werkzeuge GmbH")],
    [(40, "Rechnung")],
    [(40, "Rechnungsnummer:"), (200, "RE-2024-0815")],
    [(40, "Rechnungsdatum:"), (200, "03.04.2024")],
    [(40, "Leistungszeitraum:"), (200, "01.03.2024 - 31.03.2024")],
    [(40, "Fälligkeitsdatum:"), (200, "17.04.2024")],
    [(40, "Bestellnummer:"), (200, "PO-778")],
    [(40, "Rechnungsempfänger:")],
    [(40, "Name:"), (200, "Beispiel Handel AG")],
    [(40, "USt-IdNr.: DE123456789")],
    [(40, "Pos"), (70, "Bezeichnung"), (300, "Menge"), (360, "Einzelpreis"), (460, "Gesamt")],
    [(40, "1"), (70, "Schraubendreher Set"), (300, "10"), (360, "12,50"), (460, "125,00")],
    [(70, "mit Bitsatz")],
    [(40, "2"), (70, "Akkubohrer"), (300, "2"), (360, "554,78"), (460, "1.109,56")],
    [],
    [(300, "Nettobetrag"), (460, "1.234,56 €")],
    [(300, "MwSt 19 %"), (460, "234,57 €")],
    [(300, "Bruttobetrag"), (460, "1.469,13 €")],
    [(300, "Zahlbetrag"), (460, "1.469,13 €")],
    [(40, "IBAN: DE89 3704 0044 0532 0130 00  BIC: COBADEFFXXX")],
]


def test_german_invoice_fields() -> None:
    fields = parse_invoice(laid_out(GERMAN))
    assert value(fields, "document_number") == "RE-2024-0815"
    assert value(fields, "document_date") == "2024-04-03"
    assert value(fields, "due_date") == "2024-04-17"
    assert value(fields, "period_start") == "2024-03-01"
    assert value(fields, "period_end") == "2024-03-31"
    assert value(fields, "purchase_order") == "PO-778"
    assert value(fields, "customer_name") == "Beispiel Handel AG"
    assert value(fields, "currency") == "EUR"
    assert value(fields, "net_amount") == "1234.56"
    assert value(fields, "tax_amount") == "234.57"
    assert value(fields, "total_amount") == "1469.13"
    assert value(fields, "amount_due") == "1469.13"
    assert value(fields, "iban") == "DE89370400440532013000"
    # net + tax = total: the three amounts confirm each other.
    assert fields["total_amount"].confidence >= 0.9


def test_german_line_items_join_wrapped_descriptions() -> None:
    fields = parse_invoice(laid_out(GERMAN))
    rows = value(fields, "line_items")
    assert isinstance(rows, tuple)
    assert [dict(r) for r in rows] == [
        {
            "description": "Schraubendreher Set mit Bitsatz",
            "quantity": "10",
            "unit_price": "12.50",
            "amount": "125.00",
        },
        {"description": "Akkubohrer", "quantity": "2", "unit_price": "554.78", "amount": "1109.56"},
    ]
    # The rows add up to the net amount, so the table is trusted.
    assert fields["line_items"].confidence >= 0.8


def test_line_items_that_do_not_add_up_are_doubted() -> None:
    rows = [list(r) for r in GERMAN]
    rows[13] = [(40, "2"), (70, "Akkubohrer"), (300, "2"), (360, "554,78"), (460, "1.009,56")]
    fields = parse_invoice(laid_out(rows))
    assert fields["line_items"].confidence < 0.8


FRENCH = [
    [(40, "Atelier Dupont SARL")],
    [(40, "N° TVA intracommunautaire : FR40303265045")],
    [(40, "Facture n° F-2024-117")],
    [(40, "Date de facture : 31 déc. 2024")],
    [(40, "Échéance : 30/01/2025")],
    [(40, "Bon de commande : BC-4411")],
    [(40, "Facturé à : Boulangerie Martin")],
    [(40, "Désignation"), (300, "Qté"), (360, "Prix unitaire"), (460, "Montant")],
    [(40, "Réparation four"), (300, "1"), (360, "1 000,00"), (460, "1 000,00")],
    [(40, "Pièces détachées"), (300, "3"), (360, "78,19"), (460, "234,57")],
    [(300, "Total HT"), (460, "1 234,57")],
    [(300, "TVA 20 %"), (460, "246,91")],
    [(300, "Total TTC"), (460, "1 481,48 EUR")],
    [(300, "Net à payer"), (460, "1 481,48 EUR")],
]


def test_french_invoice_fields() -> None:
    fields = parse_invoice(laid_out(FRENCH))
    assert value(fields, "document_number") == "F-2024-117"
    assert value(fields, "document_date") == "2024-12-31"
    assert value(fields, "due_date") == "2025-01-30"
    assert value(fields, "purchase_order") == "BC-4411"
    assert value(fields, "customer_name") == "Boulangerie Martin"
    assert value(fields, "vendor_tax_id") == "FR40303265045"
    assert value(fields, "net_amount") == "1234.57"
    assert value(fields, "tax_amount") == "246.91"
    assert value(fields, "total_amount") == "1481.48"
    assert value(fields, "amount_due") == "1481.48"
    assert value(fields, "currency") == "EUR"
    items = value(fields, "line_items")
    assert isinstance(items, tuple)
    assert [(r["description"], r["amount"]) for r in items] == [
        ("Réparation four", "1000.00"),
        ("Pièces détachées", "234.57"),
    ]


US = [
    [(40, "Globex Corporation")],
    [(40, "INVOICE")],
    # Labels above their values, side by side (a US header box).
    [(40, "Invoice No"), (200, "Invoice Date"), (360, "PO Number"), (480, "Terms")],
    [(40, "INV-20417"), (200, "12/31/2024"), (360, "4500012345"), (480, "Net 30")],
    [(40, "Bill To:")],
    [(40, "Initech LLC")],
    [(40, "1 Main Street, Austin, TX 78701")],
    [(40, "Service period: 12/01/2024 - 12/31/2024")],
    [(40, "Description"), (300, "Qty"), (360, "Unit Price"), (480, "Amount")],
    [(40, "Consulting hours"), (300, "12"), (360, "$95.00"), (480, "$1,140.00")],
    [(40, "Travel"), (300, "1"), (360, "$94.56"), (480, "$94.56")],
    [(360, "Subtotal"), (480, "$1,234.56")],
    [(360, "Sales Tax"), (480, "$101.85")],
    [(360, "Total"), (480, "$1,336.41")],
    [(360, "Balance Due"), (480, "$1,336.41")],
]


def test_us_invoice_labels_above_values() -> None:
    fields = parse_invoice(laid_out(US))
    assert value(fields, "document_number") == "INV-20417"
    assert value(fields, "document_date") == "2024-12-31"
    assert value(fields, "purchase_order") == "4500012345"
    assert value(fields, "customer_name") == "Initech LLC"
    assert value(fields, "period_start") == "2024-12-01"
    assert value(fields, "period_end") == "2024-12-31"
    assert value(fields, "net_amount") == "1234.56"
    assert value(fields, "tax_amount") == "101.85"
    assert value(fields, "total_amount") == "1336.41"
    assert value(fields, "amount_due") == "1336.41"
    assert value(fields, "currency") == "USD"
    table = find_item_table(laid_out(US))
    assert table is not None
    assert [dict(r) for r in table.rows] == [
        {
            "description": "Consulting hours",
            "quantity": "12",
            "unit_price": "95.00",
            "amount": "1140.00",
        },
        {"description": "Travel", "quantity": "1", "unit_price": "94.56", "amount": "94.56"},
    ]


def test_swiss_thousands_and_month_first_from_a_day_over_12() -> None:
    rows = [
        [(40, "Invoice #: 7781")],
        [(40, "Invoice Date: 03/14/2024")],
        [(40, "Due Date: 04/13/2024")],
        [(40, "Total CHF 1'234.50")],
    ]
    fields = parse_invoice(laid_out(rows))
    assert value(fields, "document_number") == "7781"
    assert value(fields, "document_date") == "2024-03-14"
    assert value(fields, "due_date") == "2024-04-13"
    assert value(fields, "total_amount") == "1234.50"
    assert value(fields, "currency") == "CHF"


def test_invalid_iban_is_kept_but_doubted() -> None:
    rows = [[(40, "Rechnung Nr. 17")], [(40, "IBAN: DE89 3704 0044 0532 0130 01")]]
    fields = parse_invoice(laid_out(rows))
    assert value(fields, "iban") == "DE89370400440532013001"
    assert fields["iban"].confidence < 0.5


def test_unlabelled_valid_iban_is_found() -> None:
    rows = [[(40, "Rechnung Nr. 17")], [(40, "Konto GB82 WEST 1234 5698 7654 32 bei der Bank")]]
    fields = parse_invoice(laid_out(rows))
    assert value(fields, "iban") == "GB82WEST12345698765432"


def test_flight_dates_beat_the_billing_period() -> None:
    rows = [
        [(40, "Advertiser: Friends of Jane Doe")],
        [(40, "Invoice Period 04/27/20 - 05/31/20"), (300, "Flight Dates 3/2/20 - 3/8/20")],
        [(40, "Gross Total $180.00")],
    ]
    fields = parse_invoice(laid_out(rows))
    assert value(fields, "period_start") == "2020-03-02"
    assert value(fields, "period_end") == "2020-03-08"
    assert value(fields, "customer_name") == "Friends of Jane Doe"


def test_ad_contract_number_is_preferred_but_not_trusted_over_the_invoice_number() -> None:
    rows = [
        [(40, "Advertiser Friends of Jane Doe (12345)")],
        [(40, "REMIT TO Station Inc"), (300, "Invoice 7302924")],
        [(300, "Contract 4263696")],
        [(40, "Gross Total $180.00 Total Spots 12")],
    ]
    fields = parse_invoice(laid_out(rows))
    assert value(fields, "document_number") == "4263696"
    # Two different numbers could each be "the" number: never auto-accepted.
    assert fields["document_number"].confidence < 0.8


def test_order_number_is_used_only_without_an_invoice_number() -> None:
    rows = [[(40, "Invoice # 1632526-1"), (300, "Order # 1632526")], [(40, "Total $50.00")]]
    assert value(parse_invoice(laid_out(rows)), "document_number") == "1632526-1"
    rows = [[(40, "Order / Rev: 14719")], [(40, "Alt Order #: 26923007")]]
    assert value(parse_invoice(laid_out(rows)), "document_number") == "14719"


def test_two_line_name_in_a_form_column() -> None:
    rows = [
        [(40, "Käufer")],
        [(200, "Herrn")],
        [(40, "Name:"), (200, "Max Mustermann")],
        [(40, "Anschrift:"), (200, "Musterstr. 11")],
    ]
    # The name's first line sits just above the "Name:" row, closer than a row apart.
    text = laid_out(rows)
    page = text.pages[0]
    moved = list(page.lines)
    herrn = moved[1].words[0]
    moved[1] = Line(words=(Word(herrn.text, 1.0, herrn.left, herrn.top + 6, herrn.width, 10),))
    text = DocumentText(pages=(Page(1, page.width, page.height, tuple(moved)),), engine="x")
    assert value(parse_invoice(text), "customer_name") == "Herrn Max Mustermann"


def test_no_item_table_without_a_header() -> None:
    assert find_item_table(laid_out([[(40, "Invoice # 12")], [(40, "Total 5.00")]])) is None
