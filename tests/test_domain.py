"""The one parser for canonical decimal strings, shared by matching, posting, review, import."""

from __future__ import annotations

from decimal import Decimal

import pytest

from docintake.domain import parse_decimal


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("60.30", Decimal("60.30")),
        ("1,998.41", Decimal("1998.41")),
        (" 5 ", Decimal("5.00")),
        ("-5.00", Decimal("-5.00")),
        (Decimal("7.005"), Decimal("7.00")),  # banker's rounding of the half cent
        (None, None),
        ("", None),
        ("abc", None),
        ("NaN", None),
        ("Infinity", None),
    ],
)
def test_parse_decimal(raw: object, expected: Decimal | None) -> None:
    assert parse_decimal(raw) == expected
