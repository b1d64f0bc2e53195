"""Score the JSON lines of `docintake run --json` or `docintake extract --json` against truth.

    docintake extract DIR --json > out.jsonl
    python benchmarks/score_run.py out.jsonl --truth DIR [--matches expected_matches.csv]

Prints, per field, how often the value equals the truth file beside each document
(`NAME.json`, in either the SROIE form or docintake's canonical form), and, with --matches,
the decision counts and how many auto-accepted matches are the expected ones.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from pathlib import Path

from docintake.domain import COMMON_FIELDS
from docintake.evaluation import load_truth as load_field_truth
from docintake.evaluation import normalise

SCORED = ("document_type", *COMMON_FIELDS)


def load_truth(path: Path) -> dict[str, str]:
    """Field truth as ``docintake eval`` reads it, plus the document type (SROIE: receipts)."""
    raw = json.loads(path.read_text())
    truth = load_field_truth(path)
    kind = raw.get("document_type") or ("receipt" if "company" in raw else None)
    if kind:
        truth["document_type"] = str(kind)
    return truth


def same(field: str, got: object, want: str) -> bool:
    """Compared exactly as ``docintake eval`` compares (one normalisation for both)."""
    if field == "document_type":
        return str(got).strip().lower() == want.strip().lower()
    return normalise(field, str(got)) == normalise(field, want)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("jsonl", type=Path)
    ap.add_argument("--truth", type=Path, required=True, help="folder with NAME.json files")
    ap.add_argument("--matches", type=Path, help="expected_matches.csv of the ledger")
    args = ap.parse_args()

    rows = [json.loads(line) for line in args.jsonl.read_text().splitlines() if line.strip()]
    right: Counter[str] = Counter()
    known: Counter[str] = Counter()
    confident_wrong: Counter[str] = Counter()
    for row in rows:
        stem = Path(row["file"]).stem
        truth_file = args.truth / f"{stem}.json"
        if not truth_file.exists():
            continue
        truth = load_truth(truth_file)
        for field in SCORED:
            if field not in truth or truth[field] in (None, ""):
                continue
            known[field] += 1
            if field == "document_type":
                got: object = row.get("document_type")
                conf = 1.0
            else:
                fv = row.get("fields", {}).get(field) or {}
                got, conf = fv.get("value"), fv.get("confidence", 0.0)
            if got is not None and same(field, got, truth[field]):
                right[field] += 1
            elif got is not None and conf >= 0.8:
                confident_wrong[field] += 1
    print(f"{len(rows)} documents")
    print(f"{'field':<16}{'right':>7}{'of':>5}{'rate':>8}{'wrong at >=0.8':>16}")
    for field in SCORED:
        if known[field]:
            rate = right[field] / known[field]
            print(
                f"{field:<16}{right[field]:>7}{known[field]:>5}{rate:>8.1%}"
                f"{confident_wrong[field]:>16}"
            )

    statuses = Counter(row["status"] for row in rows)
    print("decisions:", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    if args.matches:
        expected = {
            r["document"]: (r["customer_id"] or None, r["bill_id"] or None)
            for r in csv.DictReader(args.matches.open())
        }
        auto_ok = auto_bad = 0
        for row in rows:
            if row["status"] != "auto_accepted":
                continue
            want = expected.get(Path(row["file"]).stem)
            got = (row["match"]["customer_id"], row["match"]["bill_id"])
            if want == got:
                auto_ok += 1
            else:
                auto_bad += 1
                print(f"  wrong auto-accept: {row['file']} got {got} expected {want}")
        print(f"auto-accepted matching expected_matches.csv: {auto_ok} of {auto_ok + auto_bad}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
