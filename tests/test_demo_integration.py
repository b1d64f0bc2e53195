"""The demo end to end: samples dropped in the watched inbox, real tesseract, real Prefect flow,
the demo ledger; every decision checked against samples/ledger/expected_matches.csv."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from docintake.cli import main

SAMPLES = Path(__file__).resolve().parent.parent / "samples"
DOCUMENTS = (
    "receipt-photo.jpg",
    "invoice-digital.pdf",
    "invoice-scanned.pdf",
    "customs-declaration.tiff",
)

pytestmark = pytest.mark.integration


def test_samples_through_the_watched_folder_match_the_expected_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOCINTAKE_STABLE_SECONDS", "0")
    home = tmp_path / "home"
    ledger = SAMPLES / "ledger"
    assert (
        main(
            [
                "--home",
                str(home),
                "ledger",
                "import",
                "--customers",
                str(ledger / "customers.csv"),
                "--bills",
                str(ledger / "bills.csv"),
            ]
        )
        == 0
    )
    (home / "inbox").mkdir(parents=True)
    for name in DOCUMENTS:
        shutil.copy(SAMPLES / name, home / "inbox" / name)
    capsys.readouterr()

    assert main(["--home", str(home), "watch", "--once", "--json"]) == 0

    rows = {r["file"]: r for r in map(json.loads, capsys.readouterr().out.splitlines())}
    assert set(rows) == set(DOCUMENTS)
    expected = {
        r["document"]: (r["customer_id"] or None, r["bill_id"] or None)
        for r in csv.DictReader((ledger / "expected_matches.csv").open())
    }
    for name, row in rows.items():
        assert (home / "done" / name).is_file(), row
        got = (row["match"]["customer_id"], row["match"]["bill_id"])
        if row["status"] == "auto_accepted":
            assert got == expected[name], (name, row["match"])  # never a wrong posting
        else:
            assert row["status"] == "needs_review" and row["reasons"], row
        if expected[name] == (None, None):
            # "No match" is the right answer: no bill is suggested, nothing is posted.
            assert row["status"] == "needs_review" and got[1] is None, row
    # The two clean samples are auto-accepted; a reviewer's time goes to the other two.
    assert rows["receipt-photo.jpg"]["status"] == "auto_accepted"
    assert rows["invoice-digital.pdf"]["status"] == "auto_accepted"
