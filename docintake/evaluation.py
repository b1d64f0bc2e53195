"""Field accuracy and confidence calibration against ground truth (``docintake eval``).

Ground truth sits beside each document as ``NAME.json``: SROIE keys (company, date, address,
total) or our own field names (any of ``docintake.domain.ALL_FIELDS``, plus ``document_type``).
Values are compared per field kind after normalisation (``normalise``, ``normalise_list``,
``same_line_items``). Figures come overall, per document type, per group of files and per
read route (text layer, OCR, embedded XML). No I/O besides reading truth files and writing
the misses CSV; the CLI does the reading of documents.
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePath

from docintake.decision import REQUIRED_FIELDS
from docintake.domain import (
    ALL_FIELDS,
    AMOUNT_FIELDS,
    DATE_FIELDS,
    LIST_FIELDS,
    TABLE_FIELDS,
    DocumentType,
    Extraction,
    Status,
    parse_decimal,
)
from docintake.exceptions import UsageError
from extractors.parsers.common import normalise_space, parse_amount, parse_date

# SROIE's keys for our field names.
SROIE_KEYS = {
    "company": "vendor_name",
    "date": "document_date",
    "address": "vendor_address",
    "total": "total_amount",
}
TYPE_FIELD = "document_type"
# A softer line-item figure: the row amounts alone, as a multiset.
LINE_AMOUNTS = "line_items_amounts"
NAME_FIELDS = frozenset({"vendor_name", "customer_name", "consignor", "consignee"})
_WEIGHT_FIELDS = frozenset({"gross_weight_kg", "net_weight_kg"})
_INTEGER_FIELDS = frozenset({"packages"})
_CODE_FIELDS = frozenset({"currency", "incoterms", "country_of_origin", "destination_country"})
_COMPACT_FIELDS = frozenset({"iban", "vendor_tax_id"})
# Report rows that are not a field the parser gave a confidence for: kept out of calibration.
_NOT_CALIBRATED = frozenset({TYPE_FIELD, LINE_AMOUNTS})
# The order of the report's rows: the type, then the fields as in domain.ALL_FIELDS.
FIELD_ORDER: tuple[str, ...] = (
    TYPE_FIELD,
    *(
        n
        for name in ALL_FIELDS
        for n in ((name, LINE_AMOUNTS) if name in TABLE_FIELDS else (name,))
    ),
)
_TYPE_ALIASES = {
    "customs": DocumentType.CUSTOMS.value,
    "air_waybill": DocumentType.BILL_OF_LADING.value,
    "awb": DocumentType.BILL_OF_LADING.value,
}
# Confidence bins of the calibration table: [low, high).
CALIBRATION_BINS: tuple[tuple[float, float], ...] = (
    (0.0, 0.5),
    (0.5, 0.7),
    (0.7, 0.8),
    (0.8, 0.9),
    (0.9, 0.95),
    (0.95, 1.01),
)

# How a document's text was got (``read_route``).
TEXT_LAYER = "text layer"
OCR = "OCR"
EMBEDDED_XML = "embedded XML"
NOT_READ = "not read"
_ROUTE_ORDER = (TEXT_LAYER, EMBEDDED_XML, OCR)

# A truth value: text, a list of texts (LIST_FIELDS) or rows of a table (TABLE_FIELDS).
TruthValue = str | tuple[str, ...] | tuple[Mapping[str, str], ...]


@dataclass(frozen=True, eq=False)
class Truth(Mapping[str, TruthValue]):
    """One document's ground truth: its field values by our names (a read-only mapping), the
    document type it should be read as, and how names are compared."""

    fields: Mapping[str, TruthValue]
    document_type: str | None = None
    # SROIE files are scored as SROIE scores them: a name's punctuation counts.
    strict_names: bool = False

    def __getitem__(self, name: str) -> TruthValue:
        return self.fields[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.fields)

    def __len__(self) -> int:
        return len(self.fields)

    @classmethod
    def from_mapping(cls, raw: Mapping[str, object], *, source: str = "truth") -> Truth:
        """From a truth file's JSON object (or a dict of the same shape); UsageError if a value
        has the wrong shape. Unknown keys and empty values are left out."""
        values: dict[str, TruthValue] = {}
        document_type = None
        for key, value in raw.items():
            if key == TYPE_FIELD:
                document_type = canonical_type(str(value)) if value not in (None, "") else None
                continue
            name = SROIE_KEYS.get(key, key)
            if name not in ALL_FIELDS:
                continue
            parsed = _truth_value(name, value, source)
            if parsed:
                values[name] = parsed
        return cls(values, document_type, strict_names=any(k in raw for k in SROIE_KEYS))


def canonical_type(value: str) -> str:
    """A document type as DocumentType's value ("Commercial invoice" -> "commercial_invoice");
    an unknown name is kept (lower case), so it simply never matches."""
    key = re.sub(r"[\s-]+", "_", value.strip().lower())
    if key in _TYPE_ALIASES:
        return _TYPE_ALIASES[key]
    for kind in DocumentType:
        if key in (kind.value, kind.name.lower()):
            return kind.value
    return key


def _truth_value(name: str, value: object, source: str) -> TruthValue | None:
    if value is None or value == "":
        return None
    if name in TABLE_FIELDS:
        if not isinstance(value, list) or not all(isinstance(r, dict) for r in value):
            raise UsageError(f"{source}: {name} should be an array of objects.")
        return tuple(
            {str(k): _scalar(name, v, source) for k, v in row.items() if v not in (None, "")}
            for row in value
        )
    if name in LIST_FIELDS:
        items = (
            value if isinstance(value, list) else re.split(r"[,;\n]", _scalar(name, value, source))
        )
        return tuple(s for s in (_scalar(name, v, source).strip() for v in items) if s)
    return _scalar(name, value, source)


def _scalar(name: str, value: object, source: str) -> str:
    # bool is an int to Python, but true/false is no field value.
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise UsageError(f"{source}: {name} should be text or a number, not {value!r}.")
    return str(value)


def load_truth(path: Path) -> Truth:
    """Ground truth for one document, by our field names; UsageError if unreadable."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise UsageError(f"Ground truth {path} cannot be read: {e}") from e
    if not isinstance(raw, dict):
        raise UsageError(f"Ground truth {path} is not a JSON object.")
    return Truth.from_mapping(raw, source=f"Ground truth {path}")


