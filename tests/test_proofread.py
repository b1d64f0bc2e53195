"""Proof-reading rules (extractors.proofread): what each finds, and what it does to confidence."""

from __future__ import annotations

from datetime import date

import pytest

from docintake.domain import Check, DocumentType, Extraction, FieldValue
from extractors.proofread import (
    CONFIRMED,
    DOUBTED,
    REJECTED,
    proofread,
    proofread_extraction,
)

TODAY = date(2026, 11, 23)
THRESHOLD = 0.80  # auto-accept threshold (docintake.decision.Thresholds)


def fv(value: object, confidence: float = 0.7, rule: float | None = None) -> FieldValue:
    return FieldValue(value, confidence, rule=rule)  # type: ignore[arg-type]


def rows(*amounts: str) -> FieldValue:
    return fv(tuple({"description": f"item {i}", "amount": a} for i, a in enumerate(amounts)))


def run(fields: dict[str, FieldValue], doc_type: DocumentType = DocumentType.INVOICE):
    return proofread(fields, doc_type, today=TODAY)


def check(result, rule: str) -> Check:
    [found] = [c for c in result.checks if c.rule == rule]
    return found


# --- net + tax = total ------------------------------------------------------------------


def test_net_plus_tax_confirms_all_three_fields() -> None:
    fields = {
        "net_amount": fv("473.00", 0.62),
        "tax_amount": fv("56.87", 0.71),
        "total_amount": fv("529.87", 0.95),
    }
    result = run(fields)
    c = check(result, "net_plus_tax")
    assert c.passed is True
    assert "473.00" in c.message and "529.87" in c.message
    assert result.fields["net_amount"].confidence == CONFIRMED
    assert result.fields["tax_amount"].confidence == CONFIRMED
    # Never lowered by a passing check, never raised to certainty.
    assert result.fields["total_amount"].confidence == 0.95
    assert all(f.confidence < 1 for f in result.fields.values())


def test_net_plus_tax_failing_lowers_all_three_below_threshold() -> None:
    fields = {
        "net_amount": fv("473.00", 0.95),
        "tax_amount": fv("56.87", 0.95),
        "total_amount": fv("559.87", 0.95, rule=0.95),
    }
    result = run(fields)
    c = check(result, "net_plus_tax")
    assert c.passed is False
    assert "529.87" in c.message and "559.87" in c.message
    for name in ("net_amount", "tax_amount", "total_amount"):
        assert result.fields[name].confidence <= DOUBTED < THRESHOLD
    # The rule confidence is lowered too: a second reading must not lift the doubt again.
    assert result.fields["total_amount"].rule == DOUBTED


def test_net_plus_tax_tolerates_a_cent_and_zero_tax_is_no_evidence() -> None:
    rounded = run(
        {
            "net_amount": fv("10.01"),
            "tax_amount": fv("1.90"),
            "total_amount": fv("11.90"),
        }
    )
    assert check(rounded, "net_plus_tax").passed is True
    no_tax = run(
        {
            "net_amount": fv("100.00", 0.5),
            "tax_amount": fv("0.00", 0.5),
            "total_amount": fv("100.00", 0.5),
        }
    )
    assert check(no_tax, "net_plus_tax").passed is True
    # Net equal to total may be one printed figure read twice: no raise.
    assert no_tax.fields["net_amount"].confidence == 0.5


def test_net_plus_tax_missing_field_is_not_applied_and_changes_nothing() -> None:
    fields = {"net_amount": fv("100.00", 0.5), "total_amount": fv("119.00", 0.5)}
    result = run(fields)
    c = check(result, "net_plus_tax")
    assert c.passed is None
    assert "tax amount" in c.message
    assert result.fields == fields


def test_credit_note_figures_compared_by_size() -> None:
    fields = {
        "net_amount": fv("-100.00", 0.5),
        "tax_amount": fv("19.00", 0.5),
        "total_amount": fv("-119.00", 0.5),
        "amount_due": fv("-119.00", 0.5),
    }
    result = run(fields, DocumentType.CREDIT_NOTE)
    assert check(result, "net_plus_tax").passed is True
    assert check(result, "amount_due").passed is True
    assert result.fields["tax_amount"].confidence == CONFIRMED
    # On an invoice the same signs do not add up.
    assert check(run(fields), "net_plus_tax").passed is False


