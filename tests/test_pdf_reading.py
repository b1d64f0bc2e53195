"""PDF text layers: a digital layer is used, an old OCR layer is judged, a bad one is re-read.

The PDFs are made here with reportlab: a digital page, scans (a page-covering image) with an
invisible (render mode 3) OCR layer of good or garbage words, and a scan without a layer. OCR
itself is replaced by a recorder: these tests are about the decision, not the engine.
"""

from __future__ import annotations

import time
from pathlib import Path

import pdfplumber
import pytest
from PIL import Image, ImageDraw
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from docintake.domain import DocumentText, Engine, FileKind, Line, Page, SourceFile, Word
from extractors import pdftext, reader
from extractors.pdftext import LayerKind, garbage_ratio, plausible_token
from extractors.recorded import text_from_json, text_to_json

WIDTH, HEIGHT = A4

INVOICE_ROWS = [
    "ACME Office Supplies Ltd",
    "Invoice No: INV-2024-0117",
    "Invoice Date: 2024-03-14",
    "Bill to: Northwind Traders",
    "Description Qty Unit price Amount",
    "Paper A4 80g 10 4.50 45.00",
    "Subtotal 45.00",
    "VAT 20% 9.00",
    "Total due 54.00 EUR",
]
GARBAGE_ROWS = [
    "remT TOSm*eoadcast A{.hBy chWJA0",
    "Urhoraalledhgflel Bry F0Bnffitl)",
    "BRSMI€.$OTT JAC Ddhs,IX753ffi4?m",
    "Sd!.Fron Tohtu0pt{,FhH*hh(E0a ph:(810)2$4tm",
    "$cchllllilq lhno P$eer P0LITIO{LlSsUe(m)fl1SI",
    "s4fl6m Bild wIu4 kOOpa~ 3jR@ qq",
]


def _scan_image() -> ImageReader:
    """A grey page image with dark bars where text would be: what a scanner delivers."""
    img = Image.new("L", (620, 877), 235)
    draw = ImageDraw.Draw(img)
    for i in range(12):
        draw.rectangle((60, 80 + 50 * i, 400 + 10 * (i % 5), 96 + 50 * i), fill=40)
    return ImageReader(img)


def _text(c: canvas.Canvas, rows: list[str], *, mode: int = 0) -> None:
    t = c.beginText(60, HEIGHT - 80)
    t.setFont("Helvetica", 11)
    t.setTextRenderMode(mode)
    for row in rows:
        t.textLine(row)
    c.drawText(t)


