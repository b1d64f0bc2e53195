"""Scoring against ground truth: normalisation, calibration bins, auto-accept precision."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from docintake.domain import DocumentType, Extraction, FieldValue
from docintake.evaluation import check_document, load_truth, normalise, summarise, write_misses
from docintake.exceptions import UsageError


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
