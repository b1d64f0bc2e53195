"""The tesseract OCR engine, behind one small interface. Only this module imports pytesseract."""

from __future__ import annotations

import shutil
from functools import lru_cache

import pytesseract

from docintake.domain import Line, Page, Word
from docintake.exceptions import OcrError, OcrTimeoutError, SetupError
from extractors.images import GrayImage

INSTALL_HINT = (
    "Install it with: sudo apt-get install tesseract-ocr tesseract-ocr-eng "
    "(add tesseract-ocr-<lang> for other languages)."
)


@lru_cache(maxsize=1)
def version() -> str:
    """Tesseract's version; raises SetupError when it is not installed."""
    if shutil.which(pytesseract.pytesseract.tesseract_cmd) is None:
        raise SetupError(f"tesseract is not installed or not on PATH. {INSTALL_HINT}")
    try:
        return str(pytesseract.get_tesseract_version())
    except pytesseract.TesseractNotFoundError as e:
        raise SetupError(f"tesseract is not installed or not on PATH. {INSTALL_HINT}") from e


def ensure_languages(languages: str) -> None:
    version()
    try:
        have = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractError as e:
        raise SetupError(f"tesseract cannot list its languages: {e}") from e
    missing = [lang for lang in languages.split("+") if lang and lang not in have]
    if missing:
        raise SetupError(
            f"tesseract has no data for language(s) {', '.join(missing)}. "
            f"Install with: sudo apt-get install " + " ".join(f"tesseract-ocr-{m}" for m in missing)
        )


def ocr_page(image: GrayImage, *, number: int, languages: str, timeout: float) -> Page:
    """OCR one page image into lines of words with positions and 0..1 confidences."""
    try:
        data = pytesseract.image_to_data(
            image,
            lang=languages,
            # psm 4: one column of text of varying size, which suits receipts and most
            # forms better than full automatic layout analysis (psm 3), which splits lines.
            config="--psm 4",
            output_type=pytesseract.Output.DICT,
            timeout=timeout,
        )
    except pytesseract.TesseractNotFoundError as e:
        raise SetupError(f"tesseract is not installed or not on PATH. {INSTALL_HINT}") from e
    except pytesseract.TesseractError as e:  # a RuntimeError subclass: must come first
        raise OcrError(f"tesseract failed on page {number}: {e.message}") from e
    except RuntimeError as e:
        # pytesseract signals its own timeout with a bare RuntimeError.
        if "timeout" in str(e).lower():
            raise OcrTimeoutError(
                f"OCR of page {number} took longer than {timeout:.0f} s and was stopped."
            ) from e
        raise OcrError(f"tesseract failed on page {number}: {e}") from e

    grouped: dict[tuple[int, int, int], list[Word]] = {}
    for i, text in enumerate(data["text"]):
        text = (text or "").strip()
        conf = float(data["conf"][i])
        if not text or conf < 0:
            continue
        key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
        grouped.setdefault(key, []).append(
            Word(
                text=text,
                confidence=max(0.0, min(conf / 100.0, 1.0)),
                left=int(data["left"][i]),
                top=int(data["top"][i]),
                width=int(data["width"][i]),
                height=int(data["height"][i]),
            )
        )
    lines = [Line(words=tuple(words)) for words in grouped.values()]
    lines.sort(key=lambda ln: (ln.top, ln.left))
    height, width = image.shape[:2]
    return Page(number=number, width=int(width), height=int(height), lines=tuple(lines))
