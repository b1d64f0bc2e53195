"""The trade-document generator: truth agrees with what the PDFs print, references are shared,
numbers are valid, and one seed gives the same files."""

from __future__ import annotations

import json
import random
import re
from decimal import Decimal
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image
from stdnum import iso6346

from docintake.cli import main
from docintake.domain import DocumentType
from docintake.exceptions import SetupError
from docintake.tradegen import generate
from docintake.tradegen.data import make_shipment
from docintake.tradegen.layouts_commercial import INVOICE_LAYOUTS, PACKING_LAYOUTS
from docintake.tradegen.layouts_customs import CUSTOMS_LAYOUTS, cn_export, cn_import
from docintake.tradegen.layouts_transport import TRANSPORT_LAYOUTS
from docintake.tradegen.render import register_cjk_font

SEED = 20260512
INCOTERMS = {"EXW", "FCA", "FAS", "FOB", "CFR", "CIF", "CPT", "CIP", "DAP", "DPU", "DDP"}


def _text(pdf: Path) -> str:
    with pdfplumber.open(pdf) as doc:
        return "\n".join(page.extract_text() or "" for page in doc.pages)


def _overlaps(pdf: Path) -> list[tuple[str, str]]:
    """Pairs of words printed over each other on one line: a layout bug, not realism."""
    with pdfplumber.open(pdf) as doc:
        words = doc.pages[0].extract_words(keep_blank_chars=False, use_text_flow=False)
    out = []
    for i, a in enumerate(words):
        for b in words[i + 1 :]:
            same_line = abs(a["top"] - b["top"]) < 2.5
            if same_line and min(a["x1"], b["x1"]) - max(a["x0"], b["x0"]) > 1.0:
                out.append((a["text"], b["text"]))
    return out


def _printed_forms(value: str) -> set[str]:
    """How a canonical decimal may be printed: 12345.60, 12,345.60 or 12.345,60."""
    d = Decimal(value)
    en = f"{d:,.2f}"
    return {f"{d:.2f}", en, en.replace(",", "_").replace(".", ",").replace("_", ".")}


def _truths(folder: Path) -> dict[Path, dict[str, object]]:
    return {
        pdf: json.loads(pdf.with_suffix(".json").read_text(encoding="utf-8"))
        for pdf in sorted(folder.glob("*.pdf"))
    }


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("trade")
    generate(out, shipments=8, seed=SEED, scans=False)
    return out


def _shipment_of(direction: str, mode: str | None = None) -> object:
    rng = random.Random(SEED)
    for i in range(500):
        s = make_shipment(rng, i)
        if s.direction == direction and (mode is None or s.mode == mode):
            return s
    raise AssertionError(f"no {direction} shipment in 500 draws")


def test_every_document_has_pdf_and_truth(dataset: Path) -> None:
    truths = _truths(dataset)
    types = [t["document_type"] for t in truths.values()]
    assert types.count(DocumentType.COMMERCIAL_INVOICE.value) == 8
    assert types.count(DocumentType.PACKING_LIST.value) == 8
    assert types.count(DocumentType.BILL_OF_LADING.value) == 8
    assert set(types) <= {t.value for t in DocumentType if t.is_trade}


def test_truth_values_are_printed_in_the_text_layer(dataset: Path) -> None:
    for pdf, truth in _truths(dataset).items():
        text = _text(pdf)
        flat = re.sub(r"\s+", "", text)
        assert not _overlaps(pdf), (pdf.name, _overlaps(pdf)[:5])
        for name in ("document_number", "declaration_number", "transport_document_number"):
            if name in truth:
                assert str(truth[name]) in text, (pdf.name, name)
        for number in truth.get("container_numbers", []):  # type: ignore[attr-defined]
            assert number in text, (pdf.name, number)
        for name in ("total_amount", "gross_weight_kg", "net_weight_kg"):
            if name in truth:
                forms = _printed_forms(str(truth[name]))
                assert any(f in flat for f in forms), (pdf.name, name, truth[name])
        for code in truth.get("hs_codes", []):  # type: ignore[attr-defined]
            # 8516.79.90 on some invoices, 8516799000 on others.
            assert code in flat.replace(".", ""), (pdf.name, code)
        if "packages" in truth:
            assert re.search(rf"(?<![\d.,]){truth['packages']}(?![\d])", text), pdf.name


def test_container_numbers_have_valid_check_digits(dataset: Path) -> None:
    seen = 0
    for truth in _truths(dataset).values():
        for number in truth.get("container_numbers", []):  # type: ignore[attr-defined]
            assert iso6346.is_valid(number), number
            seen += 1
    assert seen > 0


