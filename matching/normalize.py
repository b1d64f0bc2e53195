"""Normalising names, addresses and identifiers before fuzzy comparison."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

# Spellings of the same legal form collapse to one token, so "SDN. BHD." equals "SDN BHD";
# a different legal form stays different (a look-alike company is often exactly that).
_LEGAL_SPELLINGS = [
    (r"\bS\s*/\s*B\b", "SDN BHD"),
    (r"\bSDN\.?\s*BHD\.?", "SDN BHD"),
    (r"\bSENDIRIAN\s+(?:BERHAD|BHD)\b", "SDN BHD"),
    # The same, as OCR misreads it: "SDN BHO", "SON BHD", "SN BHD", "DSN 8HD".
    (r"\b(?:S[DO0]N|SN|DSN|SND|SDM)\.?\s*[B8][HN][DO0](?![A-Z0-9])\.?", "SDN BHD"),
    (r"\bBERHAD\b", "BHD"),
    (r"\bLIMITED\b", "LTD"),
    (r"\bINCORPORATED\b", "INC"),
    (r"\bCORPORATION\b", "CORP"),
    (r"\bCOMPANY\b", "CO"),
    (r"\bPTE\.?\s*LTD\.?", "PTE LTD"),
    (r"\bPTY\.?\s*LTD\.?", "PTY LTD"),
    (r"\bG\.?M\.?B\.?H\.?", "GMBH"),
    (r"\bL\.?L\.?C\.?(?![A-Z])", "LLC"),
    (r"\bENTERPRISES\b", "ENTERPRISE"),
]
_LEGAL_COMPILED = [(re.compile(pattern), repl) for pattern, repl in _LEGAL_SPELLINGS]
# Most names need none of them; one search says so (matching scores thousands of names).
_ANY_LEGAL = re.compile("|".join(f"(?:{pattern})" for pattern, _ in _LEGAL_SPELLINGS))


def _legal_spellings(s: str) -> str:
    if not _ANY_LEGAL.search(s):
        return s
    for pattern, repl in _LEGAL_COMPILED:
        s = pattern.sub(repl, s)
    return s


# Words that say what kind of business entity a name is. At the end of a name (after the
# branch part is taken out) they are the legal form, compared separately from the name.
LEGAL_WORDS = frozenset(
    [
        "SDN",
        "BHD",
        "PLT",
        "ENTERPRISE",
        "TRADING",
        "LTD",
        "PTE",
        "PTY",
        "CO",
        "INC",
        "CORP",
        "LLC",
        "LLP",
        "PLC",
        "GMBH",
        "AG",
        "KG",
        "OHG",
        "UG",
        "SA",
        "SAS",
        "SARL",
        "SRL",
        "SPA",
        "BV",
        "NV",
        "AB",
        "AS",
        "OY",
    ]
)
# Too common to find a customer by.
STOPWORDS = frozenset(
    ["AND", "THE", "OF", "DE", "DU", "LA", "LE", "DER", "DIE", "DAS", "UND", "ET"]
)
# Free mail providers say nothing about which company wrote.
FREE_MAIL = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "icloud.com",
        "aol.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "qq.com",
        "163.com",
        "126.com",
        "yahoo.com.my",
        "streamyx.com",
    ]
)


def _ascii_upper(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).upper()


def _words(part: str) -> str:
    # Letters of any script count (a Chinese name is a name); punctuation does not.
    part = re.sub(r"[\W_]+", " ", part)
    # Initialisms written "D.I.Y.", "D. I. Y." or "DIY" become the same word.
    part = re.sub(r"\b[A-Z](?: [A-Z]\b)+", lambda m: m.group(0).replace(" ", ""), part)
    return " ".join(part.split())


def normalize_name(name: str) -> str:
    """Upper-case words with one spelling per legal form; bracketed parts kept as words."""
    s = _ascii_upper(name).replace("&", " AND ")
    s = _legal_spellings(s)
    return " ".join(w for w in (_words(p) for p in re.split(r"[()\[\]]", s)) if w)


@dataclass(frozen=True)
class NameParts:
    """A company name taken apart: the words that name it, its legal form and its branch."""

    words: str  # everything but the legal form, branch words included: "MR DIY JOHOR"
    legal: str  # "SDN BHD", "ENTERPRISE", or "" when none is written
    qualifiers: frozenset[str]  # bracketed parts, usually a branch or region: {"JOHOR"}

    @property
    def compact(self) -> str:
        """Without spaces: OCR often loses or adds them."""
        return self.words.replace(" ", "")


# Labels printed before the legal owner's name: "DIMILIKI OLEH : DOVE HOLDINGS SDN BHD".
_OWNER_LABEL = re.compile(r"^\W*(?:DIMILIKI OLEH|OWNED BY|OPERATED BY|A DIVISION OF)\b\W*")


@lru_cache(maxsize=65536)
def name_parts(name: str) -> NameParts:
    s = _OWNER_LABEL.sub("", _ascii_upper(name)).replace("&", " AND ")
    if s.count("(") != s.count(")") or s.count("[") != s.count("]"):
        # An unclosed bracket is OCR damage; what it encloses is unknown.
        s = re.sub(r"[()\[\]]", " ", s)
    s = _legal_spellings(s)
    qualifiers = frozenset(q for q in (_words(m) for m in re.findall(r"[(\[]([^)\]]*)", s)) if q)
    words = " ".join(_words(p) for p in re.split(r"[()\[\]]", s)).split()
    # The legal form is written last, though a branch in brackets may sit after or inside it
    # ("SDN BHD (CHERAS)", "SDN (SHAH ALAM) BHD"): branch words are stepped over and kept.
    qualifier_words = {w for q in qualifiers for w in q.split()}
    legal: list[str] = []
    tail: list[str] = []
    rest = list(words)
    while rest and (rest[-1] in LEGAL_WORDS or rest[-1] in qualifier_words):
        w = rest.pop()
        (legal if w in LEGAL_WORDS else tail).insert(0, w)
    if not rest:  # a name made only of legal words ("TRADING CO") is its own name
        rest, legal, tail = words, [], []
    return NameParts(words=" ".join(rest + tail), legal=" ".join(legal), qualifiers=qualifiers)


def normalize_address(address: str) -> str:
    s = _ascii_upper(address).replace(".", " ")
    s = re.sub(r"[^A-Z0-9]+", " ", s)
    return " ".join(s.split())


# A postcode is a 4-6 digit group followed by a place name ("43300 SERI KEMBANGAN") or ending
# the address; street and lot numbers are followed by street words or punctuation.
_POSTCODE = re.compile(
    r"(?<![\d\-/])(\d{4,6})(?![\d\-/,])(?=\s+[A-Z]{2,}|\s*$)(?!\s+(?:JALAN|JLN|LORONG|ROAD)\b)"
)


def postcodes(address: str) -> frozenset[str]:
    # Commas stay: "4243,COMPLEKS" is a unit number, "43300 SERI KEMBANGAN" a postcode.
    text = re.sub(r"[^A-Z0-9,/\-]+", " ", _ascii_upper(address))
    return frozenset(_POSTCODE.findall(text))


def normalize_id(value: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", _ascii_upper(value))


def normalize_phone(value: str) -> str:
    """The last 8 digits: country and trunk prefixes are written in many ways."""
    digits = re.sub(r"\D", "", value)
    return digits[-8:] if len(digits) >= 7 else ""


def email_domain(value: str) -> str:
    """The company's mail domain, or "" for a free-mail address that names no company."""
    _, _, domain = value.strip().lower().rpartition("@")
    domain = domain.strip(" .>")
    return "" if not domain or "." not in domain or domain in FREE_MAIL else domain


_DIGIT_LOOKALIKES = str.maketrans("0158", "OISB")


def skeleton(word: str) -> str:
    """A word's consonants, with digits OCR mistakes for letters read as those letters:
    "MAWAN", "MWAN" and "MAWAM"... agree on most of it ("MWN"), so a dropped or misread
    vowel still finds the customer."""
    return re.sub(r"[AEIOUY]", "", word.translate(_DIGIT_LOOKALIKES))


# Characters OCR confuses with each other, mapped to one of them.
_CONFUSABLE = str.maketrans("0DQ1L|!5826", "OOOIIIISBZG")


def same_modulo_ocr(a: str, b: str) -> bool:
    """Equal once spaces and the characters OCR confuses ("0"/"O", "1"/"I", "rn"/"m") are
    set aside: the same name read badly, not another name."""

    def fold(s: str) -> str:
        s = s.replace(" ", "").replace("RN", "M").replace("VV", "W")
        return s.translate(_CONFUSABLE)

    return fold(a) == fold(b)