# ---- comparing values ------------------------------------------------------------------------

_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)")


def _decimal(value: str) -> Decimal | None:
    """A canonical ("3.0000") or printed ("1.234,5") number, exact; None if not one."""
    s = value.strip()
    if not _PLAIN_NUMBER.fullmatch(s):
        s = parse_amount(s) or ""
    try:
        number = Decimal(s)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _number_text(value: str) -> str:
    number = _decimal(value)
    return value.strip() if number is None else format(number.normalize(), "f")


def name_text(value: str) -> str:
    """A name as compared: NFKC, upper case, punctuation and symbols as spaces, single spaces."""
    value = unicodedata.normalize("NFKC", value).upper()
    value = "".join(" " if unicodedata.category(c)[0] in "PS" else c for c in value)
    return normalise_space(value)


def normalise(name: str, value: str, *, strict_names: bool = False) -> str:
    """The form two values of the scalar field ``name`` are compared in.

    Amounts as decimals to the cent; weights and quantities as exact decimals; dates as ISO
    dates; packages as an integer; currency, incoterms and countries as upper-case codes; IBAN
    and tax ids upper case without spaces; names (vendor, customer, consignor, consignee) as
    ``name_text`` (with ``strict_names``, as SROIE: punctuation counts); other text in upper
    case with single spaces.
    """
    value = unicodedata.normalize("NFKC", value)
    if name in AMOUNT_FIELDS:
        amount = parse_amount(value)
        number = parse_decimal(amount) if amount else None
        return str(number) if number is not None else value.strip()
    if name in _WEIGHT_FIELDS:
        return _number_text(value)
    if name in DATE_FIELDS:
        compact = value.strip()
        if re.fullmatch(r"\d{8}", compact):  # 20180304
            compact = f"{compact[:4]}-{compact[4:6]}-{compact[6:]}"
        return parse_date(compact) or compact
    if name in _INTEGER_FIELDS:
        number = _decimal(value)
        if number is not None and number == number.to_integral_value():
            return str(int(number))
        return value.strip()
    if name in _CODE_FIELDS or name in _COMPACT_FIELDS:
        return re.sub(r"\s+", "", value).upper()
    if name in NAME_FIELDS and not strict_names:
        return name_text(value)
    return normalise_space(value).upper()


