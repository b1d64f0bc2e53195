"""Factur-X / ZUGFeRD / XRechnung: the embedded XML is found, mapped, and checked against the page.

Each test builds its own CII (or UBL) XML and, where the PDF route matters, attaches it to a
reportlab PDF with pypdfium2, as invoicing software does.
"""

# ruff: noqa: E501  (the XML samples keep one element per line, as real invoices do)
from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from docintake.domain import (
    DocumentText,
    DocumentType,
    FieldValue,
    FileKind,
    Line,
    Page,
    SourceFile,
    Word,
)
from extractors import facturx, reader
from extractors.facturx import EmbeddedXmlError, compare_with_page, parse_invoice_xml
from extractors.recorded import text_from_json, text_to_json

NS = (
    'xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
    'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100" '
    'xmlns:udt="urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"'
)


def cii(
    *,
    number: str = "RE-2024-118",
    type_code: str = "380",
    total: str = "529.87",
    seller: str = "Lieferant GmbH",
    guideline: str = "urn:cen.eu:en16931:2017",
) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<rsm:CrossIndustryInvoice {NS}>
  <rsm:ExchangedDocumentContext>
    <ram:GuidelineSpecifiedDocumentContextParameter>
      <ram:ID>{guideline}</ram:ID>
    </ram:GuidelineSpecifiedDocumentContextParameter>
  </rsm:ExchangedDocumentContext>
  <rsm:ExchangedDocument>
    <ram:ID>{number}</ram:ID>
    <ram:TypeCode>{type_code}</ram:TypeCode>
    <ram:IssueDateTime><udt:DateTimeString format="102">20240305</udt:DateTimeString></ram:IssueDateTime>
  </rsm:ExchangedDocument>
  <rsm:SupplyChainTradeTransaction>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedTradeProduct><ram:Name>Trennblätter A4</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>9.9000</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">20.0000</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>198.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:IncludedSupplyChainTradeLineItem>
      <ram:SpecifiedTradeProduct><ram:Name>Joghurt Banane</ram:Name></ram:SpecifiedTradeProduct>
      <ram:SpecifiedLineTradeAgreement>
        <ram:NetPriceProductTradePrice><ram:ChargeAmount>5.5000</ram:ChargeAmount></ram:NetPriceProductTradePrice>
      </ram:SpecifiedLineTradeAgreement>
      <ram:SpecifiedLineTradeDelivery><ram:BilledQuantity unitCode="H87">50.0000</ram:BilledQuantity></ram:SpecifiedLineTradeDelivery>
      <ram:SpecifiedLineTradeSettlement>
        <ram:SpecifiedTradeSettlementLineMonetarySummation><ram:LineTotalAmount>275.00</ram:LineTotalAmount></ram:SpecifiedTradeSettlementLineMonetarySummation>
      </ram:SpecifiedLineTradeSettlement>
    </ram:IncludedSupplyChainTradeLineItem>
    <ram:ApplicableHeaderTradeAgreement>
      <ram:SellerTradeParty>
        <ram:Name>{seller}</ram:Name>
        <ram:SpecifiedTaxRegistration><ram:ID schemeID="VA">DE123456789</ram:ID></ram:SpecifiedTaxRegistration>
      </ram:SellerTradeParty>
      <ram:BuyerTradeParty><ram:Name>Kunden AG Mitte</ram:Name></ram:BuyerTradeParty>
      <ram:BuyerOrderReferencedDocument><ram:IssuerAssignedID>PO-4711</ram:IssuerAssignedID></ram:BuyerOrderReferencedDocument>
    </ram:ApplicableHeaderTradeAgreement>
    <ram:ApplicableHeaderTradeSettlement>
      <ram:InvoiceCurrencyCode>EUR</ram:InvoiceCurrencyCode>
      <ram:SpecifiedTradeSettlementPaymentMeans>
        <ram:TypeCode>58</ram:TypeCode>
        <ram:PayeePartyCreditorFinancialAccount><ram:IBANID>DE02 1203 0000 0000 2020 51</ram:IBANID></ram:PayeePartyCreditorFinancialAccount>
      </ram:SpecifiedTradeSettlementPaymentMeans>
      <ram:BillingSpecifiedPeriod>
        <ram:StartDateTime><udt:DateTimeString format="102">20240201</udt:DateTimeString></ram:StartDateTime>
        <ram:EndDateTime><udt:DateTimeString format="102">20240229</udt:DateTimeString></ram:EndDateTime>
      </ram:BillingSpecifiedPeriod>
      <ram:SpecifiedTradePaymentTerms>
        <ram:DueDateDateTime><udt:DateTimeString format="102">20240404</udt:DateTimeString></ram:DueDateDateTime>
      </ram:SpecifiedTradePaymentTerms>
      <ram:SpecifiedTradeSettlementHeaderMonetarySummation>
        <ram:LineTotalAmount>473.00</ram:LineTotalAmount>
        <ram:TaxBasisTotalAmount>473.00</ram:TaxBasisTotalAmount>
        <ram:TaxTotalAmount currencyID="USD">61.00</ram:TaxTotalAmount>
        <ram:TaxTotalAmount currencyID="EUR">56.87</ram:TaxTotalAmount>
        <ram:GrandTotalAmount>{total}</ram:GrandTotalAmount>
        <ram:DuePayableAmount>{total}</ram:DuePayableAmount>
      </ram:SpecifiedTradeSettlementHeaderMonetarySummation>
    </ram:ApplicableHeaderTradeSettlement>
  </rsm:SupplyChainTradeTransaction>
