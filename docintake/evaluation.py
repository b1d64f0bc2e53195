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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from docintake.decision import REQUIRED_FIELDS
from docintake.domain import COMMON_FIELDS, Extraction, parse_decimal
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