def test_line_items_sum_to_the_total_and_gross_is_at_least_net(dataset: Path) -> None:
    for pdf, truth in _truths(dataset).items():
        rows = truth.get("line_items", [])
        assert isinstance(rows, list)
        if "total_amount" in truth and rows and "amount" in rows[0]:
            total = sum(Decimal(r["amount"]) for r in rows)
            assert total == Decimal(str(truth["total_amount"])), pdf.name
            for r in rows:
                if "unit_price" in r:
                    line = Decimal(r["unit_price"]) * int(r["quantity"])
                    assert abs(line - Decimal(r["amount"])) <= Decimal("0.01"), (pdf.name, r)
        if "gross_weight_kg" in truth and "net_weight_kg" in truth:
            assert Decimal(str(truth["gross_weight_kg"])) >= Decimal(str(truth["net_weight_kg"]))
        for r in rows:
            if "gross_weight_kg" in r:
                assert Decimal(r["gross_weight_kg"]) >= Decimal(r["net_weight_kg"]), pdf.name


def test_truth_is_canonical(dataset: Path) -> None:
    for pdf, truth in _truths(dataset).items():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(truth["document_date"])), pdf.name
        for name in ("total_amount", "gross_weight_kg", "net_weight_kg"):
            if name in truth:
                assert re.fullmatch(r"\d+\.\d{2}", str(truth[name])), (pdf.name, name)
        for name in ("country_of_origin", "destination_country"):
            if name in truth:
                assert re.fullmatch(r"[A-Z]{2}", str(truth[name])), (pdf.name, name)
        if "currency" in truth:
            assert re.fullmatch(r"[A-Z]{3}", str(truth["currency"]))
        if "incoterms" in truth:
            assert truth["incoterms"] in INCOTERMS
        if "packages" in truth:
            assert str(truth["packages"]).isdigit()
        hs = truth.get("hs_codes", [])
        assert isinstance(hs, list)
        assert all(re.fullmatch(r"\d{6,10}", code) for code in hs)
        rows = truth.get("line_items", [])
        assert isinstance(rows, list)
        if hs and rows and "hs_code" in rows[0]:
            assert [r["hs_code"] for r in rows] == hs  # hs_codes are in line order


def test_documents_of_a_shipment_share_references(dataset: Path) -> None:
    manifest = json.loads((dataset / "manifest.json").read_text(encoding="utf-8"))
    assert len(manifest["shipments"]) == 8
    for shipment in manifest["shipments"]:
        refs, expected = shipment["references"], shipment["expected"]
        odd = {(d["document_type"], d["field"]): d["printed"] for d in shipment["disagreements"]}
        for doc in shipment["documents"]:
            truth = json.loads((dataset / doc["file"]).with_suffix(".json").read_text("utf-8"))
            kind = truth["document_type"]
            if "transport_document_number" in truth:
                assert truth["transport_document_number"] == refs["transport_document_number"]
            if kind != DocumentType.BILL_OF_LADING.value:
                assert truth["document_number"] == refs["invoice_number"]
            for name in ("packages", "gross_weight_kg", "net_weight_kg", "total_amount"):
                if name in truth:
                    want = odd.get((kind, name), expected[name])
                    assert truth[name] == want, (doc["file"], name)
            consignees = {expected["consignee"], expected["consignee_zh"]}
            if (kind, "consignee") in odd:
                assert truth["consignee"] == odd[(kind, "consignee")]
            else:
                assert truth["consignee"] in consignees, doc["file"]
            if "container_numbers" in truth:
                containers = list(refs["container_numbers"])
                if (kind, "container_numbers") in odd:
                    containers[0] = odd[(kind, "container_numbers")]
                assert truth["container_numbers"] == containers


def test_a_disagreement_is_recorded_and_printed(tmp_path: Path) -> None:
    generate(tmp_path, shipments=16, seed=5, scans=False)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    found = [d for s in manifest["shipments"] for d in s["disagreements"]]
    assert found, "16 shipments at a 25% rate should inject at least one disagreement"
    for d in found:
        assert d["expected"] != d["printed"]
        truth = json.loads((tmp_path / f"{d['document']}.json").read_text(encoding="utf-8"))
        value = truth[d["field"]]
        assert d["printed"] in value if isinstance(value, list) else value == d["printed"]


