"""Two OCR engines as evidence for each other (the ``combined`` engine mode).

The first reading (the stronger engine) supplies every value. The second engine's reading is
only evidence about the OCR: a value it reads the same way was probably not misread, so the
doubt about the reading goes, but never the parser's own doubts (a guessed space, a total the
checks overrule): both readings went through the same rules. A value read differently is a
little less likely right.
"""

from __future__ import annotations

from collections.abc import Mapping

from docintake.domain import FieldScalar, FieldValue
from extractors.parsers.common import normalise_space

# Disagreement is weak evidence: the second engine (tesseract) misreads receipts far more often
# than the first, so it only takes a little off.
_DISAGREE_FACTOR = 0.95


def _same(a: FieldScalar, b: FieldScalar) -> bool:
    if isinstance(a, tuple) or isinstance(b, tuple):
        return a == b
    # Case and spacing are what engines disagree on harmlessly; punctuation is not: a comma
    # read as a full stop is exactly the error a second opinion should catch.
    return normalise_space(a).upper() == normalise_space(b).upper()


def combine(
    first: Mapping[str, FieldValue], second: Mapping[str, FieldValue]
) -> dict[str, FieldValue]:
    """``first``'s fields with confidences moved by what the second reading found."""
    out: dict[str, FieldValue] = {}
    for name, fv in first.items():
        other = second.get(name)
        confidence = fv.confidence
        if other is not None and _same(fv.value, other.value):
            if fv.rule is not None:
                confidence = max(confidence, fv.rule)
        elif other is not None:
            confidence *= _DISAGREE_FACTOR
        out[name] = FieldValue(fv.value, round(confidence, 3), rule=fv.rule)
    return out