</rsm:CrossIndustryInvoice>
""".encode()


def pdf_with_attachment(path: Path, attachments: dict[str, bytes]) -> Path:
    page = path.with_suffix(".page.pdf")
    c = canvas.Canvas(str(page), pagesize=A4)
    c.drawString(60, 780, "Rechnung RE-2024-118  Gesamtbetrag 529,87 EUR")
    c.save()
    pdf = pdfium.PdfDocument(page)
    for name, data in attachments.items():
        pdf.new_attachment(name).set_data(data)
    pdf.save(path)
    pdf.close()
    return path


def _fields(**values: str) -> dict[str, FieldValue]:
    return {k: FieldValue(v, 0.9) for k, v in values.items()}


def test_cii_fields_are_mapped_to_canonical_values() -> None:
    inv = parse_invoice_xml(cii(), "factur-x.xml")
    values = {k: fv.value for k, fv in inv.fields.items()}
    assert values == {
        "document_number": "RE-2024-118",
        "document_date": "2024-03-05",
        "due_date": "2024-04-04",
        "vendor_name": "Lieferant GmbH",
        "vendor_tax_id": "DE123456789",
        "customer_name": "Kunden AG Mitte",
        "currency": "EUR",
        "net_amount": "473.00",
        "tax_amount": "56.87",  # the tax total in the invoice currency, not the USD one
        "total_amount": "529.87",
        "amount_due": "529.87",
        "purchase_order": "PO-4711",
        "iban": "DE02120300000000202051",
        "period_start": "2024-02-01",
        "period_end": "2024-02-29",
        "line_items": (
            {
                "description": "Trennblätter A4",
                "quantity": "20.0000",
                "unit_price": "9.9000",
                "amount": "198.00",
            },
            {
                "description": "Joghurt Banane",
                "quantity": "50.0000",
                "unit_price": "5.5000",
                "amount": "275.00",
            },
        ),
    }
    assert all(fv.confidence == 0.99 for fv in inv.fields.values())
    assert inv.document_type is DocumentType.INVOICE
    assert inv.profile == "factur-x en16931"
    assert inv.source == "factur-x.xml (factur-x en16931)"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("380", DocumentType.INVOICE),
        ("384", DocumentType.INVOICE),  # a corrected invoice is still what is owed
        ("389", DocumentType.INVOICE),
        ("381", DocumentType.CREDIT_NOTE),
        ("261", DocumentType.CREDIT_NOTE),
    ],
)
def test_type_code_decides_invoice_or_credit_note(code: str, kind: DocumentType) -> None:
    assert parse_invoice_xml(cii(type_code=code)).document_type is kind


def test_profile_names_follow_the_guideline() -> None:
    xr = "urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3"
    basic = "urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic"
    assert parse_invoice_xml(cii(guideline=xr), "xrechnung.xml").profile == "xrechnung"
    assert parse_invoice_xml(cii(guideline=basic), "zugferd-invoice.xml").profile == (
        "zugferd basic"
    )


def test_ubl_invoice_is_mapped() -> None:
    ubl = b"""<?xml version="1.0" encoding="UTF-8"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
  xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#urn:xoev-de:kosit:standard:xrechnung_2.3</cbc:CustomizationID>
  <cbc:ID>UBL-77</cbc:ID>
  <cbc:IssueDate>2024-05-02</cbc:IssueDate>
  <cbc:DueDate>2024-06-01</cbc:DueDate>
  <cbc:InvoiceTypeCode>380</cbc:InvoiceTypeCode>
  <cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
  <cac:AccountingSupplierParty><cac:Party>
    <cac:PartyTaxScheme><cbc:CompanyID>DE987654321</cbc:CompanyID></cac:PartyTaxScheme>
    <cac:PartyLegalEntity><cbc:RegistrationName>Seller AG</cbc:RegistrationName></cac:PartyLegalEntity>
  </cac:Party></cac:AccountingSupplierParty>
  <cac:AccountingCustomerParty><cac:Party>
    <cac:PartyName><cbc:Name>Buyer GmbH</cbc:Name></cac:PartyName>
  </cac:Party></cac:AccountingCustomerParty>
  <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">19.00</cbc:TaxAmount></cac:TaxTotal>
  <cac:LegalMonetaryTotal>
    <cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
    <cbc:TaxInclusiveAmount currencyID="EUR">119.00</cbc:TaxInclusiveAmount>
    <cbc:PayableAmount currencyID="EUR">119.00</cbc:PayableAmount>
  </cac:LegalMonetaryTotal>
  <cac:InvoiceLine>
    <cbc:InvoicedQuantity unitCode="C62">2</cbc:InvoicedQuantity>
    <cbc:LineExtensionAmount currencyID="EUR">100.00</cbc:LineExtensionAmount>
    <cac:Item><cbc:Name>Beratung</cbc:Name></cac:Item>
    <cac:Price><cbc:PriceAmount currencyID="EUR">50.00</cbc:PriceAmount></cac:Price>
  </cac:InvoiceLine>
