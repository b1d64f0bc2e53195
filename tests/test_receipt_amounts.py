"""Receipt totals, taxes and dates: the cross-checks that pick and confirm them.

Synthetic receipts only (no OCR): each one is built from text rows the way an OCR engine
returns them, including the OCR damage the parser is meant to survive.
"""

from __future__ import annotations

import pytest
from ocr_fixtures import lines_to_text

from docintake.domain import DocumentType, FieldValue
from extractors.parsers import parse_fields
from extractors.parsers.common import (
    date_order,
    find_amounts,
    find_damaged_dates,
    find_dates,
)

AUTO_ACCEPT = 0.80
HEADER = ["KEDAI MAJU JAYA SDN BHD", "NO 5, JALAN SS2/1, 47300 PETALING JAYA", "RECEIPT"]


def _fields(rows: list[str], confidence: float = 0.98) -> dict[str, FieldValue]:
    text = lines_to_text(HEADER + rows, confidence=confidence)
    return parse_fields(text, DocumentType.RECEIPT)


def _total(rows: list[str], confidence: float = 0.98) -> FieldValue:
    return _fields(rows, confidence)["total_amount"]


# ---- choosing the total ---------------------------------------------------------------------


def test_rounded_total_is_the_amount_paid() -> None:
    total = _total(
        [
            "LAMP 1 55.90 55.90",
            "CARD 1 10.00 10.00",
            "@DISC 10.00% -5.59",
            "TOTAL AMT. RM 60.31",
            "ROUNDING ADJ -0.01",
            "RM 60.30",
            "CASH RM 70.30",
            "CHANGE 10.00",
        ]
    )
    # Rounding (60.31 - 0.01) and cash - change (70.30 - 10.00) both give the unlabelled 60.30.
    assert total.value == "60.30"
    assert total.confidence >= AUTO_ACCEPT


def test_total_after_rounding_supersedes_total_before_it() -> None:
    total = _total(
        [
            "ROASTED DUCK 1 33.00 33.00",
            "Total Sales Amount 33.00",
            "GST 6% 1.98",
            "Rounding Adjustment 0.02",  # the minus sign of "-0.02" style lines is often lost
            "TOTAL 35.00",
            "CASH 55.00",
            "Change 20.00",
        ]
    )
    assert total.value == "35.00"
    assert total.confidence >= 0.9


def test_implied_rounding_when_the_adjustment_was_misread() -> None:
    total = _total(
        [
            "SALAD 1 28.00 28.00",
            "SET 1 46.68 46.68",
            "Total : 74.68",
            "Service Chg 10.00%: 7.47",
            "GST : 4.93",
            "Grand Total : 87.08",
            "Rounding Adjustment: 2OO",
            "Net Total : 87.10",
        ]
    )
    assert total.value == "87.10"


def test_cash_tendered_is_not_the_total() -> None:
    total = _total(
        [
            "Pay parking ticket 5.00 RM",
            "Amount Incl. GST 5.00 RM",
            "Accepted total 10.00 RM",
            "Change 5.00 RM",
        ]
    )
    assert total.value == "5.00"
    assert total.confidence >= AUTO_ACCEPT


def test_grand_total_after_discount_confirmed_by_payment() -> None:
    fields = _fields(
        [
            "1 PIZZA 30.30",
            "1 PIZZA 30.30",
            "Sub-Total 60.60",
            "Coupon Discount 27.60",
            "Grand Total 33.00",
            "Payment 50.00",
            "Change Due 17.00",
        ]
    )
    assert fields["total_amount"].value == "33.00"
    assert fields["total_amount"].confidence >= 0.9


def test_subtotal_plus_tax_confirms_total_and_tax() -> None:
    fields = _fields(
        [
            "WIDGET 2 X 4.50 9.00",
            "GADGET 1 X 43.28 43.28",
            "SUB TOTAL 52.28",
            "GST 6% 3.14",
            "TOTAL 55.42",
        ]
    )
    assert fields["total_amount"].value == "55.42"
    assert fields["total_amount"].confidence >= 0.9
    assert fields["tax_amount"].value == "3.14"
    assert fields["tax_amount"].confidence >= 0.85


def test_gst_summary_table_confirms_total_and_gives_tax() -> None:
    fields = _fields(
        [
            "CLOTH PEG 1 X 5.90 5.90",
            "TOOL BOX 1 X 31.20 31.20",
            "Total Incl. GST@6% RM 37.10",
            "GST Summary Amt(RM) Tax(RM)",
            "GST S@6% 35.00 2.10",
        ]
    )
    assert fields["total_amount"].value == "37.10"
    assert fields["total_amount"].confidence >= 0.9
    assert fields["tax_amount"].value == "2.10"


def test_bare_total_without_any_check_is_not_auto_accepted() -> None:
    total = _total(["SOMETHING 12.30", "OTHER THING 3.10", "TOTAL 17.60"], confidence=0.99)
    assert total.value == "17.60"
    assert total.confidence < AUTO_ACCEPT


def test_payment_contradicting_the_only_total_is_not_auto_accepted() -> None:
    # 20.00 - 7.20 = 12.80: either the total or the change was misread; nothing says which.
    total = _total(["TOTAL 12.30", "CASH 20.00", "CHANGE 7.20"])
    assert total.confidence < AUTO_ACCEPT


def test_misread_change_does_not_overrule_an_arithmetic_confirmed_total() -> None:
    total = _total(
        [
            "NOODLE 2 7.00 14.00",
            "SUB TOTAL 14.00",
            "GST 6% 0.84",
            "ROUNDING ADJ 0.01",
            "NET TOTAL 14.85",
            "CASH 20.00",
            "CHANGE 5.75",  # misread 5.15
        ]
    )
    assert total.value == "14.85"
    assert total.confidence < AUTO_ACCEPT


