"""Blocking keys: how a document finds its few candidate customers without reading them all.

A customer is indexed under each distinctive word of its name, its tax id, phone and company
mail domain; a document looks up the same kinds of key. ``storage`` keeps these keys in an
indexed table; ``matching.ledger.MemoryLedger`` keeps them in a dict.
"""

from __future__ import annotations

from collections.abc import Iterable

from matching.normalize import (
    LEGAL_WORDS,
    STOPWORDS,
    email_domain,
    name_parts,
    normalize_id,
    normalize_phone,
    skeleton,
)

MAX_KEY_LENGTH = 80


def name_keys(name: str) -> set[str]:
    """One key per distinctive word, and one for the whole name without spaces (OCR often
    splits or joins words)."""
    parts = name_parts(name)
    words = [w for w in parts.words.split() if w not in STOPWORDS and w not in LEGAL_WORDS]
    keys = {f"n:{w}" for w in words if len(w) >= 2 or w.isdigit()}
    # Misread letters: the consonant skeleton of each longer word is a key too.
    keys |= {f"s:{sk}" for w in words if len(w) >= 4 and len(sk := skeleton(w)) >= 3}
    if parts.compact:
        keys.add(f"c:{parts.compact}")
    return keys


def customer_keys(
    name: str,
    *,
    tax_id: str | None = None,
    phone: str | None = None,
    email: str | None = None,
) -> set[str]:
    keys = name_keys(name)
    if tax_id and (tid := normalize_id(tax_id)):
        keys.add(f"t:{tid}")
    if phone and (number := normalize_phone(phone)):
        keys.add(f"p:{number}")
    if email and (domain := email_domain(email)):
        keys.add(f"e:{domain}")
    return {k[:MAX_KEY_LENGTH] for k in keys}


def document_keys(
    names: Iterable[str],
    *,
    tax_ids: Iterable[str] = (),
    phones: Iterable[str] = (),
    emails: Iterable[str] = (),
) -> set[str]:
    """The keys a document's parties, ids and contacts could share with a customer."""
    keys: set[str] = set()
    for name in names:
        keys |= name_keys(name)
    keys |= {f"t:{t}" for t in map(normalize_id, tax_ids) if t}
    keys |= {f"p:{p}" for p in map(normalize_phone, phones) if p}
    keys |= {f"e:{d}" for d in map(email_domain, emails) if d}
    return {k[:MAX_KEY_LENGTH] for k in keys}
