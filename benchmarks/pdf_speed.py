"""Digital PDF speed: read (text layer, embedded XML), classify and parse, one document at a time.

    python benchmarks/pdf_speed.py [FOLDER] [--repeat 1] [--include-scans]

Reads every PDF of FOLDER (default ../shared/datasets/invoices-dev), skipping files with
"scanned" in their name unless --include-scans, through the pipeline's own stage functions
(flows.stages.read_text, classify, extract_fields), and prints documents and pages per
second, and the median and 95th percentile seconds per document. A digital PDF should take
at most 0.2 s; a document that needed OCR is counted and named, as that is a regression.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from extractors.reader import ReadOptions
from flows.stages import classify, extract_fields, read_text

DEFAULT_FOLDER = Path(__file__).resolve().parents[2] / "shared" / "datasets" / "invoices-dev"
LIMIT_SECONDS = 0.2


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT_FOLDER)
    ap.add_argument("--repeat", type=int, default=1, help="read every file this many times")
    ap.add_argument("--include-scans", action="store_true")
    args = ap.parse_args(argv)

    files = sorted(
        p
        for p in args.folder.glob("*.pdf")
        if args.include_scans or "scanned" not in p.name.lower()
    )
    if not files:
        print(f"no PDF in {args.folder}", file=sys.stderr)
        return 2
    # read_text needs only the reading options of the pipeline context.
    ctx = SimpleNamespace(read=ReadOptions())

    def one(path: Path) -> tuple[float, int, str]:
        started = time.perf_counter()
        read = read_text(ctx, path)  # type: ignore[arg-type]
        extract_fields(read.text, classify(read.text))
        return time.perf_counter() - started, len(read.text.pages), read.text.engine

    one(files[0])  # imports and first-call set-up are not what a document costs
    seconds: list[float] = []
    pages = 0
    slow: list[tuple[str, float]] = []
    ocred: list[str] = []
    with_xml = 0
    started = time.perf_counter()
    for _ in range(args.repeat):
        for path in files:
            s, n, engine = one(path)
            seconds.append(s)
            pages += n
            if s > LIMIT_SECONDS:
                slow.append((path.name, s))
            if engine != "pdf-text":
                ocred.append(f"{path.name} ({engine})")
    wall = time.perf_counter() - started
    for path in files:
        with_xml += read_text(ctx, path).text.embedded is not None  # type: ignore[arg-type]

    print(f"{len(files)} PDF(s) from {args.folder}, {args.repeat} pass(es), one at a time")
    print(f"documents/s       {len(seconds) / wall:8.1f}")
    print(f"pages/s           {pages / wall:8.1f}")
    print(f"median s/document {statistics.median(seconds):8.3f}")
    print(f"p95 s/document    {_percentile(seconds, 0.95):8.3f}")
    print(f"max s/document    {max(seconds):8.3f}")
    print(f"with embedded XML {with_xml:8d}")
    print(f"over {LIMIT_SECONDS} s        {len(slow):8d}")
    for name, s in sorted(slow, key=lambda x: -x[1])[:10]:
        print(f"  {name}: {s:.3f} s")
    print(f"read with OCR     {len(ocred):8d}")
    for name in ocred[:10]:
        print(f"  {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
