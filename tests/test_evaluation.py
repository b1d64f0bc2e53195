"""Scoring against ground truth: normalisation, calibration bins, auto-accept precision, and
matches against a ledger's expected_matches.csv (``eval --ledger``)."""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from ocr_fixtures import FIXTURE_DIR

from docintake import evaluation as ev
from docintake.cli import main
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
    assert normalise(field, a) != normalise(field, b)


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
