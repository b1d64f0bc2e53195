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
import re
import sys
from collections import Counter
from decimal import Decimal, InvalidOperation
from pathlib import Path

from docintake.domain import COMMON_FIELDS

# SROIE ground truth uses its own names; dates there are as printed.
SROIE_NAMES = {
    "company": "vendor_name",
    "address": "vendor_address",
    "date": "document_date",
    "total": "total_amount",
}
SCORED = ("document_type", *COMMON_FIELDS)


def norm_text(value: object) -> str:
    return " ".join(re.sub(r"[^0-9A-Za-z]+", " ", str(value)).upper().split())


def norm_amount(value: object) -> str:
    try:
        return str(Decimal(re.sub(r"[^0-9.\-]", "", str(value))).quantize(Decimal("0.01")))
    except InvalidOperation:
        return str(value)


def sroie_date(printed: str) -> str | None:
    m = re.search(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})", printed)
    if not m:
        return None
    d, mth, y = (int(x) for x in m.groups())
    y = y + 2000 if y < 100 else y
    return f"{y:04d}-{mth:02d}-{d:02d}"


def load_truth(path: Path) -> dict[str, object]:
    raw = json.loads(path.read_text())
    if "company" in raw:
        truth: dict[str, object] = {SROIE_NAMES[k]: v for k, v in raw.items() if k in SROIE_NAMES}
        truth["document_date"] = sroie_date(str(raw.get("date", ""))) or raw.get("date")
        truth["document_type"] = "receipt"
        return truth
    return raw


def same(field: str, got: object, want: object) -> bool:
    if field in ("total_amount", "tax_amount"):
        return norm_amount(got) == norm_amount(want)
    if field in ("document_date", "due_date", "currency", "document_type"):
        return str(got).strip().upper() == str(want).strip().upper()
    return norm_text(got) == norm_text(want)


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
