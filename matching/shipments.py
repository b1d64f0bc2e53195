"""Cross-document consistency for a shipment (pure logic, no database).

A commercial invoice, its packing list, the bill of lading and the customs declaration cite each
other: the invoice number, the B/L or AWB number, the container numbers, the declaration number,
the purchase order. Documents that share such a reference form a shipment, and their figures
must agree: packages, weights, the declared value, the consignee, the containers.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from rapidfuzz import fuzz

from docintake.domain import Check, DocumentType, FieldValue, parse_decimal
from matching.normalize import name_parts, normalize_id

# Shipment papers are written within weeks of each other; a container number (reused for
# years) or a short invoice number shared with a document a year apart is a coincidence.
SHIPMENT_WINDOW = timedelta(days=120)
# Weights are rounded differently on each paper (to the kilo on a B/L, per line on a list).
WEIGHT_TOLERANCE = Decimal("0.005")
# Consignee names at least this similar (0-100, after normalising) are the same party.
CONSIGNEE_SIMILARITY = 85.0
# Shorter references ("1", "A12") are shared by chance too often to tie documents together.
MIN_REFERENCE_LENGTH = 4

TYPE_LABELS: Mapping[DocumentType, str] = {
    DocumentType.COMMERCIAL_INVOICE: "commercial invoice",
    DocumentType.PACKING_LIST: "packing list",
    DocumentType.BILL_OF_LADING: "bill of lading",
    DocumentType.CUSTOMS: "customs declaration",
    DocumentType.INVOICE: "invoice",
    DocumentType.CREDIT_NOTE: "credit note",
    DocumentType.RECEIPT: "receipt",
    DocumentType.UNKNOWN: "document",
}
# The order sources are named in messages: the shipper's papers first, then the carrier's
# and the customs broker's.
_ORDER = (
    DocumentType.COMMERCIAL_INVOICE,
    DocumentType.PACKING_LIST,
    DocumentType.BILL_OF_LADING,
    DocumentType.CUSTOMS,
)


@dataclass(frozen=True)
class ShipmentDocument:
    id: int | str  # the stored document's id, or a file name
    document_type: DocumentType
    fields: Mapping[str, FieldValue]
    name: str = ""  # file name, for messages

    @property
    def label(self) -> str:
        kind = TYPE_LABELS[self.document_type]
        return f"{kind} {self.name}" if self.name else kind

    def text(self, field: str) -> str | None:
        fv = self.fields.get(field)
        if fv is None or not isinstance(fv.value, str) or not fv.value.strip():
            return None
        return fv.value.strip()

    def texts(self, field: str) -> tuple[str, ...]:
        fv = self.fields.get(field)
        if fv is None:
            return ()
        if isinstance(fv.value, str):
            return (fv.value,) if fv.value.strip() else ()
        return tuple(v for v in fv.value if isinstance(v, str) and v.strip())

    @property
    def document_date(self) -> date | None:
        text = self.text("document_date")
        try:
            return date.fromisoformat(text) if text else None
        except ValueError:
            return None


@dataclass(frozen=True)
class Reference:
    kind: str  # invoice_number | transport_document | container | declaration | purchase_order
    value: str  # normalised: upper case, letters and digits only


@dataclass(frozen=True)
class ShipmentGroup:
    documents: tuple[ShipmentDocument, ...]
    references: frozenset[Reference]  # the references at least two of them share


@dataclass(frozen=True)
class ShipmentCheck(Check):
    """A check across documents; ``documents`` are the ids of those that disagree (or, for a
    passing check, that were compared)."""

    documents: tuple[int | str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {**super().to_json(), "documents": list(self.documents)}


_CITES_INVOICE = frozenset(
    {DocumentType.COMMERCIAL_INVOICE, DocumentType.PACKING_LIST, DocumentType.CUSTOMS}
)


def references(document_type: DocumentType, fields: Mapping[str, FieldValue]) -> set[Reference]:
    """The references a document gives, by kind, for finding the other papers of its shipment."""
    doc = ShipmentDocument("", document_type, fields)
    found: list[tuple[str, str]] = []
    if document_type in _CITES_INVOICE:
        # A packing list carries the number of the invoice it belongs to, and a customs
        # declaration's document number is the invoice (or contract) it declares; its own
        # number is the declaration number.
        found += [("invoice_number", v) for v in doc.texts("document_number")]
    found += [("transport_document", v) for v in doc.texts("transport_document_number")]
    if document_type is DocumentType.BILL_OF_LADING:
        found += [("transport_document", v) for v in doc.texts("document_number")]
    found += [("container", v) for v in doc.texts("container_numbers")]
    found += [("declaration", v) for v in doc.texts("declaration_number")]
    found += [("purchase_order", v) for v in doc.texts("purchase_order")]
    out = set()
    for kind, value in found:
        key = normalize_id(value)
        if len(key) >= MIN_REFERENCE_LENGTH:
            out.add(Reference(kind, key))
    return out


def _close_in_time(a: ShipmentDocument, b: ShipmentDocument) -> bool:
    da, db = a.document_date, b.document_date
    return da is None or db is None or abs(da - db) <= SHIPMENT_WINDOW


def shipment_groups(docs: Iterable[ShipmentDocument]) -> list[ShipmentGroup]:
    """Trade documents linked by shared references (directly or through each other), as
    groups of two or more, in the order their first document was given."""
    trade = [d for d in docs if d.document_type.is_trade]
    refs = [references(d.document_type, d.fields) for d in trade]
    parent = list(range(len(trade)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    # Only documents that give the same reference are compared (not every pair).
    citing: dict[Reference, list[int]] = defaultdict(list)
    for i, found in enumerate(refs):
        for ref in found:
            citing[ref].append(i)
    shared: dict[int, set[Reference]] = defaultdict(set)
    for ref, indexes in citing.items():
        for n, i in enumerate(indexes):
            for j in indexes[n + 1 :]:
                if _close_in_time(trade[i], trade[j]):
                    shared[i].add(ref)
                    shared[j].add(ref)
                    parent[root(j)] = root(i)
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(trade)):
        members[root(i)].append(i)
    groups = []
    for indexes in sorted(members.values(), key=lambda ix: ix[0]):
        if len(indexes) > 1:
            groups.append(
                ShipmentGroup(
                    documents=tuple(trade[i] for i in indexes),
                    references=frozenset(r for i in indexes for r in shared[i]),
                )
            )
    return groups


# --- comparisons ------------------------------------------------------------------------


def _by_type(docs: Sequence[ShipmentDocument]) -> dict[DocumentType, list[ShipmentDocument]]:
    out: dict[DocumentType, list[ShipmentDocument]] = defaultdict(list)
    for d in docs:
        if d.document_type.is_trade:
            out[d.document_type].append(d)
    return {t: out[t] for t in _ORDER if t in out}


def _source(docs: Sequence[ShipmentDocument], verb: str = "says") -> str:
    """Who says it: "the packing list pl.pdf says", "the 2 packing lists together say"."""
    if len(docs) == 1:
        return f"the {docs[0].label} {verb}"
    kind = TYPE_LABELS[docs[0].document_type]
    kinds = (
        "bills of lading" if docs[0].document_type is DocumentType.BILL_OF_LADING else f"{kind}s"
    )
    return f"the {len(docs)} {kinds} together {verb.removesuffix('s')}"


def _plain(value: Decimal) -> str:
    return f"{value.normalize():f}"


def compare_quantity(docs: Sequence[ShipmentDocument], field: str) -> ShipmentCheck | None:
    """Packages or a weight, per kind of paper: several papers of one kind (two packing lists
    under one B/L) are added up. None when fewer than two kinds give the figure."""
    totals: list[tuple[list[ShipmentDocument], Decimal]] = []
    for group in _by_type(docs).values():
        values = [parse_decimal(d.text(field)) for d in group]
        if values and all(v is not None for v in values):
            totals.append((group, sum((v for v in values if v is not None), Decimal(0))))
    if len(totals) < 2:
        return None
    low = min(v for _, v in totals)
    high = max(v for _, v in totals)
    tolerance = Decimal(0) if field == "packages" else high * WEIGHT_TOLERANCE
    label = field.removesuffix("_kg").replace("_", " ")
    unit = "" if field == "packages" else " kg"
    ids = tuple(d.id for group, _ in totals for d in group)
    if high - low <= tolerance:
        return ShipmentCheck(
            f"shipment_{field}",
            True,
            f"{label}: the papers agree ({_plain(high)}{unit}).",
            (field,),
            ids,
        )
    says = ", ".join(f"{_source(g)} {_plain(v)}{unit}" for g, v in totals)
    return ShipmentCheck(f"shipment_{field}", False, f"{label}: {says}.", (field,), ids)


def compare_value(docs: Sequence[ShipmentDocument]) -> ShipmentCheck | None:
    """The commercial invoice's total against the customs declaration's declared value."""
    kinds = _by_type(docs)
    invoices = kinds.get(DocumentType.COMMERCIAL_INVOICE, [])
    declarations = kinds.get(DocumentType.CUSTOMS, [])
    sides = []
    for group in (invoices, declarations):
        amounts = [parse_decimal(d.text("total_amount")) for d in group]
        currencies = {d.text("currency") for d in group} - {None}
        if not group or any(a is None for a in amounts) or len(currencies) > 1:
            return None
        sides.append((group, sum((a for a in amounts if a is not None), Decimal(0)), currencies))
    (inv, inv_total, inv_cur), (dec, dec_total, dec_cur) = sides
    ids = tuple(d.id for d in (*inv, *dec))
    terms = {d.text("incoterms") for d in (*inv, *dec)} - {None}
    if len(terms) > 1:
        # A CIF declaration of a FOB invoice adds freight and insurance: not comparable.
        return None
    if inv_cur and dec_cur and inv_cur != dec_cur:
        return ShipmentCheck(
            "shipment_value",
            False,
            f"currency: {_source(inv)} {next(iter(inv_cur))}, "
            f"{_source(dec)} {next(iter(dec_cur))}.",
            ("currency", "total_amount"),
            ids,
        )
    currency = next(iter(inv_cur or dec_cur), "")
    money = f" {currency}" if currency else ""
    # Each paper rounds to the cent.
    if abs(inv_total - dec_total) <= Decimal("0.01") * len(ids):
        return ShipmentCheck(
            "shipment_value",
            True,
            f"value: the invoice and the declaration agree ({inv_total:.2f}{money}).",
            ("total_amount",),
            ids,
        )
    return ShipmentCheck(
        "shipment_value",
        False,
        f"value: {_source(inv)} {inv_total:.2f}{money}, {_source(dec)} {dec_total:.2f}{money}.",
        ("total_amount",),
        ids,
    )


def same_party(a: str, b: str) -> bool:
    """Two spellings of one company: legal forms, case, punctuation and extra words (an
    address line after the name) set aside."""
    pa, pb = name_parts(a), name_parts(b)
    wa, wb = pa.words or normalize_id(a), pb.words or normalize_id(b)
    if not wa or not wb:
        return False
    return fuzz.token_set_ratio(wa, wb) >= CONSIGNEE_SIMILARITY


def _to_order(name: str) -> bool:
    # A negotiable B/L is consigned "to order" (of a bank): it names no consignee to compare.
    return normalize_id(name).startswith("TOORDER")


_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _script(name: str) -> str:
    # A Chinese declaration names the party in Chinese, the invoice in English: two scripts
    # cannot be compared by spelling, so names are compared within one script only.
    return "cjk" if _CJK.search(name) else "latin"


def compare_consignee(docs: Sequence[ShipmentDocument]) -> ShipmentCheck | None:
    named = [
        (d, c)
        for d in docs
        if d.document_type.is_trade and (c := d.text("consignee")) is not None and not _to_order(c)
    ]
    named.sort(key=lambda dc: _ORDER.index(dc[0].document_type))
    by_script: dict[str, list[tuple[ShipmentDocument, str]]] = defaultdict(list)
    for d, c in named:
        by_script[_script(c)].append((d, c))
    compared = [group for group in by_script.values() if len(group) > 1]
    if not compared:
        return None
    ids = tuple(d.id for group in compared for d, _ in group)
    differing = []
    for (first, first_name), *others in compared:
        odd = [(d, c) for d, c in others if not same_party(first_name, c)]
        if odd:
            differing.append((first, first_name, odd))
    if not differing:
        names = "; ".join(group[0][1] for group in compared)
        return ShipmentCheck(
            "shipment_consignee",
            True,
            f"consignee: the papers name the same party ({names}).",
            ("consignee",),
            ids,
        )
    parts = []
    concerned: list[int | str] = []
    for first, first_name, odd in differing:
        says = ", ".join(f"the {d.label} says {c!r}" for d, c in odd)
        parts.append(f"the {first.label} says {first_name!r}, {says}")
        concerned += [first.id, *(d.id for d, _ in odd)]
    return ShipmentCheck(
        "shipment_consignee",
        False,
        f"consignee: {'; '.join(parts)}.",
        ("consignee",),
        tuple(concerned),
    )


def compare_containers(docs: Sequence[ShipmentDocument]) -> ShipmentCheck | None:
    """Each kind of paper that lists containers lists the same ones."""
    listed: list[tuple[list[ShipmentDocument], frozenset[str]]] = []
    for group in _by_type(docs).values():
        with_numbers = [d for d in group if d.texts("container_numbers")]
        if with_numbers:
            numbers = frozenset(
                normalize_id(n) for d in with_numbers for n in d.texts("container_numbers")
            )
            listed.append((with_numbers, numbers))
    if len(listed) < 2:
        return None
    ids = tuple(d.id for g, _ in listed for d in g)
    if len({numbers for _, numbers in listed}) == 1:
        return ShipmentCheck(
            "shipment_containers",
            True,
            f"containers: the papers list the same ({', '.join(sorted(listed[0][1]))}).",
            ("container_numbers",),
            ids,
        )
    says = "; ".join(f"{_source(g, 'lists')} {', '.join(sorted(n))}" for g, n in listed)
    return ShipmentCheck(
        "shipment_containers", False, f"containers: {says}.", ("container_numbers",), ids
    )


def compare_transport_document(docs: Sequence[ShipmentDocument]) -> ShipmentCheck | None:
    """Papers linked by an invoice or container number cite the same B/L or AWB."""
    cited = [(d, normalize_id(n)) for d in docs for n in d.texts("transport_document_number")]
    if len({n for _, n in cited}) < 2:
        return None
    says = ", ".join(f"the {d.label} cites {d.text('transport_document_number')}" for d, _ in cited)
    return ShipmentCheck(
        "shipment_transport_document",
        False,
        f"transport document: {says}.",
        ("transport_document_number",),
        tuple(dict.fromkeys(d.id for d, _ in cited)),
    )


def compare_shipment(docs: Sequence[ShipmentDocument]) -> tuple[Check, ...]:
    """Compare the papers of one shipment; each check says what disagrees and who says what.

    Only comparisons that two papers allow are returned (passing or failing).
    """
    checks = (
        compare_quantity(docs, "packages"),
        compare_quantity(docs, "gross_weight_kg"),
        compare_quantity(docs, "net_weight_kg"),
        compare_value(docs),
        compare_consignee(docs),
        compare_containers(docs),
        compare_transport_document(docs),
    )
    return tuple(c for c in checks if c is not None)