# --- line items -------------------------------------------------------------------------


def test_line_items_sum_to_net() -> None:
    fields = {
        "line_items": rows("198.00", "275.00"),
        "net_amount": fv("473.00", 0.5),
        "tax_amount": fv("56.87"),
        "total_amount": fv("529.87"),
    }
    result = run(fields)
    c = check(result, "line_items_sum")
    assert c.passed is True
    assert c.fields == ("line_items", "net_amount")
    assert result.fields["line_items"].confidence == CONFIRMED


def test_line_items_sum_to_total_when_no_net_or_tax_printed() -> None:
    result = run(
        {"line_items": rows("10.00", "5.50", "4.50"), "total_amount": fv("20.00")},
        DocumentType.COMMERCIAL_INVOICE,
    )
    c = check(result, "line_items_sum")
    assert c.passed is True
    assert "total" in c.message


def test_line_items_rounding_tolerance_is_a_cent_per_line() -> None:
    three = rows("3.33", "3.33", "3.33")
    assert check(run({"line_items": three, "net_amount": fv("10.00")}), "line_items_sum").passed
    assert not check(run({"line_items": three, "net_amount": fv("10.03")}), "line_items_sum").passed


def test_failing_line_sum_blames_the_lines_when_net_plus_tax_holds() -> None:
    fields = {
        "line_items": rows("198.00", "257.00"),  # 275 misread as 257
        "net_amount": fv("473.00", 0.85),
        "tax_amount": fv("56.87", 0.85),
        "total_amount": fv("529.87", 0.85),
    }
    result = run(fields)
    c = check(result, "line_items_sum")
    assert c.passed is False
    assert "455.00" in c.message and "473.00" in c.message and "18.00" in c.message
    assert result.fields["line_items"].confidence <= DOUBTED
    # The net amount is confirmed by net + tax = total, so it is not the one in doubt.
    assert result.fields["net_amount"].confidence == CONFIRMED


def test_failing_line_sum_lowers_both_when_unclear_which_is_wrong() -> None:
    fields = {"line_items": rows("198.00", "257.00"), "net_amount": fv("473.00", 0.9)}
    result = run(fields)
    assert result.fields["line_items"].confidence <= DOUBTED
    assert result.fields["net_amount"].confidence <= DOUBTED


def test_line_without_amount_but_with_quantity_cannot_be_summed() -> None:
    items = fv(({"description": "a", "amount": "5.00"}, {"description": "b", "quantity": "2"}))
    result = run({"line_items": items, "net_amount": fv("10.00")})
    assert check(result, "line_items_sum").passed is None


# --- amount due -------------------------------------------------------------------------


def test_amount_due_may_be_less_than_total_but_not_more() -> None:
    prepaid = run({"amount_due": fv("400.00"), "total_amount": fv("529.87")})
    c = check(prepaid, "amount_due")
    assert c.passed is True and "129.87" in c.message
    more = run({"amount_due": fv("592.87", 0.9), "total_amount": fv("529.87", 0.9)})
    assert check(more, "amount_due").passed is False
    assert more.fields["amount_due"].confidence <= DOUBTED


# --- checksums --------------------------------------------------------------------------


def test_iban_checksum() -> None:
    good = run({"iban": fv("DE89 3704 0044 0532 0130 00", 0.6, rule=0.95)})
    assert check(good, "iban_checksum").passed is True
    # The reading is verified: the OCR doubt goes, up to the rule's own confidence.
    assert good.fields["iban"].confidence == 0.95
    bad = run({"iban": fv("DE89 3704 0044 0532 0130 08", 0.95)})
    c = check(bad, "iban_checksum")
    assert c.passed is False and "check digits" in c.message
    assert bad.fields["iban"].confidence <= REJECTED


