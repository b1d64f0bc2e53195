"""Per-field accuracy of type detection + field parsing on a folder of documents.

Each document ``X.jpg``/``X.pdf`` has ground truth in ``X.json`` beside it, either SROIE-style
(company/date/address/total) or canonical field names. OCR output is cached under /tmp keyed by
the file's sha256, so reruns only re-run the (fast) parsers.

    python benchmarks/eval_fields.py /work/shared/datasets/sroie-dev --limit 40 --workers 2
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from docintake.domain import COMMON_FIELDS, DocumentText  # noqa: E402
from extractors.doctype import detect_document_type  # noqa: E402
from extractors.parsers import parse_fields  # noqa: E402
from extractors.parsers.common import parse_amount, parse_date  # noqa: E402
from extractors.recorded import text_from_json, text_to_json  # noqa: E402

CACHE_DIR = Path("/tmp/docintake-ocr-cache")
DOC_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"}
# SROIE truth keys -> our field names.
SROIE_KEYS = {
    "company": "vendor_name",
    "date": "document_date",
    "address": "vendor_address",
    "total": "total_amount",
}
SCALAR_FIELDS = (*COMMON_FIELDS, "vendor_tax_id")


def read_cached(path: Path) -> DocumentText:
    """OCR/PDF-text of one file, from the /tmp cache when present."""
    from extractors.reader import ReadOptions, read_document
    from extractors.sniff import identify

    src = identify(path)
    cached = CACHE_DIR / f"{src.sha256}.json"
    if cached.exists():
        return text_from_json(json.loads(cached.read_text()))
    text = read_document(src, ReadOptions())
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps(text_to_json(text)))
    tmp.replace(cached)
    return text


def _truth(path: Path) -> dict[str, str]:
    raw = json.loads(path.with_suffix(".json").read_text())
    if "company" in raw or "total" in raw:
        out = {SROIE_KEYS[k]: v for k, v in raw.items() if k in SROIE_KEYS}
        if "document_date" in out:
            # SROIE stores the date as printed; compare in ISO form.
            raw_date = out["document_date"]
            if re.fullmatch(r"\d{8}", raw_date):  # 20180304
                raw_date = f"{raw_date[:4]}-{raw_date[4:6]}-{raw_date[6:]}"
            iso = parse_date(raw_date)
            out["document_date"] = iso or out["document_date"]
        return out
    return {k: str(v) for k, v in raw.items() if k in SCALAR_FIELDS and v not in (None, "")}


def _norm(field: str, value: str) -> str:
    value = value.strip()
    if field in ("total_amount", "tax_amount"):
        return parse_amount(value) or value
    if field in ("vendor_name", "vendor_address", "customer_name"):
        # Compare text loosely: case, spacing and punctuation are not what we measure.
        # A trailing account code "(134816)" is not part of the name.
        value = re.sub(r"\s*\(\d+\)?\s*$", "", value)
        return re.sub(r"[^0-9a-z]+", "", value.lower())
    return value


def evaluate_one(path_str: str) -> dict[str, object]:
    path = Path(path_str)
    try:
        text = read_cached(path)
    except Exception as e:  # report and continue; one bad file must not stop the run
        return {"name": path.name, "error": f"{type(e).__name__}: {e}"}
    doc_type, type_conf = detect_document_type(text)
    fields = parse_fields(text, doc_type)
    truth = _truth(path)
    rows = {}
    for name, want in truth.items():
        got = fields.get(name)
        got_value = got.value if got and isinstance(got.value, str) else None
        ok = got_value is not None and _norm(name, got_value) == _norm(name, want)
        rows[name] = {
            "want": want,
            "got": got_value,
            "conf": round(got.confidence, 2) if got else None,
            "ok": ok,
        }
    return {"name": path.name, "type": str(doc_type), "type_conf": type_conf, "fields": rows}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (0 = all)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--verbose", "-v", action="store_true", help="print every miss")
    ap.add_argument("--glob", default="*", help="file name pattern, e.g. 'zugferd-*'")
    args = ap.parse_args(argv)

    files = sorted(
        p
        for p in args.folder.glob(args.glob)
        if p.suffix.lower() in DOC_SUFFIXES and p.with_suffix(".json").exists()
    )
    if args.limit:
        files = files[: args.limit]
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        results = list(pool.map(evaluate_one, [str(p) for p in files]))

    stats: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])  # ok, n, hi-conf, hi-wrong
    types: dict[str, int] = defaultdict(int)
    for res in results:
        if "error" in res:
            print(f"ERROR {res['name']}: {res['error']}")
            continue
        types[str(res["type"])] += 1
        for name, row in res["fields"].items():  # type: ignore[union-attr]
            s = stats[name]
            s[0] += row["ok"]
            s[1] += 1
            if row["conf"] is not None and row["conf"] >= 0.8:
                s[2] += 1
                s[3] += not row["ok"]
            if args.verbose and not row["ok"]:
                print(
                    f"MISS {res['name']} {name}: want={row['want']!r} "
                    f"got={row['got']!r} conf={row['conf']}"
                )
    print(f"\n{len(results)} documents; detected types: {dict(types)}")
    print(f"{'field':<18}{'accuracy':>10}{'n':>6}{'conf>=.8':>10}{'wrong@>=.8':>12}")
    for name in sorted(stats):
        ok, n, hi, hi_wrong = stats[name]
        print(f"{name:<18}{ok / n:>10.1%}{n:>6}{hi:>10}{hi_wrong:>12}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
