"""Invoice XML embedded in a PDF (Factur-X, ZUGFeRD, XRechnung): find it, map it to our fields.

The XML comes from untrusted files: it is parsed with defusedxml (no DTDs, no entities) and
only up to ``MAX_XML_BYTES``. UN/CEFACT CII (Factur-X/ZUGFeRD 2, XRechnung CII) and UBL
(XRechnung UBL) are mapped; a broken XML becomes an ``EmbeddedXmlError``, never a crash.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml.ElementTree as SafeET
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from defusedxml import DefusedXmlException
from rapidfuzz import fuzz

from docintake.domain import (
    AMOUNT_FIELDS,
    DATE_FIELDS,
    Check,
    DocumentType,
    EmbeddedInvoice,
    FieldValue,
    parse_decimal,
)
from docintake.exceptions import CorruptFileError
from extractors.pdftext import PDFIUM_LOCK

__all__ = [
    "EmbeddedXmlError",
    "compare_with_page",
    "find_xml",
    "parse_invoice_xml",
    "read_embedded",
]

# Real invoice XMLs run from 10 kB to a few MB (XRechnung may carry base64 attachments).
MAX_XML_BYTES = 20 * 1024 * 1024
# Names the standards give the attachment; any other *.xml attachment is tried after these.
KNOWN_NAMES = ("factur-x.xml", "zugferd-invoice.xml", "xrechnung.xml", "order-x.xml")
CONFIDENCE = 0.99
# Name similarity (rapidfuzz ratio, 0-100) from which page and XML name the same party.
NAME_MATCH = 90.0

# UNTDID 1001 codes EN 16931 allows for credit notes; every other code asks for payment
# (380 invoice, 384 corrected invoice, 389 self-billed, 875-877 partial/final invoices...).
# A corrected invoice (384) replaces an invoice and is itself an invoice: its amounts, even
# negative ones, are what is owed now.
CREDIT_NOTE_CODES = frozenset(
    {"81", "83", "261", "262", "296", "308", "381", "396", "420", "458", "532"}
)

# Fields compared between the XML and the page, in report order.
COMPARED_FIELDS = (
    "document_number",
    "document_date",
    "due_date",
    "total_amount",
    "net_amount",
    "tax_amount",
    "amount_due",
    "currency",
    "vendor_name",
    "customer_name",
    "vendor_tax_id",
    "iban",
    "purchase_order",
)
_NAME_FIELDS = frozenset({"vendor_name", "customer_name"})


class EmbeddedXmlError(CorruptFileError):
    """An invoice XML is attached to the PDF but cannot be read (the page text still can)."""


# ---- finding the attachment ----------------------------------------------------------------


def find_xml(path: Path, max_bytes: int = MAX_XML_BYTES) -> tuple[str, bytes] | None:
    """The invoice XML attached to the PDF at ``path`` as (name, bytes), or None.

    Raises EmbeddedXmlError when the PDF cannot be opened or the XML is too large.
    """
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(path)
        except pdfium.PdfiumError as e:
            raise EmbeddedXmlError(f"{path.name}: attachments not readable ({e})") from e
        try:
            names = [_attachment_name(pdf, i) for i in range(pdf.count_attachments())]
            xml = [(i, n) for i, n in enumerate(names) if n.lower().endswith(".xml")]
            if not xml:
                return None
            # Known names first, then any other XML attachment.
            xml.sort(key=lambda item: item[1].lower() not in KNOWN_NAMES)
            index, name = xml[0]
            return name, _attachment_bytes(pdf, index, name, max_bytes)
        finally:
            pdf.close()


def _attachment_name(pdf: Any, index: int) -> str:
    try:
        return str(pdf.get_attachment(index).get_name())
    except pdfium.PdfiumError:
        return ""


def _attachment_bytes(pdf: Any, index: int, name: str, max_bytes: int) -> bytes:
    attachment = pdf.get_attachment(index)
    size = ctypes.c_ulong()
    # Ask for the size first, so that a huge attachment is never copied into memory.
    pdfium_c.FPDFAttachment_GetFile(attachment.raw, None, 0, ctypes.byref(size))
    if size.value > max_bytes:
        raise EmbeddedXmlError(
            f"the attached {name} is {size.value // 1024} kB, more than the "
            f"{max_bytes // 1024} kB an invoice XML may have; it was not read"
        )
    try:
        return bytes(attachment.get_data())
    except pdfium.PdfiumError as e:
        raise EmbeddedXmlError(f"the attached {name} could not be extracted: {e}") from e


def read_embedded(path: Path, max_bytes: int = MAX_XML_BYTES) -> EmbeddedInvoice | None:
    """The embedded invoice of a PDF; None when it has none.

    An invoice XML that is present but unreadable is returned with empty fields and
    ``problem`` saying why: the document is still read from its pages.
    """
    try:
        found = find_xml(path, max_bytes)
    except EmbeddedXmlError as e:
        return EmbeddedInvoice("", "unknown", DocumentType.UNKNOWN, problem=e.message)
    if found is None:
        return None
    name, data = found
    try:
        return parse_invoice_xml(data, name)
    except EmbeddedXmlError as e:
        return EmbeddedInvoice(name, "unknown", DocumentType.UNKNOWN, problem=e.message)


# ---- parsing -------------------------------------------------------------------------------


def parse_invoice_xml(data: bytes, name: str = "invoice.xml") -> EmbeddedInvoice:
    """Map a CII or UBL invoice to our fields; raises EmbeddedXmlError for anything else."""
    if len(data) > MAX_XML_BYTES:
        raise EmbeddedXmlError(f"{name} is larger than {MAX_XML_BYTES // 1024} kB")
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as e:
        raise EmbeddedXmlError(f"the attached {name} is not well-formed XML ({e})") from e
    for el in root.iter():
        # Namespaces differ between versions (ZUGFeRD 1/2, Factur-X, XRechnung); the local
        # names are what the mapping needs.
        if isinstance(el.tag, str):
            el.tag = el.tag.rsplit("}", 1)[-1]
    if root.tag == "CrossIndustryInvoice":
        syntax_fields, type_code, guideline = _cii(root)
    elif root.tag in ("Invoice", "CreditNote"):
        syntax_fields, type_code, guideline = _ubl(root)
    else:
        raise EmbeddedXmlError(
            f"the attached {name} is not a CII or UBL invoice (its root is <{root.tag}>)"
        )
    if not syntax_fields.get("document_number") and not syntax_fields.get("total_amount"):
        raise EmbeddedXmlError(f"the attached {name} has neither an invoice number nor a total")
    kind = DocumentType.CREDIT_NOTE if type_code in CREDIT_NOTE_CODES else DocumentType.INVOICE
    if root.tag == "CreditNote":
        kind = DocumentType.CREDIT_NOTE
    fields = {
        k: FieldValue(v, CONFIDENCE, rule=CONFIDENCE)
        for k, v in syntax_fields.items()
        if v not in ("", ())
    }
    return EmbeddedInvoice(
        attachment=name,
        profile=_profile(name, guideline, root.tag),
        document_type=kind,
        fields=fields,
    )


def _profile(name: str, guideline: str, root: str) -> str:
    lowered, g = name.lower(), guideline.lower()
    if "xrechnung" in g or "xrechnung" in lowered:
        family = "xrechnung"
    elif root != "CrossIndustryInvoice":
        family = "ubl"
    elif "zugferd" in lowered:
        family = "zugferd"
    else:
        family = "factur-x"
    level = ""
    for candidate in ("extended", "basicwl", "basic", "minimum", "en16931"):
        if candidate in g:
            level = candidate
            break
    if family == "xrechnung" or not level:
        return family
    return f"{family} {level}"


class _Tree:
    """Paths of local element names ("A/B/C") under an element; absent gives ""."""

    def __init__(self, root: Element) -> None:
        self.root = root

    def find(self, path: str, under: Element | None = None) -> Element | None:
        return (self.root if under is None else under).find(path)

    def text(self, path: str, under: Element | None = None) -> str:
        el = self.find(path, under)
        return _clean(el.text) if el is not None and el.text else ""

    def all(self, path: str, under: Element | None = None) -> list[Element]:
        return (self.root if under is None else under).findall(path)


def _clean(text: str) -> str:
    return text.strip()


def _amount(text: str) -> str:
    value = parse_decimal(text)
    return f"{value}" if value is not None else ""


def _decimal(text: str) -> str:
    """A quantity or unit price as a plain decimal, digits kept ("3.3333")."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return ""
    return f"{value:f}" if value.is_finite() else ""


