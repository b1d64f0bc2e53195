"""Receipt header parsing: the vendor's name and address, their repairs and their confidence.

Synthetic documents are built from text rows (no OCR runs); recorded tesseract output from
tests/fixtures/ocr covers real misreadings.
"""

from __future__ import annotations

import pytest
from ocr_fixtures import lines_to_text, load

from docintake.domain import FieldValue
from extractors.parsers import receipt_header, textfix

AUTO_ACCEPT = 0.80


def _header(
    rows: list[str], confidence: float = 0.99
) -> tuple[FieldValue | None, FieldValue | None]:
    lines = lines_to_text(rows, confidence=confidence).lines
    name, last = receipt_header.vendor(lines)
    return name, (receipt_header.address(lines, last) if name else None)


# ---- text repairs ---------------------------------------------------------------------------


def test_full_stops_read_for_commas_become_commas() -> None:
    text = "Lot 38. 39 101 Boulevard. Jalan Kenari 5. Bandar Puchong Jaya, 47170 Puchong. Selangor"
    assert textfix.dots_to_commas(text) == (
        "Lot 38, 39 101 Boulevard, Jalan Kenari 5, Bandar Puchong Jaya, 47170 Puchong, Selangor"
    )


@pytest.mark.parametrize(
    "text",
    [
        "NO. 5 JALAN MAWAR",  # abbreviation
        "JLN. IPOH BATU 5",  # abbreviation
        "KLANG SELANGOR D.E. MALAYSIA",  # initialism
        "LEBUH BANDAR UTAMA,47800 P. JAYA",  # single letter
        "40150 SHAH ALAM.",  # the stop ending the address
    ],
)
def test_full_stops_of_abbreviations_and_the_end_are_kept(text: str) -> None:
    assert textfix.dots_to_commas(text) == text


def test_postcode_is_split_from_the_town() -> None:
    assert textfix.split_postcode("52200Kuala Lumpur.") == "52200 Kuala Lumpur."
    assert textfix.split_postcode("81750.JOHOR BAHRU") == "81750 JOHOR BAHRU"
    assert textfix.split_postcode("57000KL") == "57000 KL"
    # Longer numbers and codes are not postcodes.
    assert textfix.split_postcode("1074617K") == "1074617K"
    assert textfix.split_postcode("19-1&19-2A") == "19-1&19-2A"


def test_legal_suffix_keeps_its_full_stop_and_gets_its_space() -> None:
    assert textfix.fix_legal_suffix("S.H.H MOTOR SDN.BHD.") == "S.H.H MOTOR SDN. BHD."
    assert textfix.fix_legal_suffix("SYL DELIGHTS SDN. BHD.") == "SYL DELIGHTS SDN. BHD."
    assert textfix.fix_legal_suffix("ABC S0N 8HD") == "ABC SDN BHD"
    assert textfix.fix_legal_suffix("Abc Sdn.Bhd") == "Abc Sdn. Bhd"
    assert textfix.fix_legal_suffix("MAKASSAR MARKET S/B.") == "MAKASSAR MARKET S/B"


def test_initials_and_brackets_are_spaced_like_print() -> None:
    assert textfix.fix_initials("S.H.H.MOTOR") == "S.H.H. MOTOR"
    assert textfix.fix_initials("MR. D.1.Y.") == "MR. D.I.Y."
    assert textfix.fix_initials("47800 P.JAYA") == "47800 P.JAYA"  # one letter: an abbreviation
    assert textfix.space_brackets("MOTOR(SUNGAI RENGIT)SDN") == "MOTOR (SUNGAI RENGIT) SDN"
    assert textfix.space_brackets("D.I.Y.(M) SDN") == "D.I.Y. (M) SDN"


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("JALAN 8ESAR", "JALAN BESAR"),
        ("Taste Of The WorId", "Taste Of The World"),
        ("No: G3, BIk G, JIn PJU 1A/3", "No: G3, Blk G, Jln PJU 1A/3"),
        ("LOT G29 & G3O, AEON Ma11", "LOT G29 & G30, AEON Mall"),
        ("Leve1 2", "Level 2"),
        ("LJAN HING", "LIAN HING"),
        ("CL0SED ON SUNDAY, SC1SSOR", "CLOSED ON SUNDAY, SCISSOR"),
        ("L.ot 3, Jalan Pelabur", "Lot 3, Jalan Pelabur"),
    ],
)
def test_lookalike_characters_are_repaired(read: str, meant: str) -> None:
    assert textfix.fix_lookalikes(read) == meant


