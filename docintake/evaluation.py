"""Field accuracy and confidence calibration against ground truth (``docintake eval``).

Ground truth sits beside each document as ``NAME.json``: SROIE keys (company, date, address,
total) or our own field names. Values are compared after normalisation: upper case and single
spaces for text, dates as dates, amounts as decimals. No I/O besides reading truth files and
writing the misses CSV; the CLI does the reading of documents.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from docintake.decision import REQUIRED_FIELDS
from docintake.domain import COMMON_FIELDS, Extraction, Status, parse_decimal
from docintake.exceptions import UsageError
from extractors.parsers.common import normalise_space, parse_amount, parse_date

# SROIE's keys for our field names.
SROIE_KEYS = {
    "company": "vendor_name",
    "date": "document_date",
    "address": "vendor_address",
    "total": "total_amount",
}
_DATE_FIELDS = frozenset({"document_date", "due_date"})
_AMOUNT_FIELDS = frozenset({"total_amount", "tax_amount"})
# Confidence bins of the calibration table: [low, high).
CALIBRATION_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.5),
    (0.5, 0.7),
    (0.7, 0.8),
    (0.8, 0.9),
    (0.9, 0.95),
    (0.95, 1.01),
)


def load_truth(path: Path) -> dict[str, str]:
    """Ground truth for one document, by our field names; UsageError if unreadable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UsageError(f"Ground truth {path} cannot be read: {e}") from e
    if not isinstance(raw, dict):
        raise UsageError(f"Ground truth {path} is not a JSON object.")
    out: dict[str, str] = {}
    for key, value in raw.items():
        name = SROIE_KEYS.get(key, key)
        if name in COMMON_FIELDS and value not in (None, ""):
            out[name] = str(value)
    return out


def normalise(name: str, value: str) -> str:
    """The form two values of field ``name`` are compared in."""
    value = unicodedata.normalize("NFKC", value)
    if name in _AMOUNT_FIELDS:
        amount = parse_amount(value)
        number = parse_decimal(amount) if amount else None
        return str(number) if number is not None else value.strip()
    if name in _DATE_FIELDS:
        compact = value.strip()
        if re.fullmatch(r"\d{8}", compact):  # 20180304
            compact = f"{compact[:4]}-{compact[4:6]}-{compact[6:]}"
        return parse_date(compact) or compact
    return normalise_space(value).upper()


@dataclass(frozen=True)
class FieldCheck:
    name: str
    want: str
    got: str | None
    confidence: float | None
    ok: bool


@dataclass(frozen=True)
class DocumentEval:
    file: str
    seconds: float
    checks: tuple[FieldCheck, ...] = ()
    # The pipeline's own fields-only decision: no reason to send it to a person.
    auto_accepted: bool = False
    error: str | None = None
    # The fields auto-acceptance rests on for this document's type (decision.REQUIRED_FIELDS).
    key_fields: tuple[str, ...] = ()

    @property
    def fully_right(self) -> bool:
        """Every field with ground truth is right."""
        return self.error is None and all(c.ok for c in self.checks)

    @property
    def key_fields_right(self) -> bool:
        """Every key field with ground truth is right (a missing key field is not right)."""
        return self.error is None and all(c.ok for c in self.checks if c.name in self.key_fields)


def check_document(
    file: str, truth: dict[str, str], extraction: Extraction, *, auto_accepted: bool, seconds: float
) -> DocumentEval:
    key_fields = REQUIRED_FIELDS[extraction.document_type]
    checks = []
    for name, want in truth.items():
        fv = extraction.fields.get(name)
        got = fv.value if fv is not None and isinstance(fv.value, str) else None
        ok = got is not None and normalise(name, got) == normalise(name, want)
        checks.append(FieldCheck(name, want, got, round(fv.confidence, 3) if fv else None, ok))
    return DocumentEval(file, seconds, tuple(checks), auto_accepted, key_fields=key_fields)


@dataclass(frozen=True)
class FieldStats:
    name: str
    right: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    right: int
    total: int

    @property
    def accuracy(self) -> float | None:
        return self.right / self.total if self.total else None


