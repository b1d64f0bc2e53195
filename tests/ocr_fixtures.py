"""Recorded OCR / PDF-text output, stored as small JSON files, loaded back into ``DocumentText``.

Fixtures are engine output only (words, boxes, confidences), never the source images, so unit
tests run without tesseract. ``lines_to_text`` builds synthetic documents for focused tests.
"""

from __future__ import annotations

import json
from pathlib import Path

from docintake.domain import DocumentText, Line, Page, Word
from extractors.recorded import text_from_json, text_to_json

FIXTURE_DIR = Path(__file__).parent / "fixtures" / "ocr"


to_json = text_to_json
from_json = text_from_json


def load(name: str) -> DocumentText:
    """Load ``tests/fixtures/ocr/<name>.json``."""
    return from_json(json.loads((FIXTURE_DIR / f"{name}.json").read_text()))


def save(name: str, text: DocumentText) -> Path:
    path = FIXTURE_DIR / f"{name}.json"
    path.write_text(json.dumps(to_json(text), ensure_ascii=False, separators=(",", ":")))
    return path


def lines_to_text(
    rows: list[str],
    *,
    confidence: float = 0.95,
    width: int = 1200,
    height: int | None = None,
    engine: str = "synthetic",
) -> DocumentText:
    """A one-page document from plain text rows (words split on spaces, simple boxes)."""
    lines = []
    for i, row in enumerate(rows):
        words, left = [], 20
        for token in row.split():
            words.append(Word(token, confidence, left, 40 + 30 * i, 12 * len(token), 24))
            left += 12 * len(token) + 12
        lines.append(Line(words=tuple(words)))
    page_height = height if height is not None else 80 + 30 * len(rows)
    return DocumentText(pages=(Page(1, width, page_height, tuple(lines)),), engine=engine)