@pytest.mark.parametrize(
    "text",
    [
        "8TH FLOOR",
        "1ST FLR",
        "8PCS",
        "SS21/1A",
        "Level G2",
        "JALAN ASTANA 1C",
        "No1, Lebuh",
        "KP2",
        "PJU1A/3",
        "Guest1",
        "U.Price",
        "Thank you!",
    ],
)
def test_codes_and_ordinals_are_left_alone(text: str) -> None:
    assert textfix.fix_lookalikes(text) == text


def test_glued_trade_words_are_split_off() -> None:
    assert textfix.split_glued_name("SANYUSTATIONERYSHOP") == "SANYU STATIONERY SHOP"
    assert textfix.split_glued_name("EDENIMPRESSIONSDN") == "EDENIMPRESSION SDN"
    assert textfix.split_glued_name("MPH BOOKSTORES") == "MPH BOOKSTORES"


def test_address_words_one_misread_letter_away_are_repaired() -> None:
    assert textfix.fix_address_words("Lot No2, Jaian Utarid") == "Lot No2, Jalan Utarid"
    assert textfix.fix_address_words("NO.12,JA:AN SS4C/5 SE_ANGOR") == "NO.12,JALAN SS4C/5 SELANGOR"
    assert textfix.fix_address_words("Jalan Utarna") == "Jalan Utama"
    # A real word close to a lexicon word is not "repaired" ("UTARA" is north, not "UTAMA").
    assert textfix.fix_address_words("JALAN PERMAS UTARA") == "JALAN PERMAS UTARA"


def test_trade_word_misread_by_one_letter_is_repaired() -> None:
    assert textfix.fix_trade_words("CONFECTEONERY & BAKERY") == "CONFECTIONERY & BAKERY"
    assert textfix.fix_trade_words("Stationery") == "Stationery"


def test_accents_and_odd_characters() -> None:
    assert textfix.strip_accents("No 7, Simpàng Off, 40170 SETIA ÁLAM") == (
        "No 7, Simpang Off, 40170 SETIA ALAM"
    )
    assert textfix.odd_characters("NO.12,JA:AN SS4C/5")
    assert textfix.odd_characters('TAMAN DESA "EBRAU')
    assert not textfix.odd_characters("LOT 1851-A & 1851-B, JALAN KPB 6,")


# ---- the vendor's name ----------------------------------------------------------------------


def test_legal_entity_below_brand_lines_is_the_vendor() -> None:
    name, addr = _header(
        [
            "B.I.G.",
            "Ben's Independent Grocer",
            "BENS INDEPENDENT GROCER SDN.BHD",
            "(913144-A)",
            "Lot 6, Jalan Batai,",
            "50490 Kuala Lumpur",
            "T: 03-2093 7358",
        ]
    )
    assert name is not None and name.value == "BENS INDEPENDENT GROCER SDN. BHD"
    assert addr is not None and addr.value == "Lot 6, Jalan Batai, 50490 Kuala Lumpur"


def test_clean_legal_name_is_confident() -> None:
    name, _ = _header(["LIGHTROOM GALLERY SDN BHD", "No: 28, JALAN ASTANA 1C,", "41050 KLANG"])
    assert name is not None and name.value == "LIGHTROOM GALLERY SDN BHD"
    assert name.confidence >= 0.9


def test_low_ocr_confidence_keeps_the_name_but_not_the_confidence() -> None:
    rows = ["LIGHTROOM GALLERY SDN BHD", "No: 28, JALAN ASTANA 1C,", "41050 KLANG"]
    sure, _ = _header(rows, confidence=0.99)
    unsure, _ = _header(rows, confidence=0.9)
    assert sure is not None and unsure is not None and sure.value == unsure.value
    assert unsure.confidence < AUTO_ACCEPT <= sure.confidence


def test_footer_lines_and_stamps_above_the_name_are_skipped() -> None:
    name, addr = _header(
        [
            "THANK YOU",
            "===== PLEASE VISIT US AGAIN",
            "Goods Sold Are Not Refundable",
            "SIMPLIFIED TAX INVOICE",
            "CHECKERS HYPERMARKET SDN BHD POSTED",
            "LOT 2942 & 2945, JLN SERI SENTOSA 8,",
            "58000 KUALA LUMPUR.",
            "GST ID : 000517095424",
        ]
    )
    assert name is not None and name.value == "CHECKERS HYPERMARKET SDN BHD"
    assert addr is not None
    assert addr.value == "LOT 2942 & 2945, JLN SERI SENTOSA 8, 58000 KUALA LUMPUR."


def test_legal_form_on_its_own_line_joins_the_name_above() -> None:
    name, _ = _header(
        ["PASARAYA BORONG PINTAR", "SDN BHD", "BR No.:(124525-H)", "NO 19-G JALAN TASIK UTAMA 4,"]
    )
    assert name is not None and name.value == "PASARAYA BORONG PINTAR SDN BHD"