</Invoice>"""
    inv = parse_invoice_xml(ubl, "xrechnung.xml")
    values = {k: fv.value for k, fv in inv.fields.items()}
    assert inv.profile == "xrechnung"
    assert values["document_number"] == "UBL-77"
    assert values["document_date"] == "2024-05-02" and values["due_date"] == "2024-06-01"
    assert values["vendor_name"] == "Seller AG" and values["customer_name"] == "Buyer GmbH"
    assert (values["net_amount"], values["tax_amount"], values["total_amount"]) == (
        "100.00",
        "19.00",
        "119.00",
    )
    assert values["line_items"] == (
        {"description": "Beratung", "quantity": "2", "unit_price": "50.00", "amount": "100.00"},
    )


def test_embedded_xml_is_read_from_the_pdf(tmp_path: Path) -> None:
    path = pdf_with_attachment(
        tmp_path / "inv.pdf", {"logo.png": b"\x89PNG....", "factur-x.xml": cii()}
    )
    inv = facturx.read_embedded(path)
    assert inv is not None and inv.problem == ""
    assert inv.attachment == "factur-x.xml"
    assert inv.fields["total_amount"].value == "529.87"


def test_reader_carries_the_embedded_invoice_and_the_cache_round_trips_it(
    tmp_path: Path,
) -> None:
    path = pdf_with_attachment(tmp_path / "inv.pdf", {"ZUGFeRD-invoice.xml": cii()})
    src = SourceFile(path, "0" * 64, path.stat().st_size, FileKind.PDF)
    text = reader.read_document(src, reader.ReadOptions())
    assert text.engine == "pdf-text"
    assert text.embedded is not None
    assert text.embedded.fields["document_number"].value == "RE-2024-118"
    back = text_from_json(text_to_json(text))
    assert back.embedded == text.embedded
    assert back == text


def test_pdf_without_attachment_has_no_embedded_invoice(tmp_path: Path) -> None:
    path = pdf_with_attachment(tmp_path / "plain.pdf", {})
    assert facturx.read_embedded(path) is None
    assert facturx.find_xml(path) is None


def test_malformed_xml_is_reported_not_raised(tmp_path: Path) -> None:
    path = pdf_with_attachment(tmp_path / "bad.pdf", {"factur-x.xml": b"<rsm:Cross><oops"})
    inv = facturx.read_embedded(path)
    assert inv is not None
    assert inv.fields == {}
    assert "not well-formed XML" in inv.problem
    with pytest.raises(EmbeddedXmlError):
        parse_invoice_xml(b"<rsm:Cross><oops")


def test_entity_expansion_is_refused() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<CrossIndustryInvoice>&lol2;</CrossIndustryInvoice>"""
    with pytest.raises(EmbeddedXmlError):
        parse_invoice_xml(bomb)