def _cii_date(text: str, fmt: str = "102") -> str:
    digits = re.sub(r"\D", "", text)
    if fmt == "102" and len(digits) == 8:
        try:
            return date(int(digits[:4]), int(digits[4:6]), int(digits[6:])).isoformat()
        except ValueError:
            return ""
    return ""


def _cii_date_at(t: _Tree, path: str, under: Element | None = None) -> str:
    el = t.find(path + "/DateTimeString", under)
    if el is None or not el.text:
        return ""
    return _cii_date(el.text, el.get("format", "102"))


def _first(*values: str) -> str:
    return next((v for v in values if v), "")


def _cii(root: Element) -> tuple[dict[str, Any], str, str]:
    t = _Tree(root)
    doc = "ExchangedDocument"
    tx = "SupplyChainTradeTransaction"
    agreement = f"{tx}/ApplicableHeaderTradeAgreement"
    settlement = f"{tx}/ApplicableHeaderTradeSettlement"
    totals = f"{settlement}/SpecifiedTradeSettlementHeaderMonetarySummation"
    seller = f"{agreement}/SellerTradeParty"
    buyer = f"{agreement}/BuyerTradeParty"
    currency = t.text(f"{settlement}/InvoiceCurrencyCode").upper()
    fields: dict[str, Any] = {
        "document_number": t.text(f"{doc}/ID"),
        "document_date": _cii_date_at(t, f"{doc}/IssueDateTime"),
        "due_date": _cii_date_at(t, f"{settlement}/SpecifiedTradePaymentTerms/DueDateDateTime"),
        "vendor_name": t.text(f"{seller}/Name"),
        "vendor_tax_id": t.text(f"{seller}/SpecifiedTaxRegistration/ID"),
        "customer_name": t.text(f"{buyer}/Name"),
        "currency": currency,
        "net_amount": _amount(t.text(f"{totals}/TaxBasisTotalAmount")),
        "tax_amount": _amount(_tax_total(t, totals, currency)),
        "total_amount": _amount(t.text(f"{totals}/GrandTotalAmount")),
        "amount_due": _amount(t.text(f"{totals}/DuePayableAmount")),
        "purchase_order": t.text(f"{agreement}/BuyerOrderReferencedDocument/IssuerAssignedID"),
        "iban": _iban(
            t.text(
                f"{settlement}/SpecifiedTradeSettlementPaymentMeans/PayeePartyCreditorFinancialAccount/IBANID"
            ),
            t.text(
                f"{settlement}/SpecifiedTradeSettlementPaymentMeans/PayerPartyDebtorFinancialAccount/IBANID"
            ),
        ),
        "period_start": _cii_date_at(t, f"{settlement}/BillingSpecifiedPeriod/StartDateTime"),
        "period_end": _cii_date_at(t, f"{settlement}/BillingSpecifiedPeriod/EndDateTime"),
        "line_items": tuple(
            _cii_line(t, el) for el in t.all(f"{tx}/IncludedSupplyChainTradeLineItem")
        ),
    }
    guideline = t.text("ExchangedDocumentContext/GuidelineSpecifiedDocumentContextParameter/ID")
    return fields, t.text(f"{doc}/TypeCode"), guideline