@dataclass(frozen=True)
class EvalReport:
    documents: int
    failed: int
    fields: tuple[FieldStats, ...]
    calibration: tuple[CalibrationBin, ...]
    auto_accepted: int
    auto_accepted_right: int  # key fields all right
    auto_accepted_all_right: int  # every field with ground truth right
    seconds_per_document: float
    # Wall-clock time of the whole run, with documents read side by side.
    wall_seconds: float = 0.0

    @property
    def wall_seconds_per_document(self) -> float:
        return self.wall_seconds / self.documents if self.documents else 0.0

    @property
    def auto_share(self) -> float:
        return self.auto_accepted / self.documents if self.documents else 0.0

    @property
    def auto_precision(self) -> float | None:
        return self.auto_accepted_right / self.auto_accepted if self.auto_accepted else None

    def high_confidence(self, at: float = 0.9) -> tuple[int, int]:
        """(right, total) over fields reported at confidence >= ``at``."""
        bins = [b for b in self.calibration if b.low >= at]
        return sum(b.right for b in bins), sum(b.total for b in bins)

    def to_json(self) -> dict[str, object]:
        right, total = self.high_confidence()
        return {
            "documents": self.documents,
            "failed": self.failed,
            "fields": {
                f.name: {"accuracy": round(f.accuracy, 4), "right": f.right, "total": f.total}
                for f in self.fields
            },
            "calibration": [
                {"low": b.low, "high": min(b.high, 1.0), "right": b.right, "total": b.total}
                for b in self.calibration
            ],
            "confidence_ge_0_9": {"right": right, "total": total},
            "auto_accepted": self.auto_accepted,
            "auto_accepted_share": round(self.auto_share, 4),
            "auto_accepted_key_fields_right": self.auto_accepted_right,
            "auto_accepted_all_fields_right": self.auto_accepted_all_right,
            "seconds_per_document": round(self.seconds_per_document, 3),
            "wall_seconds_per_document": round(self.wall_seconds_per_document, 3),
        }


def summarise(results: Sequence[DocumentEval]) -> EvalReport:
    per_field: dict[str, list[int]] = {}
    bins = [[0, 0] for _ in CALIBRATION_BINS]
    for res in results:
        for c in res.checks:
            stats = per_field.setdefault(c.name, [0, 0])
            stats[0] += c.ok
            stats[1] += 1
            if c.confidence is None:
                continue
            for i, (low, high) in enumerate(CALIBRATION_BINS):
                if low <= c.confidence < high:
                    bins[i][0] += c.ok
                    bins[i][1] += 1
    ok = [r for r in results if r.error is None]
    auto = [r for r in ok if r.auto_accepted]
    order = {name: i for i, name in enumerate(COMMON_FIELDS)}
    return EvalReport(
        documents=len(results),
        failed=len(results) - len(ok),
        fields=tuple(
            FieldStats(name, s[0], s[1])
            for name, s in sorted(per_field.items(), key=lambda kv: order.get(kv[0], 99))
        ),
        calibration=tuple(
            CalibrationBin(low, high, b[0], b[1])
            for (low, high), b in zip(CALIBRATION_BINS, bins, strict=True)
        ),
        auto_accepted=len(auto),
        auto_accepted_right=sum(r.key_fields_right for r in auto),
        auto_accepted_all_right=sum(r.fully_right for r in auto),
        seconds_per_document=(sum(r.seconds for r in results) / len(results)) if results else 0.0,
    )


def write_misses(results: Sequence[DocumentEval], path: Path) -> int:
    """One CSV row per wrong or missing field (and per failed document); returns the rows."""
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["file", "field", "expected", "got", "confidence", "auto_accepted", "error"])
        for res in results:
            if res.error is not None:
                out.writerow([res.file, "", "", "", "", "", res.error])
                rows += 1
            for c in res.checks:
                if c.ok:
                    continue
                conf = "" if c.confidence is None else f"{c.confidence:.3f}"
                out.writerow([res.file, c.name, c.want, c.got or "", conf, res.auto_accepted, ""])
                rows += 1
    return rows


# ---- matching against a ledger (``docintake eval DIR --ledger LEDGER_DIR``) ------------------

# Acceptance targets of the matcher (issue 5); reported beside the figures, never enforced.
MATCH_TARGETS: dict[str, float] = {
    "customer_precision": 0.995,
    "bill_precision": 0.99,
    "customer_recall": 0.95,
}
LEDGER_FILES = ("customers.csv", "bills.csv", "expected_matches.csv")
_AUTO = Status.AUTO_ACCEPTED.value
_REVIEW = Status.NEEDS_REVIEW.value
_DUPLICATE = Status.DUPLICATE.value
_FAILED = Status.FAILED.value