def test_owner_label_is_dropped_with_lower_confidence() -> None:
    name, _ = _header(
        ["Dimiliki: banh mi cafe sdn bhd 1110644-W", "No. 1 Jalan Puteri 7/10", "47100 Puchong"]
    )
    assert name is not None and name.value == "banh mi cafe sdn bhd"
    assert name.confidence < AUTO_ACCEPT


def test_legal_owner_printed_after_the_address_is_not_the_vendor() -> None:
    name, addr = _header(
        [
            "SANYUSTATIONERYSHOP",
            "NO. 31G&33G, JALAN SETIA INDAH X ,U13/X",
            "40170 SETIA ALAM",
            "Tel: +603-3362 4137",
            "Owned By :",
            "SANYU SUPPLY SDN BHD (1135772-K)",
        ]
    )
    assert name is not None and name.value == "SANYU STATIONERY SHOP"
    assert addr is not None
    assert addr.value == "NO. 31G&33G, JALAN SETIA INDAH X ,U13/X 40170 SETIA ALAM"


def test_shop_name_without_legal_form_can_be_confident_when_alone() -> None:
    name, _ = _header(
        ["tan woon yann", "INDAH GIFT & HOME DECO", "27,JALAN DEDAP 13,", "81100 JOHOR BAHRU"]
    )
    assert name is not None and name.value == "INDAH GIFT & HOME DECO"
    assert name.confidence >= AUTO_ACCEPT


def test_two_name_like_lines_without_legal_form_are_doubted() -> None:
    name, _ = _header(["THREE STOOGES", "BISTRO & CAFE", "109, SS21/1A,", "DAMANSARA UTAMA"])
    assert name is not None and name.value == "THREE STOOGES"
    assert name.confidence < AUTO_ACCEPT


def test_name_continued_on_the_next_line_is_joined() -> None:
    name, _ = _header(
        ["RESTAURANT JIAWEI", "JIAWEI HOUSE", "002693074-K", "13, JLN TASIK UTAMA 8", "57000KL"]
    )
    assert name is not None and name.value == "RESTAURANT JIAWEI JIAWEI HOUSE"
    assert name.confidence < AUTO_ACCEPT


def test_brand_repeated_with_a_branch_is_doubted() -> None:
    name, _ = _header(
        [
            "TAX INVOICE",
            "DOMINO'S PIZZA",
            "GST REF NO : 001694261248",
            "DOMINO'S PIZZA SEGAMBUT",
            "D-08, M Avenue , Jln 1 / 38A",
            "51200 Kuala Lumpur",
        ]
    )
    assert name is not None and name.value == "DOMINO'S PIZZA"
    assert name.confidence < 0.7


def test_guessed_spaces_and_repaired_letters_lower_the_confidence() -> None:
    plain, _ = _header(["SHH MOTOR SUNGAI RENGIT SDN BHD", "No. 343, Jalan Kurau,", "81620 Johor"])
    spaced, _ = _header(["S.H.H.MOTOR(SUNGAI RENGIT)SDN.BHD.", "No. 343, Jalan Kurau,", "81620"])
    assert plain is not None and spaced is not None
    assert spaced.value == "S.H.H. MOTOR (SUNGAI RENGIT) SDN. BHD."
    assert spaced.confidence < AUTO_ACCEPT <= plain.confidence


def test_name_missing_its_start_is_doubted() -> None:
    name, _ = _header(["& BEST RESTAURANT", "(001610235-P)", "NO.12, JALAN SS4C/5,"])
    assert name is not None and name.confidence < AUTO_ACCEPT


# ---- the vendor's address -------------------------------------------------------------------


def test_address_skips_registration_and_branch_lines_and_stops_at_tax_id() -> None:
    _, addr = _header(
        [
            "IKANO HANDEL SDN BHD",
            "(1074617K)",
            "IKEA.Cheras",
            "No 2A Jalan Cochrane",
            "Taman Maluri",
            "55100 KUALA LUMPUR",
            "GST No.: 000115154944",
        ]
    )
    assert addr is not None and addr.value == "No 2A Jalan Cochrane Taman Maluri 55100 KUALA LUMPUR"


