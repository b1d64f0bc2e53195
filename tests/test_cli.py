"""The CLI contract: exit codes, error messages, and the JSON lines other tools depend on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from ocr_fixtures import load

from docintake.cli import main
from docintake.domain import DocumentText, SourceFile
from extractors import rapidocr_engine, tesseract
from flows import stages

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
EXTRACT_KEYS = {"file", "sha256", "document_type", "fields", "needs_review", "reasons", "status"}


def _lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


@pytest.fixture()
def recorded_ocr(monkeypatch: pytest.MonkeyPatch) -> None:
    """The reader returns the recorded engine output of the digital invoice sample."""

    def fake_read(source: SourceFile, _opts: object) -> DocumentText:
        return load("sample-invoice-digital")

    monkeypatch.setattr(stages, "read_document", fake_read)


def test_missing_tesseract_is_a_setup_error_that_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    tesseract.version.cache_clear()
    monkeypatch.setattr(tesseract.shutil, "which", lambda _cmd: None)
    try:
        code = main(
            [
                "--home",
                str(tmp_path),
                "--engine",
                "tesseract",
                "extract",
                str(SAMPLES / "receipt-photo.jpg"),
            ]
        )
    finally:
        tesseract.version.cache_clear()
    assert code == 3
    err = capsys.readouterr().err
    assert "tesseract is not installed" in err
    assert "apt-get install tesseract-ocr" in err


def test_missing_rapidocr_is_a_setup_error_that_says_how_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    real_version = rapidocr_engine.metadata.version

    def version(name: str) -> str:
        if name == "rapidocr":
            raise rapidocr_engine.metadata.PackageNotFoundError(name)
        return real_version(name)

    rapidocr_engine.version.cache_clear()
    monkeypatch.setattr(rapidocr_engine.metadata, "version", version)
    try:
        code = main(["--home", str(tmp_path), "extract", str(SAMPLES / "receipt-photo.jpg")])
    finally:
        rapidocr_engine.version.cache_clear()
    assert code == 3
    err = capsys.readouterr().err
    assert "rapidocr OCR engine is not installed" in err
    assert "pip install" in err


def test_missing_input_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--home", str(tmp_path), "extract", str(tmp_path / "nope.jpg")])
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_unknown_command_and_bad_flag_exit_non_zero(tmp_path: Path) -> None:
    assert main(["--home", str(tmp_path), "frobnicate"]) != 0
    assert main(["--home", str(tmp_path), "--workers", "zero", "run", "x"]) != 0


def test_bad_setting_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCINTAKE_WORKERS", "0")
    code = main(["--home", str(tmp_path), "review", "list"])
    assert code == 2
    assert "Invalid setting" in capsys.readouterr().err


def test_extract_json_lines_and_nothing_written(
    tmp_path: Path, recorded_ocr: None, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "invoice-digital.pdf", folder / "inv.pdf")
    (folder / "inv.json").write_text("{}")  # a sidecar in a folder is skipped
    (folder / "broken.pdf").write_text("not a pdf")
    home = tmp_path / "home"

    code = main(["--home", str(home), "extract", str(folder), "--json"])

    assert code == 0  # a failed document is a handled document
    rows = {Path(r["file"]).name: r for r in _lines(capsys.readouterr().out)}
    assert set(rows) == {"inv.pdf", "broken.pdf"}
    for row in rows.values():
        assert set(row) >= EXTRACT_KEYS and "match" not in row
    good = rows["inv.pdf"]
    assert good["status"] == "extracted" and good["document_type"] == "invoice"
    assert good["fields"]["total_amount"]["value"] == "1998.41"
    assert 0.0 <= good["fields"]["total_amount"]["confidence"] <= 1.0
    assert good["fields"]["document_date"]["value"] == "2026-02-09"
    assert len(good["sha256"]) == 64
    assert rows["broken.pdf"]["status"] == "failed"
    assert "not a recognised format" in rows["broken.pdf"]["reasons"][0]
    assert not home.exists()  # extract writes nothing


def test_ledger_import_reports_bad_rows_and_keeps_going(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text("customer_id,name,address,tax_id,email,phone\nC1,Acme,,,,\n,NoId,,,,\n")
    bills = tmp_path / "b.csv"
    bills.write_text(
        "bill_id,customer_id,reference,issue_date,due_date,currency,amount,status\n"
        "B1,C1,R1,2026-01-01,2026-02-01,EUR,10.00,open\n"
        "B2,C9,R2,2026-01-01,2026-02-01,EUR,10.00,open\n"
    )
    code = main(
        [
            "--home",
            str(tmp_path),
            "ledger",
            "import",
            "--customers",
            str(customers),
            "--bills",
            str(bills),
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "c.csv, line 3" in err and "b.csv, line 3" in err
    assert "customers: 1 new" in err and "bills: 1 new" in err


def test_ledger_reindex_rebuilds_the_matching_index(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    customers = tmp_path / "c.csv"
    customers.write_text("customer_id,name,address,tax_id,email,phone\nC1,Acme Trading,,,,\n")
    assert main(["--home", str(tmp_path), "ledger", "import", "--customers", str(customers)]) == 0
    capsys.readouterr()

    assert main(["--home", str(tmp_path), "ledger", "reindex"]) == 0
    assert "reindexed 1 customer(s), 0 bill(s)" in capsys.readouterr().out


def test_eval_reports_accuracy_calibration_and_writes_the_misses(
    tmp_path: Path,
    recorded_ocr: None,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path / "truth"
    folder.mkdir()
    shutil.copy(SAMPLES / "invoice-digital.pdf", folder / "inv.pdf")
    # SROIE keys: the total and date are right (as printed: a day-first date, "RM"-less
    # amount), the company is not what the parser reads.
    (folder / "inv.json").write_text(
        json.dumps({"company": "SOMEONE ELSE LTD", "date": "09/02/2026", "total": "1,998.41"})
    )
    shutil.copy(SAMPLES / "invoice-scanned.pdf", folder / "no-truth.pdf")  # not evaluated
    misses = tmp_path / "misses.csv"
    cache = tmp_path / "cache"
    args = ["--home", str(tmp_path / "home"), "eval", str(folder), "--json"]
    args += ["--misses", str(misses), "--ocr-cache", str(cache)]

    assert main(args) == 0
    report = _lines(capsys.readouterr().out)[0]
    assert report["documents"] == 1
    assert report["fields"]["total_amount"] == {"accuracy": 1.0, "right": 1, "total": 1}
    assert report["fields"]["document_date"]["right"] == 1
    assert report["fields"]["vendor_name"]["right"] == 0
    assert sum(b["total"] for b in report["calibration"]) == 3
    # The digital invoice's fields are all confident: auto-accepted. An invoice's key fields
    # (date, total) are right; the vendor name is not, so not every field is.
    assert report["auto_accepted"] == 1
    assert report["auto_accepted_key_fields_right"] == 1
    assert report["auto_accepted_all_fields_right"] == 0
    rows = misses.read_text().splitlines()
    assert rows[0].startswith("file,field,expected,got,confidence")
    assert len(rows) == 2 and rows[1].startswith("inv.pdf,vendor_name,SOMEONE ELSE LTD,")

    # The second run reads the OCR output from the cache, not the engine.
    def no_ocr(*_a: object) -> DocumentText:
        raise AssertionError("OCR ran although its output was cached")

    monkeypatch.setattr(stages, "read_document", no_ocr)
    assert main(args) == 0
    assert _lines(capsys.readouterr().out)[0]["fields"] == report["fields"]


def test_eval_without_any_ground_truth_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SAMPLES / "receipt-photo.jpg", tmp_path / "r.jpg")
    assert main(["--home", str(tmp_path / "h"), "eval", str(tmp_path)]) == 2
    assert "ground-truth" in capsys.readouterr().err