def _tax_total(t: _Tree, totals: str, currency: str) -> str:
    # BT-110 and BT-111 share the element: the one in the invoice currency is the tax amount.
    candidates = t.all(f"{totals}/TaxTotalAmount")
    for el in candidates:
        if el.get("currencyID", currency).upper() == currency and el.text:
            return el.text
    return candidates[0].text or "" if candidates else ""


def _iban(*candidates: str) -> str:
    return _first(*(re.sub(r"\s", "", c).upper() for c in candidates))


def _cii_line(t: _Tree, el: Element) -> dict[str, str]:
    row = {
        "description": t.text("SpecifiedTradeProduct/Name", el),
        "quantity": _decimal(t.text("SpecifiedLineTradeDelivery/BilledQuantity", el)),
        "unit_price": _decimal(
            t.text("SpecifiedLineTradeAgreement/NetPriceProductTradePrice/ChargeAmount", el)
        ),
        "amount": _amount(
            t.text(
                "SpecifiedLineTradeSettlement/SpecifiedTradeSettlementLineMonetarySummation/"
                "LineTotalAmount",
                el,
            )
        ),
    }
    return {k: v for k, v in row.items() if v}


def _ubl(root: Element) -> tuple[dict[str, Any], str, str]:
    t = _Tree(root)
    credit = root.tag == "CreditNote"
    supplier = "AccountingSupplierParty/Party"
    customer = "AccountingCustomerParty/Party"
    totals = "LegalMonetaryTotal"
    currency = t.text("DocumentCurrencyCode").upper()
    line_tag, qty_tag = (
        ("CreditNoteLine", "CreditedQuantity")
        if credit
        else (
            "InvoiceLine",
            "InvoicedQuantity",
        )
    )
    fields: dict[str, Any] = {
        "document_number": t.text("ID"),
        "document_date": _iso_date(t.text("IssueDate")),
        "due_date": _iso_date(_first(t.text("DueDate"), t.text("PaymentMeans/PaymentDueDate"))),
        "vendor_name": _first(
            t.text(f"{supplier}/PartyLegalEntity/RegistrationName"),
            t.text(f"{supplier}/PartyName/Name"),
        ),
        "vendor_tax_id": t.text(f"{supplier}/PartyTaxScheme/CompanyID"),
        "customer_name": _first(
            t.text(f"{customer}/PartyLegalEntity/RegistrationName"),
            t.text(f"{customer}/PartyName/Name"),
        ),
        "currency": currency,
        "net_amount": _amount(t.text(f"{totals}/TaxExclusiveAmount")),
        "tax_amount": _amount(_ubl_tax(t, currency)),
        "total_amount": _amount(t.text(f"{totals}/TaxInclusiveAmount")),
        "amount_due": _amount(t.text(f"{totals}/PayableAmount")),
        "purchase_order": t.text("OrderReference/ID"),
        "iban": _iban(t.text("PaymentMeans/PayeeFinancialAccount/ID")),
        "period_start": _iso_date(t.text("InvoicePeriod/StartDate")),
        "period_end": _iso_date(t.text("InvoicePeriod/EndDate")),
        "line_items": tuple(
            {
                k: v
                for k, v in {
                    "description": t.text("Item/Name", el),
                    "quantity": _decimal(t.text(qty_tag, el)),
                    "unit_price": _decimal(t.text("Price/PriceAmount", el)),
                    "amount": _amount(t.text("LineExtensionAmount", el)),
                }.items()
                if v
            }
            for el in t.all(line_tag)
        ),
    }
    type_code = t.text("CreditNoteTypeCode" if credit else "InvoiceTypeCode")
    return fields, type_code, t.text("CustomizationID")