def normalise_list(name: str, values: Sequence[str]) -> tuple[str, ...]:
    """The items of a list field as compared: hs_codes digits only, container numbers upper
    case without spaces or dashes, other items as text. Sorted: two lists are equal when they
    hold the same items as a multiset (order does not matter, repeats do)."""
    items = []
    for value in values:
        value = unicodedata.normalize("NFKC", value)
        if name == "hs_codes":
            item = re.sub(r"\D", "", value)
        elif name == "container_numbers":
            item = re.sub(r"[\s\-]", "", value).upper()
        else:
            item = normalise_space(value).upper()
        if item:
            items.append(item)
    return tuple(sorted(items))


def _row_amount(row: Mapping[str, str]) -> str | None:
    value = row.get("amount")
    return normalise("total_amount", value) if value else None


def same_line_items(want: Sequence[Mapping[str, str]], got: Sequence[Mapping[str, str]]) -> bool:
    """Line items are right when there are as many rows and, row by row in order, the amount
    and quantity are equal as decimals and the description is equal as ``name_text``. Only the
    columns the truth row gives are compared; one of them missing from the row read is wrong."""
    if len(want) != len(got):
        return False
    for w, g in zip(want, got, strict=True):
        for column, form in (
            ("amount", _row_amount),
            ("quantity", lambda r: _number_text(r["quantity"]) if r.get("quantity") else None),
            (
                "description",
                lambda r: name_text(r["description"]) if r.get("description") else None,
            ),
        ):
            if column in w and form(w) != form(g):
                return False
    return True


def line_amounts(rows: Sequence[Mapping[str, str]]) -> tuple[str, ...]:
    """The row amounts, sorted: compared as a multiset (rows split or ordered differently
    still count, a missing or extra amount does not)."""
    return tuple(sorted(a for a in (_row_amount(r) for r in rows) if a is not None))


def _as_rows(value: object) -> tuple[Mapping[str, str], ...] | None:
    if isinstance(value, tuple | list) and all(isinstance(r, Mapping) for r in value):
        return tuple({str(k): str(v) for k, v in r.items() if v is not None} for r in value)
    return None