def test_same_seed_same_files(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    generate(a, shipments=2, seed=99, scans=False)
    generate(b, shipments=2, seed=99, scans=False)
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    generate(c := tmp_path / "c", shipments=2, seed=100, scans=False)
    assert (c / "manifest.json").read_bytes() != (a / "manifest.json").read_bytes()


def test_chinese_declarations_carry_chinese_text(tmp_path: Path) -> None:
    export = _shipment_of("export")
    truth = cn_export(tmp_path / "ex.pdf", export, random.Random(1))  # type: ignore[arg-type]
    text = _text(tmp_path / "ex.pdf")
    labels = (
        "中华人民共和国海关出口货物报关单 境内发货人 境外收货人 海关编号 运抵国 指运港 成交方式"
    )
    for label in labels.split() + ["毛重(千克)", "净重(千克)", "商品编号", "原产国"]:
        assert label in text, label
    assert str(truth["declaration_number"]) in text
    assert re.fullmatch(r"\d{18}", str(truth["declaration_number"]))
    assert str(truth["consignor"]) in text and re.search(
        r"[\u4e00-\u9fff]", str(truth["consignor"])
    )
    rows = truth["line_items"]
    assert isinstance(rows, list)
    for row in rows:
        assert row["description"] in text
    imported = _shipment_of("import")
    truth = cn_import(tmp_path / "im.pdf", imported, random.Random(1))  # type: ignore[arg-type]
    text = _text(tmp_path / "im.pdf")
    for label in ("中华人民共和国海关进口货物报关单", "境外发货人", "境内收货人", "启运国"):
        assert label in text, label
    assert str(truth["consignee"]) in text and re.search(
        r"[\u4e00-\u9fff]", str(truth["consignee"])
    )


def test_every_layout_renders_for_a_fitting_shipment(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    shipments = [make_shipment(rng, i) for i in range(60)]
    layouts = INVOICE_LAYOUTS + PACKING_LAYOUTS + TRANSPORT_LAYOUTS + CUSTOMS_LAYOUTS
    assert len(INVOICE_LAYOUTS) >= 3 and len(PACKING_LAYOUTS) >= 3
    assert len(TRANSPORT_LAYOUTS) >= 3 and len(CUSTOMS_LAYOUTS) >= 3
    for layout in layouts:
        s = next(s for s in shipments if layout.fits(s))
        pdf = tmp_path / f"{layout.name}.pdf"
        truth = layout.draw(pdf, s, random.Random(3))
        text = _text(pdf)
        assert str(truth["document_number"]) in text, layout.name
        assert not _overlaps(pdf), (layout.name, _overlaps(pdf)[:5])
        with pdfplumber.open(pdf) as doc:
            assert len(doc.pages) == 1, layout.name
            words = doc.pages[0].extract_words()
            assert all(w["x0"] >= 0 and w["x1"] <= doc.pages[0].width for w in words), layout.name


def test_scans_exist_with_their_truth_and_size(tmp_path: Path) -> None:
    files = generate(tmp_path, shipments=1, seed=SEED, scans=True)
    scans = sorted(p for p in files if p.suffix == ".png")
    assert len(scans) >= 3
    for png in scans:
        pdf = png.with_name(png.name.replace("-scan.png", ".pdf"))
        with pdfplumber.open(pdf) as doc:
            w_pt, h_pt = doc.pages[0].width, doc.pages[0].height
        with Image.open(png) as im:
            assert im.mode == "L"
            assert abs(im.width - w_pt * 150 / 72) <= 2 and abs(im.height - h_pt * 150 / 72) <= 2
        assert json.loads(png.with_suffix(".json").read_text("utf-8")) == json.loads(
            pdf.with_suffix(".json").read_text("utf-8")
        )


def test_missing_cjk_font_is_a_setup_error(tmp_path: Path) -> None:
    with pytest.raises(SetupError, match="apt-get install fonts-wqy-microhei"):
        register_cjk_font(tmp_path / "no-such-font.ttc")


def test_cli_generate_trade(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert main(["generate-trade", str(out), "--shipments", "1", "--seed", "4", "--no-scans"]) == 0
    assert (out / "manifest.json").is_file()
    assert len(list(out.glob("*.pdf"))) >= 3
    assert not list(out.glob("*.png"))


def test_samples_are_what_the_readme_command_makes(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parent.parent / "samples" / "trade"
    generate(tmp_path, shipments=1, seed=21, scans=False)
    truths = sorted(samples.glob("trade-*.json"))
    assert len(truths) == 5  # four documents and the declaration's scan
    for truth in truths:
        made = tmp_path / truth.name.replace("-scan.json", ".json")
        assert json.loads(truth.read_text("utf-8")) == json.loads(made.read_text("utf-8"))
    assert (samples / "trade-001-customs-declaration-scan.png").is_file()
