"""Names printed on trade papers, to codes: countries (ISO 3166 alpha-2), currencies (ISO
4217) and Incoterms, in English, German and Chinese.

A compact table of the countries trade papers name most, not a gazetteer: an unknown name is
returned as printed (and scored low) rather than guessed.
"""

from __future__ import annotations

import re

# code: names (lower case for Latin script). Chinese forms print the short name ("美国"),
# sometimes with the customs' own code in brackets ("(502)美国") or the alpha-3 ("USA").
_COUNTRY_NAMES: dict[str, tuple[str, ...]] = {
    "CN": (
        "china",
        "people's republic of china",
        "p.r. china",
        "p.r.china",
        "pr china",
        "prc",
        "china (mainland)",
        "volksrepublik china",
        "chine",
        "中国",
        "中华人民共和国",
        "中国大陆",
        "chn",
    ),
    "US": (
        "united states",
        "united states of america",
        "usa",
        "u.s.a.",
        "u.s.",
        "vereinigte staaten",
        "etats-unis",
        "美国",
        "美利坚合众国",
    ),
    "DE": ("germany", "deutschland", "federal republic of germany", "allemagne", "德国", "deu"),
    "JP": ("japan", "japon", "日本", "jpn"),
    "KR": (
        "south korea",
        "korea",
        "republic of korea",
        "korea, republic of",
        "korea (south)",
        "südkorea",
        "韩国",
        "大韩民国",
        "kor",
    ),
    "VN": ("vietnam", "viet nam", "socialist republic of vietnam", "越南", "vnm"),
    "GB": (
        "united kingdom",
        "great britain",
        "uk",
        "u.k.",
        "england",
        "großbritannien",
        "vereinigtes königreich",
        "英国",
        "gbr",
    ),
    "FR": ("france", "frankreich", "法国", "fra"),
    "IT": ("italy", "italien", "italia", "意大利", "ita"),
    "ES": ("spain", "spanien", "españa", "西班牙", "esp"),
    "NL": ("netherlands", "the netherlands", "holland", "niederlande", "荷兰", "nld"),
    "BE": ("belgium", "belgien", "belgique", "比利时", "bel"),
    "PL": ("poland", "polen", "波兰", "pol"),
    "CH": ("switzerland", "schweiz", "suisse", "瑞士", "che"),
    "AT": ("austria", "österreich", "奥地利", "aut"),
    "SE": ("sweden", "schweden", "瑞典", "swe"),
    "DK": ("denmark", "dänemark", "丹麦", "dnk"),
    "NO": ("norway", "norwegen", "挪威", "nor"),
    "FI": ("finland", "finnland", "芬兰", "fin"),
    "IE": ("ireland", "irland", "爱尔兰", "irl"),
    "PT": ("portugal", "葡萄牙", "prt"),
    "CZ": ("czech republic", "czechia", "tschechien", "捷克", "cze"),
    "HU": ("hungary", "ungarn", "匈牙利", "hun"),
    "RO": ("romania", "rumänien", "罗马尼亚", "rou"),
    "GR": ("greece", "griechenland", "希腊", "grc"),
    "RU": ("russia", "russian federation", "russland", "俄罗斯", "rus"),
    "TR": ("turkey", "türkiye", "türkei", "土耳其", "tur"),
    "IN": ("india", "indien", "印度", "ind"),
    "PK": ("pakistan", "巴基斯坦", "pak"),
    "BD": ("bangladesh", "孟加拉国", "孟加拉", "bgd"),
    "LK": ("sri lanka", "斯里兰卡", "lka"),
    "TH": ("thailand", "泰国", "tha"),
    "MY": ("malaysia", "马来西亚", "mys"),
    "SG": ("singapore", "singapur", "新加坡", "sgp"),
    "ID": ("indonesia", "indonesien", "印度尼西亚", "印尼", "idn"),
    "PH": ("philippines", "philippinen", "菲律宾", "phl"),
    "KH": ("cambodia", "kambodscha", "柬埔寨", "khm"),
    "MM": ("myanmar", "burma", "缅甸", "mmr"),
    "TW": ("taiwan", "chinese taipei", "中国台湾", "台湾", "twn"),
    "HK": ("hong kong", "hongkong", "hong kong sar", "中国香港", "香港", "hkg"),
    "MO": ("macao", "macau", "中国澳门", "澳门", "mac"),
    "AU": ("australia", "australien", "澳大利亚", "aus"),
    "NZ": ("new zealand", "neuseeland", "新西兰", "nzl"),
    "CA": ("canada", "kanada", "加拿大", "can"),
    "MX": ("mexico", "mexiko", "墨西哥", "mex"),
    "BR": ("brazil", "brasilien", "brasil", "巴西", "bra"),
    "AR": ("argentina", "argentinien", "阿根廷", "arg"),
    "CL": ("chile", "智利", "chl"),
    "ZA": ("south africa", "südafrika", "南非", "zaf"),
    "EG": ("egypt", "ägypten", "埃及", "egy"),
    "MA": ("morocco", "marokko", "摩洛哥", "mar"),
    "NG": ("nigeria", "尼日利亚", "nga"),
    "KE": ("kenya", "肯尼亚", "ken"),
    "AE": (
        "united arab emirates",
        "uae",
        "u.a.e.",
        "vereinigte arabische emirate",
        "阿联酋",
        "阿拉伯联合酋长国",
        "are",
    ),
    "SA": ("saudi arabia", "saudi-arabien", "沙特阿拉伯", "沙特", "sau"),
    "IL": ("israel", "以色列", "isr"),
    "IR": ("iran", "伊朗", "irn"),
    "KZ": ("kazakhstan", "kasachstan", "哈萨克斯坦", "kaz"),
}