# Verdicts of one document; the first two are the outcomes wanted, the rest are misses.
RIGHT = "right"
NO_MATCH_REVIEWED = "no match expected, sent to review"
AUTO_NO_MATCH_EXPECTED = "auto-accepted, no match expected"
AUTO_WRONG_CUSTOMER = "auto-accepted, wrong customer"
AUTO_WRONG_BILL = "auto-accepted, wrong bill"
NO_MATCH_NOT_REVIEWED = "no match expected, not sent to review"
REVIEW_RIGHT = "review, suggestion right"
REVIEW_WRONG_BILL = "review, customer right, bill wrong"
REVIEW_NO_BILL = "review, customer right, no bill"
REVIEW_WRONG_CUSTOMER = "review, wrong customer"
REVIEW_NO_CUSTOMER = "review, no customer found"
DUPLICATE = "duplicate"
FAILED = "failed"
NOT_EXPECTED = "no expected row"
_WANTED = frozenset({RIGHT, NO_MATCH_REVIEWED})


def ledger_files(ledger_dir: Path) -> tuple[Path, Path, Path]:
    """customers.csv, bills.csv and expected_matches.csv of ``ledger_dir``; UsageError if any
    is missing."""
    paths = tuple(ledger_dir / name for name in LEDGER_FILES)
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise UsageError(
            f"{ledger_dir} lacks {', '.join(missing)}; --ledger needs a folder with "
            f"{', '.join(LEDGER_FILES)}."
        )
    customers, bills, expected = paths
    return customers, bills, expected


@dataclass(frozen=True)
class ExpectedMatch:
    """The right answer for one document; None means "no match" is right."""

    customer_id: str | None
    bill_id: str | None


def load_expected_matches(path: Path) -> dict[str, ExpectedMatch]:
    """``document,customer_id,bill_id`` rows by document (a file stem or a file name)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = {(c or "").strip() for c in reader.fieldnames or ()}
            lacking = [c for c in ("document", "customer_id", "bill_id") if c not in header]
            if lacking:
                raise UsageError(
                    f"{path} lacks the column(s) {', '.join(lacking)}; "
                    "expected document,customer_id,bill_id."
                )
            out: dict[str, ExpectedMatch] = {}
            for line, row in enumerate(reader, start=2):
                row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
                document = row["document"]
                if not document:
                    continue
                if document in out:
                    raise UsageError(f"{path}, line {line}: document {document} appears twice.")
                out[document] = ExpectedMatch(row["customer_id"] or None, row["bill_id"] or None)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise UsageError(f"Expected matches {path} cannot be read: {e}") from e
    return out


@dataclass(frozen=True)
class MatchOutcome:
    """What the pipeline did with one document, as plain data."""

    file: str  # the file name, e.g. sroie-001.jpg
    status: str  # a Status value: auto_accepted, needs_review, duplicate, failed
    customer_id: str | None = None
    bill_id: str | None = None
    confidence: float | None = None
    reasons: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, obj: Mapping[str, object]) -> MatchOutcome:
        """From one line of ``docintake run --json`` (``Outcome.to_json``)."""
        match = obj.get("match")
        match = match if isinstance(match, dict) else {}
        confidence = match.get("confidence")
        reasons = obj.get("reasons")
        return cls(
            file=Path(str(obj["file"])).name,
            status=str(obj["status"]),
            customer_id=match.get("customer_id") or None,
            bill_id=match.get("bill_id") or None,
            confidence=float(confidence) if isinstance(confidence, int | float) else None,
            reasons=tuple(str(r) for r in reasons) if isinstance(reasons, list) else (),
        )


@dataclass(frozen=True)
class MatchRow:
    """One document: the expected and the pipeline's answer, and what that answer counts as."""

    document: str
    status: str
    expected: ExpectedMatch | None  # None: the document has no row in expected_matches.csv
    customer_id: str | None
    bill_id: str | None
    confidence: float | None
    verdict: str
    reasons: tuple[str, ...] = ()

    @property
    def miss(self) -> bool:
        return self.verdict not in _WANTED

    def to_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "status": self.status,
            "expected_customer_id": self.expected.customer_id if self.expected else None,
            "expected_bill_id": self.expected.bill_id if self.expected else None,
            "customer_id": self.customer_id,
            "bill_id": self.bill_id,
            "confidence": self.confidence,
            "verdict": self.verdict,
            "reasons": list(self.reasons),
        }


