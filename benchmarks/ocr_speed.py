"""Seconds per document for each OCR engine and mode, and the pipeline's overhead over it.

    python benchmarks/ocr_speed.py FOLDER [--limit 20] [--engines rapidocr,tesseract,combined]

For each engine, on the same files, one at a time:

- ``bare``: the engine alone on the image file (rapidocr's own call; pytesseract's
  image_to_data) — what any tool using that engine pays at least;
- ``read``: our reading (decode, clean-up, OCR, line grouping);
- ``pipeline``: the whole ``docintake run`` flow on one worker (Prefect, archive, SQLite,
  classify, parse, match, decide, record), with and without Prefect's process start-up.

The overhead ratio is pipeline / bare on the same files. Run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

from extractors import rapidocr_engine, sniff
from extractors.reader import Engine, ReadOptions, read_document

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}


def _bare_rapidocr(path: Path) -> None:
    rapidocr_engine._get_engine()(str(path))


def _bare_tesseract(path: Path) -> None:
    import pytesseract

    with Image.open(path) as img:
        pytesseract.image_to_data(img)


BARE: dict[Engine, Callable[[Path], None]] = {
    Engine.RAPIDOCR: _bare_rapidocr,
    Engine.TESSERACT: _bare_tesseract,
}


def _timed(fn: Callable[[Path], object], files: list[Path]) -> list[float]:
    out = []
    for path in files:
        started = time.perf_counter()
        fn(path)
        out.append(time.perf_counter() - started)
    return out


def _pipeline(engine: Engine, files: list[Path]) -> tuple[float, float]:
    """(seconds for the whole run, seconds of the same flow run with no documents)."""
    from flows.context import PipelineContext
    from flows.intake import run_batch
    from storage.db import Database

    with tempfile.TemporaryDirectory() as home:
        url = f"sqlite:///{home}/bench.db"
        Database(url)  # create and migrate, as `docintake run` does before its flow
        ctx = PipelineContext(
            database_url=url,
            archive_dir=Path(home) / "archive",
            read=ReadOptions(engine=engine),
            workers=1,
        )
        started = time.perf_counter()
        run_batch(ctx, files)
        total = time.perf_counter() - started
        # Start-up alone: the same flow with no documents.
        started = time.perf_counter()
        run_batch(ctx, [])
        startup = time.perf_counter() - started
    return total, startup


def main() -> int:
    import logging
    import os

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    logging.getLogger("prefect").setLevel(logging.WARNING)
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("--limit", type=int, default=20)
    ap.add_argument("--engines", default="rapidocr,tesseract,combined")
    ap.add_argument("--no-pipeline", action="store_true", help="skip the Prefect pipeline runs")
    args = ap.parse_args()
    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    files = files[: args.limit]
    if not files:
        print(f"no images in {args.folder}", file=sys.stderr)
        return 2
    engines = [Engine(e.strip()) for e in args.engines.split(",") if e.strip()]
    # Load the models once before timing anything, as a long-running worker would.
    rapidocr_engine._get_engine()(str(files[0]))
    bare = {e: _timed(fn, files) for e, fn in BARE.items()}
    bare[Engine.COMBINED] = [a + b for a, b in zip(*bare.values(), strict=True)]
    print(f"{len(files)} images from {args.folder}, one at a time\n")
    print(
        f"{'engine':<10}{'bare s/doc':>12}{'read s/doc':>12}{'pipeline s/doc':>16}"
        f"{'overhead':>10}{'+start-up':>11}"
    )
    for engine in engines:
        read = _timed(
            lambda p, e=engine: read_document(sniff.identify(p), ReadOptions(engine=e)), files
        )
        bare_s = sum(bare[engine])
        row = (
            f"{engine.value:<10}{statistics.mean(bare[engine]):>12.2f}"
            f"{statistics.mean(read):>12.2f}"
        )
        if args.no_pipeline:
            print(row)
            continue
        total, startup = _pipeline(engine, files)
        steady = total - startup
        print(
            f"{row}{steady / len(files):>16.2f}{steady / bare_s - 1:>+10.1%}"
            f"{total / bare_s - 1:>+11.1%}"
        )
    print(
        "\noverhead: pipeline time over the bare engine on the same files (start-up of "
        "Prefect's local API server excluded, then included)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
