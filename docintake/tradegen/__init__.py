"""Realistic trade documents (单证) with their truth, for tests, samples and evaluation.

``generate`` writes, per shipment, a commercial invoice, a packing list, a bill of lading or
air waybill and (mostly) a customs declaration that share their references, each as
``NAME.pdf`` (real text layer), ``NAME-scan.png`` (scan-like) and ``NAME.json`` /
``NAME-scan.json`` (truth in docintake's field names), plus ``manifest.json`` describing the
shipments and any disagreement injected on purpose.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from docintake.domain import DocumentType
from docintake.exceptions import SetupError
from docintake.tradegen import data
from docintake.tradegen.common import Layout, Truth
from docintake.tradegen.layouts_commercial import INVOICE_LAYOUTS, PACKING_LAYOUTS
from docintake.tradegen.layouts_customs import CUSTOMS_LAYOUTS
from docintake.tradegen.layouts_transport import TRANSPORT_LAYOUTS
from docintake.tradegen.render import register_cjk_font
from docintake.tradegen.scan import scan

__all__ = ["GENERATOR_VERSION", "Disagreement", "generate"]

GENERATOR_VERSION = 1
CUSTOMS_SHARE = 0.8  # shipments that come with a customs declaration
DISAGREEMENT_SHARE = 0.25  # shipments with one deliberate disagreement

# File stem suffix per document type.
SLUGS = {
    DocumentType.COMMERCIAL_INVOICE: "commercial-invoice",
    DocumentType.PACKING_LIST: "packing-list",
    DocumentType.BILL_OF_LADING: "bill-of-lading",
    DocumentType.CUSTOMS: "customs-declaration",
}


@dataclass(frozen=True)
class Disagreement:
    """One document of a shipment says something else than the others."""

    document_type: DocumentType
    field: str
    expected: object  # what the other documents say
    printed: object  # what this document says


def _disagree(s: data.Shipment, rng: random.Random) -> tuple[data.Shipment, Disagreement]:
    """A copy of ``s`` for one document, changed in one field, and what was changed."""
    kind = rng.choice(
        ("pl_gross", "pl_net", "bl_packages", "ci_total", "bl_consignee", "bl_container")
    )
    if kind == "bl_container" and not s.containers:
        kind = "bl_packages"
    last = len(s.lines) - 1
    li = s.lines[last]
    if kind == "pl_gross":
        delta = Decimal(rng.choice((-1, 1)) * rng.randint(12, 180))
        new_gross = max(li.net_kg + Decimal("1.00"), li.gross_kg + delta)
        changed = data.with_line(s, last, gross_kg=new_gross)
        return changed, Disagreement(
            DocumentType.PACKING_LIST,
            "gross_weight_kg",
            f"{s.gross_kg:.2f}",
            f"{changed.gross_kg:.2f}",
        )
    if kind == "pl_net":
        delta = Decimal(rng.randint(5, 60))
        new_net = max(Decimal("1.00"), li.net_kg - delta)
        changed = data.with_line(s, last, net_kg=new_net)
        return changed, Disagreement(
            DocumentType.PACKING_LIST, "net_weight_kg", f"{s.net_kg:.2f}", f"{changed.net_kg:.2f}"
        )
    if kind == "bl_packages":
        changed = data.with_line(s, last, packages=li.packages + rng.randint(1, 5))
        return changed, Disagreement(
            DocumentType.BILL_OF_LADING, "packages", str(s.packages), str(changed.packages)
        )
    if kind == "ci_total":
        new_price = li.unit_price + Decimal(rng.choice(("0.05", "0.10", "0.25", "1.00")))
        changed = data.with_line(s, last, unit_price=new_price)
        return changed, Disagreement(
            DocumentType.COMMERCIAL_INVOICE,
            "total_amount",
            f"{s.total_amount:.2f}",
            f"{changed.total_amount:.2f}",
        )
    if kind == "bl_consignee":
        other = data.company(rng, s.buyer.country)
        changed = replace(s, buyer=other)
        return changed, Disagreement(
            DocumentType.BILL_OF_LADING, "consignee", s.buyer.name, other.name
        )
    k = s.containers[0]
    body = k.number[:4] + f"{(int(k.number[4:10]) + rng.randint(1, 9)) % 1_000_000:06d}"
    from stdnum import iso6346

    wrong = replace(k, number=body + iso6346.calc_check_digit(body))
    changed = replace(s, containers=(wrong, *s.containers[1:]))
    return changed, Disagreement(
        DocumentType.BILL_OF_LADING, "container_numbers", k.number, wrong.number
    )


def _pick(layouts: tuple[Layout, ...], s: data.Shipment, rng: random.Random) -> Layout:
    return rng.choice([lay for lay in layouts if lay.fits(s)])


def _write_json(path: Path, obj: object) -> None:
    path.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _manifest_entry(s: data.Shipment) -> dict[str, object]:
    return {
        "shipment": s.ref,
        "direction": s.direction,
        "mode": s.mode,
        "references": {
            "invoice_number": s.invoice_number,
            "transport_document_number": s.transport_number,
            "container_numbers": [k.number for k in s.containers],
            "declaration_number": s.declaration_number,
        },
        # What every document of the shipment should agree on (before any injection).
        "expected": {
            "consignor": s.seller.name,
            "consignor_zh": s.seller.name_zh,
            "consignee": s.buyer.name,
            "consignee_zh": s.buyer.name_zh,
            "packages": str(s.packages),
            "gross_weight_kg": f"{s.gross_kg:.2f}",
            "net_weight_kg": f"{s.net_kg:.2f}",
            "total_amount": f"{s.total_amount:.2f}",
            "currency": s.currency,
            "incoterms": s.incoterm,
        },
    }


def generate(out_dir: Path, *, shipments: int, seed: int, scans: bool = True) -> list[Path]:
    """Render ``shipments`` shipments into ``out_dir``; returns the files written.

    The same seed gives the same documents, truth and images.
    """
    register_cjk_font()  # fail before writing anything when the font is missing
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise SetupError(f"Cannot create {out_dir}: {e}") from e
    rng = random.Random(seed)
    written: list[Path] = []
    manifest: list[dict[str, object]] = []
    for index in range(1, shipments + 1):
        s = data.make_shipment(rng, index)
        entry = _manifest_entry(s)
        variants: dict[DocumentType, data.Shipment] = {}
        disagreements: list[Disagreement] = []
        if rng.random() < DISAGREEMENT_SHARE:
            changed, d = _disagree(s, rng)
            variants[d.document_type] = changed
            disagreements.append(d)
        plan: list[tuple[DocumentType, tuple[Layout, ...]]] = [
            (DocumentType.COMMERCIAL_INVOICE, INVOICE_LAYOUTS),
            (DocumentType.PACKING_LIST, PACKING_LAYOUTS),
            (DocumentType.BILL_OF_LADING, TRANSPORT_LAYOUTS),
        ]
        if rng.random() < CUSTOMS_SHARE or s.direction != "other":
            plan.append((DocumentType.CUSTOMS, CUSTOMS_LAYOUTS))
        documents = []
        for doc_type, layouts in plan:
            doc_rng = random.Random(f"{seed}/{index}/{doc_type.value}")
            layout = _pick(layouts, s, doc_rng)
            stem = f"{s.ref}-{SLUGS[doc_type]}"
            pdf = out_dir / f"{stem}.pdf"
            truth: Truth = layout.draw(pdf, variants.get(doc_type, s), doc_rng)
            _write_json(out_dir / f"{stem}.json", truth)
            written += [pdf, out_dir / f"{stem}.json"]
            doc: dict[str, object] = {
                "file": pdf.name,
                "document_type": doc_type.value,
                "layout": layout.name,
                "language": layout.language,
            }
            if scans:
                png = out_dir / f"{stem}-scan.png"
                width, height = scan(pdf, png, doc_rng.randrange(2**31))
                _write_json(out_dir / f"{stem}-scan.json", truth)
                written += [png, out_dir / f"{stem}-scan.json"]
                doc["scan"] = png.name
                doc["scan_size"] = [width, height]
            documents.append(doc)
        entry["documents"] = documents
        entry["disagreements"] = [
            {
                "document": f"{s.ref}-{SLUGS[d.document_type]}",
                "document_type": d.document_type.value,
                "field": d.field,
                "expected": d.expected,
                "printed": d.printed,
            }
            for d in disagreements
        ]
        manifest.append(entry)
    path = out_dir / "manifest.json"
    _write_json(path, {"generator_version": GENERATOR_VERSION, "seed": seed, "shipments": manifest})
    written.append(path)
    return written
