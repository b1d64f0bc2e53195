"""Issue 5 matching cases: look-alikes, legal-suffix variants, payments, currency, no match.

Pure: no database, no OCR. The ledgers imitate real ones, where one brand has several
branches and legal entities with near-identical names.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from docintake.decision import Thresholds, decide
from docintake.domain import DocumentType, Extraction, FieldValue
from matching import match_document
from matching.customers import name_similarity
from matching.keys import customer_keys, document_keys
from matching.ledger import BillRecord, CustomerRecord, Ledger, MemoryLedger
from matching.matcher import MatchPolicy
from matching.normalize import name_parts, postcodes

AUTO = Thresholds().match_confidence

DIY_M = CustomerRecord(
    "C10",
    "MR. D.I.Y. (M) SDN BHD",
    "LOT 1851-A & 1851-B, JALAN KPB 6, KAWASAN PERINDUSTRIAN BALAKONG, 43300 SERI KEMBANGAN",
)
DIY_KUCHAI = CustomerRecord(
    "C11",
    "MR. D. I. Y. (KUCHAI) SDN BHD",
    "LOT 1851-A & 1851-B, JALAN KPB 6, KAWASAN PERINDUSTRIAN BALAKONG, 43300 SERI KEMBANGAN",
)
IKANO = CustomerRecord("C20", "IKANO HANDEL SDN BHD", "NO 2A JALAN COCHRANE, 55100 KUALA LUMPUR")
IKANO_ENT = CustomerRecord(
    "C21", "IKANO HANDEL ENTERPRISE", "NO 159, JALAN MELATI, 41000 KLANG, SELANGOR"
)
STOOGES = CustomerRecord("C30", "THREE STOOGES", "109, SS21/1A, DAMANSARA UTAMA, 47400 PJ")
STOOGES_IPOH = CustomerRecord("C31", "THREE STOOGES (IPOH)", "NO 169, JALAN KENANGA, 30450 IPOH")


def bill(
    bill_id: str,
    customer: CustomerRecord,
    amount: str,
    *,
    status: str = "open",
    reference: str | None = None,
    issue: date = date(2018, 3, 1),
    currency: str = "MYR",
    remaining: str | None = None,
) -> BillRecord:
    return BillRecord(
        bill_id=bill_id,
        customer_id=customer.customer_id,
        amount_remaining=Decimal(remaining if remaining is not None else amount),
        status=status,
        reference=reference,
        issue_date=issue,
        due_date=date(2018, 3, 31),
        currency=currency,
        amount=Decimal(amount),
    )


def receipt(name: str, total: str, address: str | None = None, **extra: str) -> dict:
    values = {"vendor_name": name, "total_amount": total, "document_date": "2018-03-12"}
    values |= {"currency": "MYR", **extra}
    if address:
        values["vendor_address"] = address
    return {k: FieldValue(v, 0.95) for k, v in values.items()}


def match(fields: dict, *customers: CustomerRecord, bills: tuple[BillRecord, ...] = ()):
    return match_document(fields, Ledger(customers, bills), document_type=DocumentType.RECEIPT)


# ---- names ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "printed",
    ["IKANO HANDEL SDN. BHD.", "IKANO HANDEL SDN BHD", "IKANO HANDEL S/B", "Ikano Handel Sdn.Bhd"],
)
def test_spellings_of_the_same_legal_form_are_the_same_name(printed):
    score, notes = name_similarity(printed, IKANO.name)
    assert score == 100
    assert notes == []


def test_another_legal_form_is_another_company():
    score, notes = name_similarity("IKANO HANDEL SDN BHD", IKANO_ENT.name)
    assert score <= 80
    assert notes == ["legal form SDN BHD vs ENTERPRISE"]


def test_branch_in_brackets_is_compared_on_its_own():
    assert name_parts("TRI SHAAS SDN (SHAH ALAM) BHD").legal == "SDN BHD"
    assert name_parts("TRI SHAAS SDN (SHAH ALAM) BHD").qualifiers == {"SHAH ALAM"}
    missing, notes = name_similarity("MR. D.I.Y. SDN BHD", DIY_KUCHAI.name)
    assert missing == 82
    assert notes == ["ledger name has (KUCHAI), the document does not"]
    same, _ = name_similarity("MR D.I.Y. KUCHAI SDN BHD", DIY_KUCHAI.name)  # brackets lost
    assert same == 100


def test_branch_named_only_in_the_address_costs_little():
    score, notes = name_similarity(
        "CHECKERS HYPERMARKET SDN BHD",
        "CHECKERS HYPERMARKET SDN BHD (JALAN KLANG LAMA)",
        "LOT 2942, JLN SERI SENTOSA 8, OFF JLN KLANG LAMA, 58200 KUALA LUMPUR",
    )
    assert score == 94
    assert "only in its address" in notes[0]


def test_postcodes_are_told_from_street_and_lot_numbers():
    assert postcodes("LOT 1851-A & 1851-B, JALAN KPB 6, 43300 SERI KEMBANGAN") == {"43300"}
    assert postcodes("4243,COMPLEKS SRI GAYA, JLN TMN SUBANG JASA 3, 40150 SELANGOR") == {"40150"}
    assert postcodes("Hauptstr. 5, 10115 Berlin") == {"10115"}


# ---- look-alikes ---------------------------------------------------------------------------


def test_exact_name_beats_the_branch_lookalike_with_the_same_bill_amount():
    result = match(
        receipt("THREE STOOGES", "19.80"),
        STOOGES,
        STOOGES_IPOH,
        bills=(bill("B1", STOOGES, "19.80"), bill("B2", STOOGES_IPOH, "19.80")),
    )
    assert (result.customer_id, result.bill_id) == ("C30", "B1")
    assert result.confidence >= AUTO
    assert result.runner_up is not None
    assert result.runner_up.customer_id == "C31"
    assert result.runner_up.confidence < 0.5
    notes = " ".join(r.note for r in result.runner_up.reasons)
    assert "ledger name has (IPOH)" in notes


def test_customer_missing_from_the_ledger_is_not_given_to_its_branch_lookalike():
    # The receipt is from MR. D.I.Y. SDN BHD, which is not a customer; its (KUCHAI) sibling
    # is, and happens to have an open bill of exactly this amount.
    result = match(
        receipt("MR. D.I.Y. SDN BHD", "3.90"),
        DIY_KUCHAI,
        bills=(bill("B1", DIY_KUCHAI, "3.90"),),
    )
    assert result.confidence < AUTO


def test_customer_missing_from_the_ledger_is_not_given_to_its_legal_form_lookalike():
    result = match(
        receipt("IKANO HANDEL SDN BHD", "99.80"), IKANO_ENT, bills=(bill("B1", IKANO_ENT, "99.80"),)
    )
    assert result.confidence < AUTO


def test_same_name_at_another_postcode_is_not_accepted():
    far = CustomerRecord("C40", "THREE STOOGES", "NO 12, JALAN MAWAR, 81300 SKUDAI, JOHOR")
    result = match(
        receipt("THREE STOOGES", "10.00", "109, SS21/1A, DAMANSARA UTAMA, 47400 PETALING JAYA"),
        far,
        bills=(bill("B1", far, "10.00"),),
    )
    assert result.confidence < AUTO
    assert any("postcode 47400 vs 81300" in r.note for r in result.reasons)


def test_two_identical_customers_with_fitting_bills_go_to_review():
    twin = CustomerRecord("C12", "Mr.D.I.Y(M)Sdn. Bhd.", DIY_M.address)
    result = match(
        receipt("MR. D.I.Y. (M) SDN BHD", "37.10", DIY_M.address),
        DIY_M,
        twin,
        bills=(bill("B1", DIY_M, "37.10"), bill("B2", twin, "37.10")),
    )
    assert result.bill_id is None
    assert result.confidence <= 0.5
    assert any(p.startswith("ambiguous: customer") for p in result.problems)


def test_identical_twins_without_address_evidence_are_not_told_apart_by_the_bill_alone():
    twin = CustomerRecord("C12", "Mr.D.I.Y(M)Sdn. Bhd.", DIY_M.address)
    result = match(
        receipt("MR. D.I.Y. (M) SDN BHD", "15.90"), DIY_M, twin, bills=(bill("B2", twin, "15.90"),)
    )
    assert (result.customer_id, result.bill_id) == ("C12", "B2")  # suggested...
    assert result.confidence < AUTO  # ...but a person decides
    assert any("look-alike customer C10" in p for p in result.problems)


def test_identical_twins_at_the_same_address_are_not_told_apart_by_the_bill_alone():
    # Same name, same postcode: the postcode confirms both, so it tells them apart no more
    # than the name does. Only the bill differs, and that is not enough to post.
    twin = CustomerRecord("C12", "Mr.D.I.Y(M)Sdn. Bhd.", DIY_M.address)
    result = match(
        receipt("MR.D.I.Y(M)SDN BHD", "15.90", DIY_M.address),
        DIY_M,
        twin,
        bills=(bill("B2", twin, "15.90"),),
    )
    assert (result.customer_id, result.bill_id) == ("C12", "B2")
    assert result.confidence < AUTO
    assert any("look-alike customer C10" in p for p in result.problems)


def test_the_postcode_tells_same_named_branches_apart():
    far = CustomerRecord("C12", "Mr.D.I.Y(M)Sdn. Bhd.", "NO 8, JALAN MAWAR, 81300 SKUDAI")
    result = match(
        receipt("MR.D.I.Y(M)SDN BHD", "15.90", DIY_M.address),
        DIY_M,
        far,
        bills=(bill("B1", DIY_M, "15.90"), bill("B2", far, "15.90")),
    )
    assert (result.customer_id, result.bill_id) == ("C10", "B1")
    assert result.confidence >= AUTO


def test_a_near_name_without_confirmation_is_not_posted():
    # One letter from a customer's name, and not a letter OCR confuses: perhaps another
    # company altogether, which is not a customer.
    heng = CustomerRecord("C60", "SYARIKAT PERNIAGAAN CHONG HENG")
    result = match(
        receipt("SYARIKAT PERNIAGAAN CHONG HING", "45.00"), heng, bills=(bill("B1", heng, "45.00"),)
    )
    assert (result.customer_id, result.bill_id) == ("C60", "B1")  # suggested
    assert result.confidence < AUTO
    misread = match(
        receipt("SYARIKAT PERNIAGAAN CH0NG HENG", "45.00"), heng, bills=(bill("B1", heng, "45.00"),)
    )
    assert misread.confidence >= AUTO  # "0" for "O" is OCR's, not another name


def test_a_legal_form_the_ledger_name_lacks_is_not_posted():
    maju = CustomerRecord("C61", "KEDAI MAJU")
    result = match(
        receipt("KEDAI MAJU ENTERPRISE", "45.00"), maju, bills=(bill("B1", maju, "45.00"),)
    )
    assert result.confidence < AUTO
    dropped = match(receipt("KEDAI MAJU", "45.00"), maju, bills=(bill("B1", maju, "45.00"),))
    assert dropped.confidence >= AUTO


def test_a_vague_address_confirms_nothing():
    c1 = CustomerRecord("C1", "ZETA MOTORS SDN BHD", "NO 1, JALAN AMPANG, 56000 KUALA LUMPUR")
    c2 = CustomerRecord("C2", "ZETA MOTORS SDN BHD", "NO 9, JALAN IPOH, 68000 KUALA LUMPUR")
    result = match(
        receipt("ZETA MOTORS SDN BHD", "45.00", "KUALA LUMPUR"),
        c1,
        c2,
        bills=(bill("B1", c1, "45.00"),),
    )
    assert result.confidence < AUTO


# ---- bills -----------------------------------------------------------------------------------


def test_cash_rounding_of_two_cents_still_matches_but_five_cents_does_not():
    near = match(receipt("THREE STOOGES", "72.95"), STOOGES, bills=(bill("B1", STOOGES, "72.93"),))
    assert near.bill_id == "B1"
    assert near.payment == "rounding"
    assert near.confidence >= AUTO
    far = match(receipt("THREE STOOGES", "37.10"), STOOGES, bills=(bill("B1", STOOGES, "37.05"),))
    assert far.bill_id is None
    assert far.confidence < AUTO


def test_partial_payment_by_reference_is_suggested_with_the_remaining_amount():
    result = match(
        receipt("THREE STOOGES", "40.00", document_number="INV-2018-100"),
        STOOGES,
        bills=(bill("B1", STOOGES, "100.00", reference="INV 2018/100"),),
    )
    assert (result.bill_id, result.payment) == ("B1", "partial")
    assert result.confidence < AUTO
    amount = next(r for r in result.reasons if r.field == "total_amount")
    assert "60.00 would remain" in amount.note


def test_smaller_amount_without_a_reference_is_not_a_payment_of_a_bigger_bill():
    result = match(
        receipt("THREE STOOGES", "40.00"), STOOGES, bills=(bill("B1", STOOGES, "100.00"),)
    )
    assert result.customer_id == "C30"
    assert result.bill_id is None


def test_overpayment_is_flagged_for_review():
    result = match(
        receipt("THREE STOOGES", "120.00", document_number="INV-7"),
        STOOGES,
        bills=(bill("B1", STOOGES, "100.00", reference="INV-7"),),
    )
    assert (result.bill_id, result.payment) == ("B1", "overpayment")
    assert any("20.00 more than bill B1 owes" in p for p in result.problems)


def test_paid_and_partly_paid_bills():
    paid = bill("B1", STOOGES, "50.00", status="paid", remaining="0")
    partial = bill("B2", STOOGES, "80.00", status="partial", remaining="50.00")
    result = match(receipt("THREE STOOGES", "50.00"), STOOGES, bills=(paid, partial))
    # The paid bill is never matched; the partial one is matched on what it still owes.
    assert result.bill_id == "B2"
    assert result.confidence >= AUTO


def test_bill_in_another_currency_is_not_matched_and_the_reviewer_is_told():
    result = match(
        receipt("THREE STOOGES", "50.00"),
        STOOGES,
        bills=(bill("B1", STOOGES, "50.00", currency="SGD"),),
    )
    assert result.bill_id is None
    assert "bill B1 is in SGD, the document in MYR" in result.problems


# ---- no match --------------------------------------------------------------------------------


def test_unknown_company_is_no_match_and_goes_to_review():
    fields = receipt("KEDAI RUNCIT AH HOCK", "12.00")
    result = match(fields, STOOGES, IKANO, bills=(bill("B1", STOOGES, "12.00"),))
    assert result.customer_id is None
    extraction = Extraction(DocumentType.RECEIPT, 0.9, fields)
    decision = decide(extraction, result, Thresholds())
    assert decision.needs_review
    assert "no matching customer" in decision.reasons


# ---- blocking --------------------------------------------------------------------------------


def test_blocking_keys_of_a_customer_and_of_its_document_meet():
    keys = customer_keys(
        "Mr.D.I.Y(M)Sdn. Bhd.", tax_id="454472-T", phone="+60 3-6936 7493", email="a@mrdiy.my"
    )
    assert {"n:MR", "n:DIY", "c:MRDIYM", "t:454472T", "p:69367493", "e:mrdiy.my"} <= keys
    assert "n:SDN" not in keys  # legal words find everybody
    assert document_keys(["MR. D. I. Y. (M) SDN. BHD."]) & keys >= {"n:DIY", "c:MRDIYM"}
    assert "e:gmail.com" not in customer_keys("X", email="someone@gmail.com")


def test_a_key_shared_by_too_many_customers_does_not_block():
    crowd = [CustomerRecord(f"H{i}", f"HARDWARE SHOP NUMBER{i}") for i in range(30)]
    target = CustomerRecord("T1", "ZENITH HARDWARE SDN BHD")
    ledger = MemoryLedger([*crowd, target], [bill("B1", target, "10.00")])
    policy = MatchPolicy(max_key_customers=10, lookup_limit=5)
    result = match_document(receipt("ZENITH HARDWARE SDN BHD", "10.00"), ledger, policy)
    assert (result.customer_id, result.bill_id) == ("T1", "B1")
    # Found by its rare word alone: the common one is not used at all.
    assert ledger.key_counts(["n:HARDWARE"]) == {"n:HARDWARE": 31}


def test_a_bill_reference_finds_its_customer_even_with_a_garbled_name():
    result = match(
        receipt("#*@ GARBLED", "100.00", document_number="INV-2018-555"),
        STOOGES,
        bills=(bill("B1", STOOGES, "100.00", reference="INV-2018-555"),),
    )
    assert (result.customer_id, result.bill_id) == ("C30", "B1")


def test_misread_letters_still_find_the_customer_through_the_skeleton_key():
    mawan = CustomerRecord("C50", "MAWAN PRINTING SDN BHD")
    crowd = [CustomerRecord(f"P{i}", f"PRINTING HOUSE {i}") for i in range(30)]
    ledger = MemoryLedger([*crowd, mawan], [bill("B1", mawan, "10.00")])
    policy = MatchPolicy(max_key_customers=10)  # "PRINTING" alone finds nobody in particular
    result = match_document(receipt("MWAN PRINTING SDN BHD", "10.00"), ledger, policy)
    assert result.customer_id == "C50"


@pytest.mark.parametrize("printed", ["MAWAN PRINTING SDN BHO", "MAWAN PRINTING SN BHD"])
def test_legal_form_misread_by_ocr_is_still_the_legal_form(printed):
    assert name_parts(printed).legal == "SDN BHD"
    assert name_similarity(printed, "MAWAN PRINTING SDN. BHD.")[0] == 100


# ---- bill references ---------------------------------------------------------------------------

ALPHA = CustomerRecord("C70", "ALPHA BAKERY SDN BHD", "NO 3, JALAN MAWAR, 81300 SKUDAI")
ZETA = CustomerRecord("C71", "ZETA MOTORS SDN BHD", "NO 1, JALAN AMPANG, 56000 KUALA LUMPUR")


def test_another_customers_bill_number_does_not_make_the_document_theirs():
    result = match(
        receipt("ALPHA BAKERY SDN BHD", "45.00", document_number="10023"),
        ALPHA,
        ZETA,
        bills=(bill("B1", ALPHA, "99.00"), bill("B2", ZETA, "45.00", reference="10023")),
    )
    # The printed name is Alpha's; Zeta's bill number on it is a coincidence, not evidence.
    assert (result.customer_id, result.bill_id) == ("C70", None)
    assert result.confidence < AUTO


def test_an_unknown_company_printing_a_customers_bill_number_goes_to_review():
    result = match(
        receipt("QUANTUM NOODLE HOUSE", "45.00", document_number="INV-2018-10023"),
        ZETA,
        bills=(bill("B2", ZETA, "45.00", reference="INV-2018-10023"),),
    )
    assert result.confidence < AUTO


def test_a_document_naming_a_paid_bill_is_not_posted_to_its_open_sibling():
    paid = bill("B1", ZETA, "45.00", status="paid", remaining="0", reference="INV-001")
    result = match(
        receipt("ZETA MOTORS SDN BHD", "45.00", document_number="INV-001"),
        ZETA,
        bills=(paid, bill("B2", ZETA, "45.00", reference="INV-002")),
    )
    assert result.bill_id is None
    assert result.confidence < AUTO
    assert "the document names bill B1 (already paid)" in result.problems


def test_a_document_naming_one_bill_is_not_posted_to_another_of_its_amount():
    result = match(
        receipt("ZETA MOTORS SDN BHD", "45.00", document_number="INV-001"),
        ZETA,
        bills=(bill("B1", ZETA, "100.00", reference="INV-001"), bill("B2", ZETA, "45.00")),
    )
    assert result.bill_id != "B2" or result.confidence < AUTO
    assert result.confidence < AUTO


def test_short_numbers_are_not_bill_references():
    result = match(
        receipt("ALPHA BAKERY SDN BHD", "45.00", document_number="12"),
        ALPHA,
        ZETA,
        bills=(bill("B1", ALPHA, "45.00"), bill("B2", ZETA, "45.00", reference="12")),
    )
    assert (result.customer_id, result.bill_id) == ("C70", "B1")
    assert not any(r.field == "document_number" for r in result.reasons)


# ---- odd input ---------------------------------------------------------------------------------


def test_names_without_letters_match_nothing():
    assert name_similarity("...", "!!!")[0] == 0
    result = match(receipt("***", "45.00"), ZETA, bills=(bill("B2", ZETA, "45.00"),))
    assert result.customer_id is None


def test_a_chinese_name_is_a_name():
    shop = CustomerRecord("C80", "大众书局", "吉隆坡")
    other = CustomerRecord("C81", "美美", "吉隆坡")
    result = match(receipt("大众书局", "45.00"), shop, other, bills=(bill("B1", shop, "45.00"),))
    assert (result.customer_id, result.bill_id) == ("C80", "B1")
    assert name_similarity("大众书局", "美美")[0] < 50


@pytest.mark.parametrize("total", ["1e400", "9" * 40, "NaN", "-"])
def test_absurd_totals_do_not_break_matching(total):
    result = match(receipt("ZETA MOTORS SDN BHD", total), ZETA, bills=(bill("B2", ZETA, "45.00"),))
    assert (result.customer_id, result.bill_id) == ("C71", None)