def verdict(
    status: str, expected: ExpectedMatch | None, customer: str | None, bill: str | None
) -> str:
    """What one document's outcome counts as (one of the verdict constants above)."""
    if expected is None:
        return NOT_EXPECTED
    if status == _DUPLICATE:
        return DUPLICATE
    if status == _FAILED:
        return FAILED
    if expected.customer_id is None:
        if status == _AUTO:
            return AUTO_NO_MATCH_EXPECTED
        return NO_MATCH_REVIEWED if status == _REVIEW else NO_MATCH_NOT_REVIEWED
    if status == _AUTO:
        if customer != expected.customer_id:
            return AUTO_WRONG_CUSTOMER
        return RIGHT if bill == expected.bill_id else AUTO_WRONG_BILL
    if customer is None:
        return REVIEW_NO_CUSTOMER
    if customer != expected.customer_id:
        return REVIEW_WRONG_CUSTOMER
    if bill == expected.bill_id:
        return REVIEW_RIGHT
    return REVIEW_NO_BILL if bill is None else REVIEW_WRONG_BILL


def _rate(right: int, total: int) -> float | None:
    return right / total if total else None


@dataclass(frozen=True)
class MatchEvalReport:
    """Matching figures. Duplicates are counted apart and left out of every rate (they repeat
    another document's answer); a failed document counts as a miss. Documents without an
    expected row are listed, not scored."""

    documents: int  # scored: run and with an expected row (duplicates and failures included)
    duplicates: int
    failed: int
    auto_accepted: int
    auto_customer_right: int
    auto_with_bill: int
    auto_bill_right: int
    with_customer: int  # expected customer non-empty (duplicates left out)
    customer_found: int  # ... and the match named it, auto-accepted or suggested for review
    with_bill: int  # expected bill non-empty (duplicates left out)
    bill_found: int
    no_customer: int  # expected customer empty (duplicates left out)
    no_customer_reviewed: int
    no_customer_violators: tuple[str, ...]  # ... that did not end in review (accepted, failed)
    without_expected_row: tuple[str, ...]  # run, but expected_matches.csv does not name them
    expected_not_run: tuple[str, ...]  # named in expected_matches.csv, not in the folder
    rows: tuple[MatchRow, ...] = ()

    @property
    def customer_precision(self) -> float | None:
        return _rate(self.auto_customer_right, self.auto_accepted)

    @property
    def bill_precision(self) -> float | None:
        return _rate(self.auto_bill_right, self.auto_with_bill)

    @property
    def customer_recall(self) -> float | None:
        return _rate(self.customer_found, self.with_customer)

    @property
    def bill_accuracy(self) -> float | None:
        return _rate(self.bill_found, self.with_bill)

    @property
    def auto_share(self) -> float | None:
        return _rate(self.auto_accepted, self.documents - self.duplicates)

    def verdicts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            counts[row.verdict] = counts.get(row.verdict, 0) + 1
        return counts

    def targets(self) -> dict[str, bool | None]:
        """Each acceptance target met or not (None: nothing to measure it on)."""
        met: dict[str, bool | None] = {}
        for name, target in MATCH_TARGETS.items():
            value = getattr(self, name)
            met[name] = None if value is None else value >= target
        met["no_customer_reviewed"] = not self.no_customer_violators if self.no_customer else None
        return met

    def to_json(self) -> dict[str, object]:
        def figure(right: int, total: int, rate: float | None) -> dict[str, object]:
            return {
                "right": right,
                "total": total,
                "rate": None if rate is None else round(rate, 4),
            }

        return {
            "documents": self.documents,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "auto_accepted": self.auto_accepted,
            "auto_accepted_share": None if self.auto_share is None else round(self.auto_share, 4),
            "customer_precision": figure(
                self.auto_customer_right, self.auto_accepted, self.customer_precision
            ),
            "bill_precision": figure(
                self.auto_bill_right, self.auto_with_bill, self.bill_precision
            ),
            "customer_recall": figure(
                self.customer_found, self.with_customer, self.customer_recall
            ),
            "bill_accuracy": figure(self.bill_found, self.with_bill, self.bill_accuracy),
            "no_customer": {
                "total": self.no_customer,
                "in_review": self.no_customer_reviewed,
                "violators": list(self.no_customer_violators),
            },
            "targets": {"goal": MATCH_TARGETS, "met": self.targets()},
            "verdicts": self.verdicts(),
            "without_expected_row": list(self.without_expected_row),
            "expected_not_run": list(self.expected_not_run),
            "rows": [r.to_json() for r in self.rows],
        }


