"""Score the JSON lines of `docintake run --json` or `docintake extract --json` against truth.

    docintake extract DIR --json > out.jsonl
    python benchmarks/score_run.py out.jsonl --truth DIR [--matches expected_matches.csv]

Prints, per field, how often the value equals the truth file beside each document
(`NAME.json`, in either the SROIE form or docintake's canonical form), the decision counts,
and, with --matches on `run` output, the match figures of `docintake eval --ledger` (the same
scorer, docintake.evaluation.score_matches) and every wrong auto-accept.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path

from docintake.evaluation import (
    FIELD_ORDER,
    LINE_AMOUNTS,
    RIGHT,
    TYPE_FIELD,
    MatchOutcome,
    Truth,
    load_expected_matches,
    same_value,
    score_matches,
)
from docintake.evaluation import load_truth as load_field_truth

SCORED = tuple(name for name in FIELD_ORDER if name != LINE_AMOUNTS)


def load_truth(path: Path) -> Truth:
    """Field truth as ``docintake eval`` reads it; SROIE files are receipts."""
    truth = load_field_truth(path)
    if truth.document_type is None and truth.strict_names:
        truth = replace(truth, document_type="receipt")
    return truth


def same(field: str, got: object, truth: Truth) -> bool:
    """Compared exactly as ``docintake eval`` compares (one normalisation for both)."""
    if field == TYPE_FIELD:
        return str(got).strip().lower() == truth.document_type
    return same_value(field, truth[field], got, strict_names=truth.strict_names)


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
            if field not in truth and not (field == TYPE_FIELD and truth.document_type):
                continue
            known[field] += 1
            if field == "document_type":
                got: object = row.get("document_type")
                conf = 1.0
            else:
                fv = row.get("fields", {}).get(field) or {}
                got, conf = fv.get("value"), fv.get("confidence", 0.0)
            if got is not None and same(field, got, truth):
                right[field] += 1
            elif got is not None and conf >= 0.8:
                confident_wrong[field] += 1
    print(f"{len(rows)} documents")
    print(f"{'field':<26}{'right':>7}{'of':>5}{'rate':>8}{'wrong at >=0.8':>16}")
    for field in SCORED:
        if known[field]:
            rate = right[field] / known[field]
            print(
                f"{field:<26}{right[field]:>7}{known[field]:>5}{rate:>8.1%}"
                f"{confident_wrong[field]:>16}"
            )

    statuses = Counter(row["status"] for row in rows)
    print("decisions:", ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    if args.matches:
        report = score_matches(
            [MatchOutcome.from_json(row) for row in rows], load_expected_matches(args.matches)
        )
        figures = report.to_json()
        for name in ("customer_precision", "bill_precision", "customer_recall", "bill_accuracy"):
            f = figures[name]
            assert isinstance(f, dict)
            shown = "-" if f["rate"] is None else f"{f['rate']:.1%}"
            print(f"{name:<20}{f['right']:>5} of {f['total']:<5}{shown:>8}")
        print(
            f"no customer expected: {report.no_customer_reviewed} of {report.no_customer} in "
            f"review; not in review: {', '.join(report.no_customer_violators) or 'none'}"
        )
        for r in report.rows:
            if r.status == "auto_accepted" and r.verdict != RIGHT:
                want = (r.expected.customer_id, r.expected.bill_id) if r.expected else None
                print(f"  {r.verdict}: {r.document} got {(r.customer_id, r.bill_id)}, want {want}")
        if report.without_expected_row:
            print(f"not in {args.matches.name}: {len(report.without_expected_row)} document(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
