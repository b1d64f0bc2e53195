"""Normalising names, addresses and identifiers before fuzzy comparison."""

from __future__ import annotations

import re
import unicodedata

# Spellings of the same legal form collapse to one token, so "SDN. BHD." equals "SDN BHD";
# a different legal form stays different (a look-alike company is often exactly that).
_LEGAL_FORMS = [
    (r"\bS\s*/\s*B\b", "SDN BHD"),
    (r"\bSDN\.?\s*BHD\.?", "SDN BHD"),
    (r"\bBERHAD\b", "BHD"),
    (r"\bLIMITED\b", "LTD"),
    (r"\bINCORPORATED\b", "INC"),
    (r"\bCORPORATION\b", "CORP"),
    (r"\bCOMPANY\b", "CO"),
    (r"\bPTE\.?\s*LTD\.?", "PTE LTD"),
    (r"\bG\.?M\.?B\.?H\.?", "GMBH"),
]


def _ascii_upper(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).upper()


def normalize_name(name: str) -> str:
    s = _ascii_upper(name)
    s = s.replace("&", " AND ")
    for pattern, repl in _LEGAL_FORMS:
        s = re.sub(pattern, repl, s)
    # Bracketed parts ("(M)", "(JOHOR)") stay separate words; within each part, initialisms
    # written "D.I.Y.", "D. I. Y." or "DIY" become the same word.
    parts = []
    for part in re.split(r"[()\[\]]", s):
        part = re.sub(r"[^A-Z0-9]+", " ", part)
        part = re.sub(r"\b[A-Z](?: [A-Z]\b)+", lambda m: m.group(0).replace(" ", ""), part)
        parts.append(part)
    return " ".join(" ".join(parts).split())


def normalize_address(address: str) -> str:
    s = _ascii_upper(address).replace(".", " ")
    s = re.sub(r"[^A-Z0-9]+", " ", s)
    return " ".join(s.split())


def normalize_id(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", _ascii_upper(value))