def _pdf(path: Path, pages: list[str]) -> Path:
    """pages: "digital", "scan+good", "scan+garbage", "scan", "background" (visible text
    drawn over a page-covering image, as letterheads are)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    for kind in pages:
        if kind == "digital":
            _text(c, INVOICE_ROWS)
        elif kind.startswith("scan"):
            c.drawImage(_scan_image(), 0, 0, width=WIDTH, height=HEIGHT)
            if kind == "scan+good":
                _text(c, INVOICE_ROWS, mode=3)
            elif kind == "scan+garbage":
                _text(c, GARBAGE_ROWS, mode=3)
        elif kind == "background":
            c.drawImage(_scan_image(), 0, 0, width=WIDTH, height=HEIGHT)
            _text(c, INVOICE_ROWS)
        c.showPage()
    c.save()
    return path


def _source(path: Path) -> SourceFile:
    return SourceFile(path=path, sha256="0" * 64, size_bytes=path.stat().st_size, kind=FileKind.PDF)


class _FakeOcr:
    """Stands in for the OCR engine: records which pages it was asked to read."""

    def __init__(self) -> None:
        self.pages: list[int] = []
        self.sizes: list[tuple[int, int]] = []

    def __call__(self, frame: Image.Image, number: int, opts: reader.ReadOptions) -> Page:
        self.pages.append(number)
        self.sizes.append(frame.size)
        word = Word("OCRED", 0.8, 10, 10, 50, 12)
        return Page(number, frame.width, frame.height, (Line((word,)),))


@pytest.fixture
def fake_ocr(monkeypatch: pytest.MonkeyPatch) -> _FakeOcr:
    fake = _FakeOcr()
    monkeypatch.setattr(reader, "_ocr", fake)
    monkeypatch.setattr(reader, "_engine_label", lambda engine: "fake-ocr 1.0")
    return fake


def _layers(path: Path) -> list[pdftext.TextLayer]:
    with pdftext.open_pdf(path, max_pages=10) as pages:
        return [p.layer for p in pages]


def test_each_kind_of_page_is_classified(tmp_path: Path) -> None:
    path = _pdf(
        tmp_path / "mixed.pdf", ["digital", "scan+good", "scan+garbage", "scan", "background"]
    )
    digital, good, garbage, bare, background = _layers(path)
    assert digital.kind is LayerKind.DIGITAL and digital.trusted
    assert good.kind is LayerKind.OCR
    assert good.image_coverage > 0.95 and good.invisible_share == 1.0
    assert good.garbage_ratio <= pdftext.MAX_OCR_GARBAGE and good.trusted
    assert garbage.kind is LayerKind.OCR
    assert garbage.garbage_ratio > 0.5 and not garbage.trusted
    assert bare.kind is LayerKind.NONE and not bare.trusted
    # Visible text painted over a full-page image is the producer's own text.
    assert background.kind is LayerKind.DIGITAL
    assert background.image_coverage > 0.95 and background.invisible_share == 0.0


def test_digital_pdf_uses_its_text_layer_without_ocr_and_fast(
    tmp_path: Path, fake_ocr: _FakeOcr
) -> None:
    path = _pdf(tmp_path / "digital.pdf", ["digital"])
    reader.read_document(_source(path), reader.ReadOptions())  # warm imports
    started = time.perf_counter()
    text = reader.read_document(_source(path), reader.ReadOptions())
    elapsed = time.perf_counter() - started
    assert elapsed < 0.2
    assert fake_ocr.pages == []
    assert text.engine == "pdf-text"
    assert "INV-2024-0117" in text.text
    assert all(w.confidence == 1.0 for line in text.lines for w in line.words)
    assert text.embedded is None


def test_garbage_ocr_layer_is_re_read(tmp_path: Path, fake_ocr: _FakeOcr) -> None:
    path = _pdf(tmp_path / "bad-scan.pdf", ["scan+garbage", "digital"])
    text = reader.read_document(_source(path), reader.ReadOptions(pdf_dpi=150))
    assert fake_ocr.pages == [1]
    # Rendered at the requested resolution: A4 at 150 dpi.
    ((width, height),) = fake_ocr.sizes
    assert abs(width - WIDTH * 150 / 72) <= 1 and abs(height - HEIGHT * 150 / 72) <= 1
    assert text.pages[0].lines[0].text == "OCRED"
    assert "INV-2024-0117" in text.text  # page 2 still from its text layer
    assert text.engine == "pdf-text+fake-ocr 1.0 (bad OCR layer re-read on 1 page)"


def test_good_ocr_layer_is_kept_with_ocr_confidence(tmp_path: Path, fake_ocr: _FakeOcr) -> None:
    path = _pdf(tmp_path / "good-scan.pdf", ["scan+good"])
    text = reader.read_document(_source(path), reader.ReadOptions())
    assert fake_ocr.pages == []
    assert "INV-2024-0117" in text.text
    assert text.engine == "pdf-text (old OCR layer kept on 1 page)"
    confidences = {w.confidence for line in text.lines for w in line.words}
    assert max(confidences) == pdftext.OCR_LAYER_CONFIDENCE < 1.0


def test_page_without_text_is_ocred(tmp_path: Path, fake_ocr: _FakeOcr) -> None:
    path = _pdf(tmp_path / "scan.pdf", ["scan", "scan+good"])
    text = reader.read_document(_source(path), reader.ReadOptions(pdf_dpi=100))
    assert fake_ocr.pages == [1]
    assert text.engine == "pdf-text+fake-ocr 1.0 (old OCR layer kept on 1 page)"


def test_combined_mode_adds_no_second_reading_when_no_ocr_ran(
    tmp_path: Path, fake_ocr: _FakeOcr
) -> None:
    path = _pdf(tmp_path / "good-scan.pdf", ["scan+good"])
    text = reader.read_document(_source(path), reader.ReadOptions(engine=Engine.COMBINED))
    assert text.second_reading is None and fake_ocr.pages == []


def test_render_gives_a_grey_page_image(tmp_path: Path) -> None:
    path = _pdf(tmp_path / "scan.pdf", ["scan"])
    with pdftext.open_pdf(path, max_pages=5) as pages:
        image = pdftext.render(pages[0], 72)
    assert image.mode == "L"
    assert abs(image.width - WIDTH) <= 1 and abs(image.height - HEIGHT) <= 1
    # The dark bars of the scan are there.
    low = image.getextrema()[0]  # (min, max) of the one band of an "L" image
    assert isinstance(low, int | float) and low < 80


@pytest.mark.parametrize(
    "token",
    [
        "Invoice",
        "INVOICE",
        "No:",
        "INV-2024-0117",
        "2024-03-14",
        "$1,234.50",
        "45.00",
        "20%",
        "McDonald",
        "18th",
        "Bill-to",
        "KCNC-TV",
        "info@acme.com",
        "(303)",
        "&",
        "a",
    ],
)
def test_plausible_tokens(token: str) -> None:
    assert plausible_token(token)


@pytest.mark.parametrize(
    "token", ["chWJA0", "A{.hBy", "BRSMI€.$OTT", "s4fl6m", "Tohtu0pt{,FhH*hh(E0a", "lhNo", "q"]
)
def test_implausible_tokens(token: str) -> None:
    assert not plausible_token(token)


def test_garbage_ratio_separates_clean_from_garbage_text() -> None:
    clean = " ".join(INVOICE_ROWS).split()
    garbage = " ".join(GARBAGE_ROWS).split()
    assert garbage_ratio(clean) == 0.0
    assert garbage_ratio(garbage) > 0.5
    assert garbage_ratio([]) == 0.0


def test_recorded_text_round_trips_word_confidences(tmp_path: Path, fake_ocr: _FakeOcr) -> None:
    path = _pdf(tmp_path / "good-scan.pdf", ["scan+good", "digital"])
    text = reader.read_document(_source(path), reader.ReadOptions())
    back = text_from_json(text_to_json(text))
    assert isinstance(back, DocumentText)
    assert back == text


def _curves_pdf(path: Path, curves: int) -> Path:
    """A digital page with text over many small vector lines (a chart, a hatched form)."""
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setLineWidth(0.2)
    for i in range(curves):
        x, y = 40 + (i * 7) % 500, 40 + (i * 13) % 700
        c.line(x, y, x + 3, y + 2)
    _text(c, INVOICE_ROWS)
    c.showPage()
    c.save()
    return path


def test_page_with_thousands_of_vector_lines_is_read_fast(
    tmp_path: Path, fake_ocr: _FakeOcr
) -> None:
    path = _curves_pdf(tmp_path / "curves.pdf", 5000)
    reader.read_document(_source(path), reader.ReadOptions())  # warm imports
    started = time.perf_counter()
    text = reader.read_document(_source(path), reader.ReadOptions())
    elapsed = time.perf_counter() - started
    assert fake_ocr.pages == []
    assert text.engine == "pdf-text"
    assert [ln.text for ln in text.pages[0].lines] == INVOICE_ROWS
    # pdfminer's layout took over a second on such pages; PDFium needs a few milliseconds.
    assert elapsed < 0.1


def _reference_words(path: Path) -> list[tuple[str, float, float]]:
    with pdfplumber.open(path) as pdf:
        return [(w["text"], w["x0"], w["top"]) for w in pdf.pages[0].extract_words()]


@pytest.mark.parametrize("rotation", [0, 90])
def test_word_positions_match_pdfplumber(tmp_path: Path, rotation: int) -> None:
    path = tmp_path / "simple.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    c.setPageRotation(rotation)
    _text(c, INVOICE_ROWS)
    c.setFont("Helvetica-Bold", 14)
    c.drawString(320, 120, "Amount payable 54.00")
    c.showPage()
    c.save()
    with pdftext.open_pdf(path, max_pages=1) as pages:
        page = pages[0].text_page
    assert page is not None
    ours = [w for ln in page.lines for w in ln.words]
    reference = _reference_words(path)
    assert sorted(w.text for w in ours) == sorted(text for text, _, _ in reference)
    for text, left, top in reference:
        word = min(
            (w for w in ours if w.text == text),
            key=lambda w: abs(w.left - left) + abs(w.top - top),
        )
        assert abs(word.left - left) <= 2 and abs(word.top - top) <= 2, (text, word, left, top)


def test_words_placed_apart_without_spaces_are_separate(tmp_path: Path) -> None:
    path = tmp_path / "apart.pdf"
    c = canvas.Canvas(str(path), pagesize=A4)
    _text(c, INVOICE_ROWS)
    c.setFont("Helvetica", 11)
    # Words placed one by one, without space characters between them, 6 pt apart.
    x = 60.0
    for word in ("Final", "amount", "due"):
        c.drawString(x, 300, word)
        x += c.stringWidth(word, "Helvetica", 11) + 6
    c.showPage()
    c.save()
    with pdftext.open_pdf(path, max_pages=1) as pages:
        page = pages[0].text_page
    assert page is not None
    assert [ln.text for ln in page.lines if ln.top > 250 and ln.top < 600] == ["Final amount due"]