@pytest.mark.parametrize(
    ("tax_id", "passed"),
    [
        ("DE136695976", True),
        ("DE 136 695 977", False),  # check digit
        ("GB 980 7806 84", True),
        ("04-2103594", True),  # US EIN
        ("00-2103594", False),  # no such EIN prefix
        ("91110000600037341L", True),  # Chinese unified social credit code
        ("91110000600037341X", False),
        ("201/113/40209", None),  # a German Steuernummer: no country to check it against
    ],
)
def test_vat_id_formats(tax_id: str, passed: bool | None) -> None:
    result = run({"vendor_tax_id": fv(tax_id, 0.95)})
    assert check(result, "vat_id").passed is passed
    if passed is False:
        assert result.fields["vendor_tax_id"].confidence <= DOUBTED
    else:
        assert result.fields["vendor_tax_id"].confidence == 0.95


def test_container_check_digit() -> None:
    good = run(
        {"container_numbers": fv(("CSQU3054383", "MSCU1234566"), 0.7, rule=0.9)},
        DocumentType.BILL_OF_LADING,
    )
    assert check(good, "container_check_digit").passed is True
    assert good.fields["container_numbers"].confidence == 0.9
    bad = run(
        {"container_numbers": fv(("CSQU3054383", "MSCU1234560"), 0.95)},
        DocumentType.BILL_OF_LADING,
    )
    c = check(bad, "container_check_digit")
    assert c.passed is False
    assert "MSCU1234560 should end in 6" in c.message
    assert bad.fields["container_numbers"].confidence <= REJECTED


# --- trade formats and weights ----------------------------------------------------------


def test_hs_code_format() -> None:
    good = run({"hs_codes": fv(("847130", "8471300000"))}, DocumentType.CUSTOMS)
    assert check(good, "hs_code_format").passed is True
    bad = run({"hs_codes": fv(("84713", "7712345678", "9801000000"), 0.9)}, DocumentType.CUSTOMS)
    c = check(bad, "hs_code_format")
    assert c.passed is False
    assert "84713 is not 6 to 10 digits" in c.message
    assert "chapter 77" in c.message and "chapter 98" in c.message
    assert bad.fields["hs_codes"].confidence <= DOUBTED


def test_hs_code_in_line_items_is_checked_too() -> None:
    items = fv(({"description": "laptops", "hs_code": "00471300"},), 0.9)
    result = run({"line_items": items}, DocumentType.COMMERCIAL_INVOICE)
    c = check(result, "hs_code_format")
    assert c.passed is False and c.fields == ("line_items",)
    assert result.fields["line_items"].confidence <= DOUBTED


def test_gross_weight_at_least_net() -> None:
    ok = run(
        {"gross_weight_kg": fv("1250.5"), "net_weight_kg": fv("1180")}, DocumentType.PACKING_LIST
    )
    assert check(ok, "gross_vs_net_weight").passed is True
    swapped = run(
        {"gross_weight_kg": fv("1180", 0.9), "net_weight_kg": fv("1250.5", 0.9)},
        DocumentType.PACKING_LIST,
    )
    assert check(swapped, "gross_vs_net_weight").passed is False
    assert swapped.fields["gross_weight_kg"].confidence <= DOUBTED
    assert swapped.fields["net_weight_kg"].confidence <= DOUBTED


@pytest.mark.parametrize(("packages", "passed"), [("12", True), ("0", False), ("12.5", False)])
def test_packages_positive_integer(packages: str, passed: bool) -> None:
    result = run({"packages": fv(packages)}, DocumentType.PACKING_LIST)
    assert check(result, "packages_integer").passed is passed