def _as_list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, str):
        return tuple(s.strip() for s in re.split(r"[,;\n]", value) if s.strip())
    if isinstance(value, tuple | list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def _shown(value: object) -> str:
    """A value as written in the misses CSV: lists joined by "; ", tables as JSON."""
    if isinstance(value, str):
        return value
    if isinstance(value, tuple | list):
        if all(isinstance(v, str) for v in value):
            return "; ".join(value)
        return json.dumps(
            [dict(r) if isinstance(r, Mapping) else r for r in value], ensure_ascii=False
        )
    return str(value)


def same_value(name: str, want: TruthValue, got: object, *, strict_names: bool) -> bool:
    """Whether the extracted ``got`` is right for the truth ``want`` of field ``name``."""
    if got is None:
        return False
    if name in TABLE_FIELDS:
        want_rows, got_rows = _as_rows(want), _as_rows(got)
        return (
            want_rows is not None and got_rows is not None and same_line_items(want_rows, got_rows)
        )
    if name in LIST_FIELDS:
        want_list, got_list = _as_list(want), _as_list(got)
        return (
            want_list is not None
            and got_list is not None
            and normalise_list(name, want_list) == normalise_list(name, got_list)
        )
    if not isinstance(want, str) or not isinstance(got, str):
        return False
    return normalise(name, got, strict_names=strict_names) == normalise(
        name, want, strict_names=strict_names
    )


# ---- reading routes and groups -------------------------------------------------------------


def read_route(engine: str, source: str = "text") -> str:
    """How a document's text was got: from embedded XML (the extraction's ``source``), by OCR
    (an engine named in DocumentText.engine, on any page) or from a PDF's text layer."""
    if "xml" in source.lower():
        return EMBEDDED_XML
    lowered = engine.lower()
    if "rapidocr" in lowered or "tesseract" in lowered:
        return OCR
    if lowered.startswith("pdf-text"):
        return TEXT_LAYER
    return engine or NOT_READ


GROUP_RULES = ("prefix", "folder", "none")
# A trailing id in a file name: a number, or a hex string of 6+ characters with a digit.
_TRAILING_ID = re.compile(r"\d+|(?=[0-9a-f]*\d)[0-9a-f]{6,}")
_SCAN_WORDS = frozenset({"scan", "scanned"})


def file_group(relative: PurePath | str, rule: str = "prefix") -> str:
    """The group a file's figures are also reported under.

    ``prefix``: the file name without its trailing id when it has one ("adbuy-digital-03ec997a"
    -> "adbuy-digital", "sroie-001" -> "sroie"); otherwise its first "-" part without digits
    ("zugferd-xml-rechnung-fx-en16931-einfach" -> "zugferd", "ship003-commercial-invoice-en-l2"
    -> "ship"). A part "scan" or "scanned" that the group lacks is added as "-scan"
    ("ship003-bill-of-lading-en-l1-scan" -> "ship-scan"). ``folder``: the sub-folder of the
    evaluated folder ("." for the top). ``none``: one group, "all".
    """
    path = PurePath(relative)
    if rule == "none":
        return "all"
    if rule == "folder":
        return path.parent.as_posix()
    if rule != "prefix":
        raise UsageError(f"Unknown grouping {rule!r}; one of {', '.join(GROUP_RULES)}.")
    parts = path.stem.lower().split("-")
    if len(parts) > 1 and _TRAILING_ID.fullmatch(parts[-1]):
        group = parts[:-1]
    else:
        group = [parts[0].rstrip("0123456789") or parts[0]]
    if _SCAN_WORDS & set(parts) and not _SCAN_WORDS & set(group):
        group.append("scan")
    return "-".join(group)


# ---- one document ----------------------------------------------------------------------------


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
    # The type the document is reported under: the truth's, else the one read.
    document_type: str = ""
    route: str = ""  # read_route: text layer, OCR, embedded XML
    group: str = ""  # file_group

    @property
    def fully_right(self) -> bool:
        """Every field with ground truth (and the type, when the truth gives it) is right."""
        return self.error is None and all(c.ok for c in self.checks)

    @property
    def key_fields_right(self) -> bool:
        """Every key field with ground truth is right (a missing key field is not right)."""
        return self.error is None and all(c.ok for c in self.checks if c.name in self.key_fields)


def check_document(
    file: str,
    truth: Mapping[str, object],
    extraction: Extraction,
    *,
    auto_accepted: bool,
    seconds: float,
    route: str = "",
    group: str = "",
) -> DocumentEval:
    """Check every truth value of one document against what was extracted.

    ``truth`` is a ``Truth`` (``load_truth``) or a mapping of the same shape as a truth file.
    """
    if not isinstance(truth, Truth):
        truth = Truth.from_mapping(truth)
    strict = truth.strict_names
    checks = []
    if truth.document_type is not None:
        got_type = extraction.document_type.value
        checks.append(
            FieldCheck(
                TYPE_FIELD,
                truth.document_type,
                got_type,
                round(extraction.type_confidence, 3),
                got_type == truth.document_type,
            )
        )
    for name, want in truth.items():
        fv = extraction.fields.get(name)
        got = fv.value if fv is not None else None
        conf = round(fv.confidence, 3) if fv else None
        ok = same_value(name, want, got, strict_names=strict)
        checks.append(
            FieldCheck(name, _shown(want), None if got is None else _shown(got), conf, ok)
        )
        want_rows = _as_rows(want) if name in TABLE_FIELDS else None
        if want_rows and line_amounts(want_rows):
            got_rows = _as_rows(got) if got is not None else None
            amounts_ok = got_rows is not None and line_amounts(got_rows) == line_amounts(want_rows)
            got_amounts = None if got_rows is None else "; ".join(line_amounts(got_rows))
            checks.append(
                FieldCheck(
                    LINE_AMOUNTS, "; ".join(line_amounts(want_rows)), got_amounts, conf, amounts_ok
                )
            )
    return DocumentEval(
        file,
        seconds,
        tuple(checks),
        auto_accepted,
        key_fields=REQUIRED_FIELDS[extraction.document_type],
        document_type=truth.document_type or extraction.document_type.value,
        route=route,
        group=group,
    )


# ---- the report ------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldStats:
    name: str
    right: int
    total: int

    @property
    def accuracy(self) -> float:
        return self.right / self.total if self.total else 0.0

    def to_json(self) -> dict[str, object]:
        return {"accuracy": round(self.accuracy, 4), "right": self.right, "total": self.total}


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
class SliceReport:
    """The figures of some of the documents: one document type, group or read route."""

    name: str
    documents: int
    failed: int
    fields: tuple[FieldStats, ...]
    auto_accepted: int
    auto_accepted_right: int  # key fields all right
    auto_accepted_all_right: int  # every field with ground truth right

    def field(self, name: str) -> FieldStats | None:
        return next((f for f in self.fields if f.name == name), None)

    def to_json(self) -> dict[str, object]:
        return {
            "documents": self.documents,
            "failed": self.failed,
            "fields": {f.name: f.to_json() for f in self.fields},
            "auto_accepted": self.auto_accepted,
            "auto_accepted_key_fields_right": self.auto_accepted_right,
            "auto_accepted_all_fields_right": self.auto_accepted_all_right,
        }


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
    by_type: tuple[SliceReport, ...] = ()
    by_group: tuple[SliceReport, ...] = ()
    by_route: tuple[SliceReport, ...] = ()

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
            "fields": {f.name: f.to_json() for f in self.fields},
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
            "by_type": {s.name: s.to_json() for s in self.by_type},
            "by_group": {s.name: s.to_json() for s in self.by_group},
            "by_route": {s.name: s.to_json() for s in self.by_route},
        }