def _ubl_tax(t: _Tree, currency: str) -> str:
    for el in t.all("TaxTotal/TaxAmount"):
        if el.get("currencyID", currency).upper() == currency and el.text:
            return el.text
    return ""


def _iso_date(text: str) -> str:
    try:
        return date.fromisoformat(text.strip()[:10]).isoformat()
    except ValueError:
        return ""


# ---- page against XML ----------------------------------------------------------------------


def compare_with_page(
    xml_fields: Mapping[str, FieldValue], page_fields: Mapping[str, FieldValue]
) -> tuple[Check, ...]:
    """A failed ``xml_vs_page`` check per key field the XML and the page both give and
    disagree on; one passed check when all such fields agree (None when none is shared)."""
    compared: list[str] = []
    failed: list[Check] = []
    for name in COMPARED_FIELDS:
        xml_fv, page_fv = xml_fields.get(name), page_fields.get(name)
        if xml_fv is None or page_fv is None:
            continue
        if not isinstance(xml_fv.value, str) or not isinstance(page_fv.value, str):
            continue
        compared.append(name)
        if not _same(name, xml_fv.value, page_fv.value):
            failed.append(
                Check(
                    rule="xml_vs_page",
                    passed=False,
                    message=(f"{name}: the XML says {xml_fv.value}, the page says {page_fv.value}"),
                    fields=(name,),
                )
            )
    if failed:
        return tuple(failed)
    if not compared:
        return (
            Check(
                rule="xml_vs_page",
                passed=None,
                message="the page shows none of the XML's key fields to compare",
            ),
        )
    return (
        Check(
            rule="xml_vs_page",
            passed=True,
            message=f"the page agrees with the embedded XML on {', '.join(compared)}",
            fields=tuple(compared),
        ),
    )


def _same(name: str, xml_value: str, page_value: str) -> bool:
    compare = _COMPARERS.get(name, _same_code)
    return compare(xml_value, page_value)


def _same_amount(a: str, b: str) -> bool:
    x, y = parse_decimal(a), parse_decimal(b)
    if x is None or y is None:
        return _same_code(a, b)
    # A credit shown as "-50.00" on one side and "50.00" on the other is the same amount.
    return abs(x) == abs(y)


def _same_date(a: str, b: str) -> bool:
    try:
        return date.fromisoformat(a) == date.fromisoformat(b)
    except ValueError:
        return _same_code(a, b)


def _name_key(value: str) -> str:
    value = unicodedata.normalize("NFKC", value).casefold()
    return " ".join(value.split())


def _same_name(a: str, b: str) -> bool:
    x, y = _name_key(a), _name_key(b)
    return x == y or fuzz.ratio(x, y) >= NAME_MATCH or fuzz.token_sort_ratio(x, y) >= NAME_MATCH


def _same_code(a: str, b: str) -> bool:
    def key(v: str) -> str:
        return re.sub(r"\s+", "", unicodedata.normalize("NFKC", v)).upper()

    return key(a) == key(b)


_COMPARERS: dict[str, Callable[[str, str], bool]] = {
    **{f: _same_amount for f in AMOUNT_FIELDS},
    **{f: _same_date for f in DATE_FIELDS},
    **{f: _same_name for f in _NAME_FIELDS},
}
