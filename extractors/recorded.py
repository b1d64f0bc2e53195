"""Engine output (words, boxes, confidences) as plain JSON, and back.

Used to record OCR results for unit-test fixtures and to cache OCR in the benchmarks, so that
work on parsers does not re-run OCR. Never stores the source image.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from docintake.domain import (
    LIST_FIELDS,
    DocumentText,
    DocumentType,
    EmbeddedInvoice,
    FieldScalar,
    FieldValue,
    Line,
    Page,
    Word,
)


def text_to_json(text: DocumentText) -> dict[str, Any]:
    out = _reading_to_json(text)
    if text.second_reading is not None:
        out["second_reading"] = _reading_to_json(text.second_reading)
    if text.embedded is not None:
        out["embedded"] = _embedded_to_json(text.embedded)
    return out


def _embedded_to_json(e: EmbeddedInvoice) -> dict[str, Any]:
    return {
        "attachment": e.attachment,
        "profile": e.profile,
        "document_type": e.document_type.value,
        "problem": e.problem,
        "fields": {name: fv.to_json() | {"rule": fv.rule} for name, fv in e.fields.items()},
    }


def _embedded_from_json(data: Mapping[str, Any]) -> EmbeddedInvoice:
    return EmbeddedInvoice(
        attachment=data["attachment"],
        profile=data["profile"],
        document_type=DocumentType(data["document_type"]),
        problem=data.get("problem", ""),
        fields={
            name: FieldValue(
                _value_from_json(name, f["value"]), float(f["confidence"]), f.get("rule")
            )
            for name, f in data.get("fields", {}).items()
        },
    )


def _value_from_json(name: str, value: Any) -> FieldScalar:
    if isinstance(value, str):
        return value
    if name in LIST_FIELDS:
        return tuple(str(v) for v in value)
    return tuple({str(k): str(v) for k, v in row.items()} for row in value)


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
    embedded = data.get("embedded")
    return DocumentText(
        pages=pages,
        engine=data["engine"],
        second_reading=text_from_json(second) if second else None,
        embedded=_embedded_from_json(embedded) if embedded else None,
    )