def _expected_for(
    file: str, expected: Mapping[str, ExpectedMatch]
) -> tuple[str, ExpectedMatch] | None:
    # expected_matches.csv names documents by stem (sroie-001) or by file name (a.jpg).
    for key in (file, Path(file).stem):
        if key in expected:
            return key, expected[key]
    return None


def score_matches(
    outcomes: Sequence[MatchOutcome], expected: Mapping[str, ExpectedMatch]
) -> MatchEvalReport:
    """Score the pipeline's matches against the expected ones."""
    rows: list[MatchRow] = []
    used: set[str] = set()
    for o in outcomes:
        found = _expected_for(o.file, expected)
        want = None
        if found is not None:
            used.add(found[0])
            want = found[1]
        rows.append(
            MatchRow(
                document=o.file,
                status=o.status,
                expected=want,
                customer_id=o.customer_id,
                bill_id=o.bill_id,
                confidence=o.confidence,
                verdict=verdict(o.status, want, o.customer_id, o.bill_id),
                reasons=o.reasons,
            )
        )
    scored = [r for r in rows if r.expected is not None]
    # A duplicate repeats another document's answer; scoring it again would count that twice.
    unique = [r for r in scored if r.status != _DUPLICATE]
    auto = [r for r in unique if r.status == _AUTO]
    auto_bill = [r for r in auto if r.bill_id is not None]
    with_customer = [r for r in unique if r.expected and r.expected.customer_id is not None]
    with_bill = [r for r in unique if r.expected and r.expected.bill_id is not None]
    no_customer = [r for r in unique if r.expected and r.expected.customer_id is None]
    return MatchEvalReport(
        documents=len(scored),
        duplicates=len(scored) - len(unique),
        failed=sum(r.status == _FAILED for r in unique),
        auto_accepted=len(auto),
        auto_customer_right=sum(
            r.expected is not None and r.customer_id == r.expected.customer_id for r in auto
        ),
        auto_with_bill=len(auto_bill),
        auto_bill_right=sum(
            r.expected is not None and r.bill_id == r.expected.bill_id for r in auto_bill
        ),
        with_customer=len(with_customer),
        customer_found=sum(
            r.expected is not None and r.customer_id == r.expected.customer_id
            for r in with_customer
        ),
        with_bill=len(with_bill),
        bill_found=sum(
            r.expected is not None and r.bill_id == r.expected.bill_id for r in with_bill
        ),
        no_customer=len(no_customer),
        no_customer_reviewed=sum(r.status == _REVIEW for r in no_customer),
        no_customer_violators=tuple(r.document for r in no_customer if r.status != _REVIEW),
        without_expected_row=tuple(r.document for r in rows if r.expected is None),
        expected_not_run=tuple(sorted(set(expected) - used)),
        rows=tuple(rows),
    )


def write_match_misses(report: MatchEvalReport, path: Path) -> int:
    """One CSV row per document whose outcome is not the wanted one; returns the rows."""
    rows = [r for r in report.rows if r.miss]
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            [
                "document",
                "status",
                "expected_customer_id",
                "expected_bill_id",
                "customer_id",
                "bill_id",
                "confidence",
                "verdict",
                "reasons",
            ]
        )
        for r in rows:
            conf = "" if r.confidence is None else f"{r.confidence:.3f}"
            want = r.expected or ExpectedMatch(None, None)
            out.writerow(
                [
                    r.document,
                    r.status,
                    want.customer_id or "",
                    want.bill_id or "",
                    r.customer_id or "",
                    r.bill_id or "",
                    conf,
                    r.verdict,
                    "; ".join(r.reasons),
                ]
            )
    return len(rows)


def match_misses_path(misses: Path) -> Path:
    """Where the match misses go: beside the field misses, ``<stem>-matches.csv``."""
    return misses.with_name(f"{misses.stem}-matches.csv")
