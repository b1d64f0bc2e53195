"""Seconds per document for reading + fields (the OCR-bound part), one worker, no database.

    python benchmarks/pipeline_speed.py FOLDER [--limit 20]

Prints per-stage medians and the whole per-document distribution. `docintake run` on two
workers adds ~5 s of Prefect start-up per process and ~0.1 s of task bookkeeping per document.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

from docintake.decision import Thresholds, decide_fields
from docintake.domain import Extraction
from extractors import sniff
from extractors.doctype import detect_document_type
from extractors.parsers import parse_fields
from extractors.reader import ReadOptions, read_document

DOC_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf"}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=20)
    args = ap.parse_args()
    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in DOC_SUFFIXES)
    files = files[: args.limit]
    if not files:
        print(f"no documents in {args.folder}", file=sys.stderr)
        return 2
    stages: dict[str, list[float]] = {"identify": [], "read": [], "parse": [], "total": []}
    for path in files:
        t0 = time.perf_counter()
        src = sniff.identify(path)
        t1 = time.perf_counter()
        text = read_document(src, ReadOptions())
        t2 = time.perf_counter()
        kind, conf = detect_document_type(text)
        extraction = Extraction(kind, conf, parse_fields(text, kind))
        decide_fields(extraction, Thresholds())
        t3 = time.perf_counter()
        for name, value in (
            ("identify", t1 - t0),
            ("read", t2 - t1),
            ("parse", t3 - t2),
            ("total", t3 - t0),
        ):
            stages[name].append(value)
    print(f"{len(files)} documents from {args.folder}")
    for name, values in stages.items():
        print(
            f"{name:<9} median {statistics.median(values):6.3f} s   "
            f"mean {statistics.mean(values):6.3f} s   max {max(values):6.3f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
