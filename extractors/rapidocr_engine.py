"""The PP-OCR engine through the ``rapidocr`` package. Only this module imports rapidocr.

rapidocr 3.10 ships its PP-OCRv6 detection/recognition models inside the wheel; we point it at
that folder explicitly and refuse to start when a model file is missing, so it never falls back
to downloading anything.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from docintake.domain import Line, Page, Word
from docintake.exceptions import OcrError, OcrTimeoutError, SetupError
from extractors.images import OcrImage

INSTALL_HINT = "Install it with: pip install 'rapidocr==3.10.*' onnxruntime"
_MODEL_FILES = (
    "PP-OCRv6_det_small.onnx",
    "PP-OCRv6_rec_small.onnx",
    "ch_ppocr_mobile_v2.0_cls_mobile.onnx",
)
_lock = threading.Lock()
_engines: dict[int, Any] = {}
# OCR runs in this pool so that a page that takes too long can be given up on; the call itself
# cannot be interrupted (it is inside onnxruntime) and finishes in the background.
_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="rapidocr")


@lru_cache(maxsize=1)
def version() -> str:
    """rapidocr's version; raises SetupError when it or its bundled models are missing."""
    try:
        v = metadata.version("rapidocr")
        import onnxruntime  # noqa: F401  (checked here so the error says what to install)
        from rapidocr import main as rapidocr_main
    except (metadata.PackageNotFoundError, ImportError) as e:
        raise SetupError(f"The rapidocr OCR engine is not installed. {INSTALL_HINT}") from e
    models = Path(rapidocr_main.__file__).parent / "models"
    missing = [name for name in _MODEL_FILES if not (models / name).is_file()]
    if missing:
        raise SetupError(
            f"rapidocr {v} lacks its bundled model files ({', '.join(missing)}); docintake "
            f"does not download models at run time. Reinstall: {INSTALL_HINT}"
        )
    return v


def get_engine(threads: int = 0) -> Any:
    """The engine for ``threads`` ONNX threads per call (0: one per core), loaded once."""
    with _lock:
        engine = _engines.get(threads)
        if engine is None:
            version()
            from rapidocr import RapidOCR
            from rapidocr import main as rapidocr_main

            models = Path(rapidocr_main.__file__).parent / "models"
            # rapidocr logs every call at INFO; our CLI reports what matters.
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            try:
                engine = RapidOCR(
                    params={
                        "Global.log_level": "warning",
                        # Its line classifier flips lines it thinks are upside down, which
                        # hides a page read upside down (see ocr_page). Off, it also measured
                        # slightly better on upright receipts.
                        "Global.use_cls": False,
                        "Global.model_root_dir": str(models),
                        "Det.model_path": str(models / _MODEL_FILES[0]),
                        "Rec.model_path": str(models / _MODEL_FILES[1]),
                        "Cls.model_path": str(models / _MODEL_FILES[2]),
                        "EngineConfig.onnxruntime.intra_op_num_threads": threads or -1,
                    }
                )
            except Exception as e:  # its own config/ONNX errors have no common base class
                raise SetupError(f"rapidocr could not start: {e}") from e
            _engines[threads] = engine
        return engine


def _run(
    image: OcrImage, number: int, timeout: float, threads: int, *, limit: float | None = None
) -> Any:
    """One engine call, given up after ``timeout`` s (``limit``: the page's whole limit, for
    the message)."""
    future = _pool.submit(get_engine(threads), image)
    try:
        return future.result(timeout=timeout)
    except FutureTimeout as e:
        raise OcrTimeoutError(
            f"OCR of page {number} took longer than {limit or timeout:.0f} s and was stopped."
        ) from e
    except Exception as e:  # onnxruntime and rapidocr raise plain exceptions
        raise OcrError(f"rapidocr failed on page {number}: {e}") from e


def ocr_page(image: OcrImage, *, number: int, timeout: float, threads: int = 0) -> Page:
    """OCR one page image into lines of words with positions and 0..1 confidences.

    ``threads``: ONNX threads for this call; with several documents read at once, one each
    measured faster than all of them sharing every core (1.4 against 1.9 s per receipt).

    A page that reads as turned (mostly upright boxes, or little confident text) is read
    again at 90, 180 and 270 degrees and the best-reading turn is kept.
    """
    # One time limit for the page, however many turns it takes.
    deadline = time.monotonic() + timeout
    boxes = _boxes(_run(image, number, timeout, threads))
    turns = _turns_to_try(boxes)
    if turns:
        best = (_reading_score(boxes), image, boxes)
        for quarter_turns in turns:
            turned = np.ascontiguousarray(np.rot90(image, quarter_turns))
            left = deadline - time.monotonic()
            if left <= 0:
                raise OcrTimeoutError(
                    f"OCR of page {number} took longer than {timeout:.0f} s and was stopped."
                )
            candidate = _boxes(_run(turned, number, left, threads, limit=timeout))
            score = _reading_score(candidate)
            if score > best[0] * 1.1:  # clearly better, not noise
                best = (score, turned, candidate)
        _, image, boxes = best
    height, width = image.shape[:2]
    boxes = straighten(boxes, width, height)
    return Page(
        number=number, width=int(width), height=int(height), lines=group_lines(_words(boxes))
    )


