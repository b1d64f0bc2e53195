"""Engine output (words, boxes, confidences) as plain JSON, and back.

Used to record OCR results for unit-test fixtures and to cache OCR in the benchmarks, so that
work on parsers does not re-run OCR. Never stores the source image.
"""

from __future__ import annotations

from typing import Any

from docintake.domain import DocumentText, Line, Page, Word


def text_to_json(text: DocumentText) -> dict[str, Any]:
    out = _reading_to_json(text)
    if text.second_reading is not None:
        out["second_reading"] = _reading_to_json(text.second_reading)
    return out


def _reading_to_json(text: DocumentText) -> dict[str, Any]:
    return {
        "engine": text.engine,
        "pages": [
            {
                "number": p.number,
                "width": p.width,
                "height": p.height,
                "lines": [
                    [
                        [w.text, round(w.confidence, 3), w.left, w.top, w.width, w.height]
                        for w in ln.words
                    ]
                    for ln in p.lines
                ],
            }
            for p in text.pages
        ],
    }


def text_from_json(data: dict[str, Any]) -> DocumentText:
    pages = tuple(
        Page(
            number=p["number"],
            width=p["width"],
            height=p["height"],
            lines=tuple(
                Line(words=tuple(Word(w[0], float(w[1]), *map(int, w[2:6])) for w in ln))
                for ln in p["lines"]
            ),
        )
        for p in data["pages"]
    )
    second = data.get("second_reading")
    return DocumentText(
        pages=pages,
        engine=data["engine"],
        second_reading=text_from_json(second) if second else None,
    )