def test_other_xml_is_not_taken_for_an_invoice() -> None:
    with pytest.raises(EmbeddedXmlError, match="not a CII or UBL invoice"):
        parse_invoice_xml(b"<metadata><title>x</title></metadata>", "meta.xml")
    empty = f"<rsm:CrossIndustryInvoice {NS}/>".encode()
    with pytest.raises(EmbeddedXmlError, match="neither an invoice number nor a total"):
        parse_invoice_xml(empty)


def test_oversized_attachment_is_not_read(tmp_path: Path) -> None:
    path = pdf_with_attachment(tmp_path / "big.pdf", {"factur-x.xml": cii()})
    inv = facturx.read_embedded(path, max_bytes=1000)
    assert inv is not None and inv.fields == {}
    assert "more than" in inv.problem


def test_disagreement_between_xml_and_page_is_reported() -> None:
    xml = parse_invoice_xml(cii()).fields
    page = _fields(
        total_amount="592.87",
        document_number="RE-2024-118",
        document_date="2024-03-05",
        vendor_name="LIEFERANT  GMBH",
    )
    checks = compare_with_page(xml, page)
    assert len(checks) == 1
    (check,) = checks
    assert check.rule == "xml_vs_page" and check.passed is False
    assert check.message == "total_amount: the XML says 529.87, the page says 592.87"
    assert check.fields == ("total_amount",)


def test_agreement_gives_one_passed_check() -> None:
    xml = parse_invoice_xml(cii()).fields
    page = _fields(
        total_amount="529.870",
        document_date="2024-03-05",
        vendor_name="Lieferant GmbH.",  # fuzzy: a stray full stop is the same name
        customer_name="kunden ag   mitte",
        iban="DE02 1203 0000 0000 2020 51",
    )
    checks = compare_with_page(xml, page)
    assert len(checks) == 1 and checks[0].passed is True
    assert set(checks[0].fields) == {
        "total_amount",
        "document_date",
        "vendor_name",
        "customer_name",
        "iban",
    }


def test_several_disagreements_each_get_a_check() -> None:
    xml = parse_invoice_xml(cii()).fields
    page = _fields(document_date="2024-03-06", vendor_name="Completely Other Ltd")
    failed = compare_with_page(xml, page)
    assert [c.fields for c in failed] == [("document_date",), ("vendor_name",)]
    assert all(c.passed is False for c in failed)


def test_nothing_shared_cannot_be_checked() -> None:
    xml = parse_invoice_xml(cii()).fields
    (check,) = compare_with_page(xml, {})
    assert check.passed is None


def test_page_text_document_type_untouched_by_xml() -> None:
    # DocumentText without XML keeps embedded None through the recorded format.
    page = Page(1, 100, 100, (Line((Word("x", 1.0, 0, 0, 1, 1),)),))
    text = DocumentText(pages=(page,), engine="pdf-text")
    assert text_from_json(text_to_json(text)).embedded is None