def _field_stats(results: Sequence[DocumentEval]) -> tuple[FieldStats, ...]:
    per_field: dict[str, list[int]] = {}
    for res in results:
        for c in res.checks:
            stats = per_field.setdefault(c.name, [0, 0])
            stats[0] += c.ok
            stats[1] += 1
    order = {name: i for i, name in enumerate(FIELD_ORDER)}
    return tuple(
        FieldStats(name, s[0], s[1])
        for name, s in sorted(per_field.items(), key=lambda kv: order.get(kv[0], len(order)))
    )


def _slice(name: str, results: Sequence[DocumentEval]) -> SliceReport:
    auto = [r for r in results if r.error is None and r.auto_accepted]
    return SliceReport(
        name=name,
        documents=len(results),
        failed=sum(r.error is not None for r in results),
        fields=_field_stats(results),
        auto_accepted=len(auto),
        auto_accepted_right=sum(r.key_fields_right for r in auto),
        auto_accepted_all_right=sum(r.fully_right for r in auto),
    )


def _slices(
    results: Sequence[DocumentEval], key: Callable[[DocumentEval], str], order: Sequence[str] = ()
) -> tuple[SliceReport, ...]:
    by: dict[str, list[DocumentEval]] = {}
    for res in results:
        by.setdefault(key(res), []).append(res)
    rank = {name: i for i, name in enumerate(order)}
    names = sorted(by, key=lambda n: (rank.get(n, len(rank)), n))
    return tuple(_slice(name, by[name]) for name in names)


def summarise(results: Sequence[DocumentEval]) -> EvalReport:
    bins = [[0, 0] for _ in CALIBRATION_BINS]
    for res in results:
        for c in res.checks:
            if c.confidence is None or c.name in _NOT_CALIBRATED:
                continue
            for i, (low, high) in enumerate(CALIBRATION_BINS):
                if low <= c.confidence < high:
                    bins[i][0] += c.ok
                    bins[i][1] += 1
    whole = _slice("all", results)
    return EvalReport(
        documents=whole.documents,
        failed=whole.failed,
        fields=whole.fields,
        calibration=tuple(
            CalibrationBin(low, high, b[0], b[1])
            for (low, high), b in zip(CALIBRATION_BINS, bins, strict=True)
        ),
        auto_accepted=whole.auto_accepted,
        auto_accepted_right=whole.auto_accepted_right,
        auto_accepted_all_right=whole.auto_accepted_all_right,
        seconds_per_document=(sum(r.seconds for r in results) / len(results)) if results else 0.0,
        by_type=_slices(
            results,
            lambda r: r.document_type or DocumentType.UNKNOWN.value,
            [t.value for t in DocumentType],
        ),
        by_group=_slices(results, lambda r: r.group or "all"),
        by_route=_slices(results, lambda r: r.route or NOT_READ, _ROUTE_ORDER),
    )


def write_misses(results: Sequence[DocumentEval], path: Path) -> int:
    """One CSV row per wrong or missing field (and per failed document); returns the rows."""
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(
            ["file", "field", "expected", "got", "confidence", "auto_accepted", "error"]
            + ["group", "route", "document_type"]
        )
        for res in results:
            where = [res.group, res.route, res.document_type]
            if res.error is not None:
                out.writerow([res.file, "", "", "", "", "", res.error, *where])
                rows += 1
            for c in res.checks:
                if c.ok:
                    continue
                conf = "" if c.confidence is None else f"{c.confidence:.3f}"
                out.writerow(
                    [res.file, c.name, c.want, c.got or "", conf, res.auto_accepted, "", *where]
                )
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