def test_address_repairs_commas_read_as_full_stops() -> None:
    _, addr = _header(
        [
            "LIAN HING STATIONERY SDN BHD",
            "(162761-M)",
            "NO.32 & 33. JALAN SR 1/9. SEKSYEN 9.",
            "TAMAN SERDANG RAYA,",
            "43300 SERI KEMBANGAN. SELANGOR",
            "DARUL EHSAN",
            "GST ID:002139201536",
        ]
    )
    assert addr is not None
    assert addr.value == (
        "NO.32 & 33, JALAN SR 1/9, SEKSYEN 9, TAMAN SERDANG RAYA, 43300 SERI KEMBANGAN, "
        "SELANGOR DARUL EHSAN"
    )


def test_address_keeps_short_number_lines_and_stops_at_labelled_lines() -> None:
    _, addr = _header(
        [
            "BERRY'S CAKE HOUSE",
            "(Co No. 315481-T) GST No. 001287233536",
            "No.1,",
            "Jln Puteri 1/6,",
            "Bandar Puteri,",
            "47100 Puchong,",
            "Selangor",
            "Outlet:03-80626265 Careline:03-56381988",
        ]
    )
    assert addr is not None
    assert addr.value == "No.1, Jln Puteri 1/6, Bandar Puteri, 47100 Puchong, Selangor"


def test_address_ends_at_the_town_after_the_postcode() -> None:
    _, addr = _header(
        [
            "MR. D.I.Y. SDN BHD",
            "(CO.REG :704427-T )",
            "LOT 1851-A & 1851-B, JALAN KPB 6,",
            "43300 SERI KEMBANGAN, SELANGOR",
            "(CHERAS LEISURE MALL)",
            "-TAX INVOICE-",
        ]
    )
    assert addr is not None
    assert addr.value == "LOT 1851-A & 1851-B, JALAN KPB 6, 43300 SERI KEMBANGAN, SELANGOR"


def test_street_without_street_word_is_taken_above_a_postcode_with_doubt() -> None:
    _, addr = _header(
        ["RELAIS TOTAL OULMES", "AUTOROUTE RABAT MEKNES", "15000 KHEMISSET", "Tel.:05.22.95.66.66"]
    )
    assert addr is not None and addr.value == "AUTOROUTE RABAT MEKNES 15000 KHEMISSET"
    assert addr.confidence < 0.6


def test_address_confidence_stays_below_auto_accept() -> None:
    # Even a clean reading of a printed address matches a person's transcription only about
    # four times in five (spacing after commas and "NO." is written both ways).
    _, addr = _header(
        ["SWC ENTERPRISE SDN BHD", "5-7, JALAN MAHAGONI 7/1", "44300 BATANG KALI, SELANGOR"],
        confidence=1.0,
    )
    assert addr is not None and 0.7 <= addr.confidence < AUTO_ACCEPT


def test_address_with_doubtful_spacing_is_less_confident_than_a_clean_one() -> None:
    def conf(line: str) -> float:
        _, addr = _header(["ABC TRADING SDN BHD", line, "44300 BATANG KALI"], confidence=1.0)
        assert addr is not None
        return addr.confidence

    clean = conf("5-7, JALAN MAHAGONI 7/1,")
    assert conf("5-7,JALAN MAHAGONI 7/1,") < clean
    assert conf("NO. 7, JALAN MAHAGONI 7/1,") < clean


# ---- recorded OCR ---------------------------------------------------------------------------


def test_recorded_receipt_vendor_below_garbage_lines() -> None:
    # sroie-108 (tesseract): two smudge lines above "LIM SENG THO HARDWARE TRADING".
    lines = load("sroie-108").lines
    name, last = receipt_header.vendor(lines)
    assert name is not None and name.value == "LIM SENG THO HARDWARE TRADING"
    addr = receipt_header.address(lines, last)
    assert addr is not None and addr.value.startswith("No 7, Simpang Off Batu Village")
    assert addr.value.endswith("51200 Kuala Lumpur MALAYSIA")


def test_recorded_garbled_names_are_not_confident() -> None:
    # sroie-007 and sroie-236 (tesseract): names read as "SHH, HOTOR ..." and "% & BEST ...".
    for fixture in ("sroie-007", "sroie-236"):
        name, _ = receipt_header.vendor(load(fixture).lines)
        assert name is not None and name.confidence < 0.5


def test_a_partnership_is_a_legal_form_like_sdn_bhd() -> None:
    tail = ["NO 12, JALAN BESAR, 43000 KAJANG", "TEL: 03-8736 1234"]
    partnership, _ = _header(["SIN THYE & COMPANY", *tail])
    company, _ = _header(["SIN THYE SDN BHD", *tail])
    bare, _ = _header(["SIN THYE HARDWARE", *tail])
    assert partnership is not None and company is not None and bare is not None
    assert partnership.value == "SIN THYE & COMPANY"
    assert partnership.confidence == company.confidence > bare.confidence
