"""A shipment's papers: grouping by shared references and comparing them (matching.shipments),
and finding them through the database (storage.shipments)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import select, text

from docintake.domain import DocumentType, FieldValue
from matching.shipments import (
    Reference,
    ShipmentCheck,
    ShipmentDocument,
    compare_shipment,
    references,
    same_party,
    shipment_groups,
)
from storage.db import MIGRATIONS, Database, get_engine
from storage.models import DocumentReference
from storage.shipments import (
    record_references,
    related_documents,
    shipment_checks,
    stored_fields,
)

CI, PL, BL, CUSTOMS = (
    DocumentType.COMMERCIAL_INVOICE,
    DocumentType.PACKING_LIST,
    DocumentType.BILL_OF_LADING,
    DocumentType.CUSTOMS,
)


def fields(**values: Any) -> dict[str, FieldValue]:
    return {k: FieldValue(tuple(v) if isinstance(v, list) else v, 0.9) for k, v in values.items()}


def invoice(**over: Any) -> ShipmentDocument:
    values = {
        "document_number": "INV-2026-0415",
        "document_date": "2026-10-02",
        "consignee": "Hamburger Handelskontor GmbH",
        "total_amount": "48250.00",
        "currency": "USD",
        "incoterms": "FOB",
        "packages": "120",
        "gross_weight_kg": "2450.0",
        "net_weight_kg": "2210.0",
        **over,
    }
    return ShipmentDocument("ci.pdf", CI, fields(**values), name="ci.pdf")


def packing_list(**over: Any) -> ShipmentDocument:
    values = {
        "document_number": "INV-2026-0415",
        "document_date": "2026-10-02",
        "consignee": "HAMBURGER HANDELSKONTOR G.M.B.H.",
        "packages": "120",
        "gross_weight_kg": "2450",
        "net_weight_kg": "2210",
        "container_numbers": ["MSCU1234566"],
        **over,
    }
    return ShipmentDocument("pl.pdf", PL, fields(**values), name="pl.pdf")


def lading(**over: Any) -> ShipmentDocument:
    values = {
        "transport_document_number": "MEDUSH123456",
        "document_date": "2026-10-09",
        "consignee": "Hamburger Handelskontor GmbH, Grosse Elbstrasse 14, Hamburg",
        "packages": "120",
        "gross_weight_kg": "2455",
        "container_numbers": ["MSCU 123456-6"],
        **over,
    }
    return ShipmentDocument("bl.pdf", BL, fields(**values), name="bl.pdf")


def declaration(**over: Any) -> ShipmentDocument:
    values = {
        "declaration_number": "223320261000123456",
        "document_date": "2026-10-06",
        "transport_document_number": "MEDUSH123456",
        "consignee": "Hamburger Handelskontor",
        "total_amount": "48250.00",
        "currency": "USD",
        "incoterms": "FOB",
        "packages": "120",
        "gross_weight_kg": "2450",
        "net_weight_kg": "2210",
        **over,
    }
    return ShipmentDocument("cd.pdf", CUSTOMS, fields(**values), name="cd.pdf")


def by_rule(checks) -> dict[str, Any]:
    return {c.rule: c for c in checks}


# --- references and groups --------------------------------------------------------------


def test_references_by_kind_normalised() -> None:
    refs = references(PL, packing_list().fields)
    assert Reference("invoice_number", "INV20260415") in refs
    assert Reference("container", "MSCU1234566") in refs
    # A B/L's own number is the transport document number others cite.
    bl_refs = references(BL, fields(document_number="MEDU SH 123456"))
    assert bl_refs == {Reference("transport_document", "MEDUSH123456")}
    # Too short to tie documents together.
    assert references(CI, fields(document_number="17")) == set()


def test_shipment_groups_link_papers_through_each_other() -> None:
    other = invoice(document_number="INV-2026-0999", document_date="2026-10-03")
    docs = [invoice(), packing_list(), lading(), declaration(), other]
    groups = shipment_groups(docs)
    assert len(groups) == 1
    [group] = groups
    # The invoice shares its number with the packing list only, the packing list its
    # container with the B/L, the B/L its number with the declaration: one shipment.
    assert [d.id for d in group.documents] == ["ci.pdf", "pl.pdf", "bl.pdf", "cd.pdf"]
    assert Reference("container", "MSCU1234566") in group.references
    assert Reference("transport_document", "MEDUSH123456") in group.references


def test_a_reused_container_months_apart_is_another_shipment() -> None:
    later = lading(transport_document_number="MEDUSH999999", document_date="2027-06-01")
    assert shipment_groups([packing_list(), later]) == []


def test_non_trade_documents_are_not_shipment_papers() -> None:
    receipt = ShipmentDocument(
        "r.jpg", DocumentType.INVOICE, fields(purchase_order="PO-77812", document_number="X")
    )
    ci = invoice(purchase_order="PO-77812")
    assert shipment_groups([receipt, ci]) == []


# --- comparisons ------------------------------------------------------------------------


def test_consistent_shipment_passes_every_comparison() -> None:
    checks = by_rule(compare_shipment([invoice(), packing_list(), lading(), declaration()]))
    assert set(checks) == {
        "shipment_packages",
        "shipment_gross_weight_kg",
        "shipment_net_weight_kg",
        "shipment_value",
        "shipment_consignee",
        "shipment_containers",
    }
    # 2455 kg on the B/L against 2450 elsewhere is within half a percent.
    assert all(c.passed for c in checks.values()), [c.message for c in checks.values()]


def test_packages_disagreement_names_who_says_what() -> None:
    checks = by_rule(compare_shipment([packing_list(), lading(packages="102")]))
    c = checks["shipment_packages"]
    assert c.passed is False
    assert (
        c.message
        == "packages: the packing list pl.pdf says 120, the bill of lading bl.pdf says 102."
    )
    assert isinstance(c, ShipmentCheck)
    assert set(c.documents) == {"pl.pdf", "bl.pdf"}
    assert c.to_json()["documents"] == list(c.documents)


def test_weight_beyond_tolerance_is_flagged() -> None:
    checks = by_rule(compare_shipment([packing_list(), lading(gross_weight_kg="2540")]))
    c = checks["shipment_gross_weight_kg"]
    assert c.passed is False
    assert "2450 kg" in c.message and "2540 kg" in c.message


def test_two_packing_lists_under_one_bill_of_lading_are_added_up() -> None:
    first = packing_list(packages="70", gross_weight_kg="1450")
    second = ShipmentDocument(
        "pl2.pdf", PL, packing_list(packages="50", gross_weight_kg="1000").fields, name="pl2.pdf"
    )
    checks = by_rule(compare_shipment([first, second, lading(gross_weight_kg="2450")]))
    assert checks["shipment_packages"].passed is True
    assert checks["shipment_gross_weight_kg"].passed is True
    wrong = by_rule(compare_shipment([first, second, lading(packages="102")]))
    assert "the 2 packing lists together say 120" in wrong["shipment_packages"].message


def test_value_and_currency_of_invoice_against_declaration() -> None:
    value = by_rule(compare_shipment([invoice(), declaration(total_amount="42850.00")]))
    c = value["shipment_value"]
    assert c.passed is False
    assert "48250.00 USD" in c.message and "42850.00 USD" in c.message
    currency = by_rule(compare_shipment([invoice(), declaration(currency="CNY")]))
    assert currency["shipment_value"].passed is False
    assert "USD" in currency["shipment_value"].message
    assert "CNY" in currency["shipment_value"].message
    # A CIF declaration of a FOB invoice includes freight: not compared.
    cif = by_rule(compare_shipment([invoice(), declaration(incoterms="CIF", total_amount="1")]))
    assert "shipment_value" not in cif


def test_consignee_fuzzy_but_not_blind() -> None:
    assert same_party("Hamburger Handelskontor GmbH", "HAMBURGER HANDELSKONTOR G.M.B.H.")
    assert same_party("Shenzhen Bright Electronics Co., Ltd.", "SHENZHEN BRIGHT ELECTRONICS CO LTD")
    assert not same_party("Hamburger Handelskontor GmbH", "Bremer Warenhandel GmbH")
    checks = by_rule(compare_shipment([invoice(), lading(consignee="Bremer Warenhandel GmbH")]))
    c = checks["shipment_consignee"]
    assert c.passed is False and "Bremer Warenhandel GmbH" in c.message
    to_order = by_rule(compare_shipment([invoice(), lading(consignee="TO ORDER OF DEUTSCHE BANK")]))
    assert "shipment_consignee" not in to_order


def test_consignee_in_another_script_is_not_compared_by_spelling() -> None:
    # A Chinese import declaration names the consignee in Chinese, the invoice in English.
    chinese = declaration(consignee="义乌宝龙贸易有限公司")
    checks = by_rule(compare_shipment([invoice(), packing_list(), chinese]))
    c = checks["shipment_consignee"]
    assert c.passed is True
    assert "cd.pdf" not in c.documents
    other = declaration(consignee="宁波天宇实业有限公司")
    both = by_rule(compare_shipment([chinese, other]))
    assert both["shipment_consignee"].passed is False


def test_customs_declaration_cites_the_invoice_number() -> None:
    # An air shipment: no containers; the declaration names the invoice it declares.
    cd = declaration(document_number="INV-2026-0415", transport_document_number="784-81863305")
    awb = lading(
        transport_document_number="784-81863305", container_numbers=[], document_date="2026-10-05"
    )
    [group] = shipment_groups([invoice(), cd, awb])
    assert {d.id for d in group.documents} == {"ci.pdf", "cd.pdf", "bl.pdf"}


def test_container_lists_must_match() -> None:
    checks = by_rule(
        compare_shipment([packing_list(), lading(container_numbers=["MSCU1234566", "TGHU7654321"])])
    )
    c = checks["shipment_containers"]
    assert c.passed is False and "TGHU7654321" in c.message


def test_papers_citing_different_bills_of_lading() -> None:
    checks = by_rule(
        compare_shipment([lading(), declaration(transport_document_number="MEDUSH654321")])
    )
    assert checks["shipment_transport_document"].passed is False


# --- storage ----------------------------------------------------------------------------


def _store(make_document: Callable[..., int], doc: ShipmentDocument, **kw: Any) -> int:
    stored = {
        k: {
            "value": list(v.value) if isinstance(v.value, tuple) else v.value,
            "confidence": v.confidence,
        }
        for k, v in doc.fields.items()
    }
    return make_document(
        stored,
        document_type=doc.document_type.value,
        file_name=doc.name,
        customer_id=None,
        bill_id=None,
        **kw,
    )


def test_stored_fields_round_trip() -> None:
    stored = {
        "container_numbers": {"value": ["MSCU1234566"], "confidence": 0.8, "box": {}},
        "line_items": {"value": [{"description": "a", "amount": "1.00"}], "confidence": 0.5},
        "packages": {"value": "12", "confidence": 0.9},
        "broken": "not a field",
    }
    out = stored_fields(stored)
    assert out["container_numbers"] == FieldValue(("MSCU1234566",), 0.8)
    assert out["line_items"].value == ({"description": "a", "amount": "1.00"},)
    assert out["packages"] == FieldValue("12", 0.9)
    assert "broken" not in out


def test_related_documents_and_checks_through_the_table(
    db: Database, make_document: Callable[..., int]
) -> None:
    papers = {d.name: d for d in (invoice(), packing_list(), lading(packages="102"))}
    ids = {name: _store(make_document, d) for name, d in papers.items()}
    unrelated = _store(make_document, invoice(document_number="INV-2026-0999"), status="accepted")
    duplicate = _store(make_document, packing_list(), status="duplicate")
    with db.session() as s:
        for name, doc_id in ids.items():
            assert record_references(s, doc_id, papers[name].fields) > 0
        record_references(s, unrelated, invoice(document_number="INV-2026-0999").fields)
        record_references(s, duplicate, packing_list().fields)
        # Recording again replaces, never adds.
        record_references(s, ids["pl.pdf"], papers["pl.pdf"].fields)
        rows = s.scalars(
            select(DocumentReference).where(DocumentReference.document_id == ids["pl.pdf"])
        ).all()
        assert sorted((r.kind, r.value) for r in rows) == [
            ("container", "MSCU1234566"),
            ("invoice_number", "INV20260415"),
        ]
    with db.session() as s:
        related = related_documents(s, ids["ci.pdf"])
        # The B/L shares nothing with the invoice; it is found through the packing list.
        assert sorted(d.name for d in related) == ["bl.pdf", "pl.pdf"]
        assert all(d.id not in (unrelated, duplicate) for d in related)
        assert related_documents(s, unrelated) == []
        checks = by_rule(shipment_checks(s, ids["bl.pdf"]))
    c = checks["shipment_packages"]
    assert c.passed is False
    assert "the bill of lading bl.pdf says 102" in c.message
    assert set(c.documents) == set(ids.values())
    assert checks["shipment_consignee"].passed is True


_INSERT_DOCUMENT = text(
    "INSERT INTO documents (id, sha256, file_name, source_path, size_bytes, status, "
    "document_type, fields, reasons, match_reasons, error_retryable, attempts, created_at, "
    "updated_at) VALUES (:id, :sha, :name, '/nowhere', 1, :status, :type, :fields, '[]', "
    "'[]', 0, 1, '2026-10-02', '2026-10-02')"
)


def _alembic(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url)
    return cfg


def _upgrade(url: str, revision: str) -> None:
    cfg = _alembic(url)
    with get_engine(url).begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def _references(url: str) -> set[tuple[int, str, str]]:
    with get_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT document_id, kind, value FROM document_references"))
        return {(r[0], r[1], r[2]) for r in rows}


def test_migration_backfills_references_of_stored_trade_papers(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/old.db"
    packing = {
        "document_number": {"value": "INV-2026-0415", "confidence": 0.9},
        "container_numbers": {"value": ["MSCU1234566"], "confidence": 0.9},
    }
    receipt = {"purchase_order": {"value": "PO-77812", "confidence": 0.9}}
    _upgrade(url, "0005")
    # Plain SQL: the models describe the newest schema, not the one of revision 0005.
    with get_engine(url).begin() as conn:
        for doc_id, doc_type, stored, status in (
            (1, "packing_list", packing, "accepted"),
            (2, "receipt", receipt, "accepted"),
            (3, "packing_list", packing, "duplicate"),
        ):
            values = {"id": doc_id, "sha": f"sha{doc_id}", "name": f"doc{doc_id}.pdf"}
            values |= {"status": status, "type": doc_type, "fields": json.dumps(stored)}
            conn.execute(_INSERT_DOCUMENT, values)
    _upgrade(url, "0006")
    assert _references(url) == {
        (1, "invoice_number", "INV20260415"),
        (1, "container", "MSCU1234566"),
    }


def test_later_migrations_keep_references_and_approvals(tmp_path: Path) -> None:
    """A migration that rebuilds the documents table on SQLite (batch mode) must not delete
    the rows that point at documents, nor fail on them."""
    url = f"sqlite:///{tmp_path}/old.db"
    _upgrade(url, "0006")
    with get_engine(url).begin() as conn:
        values = {"id": 1, "sha": "sha1", "name": "pl.pdf", "status": "accepted"}
        conn.execute(_INSERT_DOCUMENT, values | {"type": "packing_list", "fields": "{}"})
        conn.execute(
            text(
                "INSERT INTO document_references (document_id, kind, value) "
                "VALUES (1, 'container', 'MSCU1234566')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO approvals (document_id, reviewer, created_at) "
                "VALUES (1, 'ann', '2026-10-02')"
            )
        )
    Database(url)  # the application's own migration path, to head
    assert _references(url) == {(1, "container", "MSCU1234566")}
