"""Matching at scale: import a synthetic ledger, then time matching one document at a time.

    python benchmarks/match_scale.py [--customers 100000] [--bills 1000000] [--docs 500]
        [--dir DIR] [--postgres-url URL] [--reset-postgres] [--seed 7]

1. Writes (seeded) ``customers.csv`` and ``bills.csv`` in the import format: companies that
   share words (HARDWARE, TRADING, ...), brands with branches ("NAME (BRANCH) SDN BHD"), the
   same name under several legal forms, addresses with postcodes, tax ids, phones, mail;
   bills mostly open and in MYR, skewed across customers (a few customers have hundreds).
2. Imports them with ``storage.ledger_import.import_ledger`` in one session and prints the
   time and rows per second, on SQLite (a file in a temporary folder) and, with
   ``--postgres-url`` or ``DOCINTAKE_TEST_POSTGRES_URL``, on PostgreSQL
   (``url=$(bash scripts/pg-test-server.sh)`` starts a throwaway one).
3. Builds query documents as the reader would hand them to matching: most are an existing
   customer's open bill read with OCR noise (a letter dropped or swapped, the legal form
   missing, O read as 0), some name a company that is not in the ledger.
4. Times ``matching.match_document`` per document, one session per document as the pipeline
   does (median, p95, max), the time in each ``LedgerView`` call, and how many documents got
   the intended customer and bill.

OCR is not included. A PostgreSQL database that already holds customers is refused unless
``--reset-postgres`` (drops and recreates its ``public`` schema) is given.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import string
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import OperationalError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docintake.domain import DocumentType, FieldValue  # noqa: E402
from matching import matcher  # noqa: E402
from matching.ledger import BillRecord, CustomerRecord  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.ledger_import import (  # noqa: E402
    BILL_COLUMNS,
    CUSTOMER_COLUMNS,
    import_ledger,
    refresh_statistics,
)
from storage.ledger_index import SqlLedger  # noqa: E402
from storage.models import Customer, CustomerKey  # noqa: E402

# --- vocabulary --------------------------------------------------------------------------

# Words many company names share: they find thousands of customers each.
COMMON_WORDS = [
    "SRI",
    "JAYA",
    "MAJU",
    "SINAR",
    "MEGA",
    "BINTANG",
    "HARAPAN",
    "MUTIARA",
    "INDAH",
    "BARU",
    "EMAS",
    "GEMILANG",
    "SENTOSA",
    "RESTU",
    "SETIA",
    "CAHAYA",
    "PERMAI",
    "DAMAI",
    "MAKMUR",
    "BERSATU",
    "GOLDEN",
    "SUPER",
    "UNITED",
    "ASIA",
    "GLOBAL",
    "ROYAL",
    "STAR",
    "TAN",
    "LIM",
    "WONG",
    "LEE",
    "CHONG",
    "NG",
    "KHOO",
    "ONG",
    "TEO",
    "ANG",
    "GOH",
    "LOW",
    "CHAN",
    "YAP",
    "RAJ",
    "KUMAR",
    "MUTHU",
    "AHMAD",
]
BUSINESS_WORDS = [
    "HARDWARE",
    "RESTAURANT",
    "MART",
    "ENGINEERING",
    "ELECTRICAL",
    "MOTOR",
    "AUTO PARTS",
    "FURNITURE",
    "BAKERY",
    "PHARMACY",
    "STATIONERY",
    "BOOKSTORE",
    "TEXTILE",
    "CONSTRUCTION",
    "LOGISTICS",
    "FOOD INDUSTRIES",
    "SEAFOOD",
    "MINI MARKET",
    "SUPERMARKET",
    "CAFE",
    "KOPITIAM",
    "CLINIC",
    "OPTICAL",
    "PRINTING",
    "TRAVEL",
    "TYRE",
    "STEEL",
    "PLASTIC",
    "TRANSPORT",
    "AIRCOND",
    "GROCERY",
    "FROZEN FOOD",
    "BEAUTY",
    "FLORIST",
    "TRADING",
    "ELECTRONICS",
    "MACHINERY",
    "BUILDING MATERIALS",
    "RESOURCES",
    "HOLDINGS",
    "SERVICES",
    "DEVELOPMENT",
    "INDUSTRIES",
    "MARKETING",
    "DISTRIBUTOR",
    "AGENCY",
    "CATERING",
    "LAUNDRY",
    "GARAGE",
    "PAINT",
    "TILES",
    "FISHERY",
    "POULTRY",
    "RICE",
]
# (legal form, share); "" is a name written without one.
LEGAL_FORMS = (
    ("SDN BHD", 0.55),
    ("ENTERPRISE", 0.18),
    ("TRADING", 0.08),
    ("PLT", 0.04),
    ("PTE LTD", 0.05),
    ("LTD", 0.03),
    ("& CO", 0.02),
    ("", 0.05),
)
# (city, state, first postcode, last postcode)
CITIES = (
    ("KUALA LUMPUR", "WILAYAH PERSEKUTUAN", 50000, 60000),
    ("PETALING JAYA", "SELANGOR", 46000, 47400),
    ("SHAH ALAM", "SELANGOR", 40000, 40470),
    ("KLANG", "SELANGOR", 41000, 41300),
    ("SUBANG JAYA", "SELANGOR", 47500, 47650),
    ("PUCHONG", "SELANGOR", 47100, 47190),
    ("SERI KEMBANGAN", "SELANGOR", 43300, 43300),
    ("CHERAS", "SELANGOR", 43200, 43200),
    ("JOHOR BAHRU", "JOHOR", 80000, 81300),
    ("BATU PAHAT", "JOHOR", 83000, 83100),
    ("IPOH", "PERAK", 30000, 31650),
    ("GEORGE TOWN", "PULAU PINANG", 10000, 11000),
    ("BUTTERWORTH", "PULAU PINANG", 12000, 13000),
    ("MELAKA", "MELAKA", 75000, 75450),
    ("SEREMBAN", "NEGERI SEMBILAN", 70000, 70450),
    ("KUANTAN", "PAHANG", 25000, 26100),
    ("ALOR SETAR", "KEDAH", 5000, 5400),
    ("KOTA BHARU", "KELANTAN", 15000, 16100),
    ("KUALA TERENGGANU", "TERENGGANU", 20000, 21300),
    ("KUCHING", "SARAWAK", 93000, 93350),
    ("KOTA KINABALU", "SABAH", 88000, 88450),
)
STREET_WORDS = ["JALAN", "JLN", "LORONG", "PERSIARAN", "LEBUH"]
CURRENCIES = (("MYR", 0.92), ("SGD", 0.04), ("USD", 0.025), ("THB", 0.008), ("EUR", 0.007))
STATUSES = (("open", 0.65), ("partial", 0.10), ("paid", 0.25))
# Syllables of made-up proper names: enough for ~10^5 distinct names with realistic overlap.
SYLLABLES = [
    "KA",
    "LA",
    "MA",
    "SA",
    "TA",
    "RI",
    "JA",
    "YA",
    "NA",
    "DA",
    "WI",
    "SU",
    "MU",
    "RA",
    "BU",
    "HA",
    "LI",
    "NI",
    "TI",
    "SE",
    "KE",
    "PE",
    "DE",
    "ME",
    "NE",
    "GA",
    "PA",
    "BA",
    "RO",
    "LO",
    "SO",
    "KO",
    "TO",
    "NO",
    "CHE",
    "HU",
    "WAN",
    "ZA",
    "FI",
]
ENDINGS = ("", "", "N", "R", "NG", "H", "K", "S", "T")


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([w for w, _ in weighted], [p for _, p in weighted])[0]


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(syllables)) + rng.choice(ENDINGS)


@dataclass
class _Company:
    customer_id: str
    name: str
    address: str
    tax_id: str
    email: str
    phone: str


def _address(rng: random.Random, city: tuple[str, str, int, int]) -> str:
    name, state, low, high = city
    postcode = rng.randint(low, high)
    street = f"{rng.choice(STREET_WORDS)} {_word(rng, 2)} {rng.randint(1, 30)}"
    parts = [f"NO {rng.randint(1, 300)}", street]
    if rng.random() < 0.6:
        parts.append(f"TAMAN {_word(rng, rng.choice((2, 3)))}")
    parts.append(f"{postcode:05d} {name}")
    if rng.random() < 0.5:
        parts.append(state)
    return ", ".join(parts)


def _contacts(rng: random.Random, words: str) -> tuple[str, str, str]:
    """(tax id, email, phone) for a company called ``words``."""
    r = rng.random()
    if r < 0.45:
        tax_id = f"{rng.randint(100000, 1499999)}-{rng.choice(string.ascii_uppercase)}"
    elif r < 0.8:
        tax_id = f"{rng.randint(2000, 2025)}01{rng.randint(0, 99999999):08d}"
    else:
        tax_id = ""
    r = rng.random()
    domain = "".join(ch for ch in words.lower() if ch.isalnum())[:20]
    if r < 0.55:
        email = f"{rng.choice(('accounts', 'ap', 'admin', 'finance'))}@{domain}.com.my"
    elif r < 0.75:
        email = f"{domain}{rng.randint(1, 99)}@{rng.choice(('gmail.com', 'yahoo.com'))}"
    else:
        email = ""
    r = rng.random()
    if r < 0.5:
        phone = f"+60 3-{rng.randint(2000, 9999)} {rng.randint(1000, 9999)}"
    elif r < 0.85:
        phone = f"01{rng.randint(0, 9)}-{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
    else:
        phone = ""
    return tax_id, email, phone


def _base_name(rng: random.Random) -> str:
    """The words of a company name before its legal form."""
    r = rng.random()
    business = rng.choice(BUSINESS_WORDS)
    if r < 0.35:
        return f"{rng.choice(COMMON_WORDS)} {_word(rng, 2)} {business}"
    if r < 0.6:
        return f"{_word(rng, 2)} {rng.choice(COMMON_WORDS)} {business}"
    if r < 0.85:
        return f"{_word(rng, rng.choice((2, 3)))} {business}"
    return f"{rng.choice(COMMON_WORDS)} {_word(rng, 2)} {_word(rng, 2)} {business}"


def _styled(rng: random.Random, name: str) -> str:
    # Accounting systems hold names in upper case, mostly; some were typed in title case.
    if rng.random() < 0.25:
        return name.title()  # "(KUALA LUMPUR)" -> "(Kuala Lumpur)"
    return name


def generate_customers(n: int, rng: random.Random) -> list[_Company]:
    """``n`` customers; about 15% are branches of a brand, 6% share a name under another form."""
    companies: list[_Company] = []
    names: set[str] = set()

    def add(name: str, address: str, contacts: tuple[str, str, str]) -> bool:
        if name.upper() in names or len(companies) >= n:
            return False
        names.add(name.upper())
        cid = f"C{len(companies) + 1:07d}"
        companies.append(_Company(cid, _styled(rng, name), address, *contacts))
        return True

    while len(companies) < n:
        r = rng.random()
        if r < 0.03:
            # A brand with branches: same words, same mail domain, a city in brackets.
            brand = rng.choice(
                (f"{_word(rng, 2)} {_word(rng, 2)}", f"MR {_word(rng, 2)}", _word(rng, 3))
            )
            business = rng.choice(BUSINESS_WORDS) if rng.random() < 0.5 else ""
            legal = rng.choice(("SDN BHD", "SDN BHD", "ENTERPRISE"))
            tax_id, email, _ = _contacts(rng, brand)
            for city in rng.sample(CITIES, rng.randint(2, 9)):
                branch = city[0].title() if rng.random() < 0.3 else city[0]
                name = " ".join(x for x in (brand, business, f"({branch})", legal) if x)
                phone = _contacts(rng, brand)[2]
                # Branches are separate companies with their own registration numbers.
                branch_tax = _contacts(rng, brand)[0] if tax_id else ""
                add(name, _address(rng, city), (branch_tax, email, phone))
        else:
            base = _base_name(rng)
            legal = _pick(rng, LEGAL_FORMS)
            name = f"{base} {legal}".strip()
            if not add(name, _address(rng, rng.choice(CITIES)), _contacts(rng, base)):
                continue
            if rng.random() < 0.06:
                # The same words under another legal form: a different company.
                other = rng.choice([f for f, _ in LEGAL_FORMS if f and f != legal])
                add(f"{base} {other}", _address(rng, rng.choice(CITIES)), _contacts(rng, base))
    return companies


def write_ledger(folder: Path, n_customers: int, n_bills: int, seed: int) -> tuple[Path, Path]:
    rng = random.Random(seed)
    companies = generate_customers(n_customers, rng)
    customers = folder / "customers.csv"
    pd.DataFrame(
        [(c.customer_id, c.name, c.address, c.tax_id, c.email, c.phone) for c in companies],
        columns=list(CUSTOMER_COLUMNS),
    ).to_csv(customers, index=False)

    np_rng = np.random.default_rng(seed)
    # Bills per customer are skewed: most have a few, some wholesalers have hundreds.
    weights = np_rng.lognormal(0.0, 1.2, len(companies))
    owner = np_rng.choice(len(companies), size=n_bills, p=weights / weights.sum())
    owner.sort(kind="stable")  # an export lists bills by customer
    start = date(2025, 1, 1).toordinal()
    issue = start + np_rng.integers(0, 670, n_bills)
    term = np_rng.choice([30, 30, 30, 60, 14, -1], n_bills)  # -1: no due date
    amount = np.round(np_rng.lognormal(5.0, 1.3, n_bills), 2).clip(1.0, 250000.0)
    status = np_rng.choice([s for s, _ in STATUSES], n_bills, p=[p for _, p in STATUSES])
    # Old bills are mostly settled.
    old = issue < start + 300
    status = np.where(old & (np_rng.random(n_bills) < 0.6), "paid", status)
    currency = np_rng.choice([c for c, _ in CURRENCIES], n_bills, p=[p for _, p in CURRENCIES])
    ids = np.array([c.customer_id for c in companies])[owner]
    ref_kind = np_rng.random(n_bills)
    seq = np.arange(1, n_bills + 1)
    prefixes = np.array(["CS", "INV", "SI", "IV", "BL", "TR"])[np_rng.integers(0, 6, n_bills)]
    rand6 = np_rng.integers(0, 1_000_000, n_bills)
    issue_dates = [date.fromordinal(int(d)) for d in issue]
    references = [
        # Unique invoice numbers, short till numbers that repeat across shops, or none.
        f"INV-{d.year}-{s:07d}" if k < 0.5 else (f"{p}-{r:06d}" if k < 0.85 else "")
        for d, s, p, r, k in zip(issue_dates, seq, prefixes, rand6, ref_kind, strict=True)
    ]
    bills = folder / "bills.csv"
    pd.DataFrame(
        {
            "bill_id": [f"B{i:08d}" for i in seq],
            "customer_id": ids,
            "reference": references,
            "issue_date": [d.isoformat() for d in issue_dates],
            "due_date": [
                (d + timedelta(days=int(t))).isoformat() if t > 0 else ""
                for d, t in zip(issue_dates, term, strict=True)
            ],
            "currency": currency,
            "amount": [f"{a:.2f}" for a in amount],
            "status": status,
        },
        columns=list(BILL_COLUMNS),
    ).to_csv(bills, index=False)
    return customers, bills


# --- query documents ---------------------------------------------------------------------


@dataclass(frozen=True)
class QueryDoc:
    fields: dict[str, FieldValue]
    customer_id: str | None  # the intended answer; None for a company not in the ledger
    bill_id: str | None
    noise: str


def _drop_letter(rng: random.Random, s: str) -> str:
    letters = [i for i, ch in enumerate(s) if ch.isalpha()]
    i = rng.choice(letters)
    return s[:i] + s[i + 1 :]


def _swap_letters(rng: random.Random, s: str) -> str:
    pairs = [i for i in range(len(s) - 1) if s[i].isalpha() and s[i + 1].isalpha()]
    i = rng.choice(pairs)
    return s[:i] + s[i + 1] + s[i] + s[i + 2 :]


def _no_legal_form(_rng: random.Random, s: str) -> str:
    for form in sorted((f for f, _ in LEGAL_FORMS if f), key=len, reverse=True):
        for written in (form, form.title()):
            if s.endswith(" " + written):
                return s[: -len(written) - 1]
    return s


def _o_as_zero(rng: random.Random, s: str) -> str:
    spots = [i for i, ch in enumerate(s) if ch in "Oo"]
    if not spots:
        return _drop_letter(rng, s)
    i = rng.choice(spots)
    return s[:i] + "0" + s[i + 1 :]


NOISES: dict[str, Callable[[random.Random, str], str]] = {
    "clean": lambda _rng, s: s,
    "dropped letter": _drop_letter,
    "swapped letters": _swap_letters,
    "no legal form": _no_legal_form,
    "O read as 0": _o_as_zero,
}


def _fv(value: str, confidence: float = 0.9) -> FieldValue:
    return FieldValue(value, confidence)


def build_docs(db: Database, n: int, unknown_share: float, seed: int) -> list[QueryDoc]:
    rng = random.Random(seed + 1)
    with db.session() as s:
        ids = list(s.scalars(select(Customer.customer_id).order_by(Customer.customer_id)))
        names = {n.upper() for n in s.scalars(select(Customer.name))}
        ledger = SqlLedger(s)
        docs: list[QueryDoc] = []
        n_unknown = round(n * unknown_share)
        while len(docs) < n - n_unknown:
            customer = ledger.customers([rng.choice(ids)])[0]
            bills = [b for b in ledger.open_bills([customer.customer_id]) if b.is_open]
            if not bills:
                continue
            docs.append(_known_doc(rng, customer, rng.choice(bills)))
    while len(docs) < n:
        docs.append(_unknown_doc(rng, names))
    rng.shuffle(docs)
    return docs


def _known_doc(rng: random.Random, customer: CustomerRecord, bill: BillRecord) -> QueryDoc:
    noise = rng.choices(list(NOISES), [0.3, 0.25, 0.15, 0.2, 0.1])[0]
    name = NOISES[noise](rng, customer.name.upper() if rng.random() < 0.7 else customer.name)
    fields = {"vendor_name": _fv(name, 0.85 if noise == "clean" else 0.7)}
    if customer.address and rng.random() < 0.7:
        address = customer.address.replace(",", "") if rng.random() < 0.4 else customer.address
        if rng.random() < 0.3:
            address = _drop_letter(rng, address)
        fields["vendor_address"] = _fv(address, 0.75)
    fields["total_amount"] = _fv(f"{bill.amount_remaining:.2f}", 0.95)
    if bill.issue_date and rng.random() < 0.95:
        when = bill.issue_date + timedelta(days=rng.randint(0, 20))
        fields["document_date"] = _fv(when.isoformat(), 0.95)
    if bill.currency and rng.random() < 0.85:
        fields["currency"] = _fv(bill.currency, 0.9)
    return QueryDoc(fields, customer.customer_id, bill.bill_id, noise)


def _unknown_doc(rng: random.Random, names: set[str]) -> QueryDoc:
    while True:
        # Built like the ledger's names (common words, business words), but a new company.
        name = f"{_base_name(rng)} {_pick(rng, LEGAL_FORMS)}".strip()
        if name.upper() not in names:
            break
    when = date(2025, 1, 1) + timedelta(days=rng.randint(0, 670))
    fields = {
        "vendor_name": _fv(name, 0.85),
        "vendor_address": _fv(_address(rng, rng.choice(CITIES)), 0.75),
        "total_amount": _fv(f"{rng.lognormvariate(5.0, 1.3):.2f}", 0.95),
        "document_date": _fv(when.isoformat(), 0.95),
        "currency": _fv("MYR", 0.9),
    }
    return QueryDoc(fields, None, None, "not in ledger")


# --- timing ------------------------------------------------------------------------------


class TimedLedger(SqlLedger):
    """``SqlLedger`` that adds each call's time to ``calls[method]``."""

    def __init__(self, session: Any, calls: dict[str, list[float]]) -> None:
        super().__init__(session)
        self.calls = calls

    def _timed(self, name: str, fn: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return fn(*args)
        finally:
            self.calls[name].append(time.perf_counter() - started)

    def key_counts(self, keys: Sequence[str]) -> dict[str, int]:
        return self._timed("key_counts", super().key_counts, keys)  # type: ignore[no-any-return]

    def customers_by_keys(self, keys: Sequence[str], limit: int) -> list[CustomerRecord]:
        return self._timed("customers_by_keys", super().customers_by_keys, keys, limit)  # type: ignore[no-any-return]

    def open_bills(self, customer_ids: Sequence[str]) -> list[BillRecord]:
        return self._timed("open_bills", super().open_bills, customer_ids)  # type: ignore[no-any-return]

    def bills_by_reference(self, reference_key: str) -> list[BillRecord]:
        return self._timed("bills_by_reference", super().bills_by_reference, reference_key)  # type: ignore[no-any-return]

    def customers(self, customer_ids: Sequence[str]) -> list[CustomerRecord]:
        return self._timed("customers", super().customers, customer_ids)  # type: ignore[no-any-return]


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def _p95(values: Sequence[float]) -> float:
    return float(np.percentile(values, 95)) if values else 0.0


def import_into(db: Database, customers: Path, bills: Path, refresh: bool) -> None:
    """Import in one session and print seconds and rows per second of each step."""
    started = time.perf_counter()
    with db.session() as s:
        # The refresh that import_ledger would run after the commit is timed apart below.
        report = import_ledger(s, customers, None, refresh=False)
        t_customers = time.perf_counter() - started
        report_b = import_ledger(s, None, bills, refresh=False)
        t_bills = time.perf_counter() - started - t_customers
    t_commit = time.perf_counter() - started - t_customers - t_bills
    t_refresh = 0.0
    if refresh:
        refresh_statistics(db.url)
        t_refresh = time.perf_counter() - started - t_customers - t_bills - t_commit
    total = time.perf_counter() - started
    errors = report.errors + report_b.errors
    n_c, n_b = report.inserted["customers"], report_b.inserted["bills"]
    print(f"  inserted {n_c} customers, {n_b} bills; {len(errors)} bad rows")
    for e in errors[:5]:
        print(f"    {e}")
    print(f"  customers {t_customers:7.1f} s  ({n_c / t_customers:,.0f} rows/s, with their keys)")
    print(f"  bills     {t_bills:7.1f} s  ({n_b / t_bills:,.0f} rows/s)")
    print(f"  commit    {t_commit:7.1f} s")
    print(f"  refresh   {t_refresh:7.1f} s  (refresh_statistics{'' if refresh else ': skipped'})")
    print(f"  total     {total:7.1f} s  ({(n_c + n_b) / total:,.0f} rows/s)")


def run_matching(db: Database, docs: Sequence[QueryDoc], warmup: int = 20) -> dict[str, Any]:
    threshold = 0.85  # DOCINTAKE_MATCH_CONFIDENCE_THRESHOLD's default
    calls: dict[str, list[float]] = defaultdict(list)
    for doc in docs[:warmup]:  # connection pool, statement caches, the first pages read
        with db.session() as s:
            matcher.match_document(doc.fields, SqlLedger(s), None, DocumentType.RECEIPT)
    # The harness's own objects (the query documents, a million generated rows' leftovers)
    # would make the collector's full passes slow; matching in the pipeline does not carry them.
    gc.collect()
    gc.freeze()
    latencies = []
    counts: dict[str, int] = defaultdict(int)
    by_noise: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for doc in docs:
        started = time.perf_counter()
        with db.session() as s:
            result = matcher.match_document(
                doc.fields, TimedLedger(s, calls), None, DocumentType.RECEIPT
            )
        latencies.append(time.perf_counter() - started)
        accepted = result.bill_id is not None and result.confidence >= threshold
        if doc.customer_id is None:
            counts["unknown"] += 1
            counts["unknown: no customer"] += result.customer_id is None
            counts["unknown: not auto-accepted"] += not accepted
            continue
        counts["known"] += 1
        right_customer = result.customer_id == doc.customer_id
        right_bill = right_customer and result.bill_id == doc.bill_id
        counts["known: right customer"] += right_customer
        counts["known: right bill"] += right_bill
        counts["known: auto-accepted right"] += accepted and right_bill
        counts["known: auto-accepted wrong"] += accepted and not right_bill
        counts["known: wrong customer"] += result.customer_id not in (None, doc.customer_id)
        by_noise[doc.noise][0] += 1
        by_noise[doc.noise][1] += right_bill
    per_doc = len(docs)
    print(
        f"  latency per document: median {_ms(statistics.median(latencies))}, "
        f"p95 {_ms(_p95(latencies))}, max {_ms(max(latencies))} ({per_doc} documents)"
    )
    for name, times in sorted(calls.items()):
        print(
            f"    {name:<19} {len(times) / per_doc:4.1f} calls/doc, "
            f"median {_ms(statistics.median(times))}, p95 {_ms(_p95(times))}, max {_ms(max(times))}"
        )
    known, unknown = counts["known"], counts["unknown"]
    print(
        f"  known companies ({known}): right customer {counts['known: right customer']}, "
        f"right bill {counts['known: right bill']}, auto-accepted right "
        f"{counts['known: auto-accepted right']}, auto-accepted wrong "
        f"{counts['known: auto-accepted wrong']}, wrong customer {counts['known: wrong customer']}"
    )
    print(
        "    right bill by noise: "
        + ", ".join(f"{k} {v[1]}/{v[0]}" for k, v in sorted(by_noise.items()))
    )
    print(
        f"  companies not in the ledger ({unknown}): no customer suggested "
        f"{counts['unknown: no customer']}, "
        f"not auto-accepted {counts['unknown: not auto-accepted']}"
    )
    return {"latencies": latencies, "counts": dict(counts), "calls": dict(calls)}


def _prepare_postgres(url: str, reset: bool) -> None:
    engine = create_engine(url)
    try:
        try:
            engine.connect().close()
        except OperationalError as e:
            sys.exit(f"Cannot connect to PostgreSQL at {engine.url!r}: {e.orig}")
        with engine.begin() as conn:
            if reset:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
                return
            has_table = conn.execute(text("SELECT to_regclass('public.customers')")).scalar()
            if has_table and conn.execute(text("SELECT count(*) FROM customers")).scalar():
                sys.exit(
                    "The PostgreSQL database already holds customers; "
                    "give --reset-postgres to drop its public schema first."
                )
    finally:
        engine.dispose()


def _count(db: Database, what: Any) -> int:
    with db.session() as s:
        return int(s.scalar(select(func.count()).select_from(what)) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--bills", type=int, default=1_000_000)
    parser.add_argument("--docs", type=int, default=500)
    parser.add_argument("--unknown-share", type=float, default=0.15)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, help="where the CSV files (and SQLite file) go")
    parser.add_argument("--reuse", action="store_true", help="keep CSV files already in --dir")
    parser.add_argument(
        "--postgres-url", default=os.environ.get("DOCINTAKE_TEST_POSTGRES_URL"), help="also"
    )
    parser.add_argument("--reset-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="match right after the import, before refresh_statistics (PostgreSQL: slower)",
    )
    parser.add_argument(
        "--no-import", action="store_true", help="match against the databases of an earlier run"
    )
    args = parser.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="docintake-scale-")
    folder: Path = args.dir or Path(tmp.name)
    folder.mkdir(parents=True, exist_ok=True)
    customers, bills = folder / "customers.csv", folder / "bills.csv"
    if not ((args.reuse or args.no_import) and customers.is_file() and bills.is_file()):
        started = time.perf_counter()
        customers, bills = write_ledger(folder, args.customers, args.bills, args.seed)
        print(
            f"generated {args.customers} customers, {args.bills} bills in "
            f"{time.perf_counter() - started:.1f} s ({folder})"
        )

    targets: list[tuple[str, str]] = []
    if not args.skip_sqlite:
        sqlite_file = folder / "scale.db"
        for suffix in ("", "-wal", "-shm"):
            if not args.no_import:
                Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        targets.append(("SQLite", f"sqlite:///{sqlite_file}"))
    if args.postgres_url:
        if not args.no_import:
            _prepare_postgres(args.postgres_url, args.reset_postgres)
        targets.append(("PostgreSQL", args.postgres_url))

    docs: list[QueryDoc] = []
    for label, url in targets:
        print(f"\n{label}")
        db = Database(url)
        if not args.no_import:
            import_into(db, customers, bills, refresh=not args.no_refresh)
        print(f"  {_count(db, CustomerKey)} blocking keys")
        if not docs:
            docs = build_docs(db, args.docs, args.unknown_share, args.seed)
        run_matching(db, docs)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
