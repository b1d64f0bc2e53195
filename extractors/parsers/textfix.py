"""Repair of OCR slips in printed names and addresses: punctuation, spacing, look-alike characters.

Every function takes and returns plain text and reports nothing else; callers that want to
lower their confidence after a repair compare the text before and after. The rules follow
printing conventions (how a postcode, a company suffix or an initialism is set) and the usual
confusions of OCR engines (8/B, 0/O, 1/l/I, a dropped space); none knows a particular company.
"""

from __future__ import annotations

import re
import unicodedata

# ---- characters -----------------------------------------------------------------------------


def strip_accents(text: str) -> str:
    """Latin letters without accents: receipts here are printed in plain ASCII, so an accent is
    a speck of dirt read as a diacritic ("Simpàng", "ÁLAM"); a yen sign is a Y ("D.I.¥.")."""
    decomposed = unicodedata.normalize("NFKD", text.replace("¥", "Y"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def odd_characters(text: str) -> bool:
    """Characters no printed name or address carries; their presence means a misread."""
    if re.search(r"[^\x20-\x7e]", text):
        return True
    # Punctuation inside a word ("JA:AN", "SE_ANGOR"), "!" ("Sr!"), stray quotes, doubled stops.
    return bool(re.search(r"[A-Za-z][:_|\"?][A-Za-z]|[_|\"?!{}\[\]<>~^`]|\.\.", text))


def _leading_digit(word: str) -> str:
    """ "8ESAR" -> "BESAR", "0RANGE" -> "ORANGE": a digit before four or more capitals, unless
    it is an ordinal ("8TH", "1ST")."""
    m = re.fullmatch(r"([08])([A-Z]{4,})", word)
    if not m or m.group(2)[:2] in ("ST", "ND", "RD", "TH"):
        return word
    return {"8": "B", "0": "O"}[m.group(1)] + m.group(2)


def _consonant_j(word: str) -> str:
    """ "LJAN" -> "LIAN": no word in Malay, English or romanised Chinese starts with a consonant
    and J (D is left alone for Indonesian "Dj"); the J is a misread I."""
    if not 4 <= len(word) <= 6 or not word.isalpha():
        return word
    return re.sub(r"^([BCFGHKLMNPRSTVWXZ])J(?=[AEIOU])", r"\1I", word)


def _digit_among_capitals(word: str) -> str:
    """ "SC1SSOR", "CL0SED": one digit with two or more capitals on each side is a letter;
    codes ("PJU1A", "LVD1P") have fewer letters on one side."""
    if sum(c.isdigit() for c in word) != 1:
        return word
    m = re.fullmatch(r"([A-Z]{2,})([015])([A-Z]{2,})", word)
    if not m:
        return word
    return m.group(1) + {"1": "I", "0": "O", "5": "S"}[m.group(2)] + m.group(3)


def _ones_in_lowercase(word: str) -> str:
    """ "Ma11", "Bi11", "Leve1": ones ending a lowercase word are a lowercase l. A single 1 is
    often a number glued on ("Guest1", "No1"), so it is changed only when that makes a known
    address word; a 1 inside a word may be an i as well as an l ("park1ng") and is left."""
    word = re.sub(r"(?<=[a-z])11$", "ll", word)
    m = re.fullmatch(r"([A-Za-z]*[a-z])1", word)
    if m and (m.group(1) + "l").upper() in _ADDRESS_LEXICON:
        return m.group(1) + "l"
    return word


def _capital_i_in_lowercase(word: str) -> str:
    """ "WorId", "BIk", "JIn": a capital I inside a lowercase word is a lowercase l."""
    if len(word) >= 3 and re.fullmatch(r"[A-Z]?[a-zI]+", word) and re.search(r"[a-z]", word):
        return word[0] + word[1:].replace("I", "l")
    return word


def _zero_in_number(word: str) -> str:
    """ "G3O", "4380O", "O12": a letter O next to digits in a number is a zero."""
    if not re.search(r"\d", word):
        return word
    word = re.sub(r"(?<=\d)[Oo](?=\d|$)", "0", word)
    return re.sub(r"^[Oo](?=\d{2,})", "0", word)


def _fix_token(token: str) -> str:
    """Look-alike characters inside one word, fixed only where the word is clearly letters."""
    core = token.strip(".,;:()")
    if not core or not any(c.isalpha() for c in core):
        return token
    fixed = _consonant_j(_leading_digit(core))
    fixed = _digit_among_capitals(fixed)
    fixed = _capital_i_in_lowercase(_ones_in_lowercase(fixed))
    # "L.ot": a stray full stop inside a three-letter lowercase word.
    fixed = re.sub(r"^([A-Z])\.([a-z]{2})$", r"\1\2", fixed)
    fixed = _zero_in_number(fixed)
    if fixed == core:
        return token
    start = token.index(core)
    return token[:start] + fixed + token[start + len(core) :]


def fix_lookalikes(text: str) -> str:
    """Per-word fixes of 8/B, 0/O, 1/l/I, I/l and J/I confusions (see ``_fix_token``)."""
    return " ".join(_fix_token(t) for t in text.split(" "))


def merge_lone_lowercase(text: str) -> str:
    """ "Hardwar e Centre" -> "Hardware Centre": a lone lowercase letter after a word is its tail
    split off by OCR ("a" is a word, "x" a multiplication sign; both are left alone)."""
    return re.sub(r"(?<=[A-Za-z]{3}) ([b-wyz])(?= |$)", r"\1", text)


# ---- names ----------------------------------------------------------------------------------

# Malaysian legal forms with the OCR misreadings seen on thermal prints (S0N, SON, 8HD...).
_SDN = r"S[DO0IB1]N"
_BHD = r"[B8]H[DO0]"


def _like(model: str, word: str) -> str:
    """``word`` in the letter case of ``model`` (upper, lower or capitalised)."""
    if model.isupper():
        return word.upper()
    if model.islower():
        return word.lower()
    return word.capitalize()


def fix_legal_suffix(text: str) -> str:
    """ "SDN.BHD" -> "SDN. BHD", "S0N BHD" -> "SDN BHD", keeping whether a full stop was printed."""

    def repl(m: re.Match[str]) -> str:
        return f"{_like(m.group(1), 'sdn')}{m.group(2)} {_like(m.group(3), 'bhd')}"

    text = re.sub(rf"\b({_SDN})(\.?)\s*({_BHD})\b", repl, text, flags=re.IGNORECASE)
    # "S/B." -> "S/B": the slash already marks the abbreviation.
    return re.sub(r"\b(S/B)\.(?=\s*$)", r"\1", text, flags=re.IGNORECASE)


def fix_initials(text: str) -> str:
    """ "D.1.Y." -> "D.I.Y.", "S.H.H.MOTOR" -> "S.H.H. MOTOR": initials are letters, and a word
    after a run of initials is printed apart from them."""
    text = re.sub(r"(?<=\b[A-Z]\.)1(?=\.)", "I", text)
    text = re.sub(r"(?<=\b[A-Z]\.)0(?=\.)", "O", text)
    return re.sub(r"\b((?:[A-Z]\.){2,})(?=[A-Z][A-Za-z])", r"\1 ", text)


def space_brackets(text: str) -> str:
    """ "MOTOR(SUNGAI RENGIT)SDN" -> "MOTOR (SUNGAI RENGIT) SDN": company names set a bracketed
    part apart; OCR engines tend to swallow the spaces around brackets."""
    text = re.sub(r"(?<=[\w.])\((?=\w)", " (", text)
    return re.sub(r"(?<=\w)\)(?=\w)", ") ", text)


# Words of business names that are often glued to their neighbours by OCR. General trade and
# legal vocabulary only; longest first so "SUPERMARKET" is not split as "SUPER" + "MARKET".
_NAME_WORDS = sorted(
    {
        "SDN",
        "BHD",
        "BERHAD",
        "ENTERPRISE",
        "ENTERPRISES",
        "TRADING",
        "HOLDINGS",
        "MARKETING",
        "SERVICES",
        "INDUSTRIES",
        "STATIONERY",
        "BOOKSTORE",
        "BOOKSTORES",
        "RESTAURANT",
        "RESTORAN",
        "HARDWARE",
        "SUPERMARKET",
        "HYPERMARKET",
        "MINIMARKET",
        "PHARMACY",
        "FARMASI",
        "BAKERY",
        "BAKERIES",
        "CONFECTIONERY",
        "FLORIST",
        "KITCHEN",
        "CAFE",
        "SHOP",
        "STORE",
        "STORES",
        "MART",
        "TRADERS",
        "CENTRE",
        "CENTER",
        "GROUP",
        "COMPANY",
    },
    key=len,
    reverse=True,
)


def split_glued_name(text: str) -> str:
    """ "SANYUSTATIONERYSHOP" -> "SANYU STATIONERY SHOP": split known trade words off the end
    of a long all-capital token; the rest is left as read."""

    def split(token: str) -> str:
        if len(token) < 10 or not token.isalpha() or not token.isupper():
            return token
        parts: list[str] = []
        rest = token
        while rest not in _NAME_WORDS:
            for word in _NAME_WORDS:
                if rest.endswith(word) and len(rest) - len(word) >= 3:
                    parts.insert(0, word)
                    rest = rest[: -len(word)]
                    break
            else:
                break
        return " ".join([rest, *parts])

    return " ".join(split(t) for t in text.split(" "))


def glued_token(text: str) -> bool:
    """A run of letters too long to be one word of a name: words glued by a dropped space."""
    runs = re.findall(r"[A-Za-z]+", text)
    return any(len(t) >= 14 and t.upper() not in _NAME_WORDS for t in runs)


_TRADE_WORDS_FUZZY = [w for w in _NAME_WORDS if len(w) >= 8]


def _near(word: str, target: str) -> bool:
    """Same length, one letter different: a single misread character."""
    return len(word) == len(target) and sum(a != b for a, b in zip(word, target, strict=True)) == 1


def fix_trade_words(text: str) -> str:
    """ "CONFECTEONERY" -> "CONFECTIONERY": a long word one letter away from a trade word."""

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        upper = word.upper()
        for target in _TRADE_WORDS_FUZZY:
            if _near(upper, target):
                return target if word.isupper() else target.capitalize()
        return word

    return re.sub(r"[A-Za-z]{8,}", fix, text)


# ---- addresses ------------------------------------------------------------------------------

# Abbreviations whose full stop is part of the word, not the end of an address part.
_ABBREVIATIONS = frozenset(
    {
        "NO",
        "NOS",
        "JLN",
        "JL",
        "LRG",
        "TMN",
        "KG",
        "KAMPUNG",
        "SG",
        "BT",
        "SEK",
        "SEKSYEN",
        "BLK",
        "BDR",
        "PSN",
        "PT",
        "PTD",
        "ST",
        "RD",
        "AVE",
        "DR",
        "MR",
        "MRS",
        "MS",
        "SEL",
        "KM",
        "FLR",
        "LOT",
        "CO",
        "SDN",
        "BHD",
        "IND",
        "KWS",
        "PJ",
        "KL",
        "JB",
        "NS",
        "PERS",
        "LBH",
        "LOR",
        "CTR",
        "BGN",
        "KOMP",
        "TKT",
        "TK",
        "APT",
        "BLDG",
        "FL",
        "KWSN",
        "WP",
    }
)


def _dot_is_comma(word: str) -> bool:
    """Whether a full stop after ``word`` (followed by more address) stands for a comma."""
    core = word.strip("(),;:")
    if not core or "." in core:  # "D.E", "P.JAYA": the stop belongs to an initialism
        return False
    if re.search(r"\d", core):
        return True  # "Lot 38. 39", "JALAN SR 1/9. SEKSYEN 9": a number ends an address part
    if len(core) == 1 or core.upper() in _ABBREVIATIONS:
        return False
    return core.isalpha()


def dots_to_commas(text: str) -> str:
    """ "Lot 38. 39 101 Boulevard. Jalan Kenari 5." -> commas: on thermal prints a comma's tail
    is often lost and it is read as a full stop. Stops after abbreviations ("NO.", "JLN.") and
    initials, and the stop ending the address, are kept."""
    tokens = text.split(" ")
    for i, tok in enumerate(tokens[:-1]):
        if tok.endswith(".") and not tok.endswith("..") and _dot_is_comma(tok[:-1]):
            tokens[i] = tok[:-1] + ","
    return " ".join(tokens)


def split_postcode(text: str) -> str:
    """ "52200Kuala Lumpur", "81750.JOHOR" -> "52200 Kuala Lumpur", "81750 JOHOR": a five-digit
    postcode is printed apart from the town after it; a stop or comma glued between the two is
    a smudge."""
    return re.sub(r"(?<![\d-])(\d{5})[.,]?(?=[A-Za-z])", r"\1 ", text)


def split_camel_case(text: str) -> str:
    """ "BandarUtama" -> "Bandar Utama": in mixed-case print a capital after three lowercase
    letters starts a new word whose space OCR dropped."""
    return re.sub(r"(?<=[a-z]{3})(?=[A-Z][a-z])", " ", text)


def drop_stray_colon(line: str) -> str:
    """ "BATANG BERJUNTAI:" -> "BATANG BERJUNTAI": a colon ending an address line labels nothing."""
    return re.sub(r"(?<=[A-Za-z])\s*:\s*$", "", line)


# Words of Malaysian addresses: street and place types, states, federal territories. A word of
# the address one misread letter away from one of these is taken to be it.
_ADDRESS_LEXICON = frozenset(
    {
        "JALAN",
        "LORONG",
        "PERSIARAN",
        "LEBUHRAYA",
        "TAMAN",
        "BANDAR",
        "KAMPUNG",
        "KAWASAN",
        "PERINDUSTRIAN",
        "PERNIAGAAN",
        "SEKSYEN",
        "SECTION",
        "MENARA",
        "WISMA",
        "KOMPLEKS",
        "COMPLEKS",
        "BANGUNAN",
        "PUSAT",
        "MEDAN",
        "UTAMA",
        "SIMPANG",
        "SUNGAI",
        "GROUND",
        "FLOOR",
        "LEVEL",
        "BLOCK",
        "PLAZA",
        "CENTRE",
        "SELANGOR",
        "JOHOR",
        "BAHRU",
        "PERAK",
        "PAHANG",
        "MELAKA",
        "KEDAH",
        "KELANTAN",
        "TERENGGANU",
        "PERLIS",
        "SABAH",
        "SARAWAK",
        "NEGERI",
        "SEMBILAN",
        "PENANG",
        "PINANG",
        "PUTRAJAYA",
        "LABUAN",
        "MALAYSIA",
        "KUALA",
        "LUMPUR",
        "DARUL",
        "EHSAN",
        "TAKZIM",
        "PETALING",
        "DAMANSARA",
    }
)
# OCR look-alikes: what may have been read in place of a letter.
_LOOKALIKE = {"L": "I1|:_!", "I": "L1|!", "M": "N", "S": "5", "B": "8", "O": "0", "E": "F"}


def _lexicon_match(word: str) -> str | None:
    """The lexicon word ``word`` is a misreading of, if exactly one fits."""
    upper = word.upper().replace("RN", "M") if "RN" in word.upper() else word.upper()
    if upper in _ADDRESS_LEXICON:
        return upper if upper != word.upper() else None
    fits = []
    for target in _ADDRESS_LEXICON:
        if len(target) != len(upper):
            continue
        diffs = [(a, b) for a, b in zip(upper, target, strict=True) if a != b]
        if len(diffs) != 1:
            continue
        read, meant = diffs[0]
        # Long words tolerate any one slip; short ones only a known look-alike.
        if len(target) >= 7 or read in _LOOKALIKE.get(meant, ""):
            fits.append(target)
    return fits[0] if len(fits) == 1 else None


def fix_address_words(text: str) -> str:
    """ "Jaian" -> "Jalan", "JA:AN" -> "JALAN", "Utarna" -> "Utama": repair common address words."""

    def fix(m: re.Match[str]) -> str:
        word = m.group()
        target = _lexicon_match(word)
        if target is None:
            return word
        if word.isupper():
            return target
        return target.capitalize() if word[:1].isupper() else target.lower()

    return re.sub(r"[A-Za-z][A-Za-z:_!|]{3,}[A-Za-z]", fix, text)