def test_partial_totals_are_superseded_and_a_stray_leading_digit_repaired() -> None:
    total = _total(
        [
            "WHITE BREAD 2.13 3 6.39",
            "WHOLEMEAL 2.78 3 8.34",
            "Total 0% supplies: 14.73",
            "CHOC ROLL 6.90 6 41.40",
            "Total 6% supplies (excl. GST): 41.40",
            "GST: 2.48",
            "Total 6% supplies (Inc. GST): 43.88",
            "Total 0% supplies: 14.73",
            "Total Payable: 158.61",  # printed 58.61; a mark before it was read as a 1
        ]
    )
    assert total.value == "58.61"
    assert total.confidence < AUTO_ACCEPT  # a repaired reading goes to a person


def test_zero_total_misaligned_row_loses_to_payment() -> None:
    total = _total(
        [
            "BATTERY AA 2 * 2.50 5.00",
            "Item Count",
            "Total 2",
            "Rounding Adjustment 0.00",
            "Total After Rounding 0.00",
            "5.00",
            "Cash 10.00",
            "CHANGE 5.00",
        ]
    )
    assert total.value == "5.00"


@pytest.mark.parametrize(
    ("row", "want"),
    [
        ("NET TOTAL 19-80", "19.80"),  # decimal point read as a dash
        ("Total Sales (Inclusive of GST) 21 20", "21.20"),  # ... or as a space
        ("TOTAL RM5>00", "5.00"),
    ],
)
def test_total_with_a_damaged_decimal_point(row: str, want: str) -> None:
    cash = int(want.split(".")[0]) + 1
    change = f"{cash - float(want):.2f}"
    total = _total(["ITEM 1 " + want, row, f"CASH {cash}.00", f"CHANGE {change}"])
    assert total.value == want
    assert total.confidence < AUTO_ACCEPT + 0.1  # a damaged figure never scores as a clean one


def test_rows_on_one_line_are_split_at_their_labels() -> None:
    total = _total(
        [
            "APPLES 1 7.50 7.50",
            "PEARS 2 16.99 33.98",
            "Item 2 Total with GST @ 6% 41.48",
            "Qty 3 Rounding 0.02",
            "Total Saving 0.00 Total 41.50",
            "Master 5148 App:83650 41.50",
            "Change 0.00",
        ]
    )
    assert total.value == "41.50"
    assert total.confidence >= 0.9


def test_malay_labels() -> None:
    total = _total(["BARANG A 4.00", "BARANG B 6.50", "JUMLAH 10.50", "TUNAI 20.00", "BAKI 9.50"])
    assert total.value == "10.50"
    assert total.confidence >= 0.9


# ---- amounts and currency -------------------------------------------------------------------


def test_trailing_currency_is_not_taken_from_the_next_amount() -> None:
    decimals = [h.value for h in find_amounts("2x 1.00 RM2.00 Z") if h.has_decimals]
    assert decimals == ["1.00", "2.00"]
    assert [h.value for h in find_amounts("ANGPOW 12,50 EUR")] == ["12.50"]


def test_dollar_sign_read_from_an_s_does_not_make_malaysian_dates_month_first() -> None:
    assert date_order("MPH BOOKSTORES SDN BHD\nLot $319, 2nd Floor\n11/12/2017") == (False, True)
    assert date_order("Amount due $10.00\n11/12/2017") == (True, False)


# ---- dates ----------------------------------------------------------------------------------


def test_day_first_currency_settles_an_ambiguous_date() -> None:
    assert date_order("TOTAL RM 12.00\n03/04/2020") == (False, True)
    assert date_order("Total $12.00\n03/04/2020") == (True, False)
    fields = _fields(["12-01-19 21:13 SH01 T4", "ITEM 3.90", "TOTAL RM 3.90", "CASH RM 3.90"])
    assert fields["document_date"].value == "2019-01-12"
    assert fields["document_date"].confidence >= AUTO_ACCEPT


def test_phone_number_with_dots_is_not_a_date() -> None:
    assert find_dates("Tel.:05.22.95.66.66") == []
    assert [h.iso for h in find_dates("Le 30/03/2018 a 12:36")] == ["2018-03-30"]


def test_timestamped_date_beats_a_promotion_period() -> None:
    fields = _fields(
        [
            "14-01-2018(Sun)16:02",
            "NOTE BOOK 23.40",
            "TOTAL 23.40",
            "PROMOTION 24 NOVEMBER 2017 - 4 MARCH 2018",
        ]
    )
    assert fields["document_date"].value == "2018-01-14"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("#19536001/06/2018 6:31", "2018-06-01"),  # glued to the number before it
        ("2703/2018 No.:CS-20242", "2018-03-27"),  # a separator lost
        ("27032018 No CS-20243", "2018-03-27"),  # no separators, day first
        ("Date/Time 20180428/191204", "2018-04-28"),  # no separators, year first
    ],
)
def test_damaged_dates(text: str, want: str) -> None:
    assert [h.iso for h in find_damaged_dates(text)] == [want]


def test_damaged_dates_reject_numbers_that_are_no_date() -> None:
    assert find_damaged_dates("31802013 3180303 60000079") == []


def test_damaged_date_is_used_only_without_a_clean_one_and_stays_below_auto_accept() -> None:
    fields = _fields(["27032018 No CS-20243", "TACK-IT 2 SR 12.00", "Total Amt Payable : 12.00"])
    assert fields["document_date"].value == "2018-03-27"
    assert fields["document_date"].confidence < AUTO_ACCEPT
    fields = _fields(["27032018 No CS-20243", "Date: 28/03/2018", "TOTAL 12.00"])
    assert fields["document_date"].value == "2018-03-28"
