"""Scoring against ground truth: normalisation, calibration bins, auto-accept precision, and
matches against a ledger's expected_matches.csv (``eval --ledger``)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ocr_fixtures import FIXTURE_DIR
from reportlab.pdfgen import canvas

from docintake import evaluation as ev
from docintake.cli import cli, main
from docintake.domain import DocumentText, DocumentType, Extraction, FieldValue
from docintake.evaluation import (
    ExpectedMatch,
    MatchOutcome,
    check_document,
    ledger_files,
    load_expected_matches,
    load_truth,
    normalise,
    score_matches,
    summarise,
    write_match_misses,
    write_misses,
)
from docintake.exceptions import UsageError
from flows import stages
from storage.ledger_import import BILL_COLUMNS, CUSTOMER_COLUMNS

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


@pytest.mark.parametrize(
    ("field", "a", "b"),
    [
        ("vendor_name", "Mr  D.I.Y. (Johor) sdn bhd", "MR D.I.Y. (JOHOR) SDN BHD"),
        ("document_date", "24 Mar 18", "2018-03-24"),
        ("document_date", "20180304", "04/03/2018"),
        ("total_amount", "RM 1,998.40", "1998.4"),
    ],
)
def test_values_that_mean_the_same_compare_equal(field: str, a: str, b: str) -> None:
    assert normalise(field, a) == normalise(field, b)


@pytest.mark.parametrize(
    ("field", "a", "b"),
    [
        ("vendor_name", "MR D.I.Y.(JOHOR) SDN BHD", "MR D.I.Y. (JOHOR) SDN BHD"),
        ("vendor_address", "27,JALAN DEDAP", "27, JALAN DEDAP"),
        ("total_amount", "60.31", "60.30"),
    ],
)
def test_punctuation_spacing_and_cents_still_count(field: str, a: str, b: str) -> None:
    # As SROIE scores (its truth files): a name's punctuation counts too.
    assert normalise(field, a, strict_names=True) != normalise(field, b, strict_names=True)


def test_sroie_keys_map_to_our_fields_and_unknown_keys_are_ignored(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"company": "A SDN BHD", "total": "9.00", "x": "y", "date": ""}))
    assert load_truth(path) == {"vendor_name": "A SDN BHD", "total_amount": "9.00"}
    path.write_text("[1, 2]")
    with pytest.raises(UsageError, match="not a JSON object"):
        load_truth(path)


def _extraction(**fields: tuple[str, float]) -> Extraction:
    return Extraction(
        DocumentType.RECEIPT, 0.9, {k: FieldValue(v, c) for k, (v, c) in fields.items()}
    )


def test_summary_bins_confidences_and_counts_auto_accepted_documents_fully_right(
    tmp_path: Path,
) -> None:
    truth = {"vendor_name": "A SDN BHD", "total_amount": "10.00"}
    results = [
        check_document(
            "right.jpg",
            truth,
            _extraction(vendor_name=("A Sdn Bhd", 0.95), total_amount=("10.00", 0.92)),
            auto_accepted=True,
            seconds=2.0,
        ),
        check_document(
            "wrong.jpg",
            truth,
            _extraction(vendor_name=("A SDN BHD", 0.91), total_amount=("1.00", 0.85)),
            auto_accepted=True,
            seconds=4.0,
        ),
        check_document(
            "missing.jpg",
            truth,
            _extraction(vendor_name=("A SDN BHD", 0.6)),
            auto_accepted=False,
            seconds=3.0,
        ),
    ]
    report = summarise(results)
    assert [(f.name, f.right, f.total) for f in report.fields] == [
        ("vendor_name", 3, 3),
        ("total_amount", 1, 3),
    ]
    assert report.high_confidence(0.9) == (3, 3)  # 0.95, 0.92, 0.91: all right
    by_low = {b.low: (b.right, b.total) for b in report.calibration}
    assert by_low[0.8] == (0, 1) and by_low[0.5] == (1, 1)
    assert (report.auto_accepted, report.auto_accepted_right) == (2, 1)
    assert report.auto_accepted_all_right == 1
    assert report.seconds_per_document == pytest.approx(3.0)

    out = tmp_path / "misses.csv"
    assert write_misses(results, out) == 2
    rows = list(csv.DictReader(out.open()))
    assert {(r["file"], r["field"], r["got"]) for r in rows} == {
        ("wrong.jpg", "total_amount", "1.00"),
        ("missing.jpg", "total_amount", ""),
    }


def test_a_wrong_address_spoils_every_field_right_but_not_the_key_fields() -> None:
    truth = {"vendor_name": "A SDN BHD", "vendor_address": "1, JALAN X", "total_amount": "5.00"}
    res = check_document(
        "r.jpg",
        truth,
        _extraction(
            vendor_name=("A SDN BHD", 0.9),
            vendor_address=("1. JALAN X", 0.7),
            total_amount=("5.00", 0.9),
        ),
        auto_accepted=True,
        seconds=1.0,
    )
    assert res.key_fields == ("vendor_name", "document_date", "total_amount")
    assert res.key_fields_right and not res.fully_right


# ---- canonical truth: every field kind, lists, line items, groups and slices -----------------


def test_canonical_truth_loads_every_kind_and_keeps_the_type_apart(tmp_path: Path) -> None:
    path = tmp_path / "ci.json"
    raw = {
        "document_type": "Commercial Invoice",
        "document_number": "CI-7",
        "total_amount": 1998.4,  # a JSON number
        "packages": 12,
        "currency": "usd",
        "hs_codes": ["8471.30.00", "85171200"],
        "container_numbers": "MSCU1234565; TGHU 765432-1",  # a string list: split
        "line_items": [{"description": "Laptop", "quantity": 2, "amount": "1000.00"}],
        "gross_weight_kg": "",  # empty: not known
        "shipper_phone": "123",  # not one of our fields
    }
    path.write_text(json.dumps(raw))
    truth = load_truth(path)
    assert truth.document_type == "commercial_invoice"
    assert not truth.strict_names
    assert dict(truth) == {
        "document_number": "CI-7",
        "total_amount": "1998.4",
        "packages": "12",
        "currency": "usd",
        "hs_codes": ("8471.30.00", "85171200"),
        "container_numbers": ("MSCU1234565", "TGHU 765432-1"),
        "line_items": ({"description": "Laptop", "quantity": "2", "amount": "1000.00"},),
    }
    path.write_text(json.dumps({"company": "A SDN BHD", "total": "9.00"}))
    assert load_truth(path).strict_names and load_truth(path).document_type is None


@pytest.mark.parametrize(
    "raw",
    [
        {"line_items": "two laptops"},
        {"line_items": [["Laptop", "2"]]},
        {"total_amount": {"value": "9.00"}},
        {"packages": True},
        {"hs_codes": [["8471"]]},
    ],
)
def test_a_truth_value_of_the_wrong_shape_is_a_usage_error(tmp_path: Path, raw: dict) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(raw))
    with pytest.raises(UsageError, match="bad.json"):
        load_truth(path)


@pytest.mark.parametrize(
    ("field", "a", "b"),
    [
        ("net_amount", "1.234,50", "1234.5"),
        ("amount_due", "-5.00", "(5.00)"),
        ("gross_weight_kg", "1,234.5", "1234.500"),
        ("packages", "12.0", "12"),
        ("period_end", "2020-03-08", "08.03.2020"),
        ("currency", " eur", "EUR"),
        ("incoterms", "fob", "FOB"),
        ("country_of_origin", "cn", "CN"),
        ("iban", "DE89 3704 0044 0532 0130 00", "de89370400440532013000"),
        ("vendor_tax_id", "DE 123 456 789", "DE123456789"),
        ("customer_name", "Kunden AG, Mitte.", "KUNDEN AG MITTE"),
        ("consignee", "Tan Bros. (S) Pte-Ltd", "TAN BROS S PTE LTD"),
        ("vendor_name", "MR D.I.Y.(JOHOR) SDN BHD", "MR D.I.Y. (JOHOR) SDN BHD"),
    ],
)
def test_each_field_kind_compares_in_its_own_form(field: str, a: str, b: str) -> None:
    assert normalise(field, a) == normalise(field, b)


@pytest.mark.parametrize(
    ("field", "a", "b"),
    [
        ("gross_weight_kg", "12.345", "12.35"),  # weights are exact, not rounded to cents
        ("packages", "12", "13"),
        ("packages", "12.5", "12"),
        ("consignor", "ACME GMBH", "ACME AG"),
        ("vendor_address", "27,JALAN DEDAP", "27, JALAN DEDAP"),  # addresses: punctuation counts
        ("document_number", "INV-001", "INV 001"),
        ("incoterms", "FOB", "FCA"),
    ],
)
def test_each_field_kind_still_tells_different_values_apart(field: str, a: str, b: str) -> None:
    assert normalise(field, a) != normalise(field, b)


def test_lists_compare_as_multisets_of_normalised_items() -> None:
    assert ev.normalise_list("hs_codes", ["8517.12.00", "8471 30 00"]) == ev.normalise_list(
        "hs_codes", ["84713000", "85171200"]
    )
    assert ev.normalise_list("container_numbers", ["mscu 123456-5"]) == ("MSCU1234565",)
    # Repeats count: a code read twice is not the same list as one code.
    assert ev.normalise_list("hs_codes", ["84713000", "84713000"]) != ev.normalise_list(
        "hs_codes", ["84713000"]
    )


ROWS = (
    {"description": "Kunstrasen grün\n3m breit", "quantity": "3.0000", "amount": "10.00"},
    {"description": "Pfand", "quantity": "20", "amount": "55.46"},
)


def test_line_items_need_every_row_in_order_with_amount_quantity_and_description() -> None:
    read = (
        {"description": "KUNSTRASEN GRÜN 3M BREIT", "quantity": "3", "amount": "10.0"},
        {"description": "Pfand.", "quantity": "20.00", "amount": "55.46", "unit_price": "2.77"},
    )
    assert ev.same_line_items(ROWS, read)
    assert not ev.same_line_items(ROWS, read[::-1])  # rows in another order
    assert not ev.same_line_items(ROWS, read[:1])  # a row missing
    assert not ev.same_line_items(ROWS, (read[0], {**read[1], "quantity": "2"}))
    assert not ev.same_line_items(ROWS, (read[0], {"description": "Pfand", "amount": "55.46"}))
    # Only the columns the truth gives are compared.
    assert ev.same_line_items(({"amount": "10.00"},), ({"description": "x", "amount": "10"},))


def _doc(document_type: DocumentType, type_confidence: float = 0.9, **fields: object) -> Extraction:
    return Extraction(
        document_type,
        type_confidence,
        {k: FieldValue(v, 0.9) for k, v in fields.items()},  # type: ignore[arg-type]
    )


def test_line_item_amounts_are_a_softer_row_of_their_own() -> None:
    truth = {"document_type": "invoice", "total_amount": "65.46", "line_items": list(ROWS)}
    swapped = tuple({"description": r["description"], "amount": r["amount"]} for r in ROWS[::-1])
    res = check_document(
        "inv.pdf",
        truth,
        _doc(DocumentType.INVOICE, total_amount="65.46", line_items=swapped),
        auto_accepted=True,
        seconds=0.1,
    )
    ok = {c.name: c.ok for c in res.checks}
    assert ok == {
        "document_type": True,
        "total_amount": True,
        "line_items": False,
        "line_items_amounts": True,
    }
    assert not res.fully_right and res.key_fields_right
    missing = check_document(
        "inv.pdf", truth, _doc(DocumentType.INVOICE), auto_accepted=False, seconds=0.1
    )
    by_name = {c.name: c for c in missing.checks}
    assert by_name["line_items_amounts"].want == "10.00; 55.46"
    assert not by_name["line_items"].ok and by_name["line_items"].got is None


@pytest.mark.parametrize(
    ("name", "group"),
    [
        ("adbuy-digital-03ec997a.pdf", "adbuy-digital"),
        ("adbuy-scanned-0a32ce11.pdf", "adbuy-scanned"),
        ("sroie-001.jpg", "sroie"),
        ("zugferd-xml-rechnung-fx-en16931-einfach.pdf", "zugferd"),
        ("zugferd-xml-rechnung-fx-en16931-1-teilrechnung.pdf", "zugferd"),
        ("ship003-commercial-invoice-en-l2.pdf", "ship"),
        ("ship003-commercial-invoice-en-l2-scan.png", "ship-scan"),
        ("ship012-packing-list-zh-l1-scan.png", "ship-scan"),
        ("invoice.pdf", "invoice"),
    ],
)
def test_files_group_by_their_name_without_the_trailing_id(name: str, group: str) -> None:
    assert ev.file_group(name) == group


def test_other_groupings_and_read_routes() -> None:
    assert ev.file_group(Path("trade/ship003-bl-en-l1.pdf"), "folder") == "trade"
    assert ev.file_group(Path("a.pdf"), "folder") == "."
    assert ev.file_group("a-1.pdf", "none") == "all"
    with pytest.raises(UsageError):
        ev.file_group("a.pdf", "colour")
    assert ev.read_route("pdf-text") == ev.TEXT_LAYER
    assert ev.read_route("pdf-text+rapidocr 3.4.2") == ev.OCR
    assert ev.read_route("tesseract 5.3.0") == ev.OCR
    assert ev.read_route("rapidocr 3.4.2, checked by tesseract 5.3.0") == ev.OCR
    assert ev.read_route("pdf-text", "xml") == ev.EMBEDDED_XML


def test_figures_come_per_type_group_and_route_and_the_type_is_a_row(tmp_path: Path) -> None:
    ci_truth = {
        "document_type": "commercial_invoice",
        "document_number": "CI-1",
        "incoterms": "FOB",
        "hs_codes": ["84713000"],
    }
    inv_truth = {"document_type": "invoice", "document_number": "7", "total_amount": "5.00"}
    results = [
        check_document(
            "ship001-commercial-invoice-en-l1.pdf",
            ci_truth,
            _doc(
                DocumentType.COMMERCIAL_INVOICE,
                0.97,
                document_number="CI-1",
                incoterms="fob",
                hs_codes=("8471.30.00",),
            ),
            auto_accepted=True,
            seconds=0.1,
            route=ev.TEXT_LAYER,
            group="ship",
        ),
        check_document(
            "ship001-commercial-invoice-en-l1-scan.png",
            ci_truth,
            # Read as a packing list: reported under the truth's type, the type row is wrong.
            _doc(DocumentType.PACKING_LIST, 0.6, document_number="CI-1", incoterms="CIF"),
            auto_accepted=True,
            seconds=2.0,
            route=ev.OCR,
            group="ship-scan",
        ),
        check_document(
            "inv-0001.pdf",
            {k: v for k, v in inv_truth.items() if k != "document_type"},
            _doc(DocumentType.INVOICE, 0.8, document_number="7", total_amount="5"),
            auto_accepted=False,
            seconds=0.1,
            route=ev.TEXT_LAYER,
            group="inv",
        ),
        ev.DocumentEval("inv-0002.pdf", 0.1, error="unreadable", document_type="invoice"),
    ]
    report = summarise(results)
    fields = {f.name: (f.right, f.total) for f in report.fields}
    assert fields == {
        "document_type": (1, 2),
        "total_amount": (1, 1),
        "document_number": (3, 3),
        "incoterms": (1, 2),
        "hs_codes": (1, 2),
    }
    assert [f.name for f in report.fields][0] == "document_type"
    # The type rows stay out of the calibration: the 7 fields read (with a confidence) are in.
    assert sum(b.total for b in report.calibration) == 7
    by_type = {s.name: s for s in report.by_type}
    assert list(by_type) == ["invoice", "commercial_invoice"]  # DocumentType order
    assert (by_type["invoice"].documents, by_type["invoice"].failed) == (2, 1)
    ci = by_type["commercial_invoice"]
    assert ci.field("hs_codes") == ev.FieldStats("hs_codes", 1, 2)
    assert (ci.auto_accepted, ci.auto_accepted_all_right) == (2, 1)
    # Key fields of a commercial invoice include the total, which the truth does not give.
    assert ci.auto_accepted_right == 2
    routes = {s.name: s for s in report.by_route}
    assert list(routes) == [ev.TEXT_LAYER, ev.OCR, ev.NOT_READ]
    assert routes[ev.OCR].field("incoterms") == ev.FieldStats("incoterms", 0, 1)
    groups = {s.name: s.documents for s in report.by_group}
    assert groups == {"all": 1, "inv": 1, "ship": 1, "ship-scan": 1}
    as_json = json.loads(json.dumps(report.to_json()))
    assert as_json["by_group"]["ship-scan"]["fields"]["document_type"] == {
        "accuracy": 0.0,
        "right": 0,
        "total": 1,
    }
    assert as_json["by_route"]["text layer"]["auto_accepted_all_fields_right"] == 1

    out = tmp_path / "misses.csv"
    assert write_misses(results, out) == 4
    rows = list(csv.DictReader(out.open()))
    assert {(r["file"], r["field"], r["group"], r["route"]) for r in rows} == {
        ("ship001-commercial-invoice-en-l1-scan.png", "document_type", "ship-scan", "OCR"),
        ("ship001-commercial-invoice-en-l1-scan.png", "incoterms", "ship-scan", "OCR"),
        ("ship001-commercial-invoice-en-l1-scan.png", "hs_codes", "ship-scan", "OCR"),
        ("inv-0002.pdf", "", "", ""),
    }


def _digital_invoice(path: Path, lines: list[str]) -> None:
    pdf = canvas.Canvas(str(path))
    for i, line in enumerate(lines):
        pdf.drawString(60, 800 - 22 * i, line)
    pdf.save()


def test_eval_reports_canonical_truth_per_field_group_and_route(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    _digital_invoice(
        docs / "acme-digital-0a1b2c3d.pdf",
        [
            "Northwind Office Supplies GmbH",
            "Hauptstrasse 5, 10115 Berlin",
            "INVOICE",
            "Invoice No: NW-2026-0042",
            "Invoice date: 12.03.2026",
            "Bill to: Contoso Trading Ltd",
            "Net amount: 100.00 EUR",
            "VAT 19%: 19.00 EUR",
            "Total: 119.00 EUR",
        ],
    )
    truth = {
        "document_type": "invoice",
        "document_number": "NW-2026-0042",
        "document_date": "2026-03-12",
        "total_amount": 119,
        "currency": "eur",
        "customer_name": "CONTOSO TRADING LTD.",
        "purchase_order": "PO-777",  # not on the page: must count as wrong
    }
    (docs / "acme-digital-0a1b2c3d.json").write_text(json.dumps(truth))
    shutil.copy(docs / "acme-digital-0a1b2c3d.pdf", docs / "other.pdf")
    (docs / "other.json").write_text(json.dumps({"document_number": "NW-2026-0042"}))
    misses = tmp_path / "misses.csv"
    args = ["--home", str(tmp_path / "home"), "eval", str(docs), "--misses", str(misses)]

    result = CliRunner().invoke(cli, [*args, "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 2 and report["group_by"] == "prefix"
    fields = report["fields"]
    for name in ("document_type", "document_date", "total_amount", "currency", "customer_name"):
        assert fields[name] == {"accuracy": 1.0, "right": 1, "total": 1}, name
    assert fields["document_number"] == {"accuracy": 1.0, "right": 2, "total": 2}
    assert fields["purchase_order"] == {"accuracy": 0.0, "right": 0, "total": 1}
    assert set(report["by_group"]) == {"acme-digital", "other"}
    assert report["by_group"]["acme-digital"]["fields"]["purchase_order"]["total"] == 1
    assert set(report["by_route"]) == {"text layer"}
    assert report["by_type"]["invoice"]["documents"] == 2
    rows = list(csv.DictReader(misses.open()))
    assert [(r["field"], r["group"], r["route"]) for r in rows] == [
        ("purchase_order", "acme-digital", "text layer")
    ]

    result = CliRunner().invoke(cli, [*args, "--group-by", "none"])
    assert result.exit_code == 0, result.output
    assert "Field accuracy" in result.stdout and "purchase_order" in result.stdout
    assert "group: all" in result.stdout and "read: text layer" in result.stdout


# ---- matching against a ledger ------------------------------------------------------------


def _outcome(file: str, status: str, customer: str | None = None, bill: str | None = None):
    return MatchOutcome(file, status, customer, bill, 0.9 if customer else 0.0, ("why",))


# Each document exercises one case; the comments give the verdict it must get.
HAND_MADE = [
    _outcome("d1.jpg", "auto_accepted", "C1", "B1"),  # right
    _outcome("d2.jpg", "auto_accepted", "C2", "B2"),  # wrong customer
    _outcome("d3.jpg", "auto_accepted", "C1", "B9"),  # wrong bill
    _outcome("d4.jpg", "needs_review", "C1", "B4"),  # reviewer gets the right suggestion
    _outcome("d5.jpg", "needs_review"),  # no customer found
    _outcome("d6.jpg", "needs_review", "C3"),  # no match expected, and sent to review
    _outcome("d7.jpg", "auto_accepted", "C3", "B7"),  # no match expected, auto-accepted
    _outcome("d8.pdf", "failed"),  # no match expected, failed: not in review either
    _outcome("d9.jpg", "duplicate", "C1", "B1"),  # a duplicate is never scored as a match
    _outcome("d10.jpg", "needs_review", "C1"),  # right: customer known, no bill to settle
    _outcome("d11.jpg", "needs_review", "C1"),  # customer right, its bill not found
    _outcome("x.jpg", "auto_accepted", "C1", "B1"),  # not in the expected file
]
HAND_EXPECTED = {
    "d1": ExpectedMatch("C1", "B1"),
    "d2.jpg": ExpectedMatch("C1", "B1"),  # by file name rather than stem
    "d3": ExpectedMatch("C1", "B3"),
    "d4": ExpectedMatch("C1", "B4"),
    "d5": ExpectedMatch("C2", "B5"),
    "d6": ExpectedMatch(None, None),
    "d7": ExpectedMatch(None, None),
    "d8": ExpectedMatch(None, None),
    "d9": ExpectedMatch("C1", "B1"),
    "d10": ExpectedMatch("C1", None),
    "d11": ExpectedMatch("C1", "B11"),
    "gone": ExpectedMatch("C4", "B4"),  # no such document in the run
}


def test_match_scores_count_precision_recall_and_no_customer_documents() -> None:
    report = score_matches(HAND_MADE, HAND_EXPECTED)
    assert [r.verdict for r in report.rows] == [
        ev.RIGHT,
        ev.AUTO_WRONG_CUSTOMER,
        ev.AUTO_WRONG_BILL,
        ev.REVIEW_RIGHT,
        ev.REVIEW_NO_CUSTOMER,
        ev.NO_MATCH_REVIEWED,
        ev.AUTO_NO_MATCH_EXPECTED,
        ev.FAILED,
        ev.DUPLICATE,
        ev.REVIEW_RIGHT,
        ev.REVIEW_NO_BILL,
        ev.NOT_EXPECTED,
    ]
    assert (report.documents, report.duplicates, report.failed) == (11, 1, 1)
    # Auto-accepted: d1, d2, d3, d7; the customer is right on d1 and d3, the bill on d1 only.
    assert (report.auto_accepted, report.auto_customer_right) == (4, 2)
    assert (report.auto_with_bill, report.auto_bill_right) == (4, 1)
    assert report.customer_precision == pytest.approx(0.5)
    assert report.bill_precision == pytest.approx(0.25)
    assert report.auto_share == pytest.approx(4 / 10)  # the duplicate is left out
    # Expected customer: d1-d5, d10, d11; named by the match on d1, d3, d4, d10, d11.
    assert (report.customer_found, report.with_customer) == (5, 7)
    # Expected bill: d1-d5, d11; suggested right on d1, d4.
    assert (report.bill_found, report.with_bill) == (2, 6)
    assert report.bill_accuracy == pytest.approx(2 / 6)
    assert (report.no_customer, report.no_customer_reviewed) == (3, 1)
    assert report.no_customer_violators == ("d7.jpg", "d8.pdf")
    assert report.without_expected_row == ("x.jpg",)
    assert report.expected_not_run == ("gone",)
    assert report.targets() == {
        "customer_precision": False,
        "bill_precision": False,
        "customer_recall": False,
        "no_customer_reviewed": False,
    }
    figures = report.to_json()
    assert figures["customer_recall"] == {"right": 5, "total": 7, "rate": round(5 / 7, 4)}
    assert figures["no_customer"] == {"total": 3, "in_review": 1, "violators": ["d7.jpg", "d8.pdf"]}
    assert len(figures["rows"]) == len(HAND_MADE)  # type: ignore[arg-type]


def test_all_right_meets_every_target_and_nothing_is_a_miss(tmp_path: Path) -> None:
    outcomes = [
        _outcome("a.jpg", "auto_accepted", "C1", "B1"),
        _outcome("b.jpg", "needs_review", "C2", "B2"),
        _outcome("c.jpg", "needs_review"),
    ]
    expected = {
        "a": ExpectedMatch("C1", "B1"),
        "b": ExpectedMatch("C2", "B2"),
        "c": ExpectedMatch(None, None),
    }
    report = score_matches(outcomes, expected)
    assert set(report.targets().values()) == {True}
    # b went to review with the right suggestion: counted by the recall, listed as a miss
    # (a person had to look at it), so only the two wanted outcomes are left out.
    out = tmp_path / "m.csv"
    assert write_match_misses(report, out) == 1
    assert [r["document"] for r in csv.DictReader(out.open())] == ["b.jpg"]


def test_nothing_auto_accepted_leaves_the_precisions_unmeasured() -> None:
    report = score_matches(
        [_outcome("a.jpg", "needs_review", "C1")], {"a": ExpectedMatch("C1", "B1")}
    )
    assert report.customer_precision is None and report.bill_precision is None
    assert report.targets()["customer_precision"] is None
    assert report.targets()["no_customer_reviewed"] is None
    assert report.to_json()["bill_precision"] == {"right": 0, "total": 0, "rate": None}


def test_expected_matches_file_and_ledger_folder_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "expected_matches.csv"
    path.write_text("document,customer_id,bill_id\nsroie-001,C1,B1\nsroie-002, ,\n\n,,\n")
    assert load_expected_matches(path) == {
        "sroie-001": ExpectedMatch("C1", "B1"),
        "sroie-002": ExpectedMatch(None, None),
    }
    path.write_text("document,customer_id,bill_id\na,C1,B1\na,C2,B2\n")
    with pytest.raises(UsageError, match="line 3: document a appears twice"):
        load_expected_matches(path)
    path.write_text("document,customer\na,C1\n")
    with pytest.raises(UsageError, match="lacks the column"):
        load_expected_matches(path)
    (tmp_path / "bills.csv").write_text("")
    with pytest.raises(UsageError, match=r"lacks customers\.csv;"):
        ledger_files(tmp_path)


def test_match_outcome_reads_a_run_json_line() -> None:
    line = {
        "file": "/in/sroie-001.jpg",
        "status": "needs_review",
        "reasons": ["no single open bill matches"],
        "match": {"customer_id": "C1", "bill_id": None, "confidence": 0.5, "reasons": []},
    }
    assert MatchOutcome.from_json(line) == MatchOutcome(
        "sroie-001.jpg", "needs_review", "C1", None, 0.5, ("no single open bill matches",)
    )
    failed = MatchOutcome.from_json({"file": "x.pdf", "status": "failed", "reasons": ["bad"]})
    assert (failed.customer_id, failed.bill_id, failed.confidence) == (None, None, None)


# ---- `docintake eval DIR --ledger L`, end to end on recorded OCR ------------------------------


def write_csv(path: Path, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([header, *rows])


def _cache_ocr(cache: Path, document: Path, fixture: str) -> None:
    """Put a recorded engine output in the OCR cache, as ``eval --ocr-cache`` keys it."""
    cache.mkdir(exist_ok=True)
    key = cache / f"{hashlib.sha256(document.read_bytes()).hexdigest()}.rapidocr.json"
    shutil.copy(FIXTURE_DIR / f"{fixture}.json", key)


def test_eval_with_a_ledger_scores_matches_from_one_pipeline_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    docs, cache, ledger = tmp_path / "docs", tmp_path / "cache", tmp_path / "ledger"
    docs.mkdir()
    ledger.mkdir()
    receipt = docs / "a-receipt.jpg"
    shutil.copy(SAMPLES / "receipt-photo.jpg", receipt)
    # Same receipt, other bytes: processed again, after a-receipt has settled the only bill.
    again = docs / "b-receipt.jpg"
    again.write_bytes(receipt.read_bytes() + b"\0")
    invoice = docs / "c-invoice.pdf"
    shutil.copy(SAMPLES / "invoice-digital.pdf", invoice)
    shutil.copy(receipt, docs / "d-copy.jpg")  # exact duplicate of a-receipt
    scanned = docs / "e-scanned.pdf"
    shutil.copy(SAMPLES / "invoice-scanned.pdf", scanned)
    for document, fixture in (
        (receipt, "sample-receipt-photo"),
        (again, "sample-receipt-photo"),
        (invoice, "sample-invoice-digital"),
        (scanned, "sample-invoice-scanned"),
    ):
        _cache_ocr(cache, document, fixture)
    truth = json.loads((SAMPLES / "receipt-photo.expected.json").read_text())["fields"]
    (docs / "a-receipt.json").write_text(json.dumps(truth))
    # Bills of the customer of the receipt: one open at the receipt's total, one paid.
    write_csv(
        ledger / "customers.csv",
        CUSTOMER_COLUMNS,
        [
            ("C001", "Sri Murni Mart Sdn Bhd", "Lot 23, Jalan Bukit Bintang, 55100 Kuala Lumpur")
            + ("1187342-K", "", ""),
            ("C002", "Tan Brothers Trading Pte Ltd", "18 Jurong Port Road, Singapore 619094")
            + ("199804512N", "", ""),
        ],
    )
    write_csv(
        ledger / "bills.csv",
        BILL_COLUMNS,
        [
            ("B1001", "C001", "CS-041827", "2026-03-14", "2026-04-13", "MYR", "61.80", "open"),
            ("B1002", "C001", "CS-039554", "2026-02-27", "2026-03-29", "MYR", "61.80", "paid"),
            ("B1005", "C002", "HSC-INV-2026-0417", "2026-02-09", "2026-03-11", "SGD")
            + ("1998.41", "open"),
            ("B1099", "C999", "X", "2026-01-01", "2026-02-01", "SGD", "1.00", "open"),  # bad row
        ],
    )
    # The invoice is listed as "no match" on purpose: its auto-acceptance must be caught.
    (ledger / "expected_matches.csv").write_text(
        "document,customer_id,bill_id\n"
        "a-receipt,C001,B1001\nb-receipt,C001,\nc-invoice.pdf,,\nd-copy,C001,B1001\nz-gone,C002,\n"
    )

    def no_ocr(*_a: object) -> DocumentText:
        raise AssertionError("OCR ran although its output was cached")

    monkeypatch.setattr(stages, "read_document", no_ocr)
    home = tmp_path / "home"
    misses = tmp_path / "misses.csv"
    args = ["--home", str(home), "eval", str(docs), "--ledger", str(ledger)]
    args += ["--ocr-cache", str(cache), "--misses", str(misses)]

    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert not home.exists()  # the ledger went into a scratch database, not the home's
    assert report["ledger"]["imported"] == {"customers": 2, "bills": 3}
    assert report["ledger"]["import_errors"] == [
        "bills.csv, line 5: customer_id 'C999' is not a known customer"
    ]
    rows = {r["document"]: r for r in report["matches"]["rows"]}
    assert list(rows) == ["a-receipt.jpg", "b-receipt.jpg", "c-invoice.pdf", "d-copy.jpg"] + [
        "e-scanned.pdf"
    ]
    # File-name order: a-receipt settles B1001, so b-receipt (same content) finds no open bill.
    assert (rows["a-receipt.jpg"]["status"], rows["a-receipt.jpg"]["bill_id"]) == (
        "auto_accepted",
        "B1001",
    )
    assert rows["b-receipt.jpg"]["status"] == "needs_review"
    assert (rows["b-receipt.jpg"]["customer_id"], rows["b-receipt.jpg"]["bill_id"]) == (
        "C001",
        None,
    )
    assert rows["d-copy.jpg"]["verdict"] == ev.DUPLICATE
    assert rows["c-invoice.pdf"]["verdict"] == ev.AUTO_NO_MATCH_EXPECTED
    matches = report["matches"]
    assert (matches["documents"], matches["duplicates"], matches["auto_accepted"]) == (4, 1, 2)
    assert matches["customer_precision"] == {"right": 1, "total": 2, "rate": 0.5}
    assert matches["customer_recall"] == {"right": 2, "total": 2, "rate": 1.0}
    assert matches["no_customer"] == {"total": 1, "in_review": 0, "violators": ["c-invoice.pdf"]}
    assert matches["without_expected_row"] == ["e-scanned.pdf"]
    assert matches["expected_not_run"] == ["z-gone"]
    # Field figures from the same run: only a-receipt has ground truth; auto-accepted is the
    # whole pipeline's decision.
    assert report["documents"] == 1 and report["auto_accepted"] == 1
    assert report["fields"]["total_amount"] == {"accuracy": 1.0, "right": 1, "total": 1}
    written = list(csv.DictReader(misses.with_name("misses-matches.csv").open()))
    assert {r["document"]: r["verdict"] for r in written} == {
        r["document"]: r["verdict"]
        for r in report["matches"]["rows"]
        if r["verdict"] not in (ev.RIGHT, ev.NO_MATCH_REVIEWED)
    }

    # The same run as tables: the violator is named.
    assert main(args) == 0
    printed = capsys.readouterr().out
    assert "Matching against" in printed and "c-invoice.pdf" in printed


def test_eval_with_a_ledger_folder_lacking_a_file_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SAMPLES / "receipt-photo.jpg", tmp_path / "r.jpg")
    ledger = tmp_path / "ledger"
    ledger.mkdir()
    shutil.copy(SAMPLES / "ledger" / "customers.csv", ledger)
    shutil.copy(SAMPLES / "ledger" / "bills.csv", ledger)
    code = main(["--home", str(tmp_path / "h"), "eval", str(tmp_path), "--ledger", str(ledger)])
    assert code == 2
    assert "expected_matches.csv" in capsys.readouterr().err
