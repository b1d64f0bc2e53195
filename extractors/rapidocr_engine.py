"""The PP-OCR engine through the ``rapidocr`` package. Only this module imports rapidocr.

rapidocr 3.10 ships its PP-OCRv6 detection/recognition models inside the wheel; we point it at
that folder explicitly and refuse to start when a model file is missing, so it never falls back
to downloading anything.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

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
_engine: Any = None
# OCR runs in this pool so that a page that takes too long can be given up on; the call itself
# cannot be interrupted (it is inside onnxruntime) and finishes in the background.
_pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="rapidocr")


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


def _get_engine() -> Any:
    global _engine
    with _lock:
        if _engine is None:
            version()
            from rapidocr import RapidOCR
            from rapidocr import main as rapidocr_main

            models = Path(rapidocr_main.__file__).parent / "models"
            # rapidocr logs every call at INFO; our CLI reports what matters.
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
            try:
                _engine = RapidOCR(
                    params={
                        "Global.log_level": "warning",
                        "Global.model_root_dir": str(models),
                        "Det.model_path": str(models / _MODEL_FILES[0]),
                        "Rec.model_path": str(models / _MODEL_FILES[1]),
                        "Cls.model_path": str(models / _MODEL_FILES[2]),
                    }
                )
            except Exception as e:  # its own config/ONNX errors have no common base class
                raise SetupError(f"rapidocr could not start: {e}") from e
        return _engine


def ocr_page(image: OcrImage, *, number: int, timeout: float) -> Page:
    """OCR one page image into lines of words with positions and 0..1 confidences."""
    engine = _get_engine()
    future = _pool.submit(engine, image)
    try:
        result = future.result(timeout=timeout)
    except FutureTimeout as e:
        raise OcrTimeoutError(
            f"OCR of page {number} took longer than {timeout:.0f} s and was stopped."
        ) from e
    except Exception as e:  # onnxruntime and rapidocr raise plain exceptions
        raise OcrError(f"rapidocr failed on page {number}: {e}") from e
    height, width = image.shape[:2]
    words = _words(result)
    return Page(number=number, width=int(width), height=int(height), lines=group_lines(words))


def _words(result: Any) -> list[tuple[Word, float]]:
    """Words with the vertical centre of their box, from rapidocr's text boxes.

    Each box's text is split at its spaces and the box shared out by character count. (Its
    own per-word boxes break lines with any CJK character into single letters.)
    """
    out: list[tuple[Word, float]] = []
    if result.txts is None:
        return out
    for raw, score, quad in zip(result.txts, result.scores, result.boxes, strict=True):
        # NFKC: full-width brackets and digits, which the CJK-trained model emits, to ASCII.
        text = unicodedata.normalize("NFKC", raw or "").strip()
        if not text:
            continue
        pts = np.asarray(quad, dtype=float)
        left, top = pts.min(axis=0)
        right, bottom = pts.max(axis=0)
        centre = float(pts[:, 1].mean())
        per_char = (right - left) / max(len(text), 1)
        for m in re.finditer(r"\S+", text):
            out.append(
                (
                    Word(
                        text=m.group(),
                        confidence=max(0.0, min(float(score), 1.0)),
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
