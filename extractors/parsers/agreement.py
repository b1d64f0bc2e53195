"""Two OCR engines as evidence for each other (the ``combined`` engine mode).

The first reading (the stronger engine) supplies every value. The second engine's reading is
only evidence: a value it reads the same way is more likely right, one it reads differently is
less likely right. Two engines with different models rarely make the same mistake.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from rapidfuzz import fuzz

from docintake.domain import DocumentText, FieldValue

# Text fields are confirmed when the second engine's text holds them almost verbatim; OCR
# engines disagree on spacing and punctuation, so those are ignored in the comparison.
_TEXT_FIELDS = frozenset(
    {"vendor_name", "vendor_address", "customer_name", "consignor", "consignee"}
)
_CONFIRM_TEXT_SCORE = 95.0
# How far agreement closes the gap to 1, and how much a disagreement takes off.
_AGREE_GAIN = 0.5
_DISAGREE_FACTOR = 0.8
_CAP = 0.99


def _squash(text: str) -> str:
    return re.sub(r"[^0-9A-Z]", "", text.upper())


def _text_support(value: str, second: DocumentText) -> bool:
    want = _squash(value)
    if len(want) < 4:
        return False
    return fuzz.partial_ratio(want, _squash(second.text)) >= _CONFIRM_TEXT_SCORE


def combine(
    first: Mapping[str, FieldValue],
    second_fields: Mapping[str, FieldValue],
    second: DocumentText,
) -> dict[str, FieldValue]:
    """``first``'s fields with confidences moved by what the second reading says."""
    out: dict[str, FieldValue] = {}
    for name, fv in first.items():
        other = second_fields.get(name)
        if name in _TEXT_FIELDS and isinstance(fv.value, str):
            agrees: bool | None = _text_support(fv.value, second) or (
                other is not None and _squash(str(other.value)) == _squash(fv.value)
            )
            if not agrees:
                agrees = None  # tesseract misreads names more often than it contradicts them
        elif other is None:
            agrees = None  # the second engine found nothing: no evidence either way
        else:
            agrees = other.value == fv.value
        if agrees is True:
            confidence = min(_CAP, fv.confidence + (1 - fv.confidence) * _AGREE_GAIN)
        elif agrees is False:
            confidence = fv.confidence * _DISAGREE_FACTOR
        else:
            confidence = fv.confidence
        out[name] = FieldValue(fv.value, round(confidence, 3))
    return out