def test_packing_list_lines_add_up_to_totals() -> None:
    items = fv(
        (
            {"description": "a", "packages": "40", "gross_weight_kg": "410.2"},
            {"description": "b", "packages": "80", "gross_weight_kg": "840.3"},
        ),
        0.6,
    )
    result = run(
        {"line_items": items, "packages": fv("120", 0.6), "gross_weight_kg": fv("1250.5", 0.6)},
        DocumentType.PACKING_LIST,
    )
    assert check(result, "line_packages_sum").passed is True
    assert check(result, "line_gross_weight_sum").passed is True
    assert result.fields["packages"].confidence == CONFIRMED
    wrong = run({"line_items": items, "packages": fv("102", 0.9)}, DocumentType.PACKING_LIST)
    c = check(wrong, "line_packages_sum")
    assert c.passed is False and "120" in c.message and "102" in c.message


# --- dates and currency -----------------------------------------------------------------


def test_due_date_after_document_date() -> None:
    ok = run({"document_date": fv("2026-03-05"), "due_date": fv("2026-04-04")})
    assert check(ok, "due_after_issue").passed is True
    bad = run({"document_date": fv("2026-03-05", 0.9), "due_date": fv("2026-03-01", 0.9)})
    c = check(bad, "due_after_issue")
    assert c.passed is False and "2026-03-01" in c.message
    assert bad.fields["due_date"].confidence <= DOUBTED
    assert bad.fields["document_date"].confidence <= DOUBTED


def test_period_order() -> None:
    bad = run({"period_start": fv("2026-04-01"), "period_end": fv("2026-03-31")})
    assert check(bad, "period_order").passed is False
    ok = run({"period_start": fv("2026-03-01"), "period_end": fv("2026-03-31")})
    assert check(ok, "period_order").passed is True


@pytest.mark.parametrize(
    ("value", "passed"),
    [("2026-11-20", True), ("2018-03-05", True), ("2062-11-20", False), ("1926-11-20", False)],
)
def test_document_date_plausible_against_today(value: str, passed: bool) -> None:
    result = run({"document_date": fv(value, 0.9)}, DocumentType.RECEIPT)
    assert check(result, "document_date_plausible").passed is passed
    assert (result.fields["document_date"].confidence <= DOUBTED) is not passed


def test_currency_is_iso_4217() -> None:
    pytest.importorskip("pycountry")
    assert check(run({"currency": fv("EUR")}), "currency_code").passed is True
    bad = run({"currency": fv("EUO", 0.9)})
    assert check(bad, "currency_code").passed is False
    assert bad.fields["currency"].confidence <= DOUBTED


# --- which rules run --------------------------------------------------------------------


def test_rules_run_only_for_their_document_types() -> None:
    receipt = {c.rule for c in run({"total_amount": fv("1.00")}, DocumentType.RECEIPT).checks}
    assert "container_check_digit" not in receipt and "iban_checksum" not in receipt
    assert "net_plus_tax" in receipt
    lading = {c.rule for c in run({}, DocumentType.BILL_OF_LADING).checks}
    assert "container_check_digit" in lading and "net_plus_tax" not in lading


def test_empty_fields_change_nothing() -> None:
    for doc_type in DocumentType:
        result = run({}, doc_type)
        assert dict(result.fields) == {}
        assert all(c.passed is None for c in result.checks)


def test_proofread_extraction_appends_checks() -> None:
    earlier = Check("xml_vs_page", True, "The XML and the page agree.")
    extraction = Extraction(
        DocumentType.INVOICE,
        0.9,
        fields={"net_amount": fv("10.00"), "tax_amount": fv("1.90"), "total_amount": fv("11.90")},
        checks=(earlier,),
    )
    out = proofread_extraction(extraction, today=TODAY)
    assert out.checks[0] == earlier
    assert any(c.rule == "net_plus_tax" and c.passed for c in out.checks)
    assert out.fields["net_amount"].confidence == CONFIRMED


def test_net_differing_from_total_without_tax_is_not_judged() -> None:
    # A US media invoice: gross 1640.00, agency commission -246.00, sales tax 0, NET 1394.00.
    fields = {
        "net_amount": fv("1394.00", 0.9),
        "tax_amount": fv("0.00", 0.9),
        "total_amount": fv("1640.00", 0.9),
    }
    result = run(fields)
    c = check(result, "net_plus_tax")
    assert c.passed is None and "commission" in c.message
    assert result.fields == fields