_BY_NAME: dict[str, str] = {name: code for code, names in _COUNTRY_NAMES.items() for name in names}
ALPHA2: frozenset[str] = frozenset(_COUNTRY_NAMES)
# Longest first, so "south korea" wins over "korea" and "中国台湾" over "中国".
_NAMES_LONGEST = sorted(_BY_NAME, key=len, reverse=True)
_LATIN_NAME = re.compile(
    "|".join(
        rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])"
        for n in _NAMES_LONGEST
        # Alpha-3 codes only count alone: "can", "are", "mar" are words inside a text.
        if n.isascii() and (len(n) > 3 or n in ("usa", "uae", "prc"))
    ),
    re.IGNORECASE,
)
_CJK_NAME = re.compile("|".join(re.escape(n) for n in _NAMES_LONGEST if not n.isascii()))
# "MALAYSIA (MY)": a country name with its code in brackets.
_NAME_AND_CODE = re.compile(r"^(?P<name>[^()]+?)\s*[(（]\s*(?P<code>[A-Za-z]{2})\s*[)）]$")


def country_code(raw: str) -> tuple[str, float] | None:
    """ISO alpha-2 code of the country named in ``raw`` and a rule confidence, or None."""
    text = re.sub(r"\s+", " ", raw).strip(" .,:;|")
    if not text:
        return None
    key = text.lower()
    if key in _BY_NAME:
        return _BY_NAME[key], 0.95
    if len(text) == 2 and text.isupper() and text in ALPHA2:
        return text, 0.9
    both = _NAME_AND_CODE.match(text)
    if both:
        named = _BY_NAME.get(both["name"].strip(" .,:;").lower())
        code = both["code"].upper()
        if named == code:
            return code, 0.95  # name and code agree
        if named is None and code in ALPHA2:
            return code, 0.85
    # A name inside a longer text: "(502)美国", "HAMBURG, GERMANY", "Made in Viet Nam".
    hits = [(m.start(), _BY_NAME[m.group(0).lower()]) for m in _LATIN_NAME.finditer(text)]
    hits += [(m.start(), _BY_NAME[m.group(0)]) for m in _CJK_NAME.finditer(text)]
    codes = {code for _, code in hits}
    if len(codes) == 1:
        return codes.pop(), 0.85
    return None


_CURRENCY_NAMES: dict[str, str] = {
    "美元": "USD",
    "人民币": "CNY",
    "欧元": "EUR",
    "日元": "JPY",
    "港币": "HKD",
    "港元": "HKD",
    "英镑": "GBP",
    "韩元": "KRW",
    "澳元": "AUD",
    "加元": "CAD",
    "瑞士法郎": "CHF",
    "新加坡元": "SGD",
    "RMB": "CNY",
}
_CURRENCY_CODES = frozenset(
    [
        "USD",
        "CNY",
        "EUR",
        "JPY",
        "HKD",
        "GBP",
        "KRW",
        "AUD",
        "CAD",
        "CHF",
        "SGD",
        "MYR",
        "THB",
        "VND",
        "INR",
        "IDR",
        "PHP",
        "TWD",
        "NZD",
        "SEK",
        "DKK",
        "NOK",
        "PLN",
        "CZK",
        "HUF",
        "AED",
        "SAR",
        "RUB",
        "TRY",
        "BRL",
        "MXN",
        "ZAR",
    ]
)
_CURRENCY_TOKEN = re.compile(
    r"(?<![A-Za-z])(" + "|".join(sorted(_CURRENCY_CODES | {"RMB"})) + r")(?![A-Za-z])"
    r"|" + "|".join(sorted((k for k in _CURRENCY_NAMES if not k.isascii()), key=len, reverse=True))
)


def currency_code(raw: str) -> str | None:
    """ISO 4217 code of the first currency named in ``raw`` ("USD", "美元", "(502)美元")."""
    m = _CURRENCY_TOKEN.search(raw)
    if not m:
        return None
    token = m.group(0).upper() if m.group(0).isascii() else m.group(0)
    return _CURRENCY_NAMES.get(token, token)


INCOTERMS = re.compile(
    r"(?<![A-Za-z])(EXW|FCA|FAS|FOB|CFR|CIF|CPT|CIP|DAP|DPU|DDP|DAT|DDU|C\s?&\s?F|CNF)"
    r"(?![A-Za-z])"
)
# Chinese names of the terms (成交方式 on a customs declaration may print them in words).
_INCOTERM_WORDS: dict[str, str] = {
    "离岸价": "FOB",
    "船上交货": "FOB",
    "到岸价": "CIF",
    "成本加保险费加运费": "CIF",
    "成本加运费": "CFR",
    "工厂交货": "EXW",
    "出厂价": "EXW",
    "货交承运人": "FCA",
    "完税后交货": "DDP",
}


def incoterm(raw: str) -> str | None:
    """The upper-case Incoterms code in ``raw``; "C&F"/"CNF" are the old names of CFR."""
    m = INCOTERMS.search(raw.upper())
    if m:
        term = re.sub(r"\s", "", m.group(1))
        return {"C&F": "CFR", "CNF": "CFR"}.get(term, term)
    for word, code in _INCOTERM_WORDS.items():
        if word in raw:
            return code
    return None
