"""Seconds per document for each OCR engine and mode, and the pipeline's overhead over it.

    python benchmarks/ocr_speed.py FOLDER [--limit 20] [--engines rapidocr,tesseract,combined]

For each engine, on the same files, one document at a time:

- ``bare``: the engine alone on the image file (rapidocr's own call; pytesseract's
  image_to_data), for reference;
- ``read``: our reading (decode, clean-up, OCR, line grouping);
- ``pipeline``: the whole ``docintake run`` flow on one worker (Prefect, archive, SQLite,
  classify, parse, match, decide, record), after Prefect's start-up (shown apart);
- ``engine in pipeline``: the time spent inside the engine calls during that same run.

The overhead is pipeline time over the engine time *of the same run*. The speed of this shared
two-core machine drifts by ±10% between runs, so comparing with a separate bare run would
measure the drift as much as the pipeline.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytesseract
from PIL import Image

from extractors import rapidocr_engine, sniff
from extractors.reader import Engine, ReadOptions, read_document

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".tif", ".tiff"}


def _bare_rapidocr(path: Path) -> None:
    rapidocr_engine.get_engine()(str(path))


def _bare_tesseract(path: Path) -> None:
    with Image.open(path) as img:
        pytesseract.image_to_data(img)


BARE: dict[Engine, Callable[[Path], None]] = {
    Engine.RAPIDOCR: _bare_rapidocr,
    Engine.TESSERACT: _bare_tesseract,
}


def _timed(fn: Callable[[Path], object], files: list[Path]) -> float:
    started = time.perf_counter()
    for path in files:
        fn(path)
    return time.perf_counter() - started


def _bare(engine: Engine, files: list[Path]) -> float:
    if engine is Engine.COMBINED:
        return _bare(Engine.RAPIDOCR, files) + _bare(Engine.TESSERACT, files)
    return _timed(BARE[engine], files)


@contextmanager
def _engine_clock() -> Iterator[list[float]]:
    """Adds up the seconds spent inside the OCR engines' calls while it is open."""
    spent = [0.0]
    originals: list[tuple[Any, str, Any]] = [
        (rapidocr_engine, "_run", rapidocr_engine._run),
        (pytesseract, "image_to_data", pytesseract.image_to_data),
    ]

    def clocked(fn: Callable[..., Any]) -> Callable[..., Any]:
        def inner(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return inner

    for owner, name, fn in originals:
        setattr(owner, name, clocked(fn))
    try:
        yield spent
    finally:
        for owner, name, fn in originals:
            setattr(owner, name, fn)


def _pipeline(engine: Engine, files: list[Path]) -> tuple[float, float, float]:
    """(start-up seconds, run seconds, seconds inside the engines during the run)."""
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
        # Start-up on its own: the same flow with no documents starts Prefect's local API
        # server (once per process) and the flow machinery.
        started = time.perf_counter()
        run_batch(ctx, [])
        startup = time.perf_counter() - started
        with _engine_clock() as spent:
            started = time.perf_counter()
            run_batch(ctx, files)
            run = time.perf_counter() - started
    return startup, run, spent[0]


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
    args = ap.parse_args()
    files = sorted(p for p in args.folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    files = files[: args.limit]
    if not files:
        print(f"no images in {args.folder}", file=sys.stderr)
        return 2
    engines = [Engine(e.strip()) for e in args.engines.split(",") if e.strip()]
    n = len(files)
    # Load the models once before timing anything, as a long-running worker would.
    rapidocr_engine.get_engine()(str(files[0]))
    print(f"{n} images from {args.folder}, one document at a time (seconds per document)\n")
    print(
        f"{'engine':<10}{'bare':>8}{'read':>8}{'pipeline':>10}{'engine in pipeline':>20}"
        f"{'overhead':>10}{'start-up (once)':>17}"
    )
    for engine in engines:
        bare = _bare(engine, files)
        read = _timed(
            lambda p, e=engine: read_document(sniff.identify(p), ReadOptions(engine=e)), files
        )
        startup, run, inside = _pipeline(engine, files)
        overhead = run / inside - 1 if inside else float("nan")
        print(
            f"{engine.value:<10}{bare / n:>8.2f}{read / n:>8.2f}{run / n:>10.2f}"
            f"{inside / n:>20.2f}{overhead:>+10.1%}{startup:>16.1f}s",
            flush=True,
        )
    print(
        "\noverhead: pipeline time over the time spent inside the OCR engine in the same run "
        "(Prefect's start-up, once per process, is shown apart)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