Box = tuple[str, float, NDArray[np.float64]]  # text, score, 4x2 corner points (clockwise)


def _boxes(result: Any) -> list[Box]:
    if result.txts is None:
        return []
    out = []
    for raw, score, quad in zip(result.txts, result.scores, result.boxes, strict=True):
        # NFKC: full-width brackets and digits, which the CJK-trained model emits, to ASCII.
        text = unicodedata.normalize("NFKC", raw or "").strip()
        if text:
            out.append((text, float(score), np.asarray(quad, dtype=float)))
    return out


def _turns_to_try(boxes: list[Box]) -> tuple[int, ...]:
    """Quarter turns worth trying: sideways text gives upright boxes (turn either way);
    upside-down text reads as low-confidence noise (turn it over)."""
    long = [pts for text, _, pts in boxes if len(text) >= 4]
    if not long:
        return ()
    if sum(_height(pts) > 1.5 * _width(pts) for pts in long) > len(long) / 2:
        return (1, 3)
    if sum(score for _, score, _ in boxes) / len(boxes) < _TURNED_MEAN_SCORE:
        return (2,)
    return ()


# Upright receipts read at a mean box score of ~0.95; upside-down text that the (disabled)
# line classifier would otherwise flip reads as noise well below this.
_TURNED_MEAN_SCORE = 0.75


def _reading_score(boxes: list[Box]) -> float:
    """How much text was read with confidence along the page: characters weighted by their
    box score. Upright boxes do not count: PP-OCR turns such crops and can read sideways text
    quite well, but the page's lines then run the wrong way for the parsers."""
    return sum(
        len(text) * score
        for text, score, pts in boxes
        if score >= 0.5 and _width(pts) >= _height(pts)
    )


def _width(pts: NDArray[np.float64]) -> float:
    return float(np.hypot(*(pts[1] - pts[0])))


def _height(pts: NDArray[np.float64]) -> float:
    return float(np.hypot(*(pts[3] - pts[0])))


def straighten(boxes: list[Box], width: int, height: int) -> list[Box]:
    """Undo a slight tilt of the whole page (a skewed scan or photo) in the box positions.

    PP-OCR reads tilted lines well, but a line's boxes then drift in height across the page
    and no longer group into one line. Rotating the box corners (not the image) is exact and
    costs nothing.
    """
    angles = [
        np.degrees(np.arctan2(*(pts[1] - pts[0])[::-1]))
        for text, _, pts in boxes
        if len(text) >= 4 and _width(pts) > 3 * _height(pts)
    ]
    if len(angles) < 3:
        return boxes
    angle = float(np.median(angles))
    if abs(angle) < 0.5 or abs(angle) > 20:
        return boxes
    theta = np.radians(-angle)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    centre = np.array([width / 2, height / 2])
    return [(t, sc, (pts - centre) @ rot.T + centre) for t, sc, pts in boxes]


def _words(boxes: list[Box]) -> list[tuple[Word, float]]:
    """Words with the vertical centre of their box.

    Each box's text is split at its spaces and the box shared out by character count. (Its
    own per-word boxes break lines with any CJK character into single letters.)
    """
    out: list[tuple[Word, float]] = []
    for text, score, pts in boxes:
        left, top = pts.min(axis=0)
        right, bottom = pts.max(axis=0)
        centre = float(pts[:, 1].mean())
        per_char = (right - left) / max(len(text), 1)
        for m in re.finditer(r"\S+", text):
            out.append(
                (
                    Word(
                        text=m.group(),
                        confidence=max(0.0, min(score, 1.0)),
                        left=int(left + per_char * m.start()),
                        top=int(top),
                        width=max(1, int(per_char * (m.end() - m.start()))),
                        height=int(bottom - top),
                    ),
                    centre,
                )
            )
    return out


def group_lines(words: list[tuple[Word, float]]) -> tuple[Line, ...]:
    """Put words that sit on the same printed line together, left to right.

    PP-OCR detects text boxes, not lines: a receipt's "TOTAL" and its amount at the right
    margin are separate boxes. Parsers need them on one line, as tesseract gives them.
    """
    rows: list[list[tuple[Word, float]]] = []
    for word, centre in sorted(words, key=lambda wc: wc[1]):
        placed = False
        for row in reversed(rows[-3:]):
            row_centre = sum(c for _, c in row) / len(row)
            row_height = sum(w.height for w, _ in row) / len(row)
            # Same line when the centres are within half a text height of each other, and
            # the word does not overlap one already on the row (two lines drawn close together).
            if abs(centre - row_centre) <= 0.5 * min(row_height, word.height) and not any(
                _overlaps(word, other) for other, _ in row
            ):
                row.append((word, centre))
                placed = True
                break
        if not placed:
            rows.append([(word, centre)])
    lines = [
        Line(words=tuple(w for w, _ in sorted(row, key=lambda wc: wc[0].left))) for row in rows
    ]
    lines.sort(key=lambda ln: (ln.top, ln.left))
    return tuple(lines)


def _overlaps(a: Word, b: Word) -> bool:
    overlap = min(a.left + a.width, b.left + b.width) - max(a.left, b.left)
    return overlap > 0.3 * min(a.width, b.width)
