"""Get text with word positions out of any supported file: the image or PDF route."""

from __future__ import annotations

from dataclasses import dataclass, replace

from PIL import Image

from docintake.domain import DocumentText, Engine, FileKind, Page, SourceFile
from extractors import facturx, images, pdftext, rapidocr_engine, tesseract
from extractors.pdftext import LayerKind

__all__ = ["Engine", "ReadOptions", "engine_version", "read_document"]


@dataclass(frozen=True)
class ReadOptions:
    engine: Engine = Engine.RAPIDOCR
    languages: str = "eng"
    ocr_timeout: float = 120.0
    pdf_dpi: int = 300
    max_pixels: int = 100_000_000
    max_pages: int = 50
    # ONNX threads per page for rapidocr; 0 uses every core (best for one document at a time).
    ocr_threads: int = 0


def engine_version(engine: Engine, languages: str = "eng") -> str:
    """Check that the engine(s) are installed; raises SetupError with an install hint."""
    parts = []
    if engine in (Engine.RAPIDOCR, Engine.COMBINED):
        parts.append(f"rapidocr {rapidocr_engine.version()}")
    if engine in (Engine.TESSERACT, Engine.COMBINED):
        tesseract.ensure_languages(languages)
        parts.append(f"tesseract {tesseract.version()}")
    return "+".join(parts)


def read_document(src: SourceFile, opts: ReadOptions) -> DocumentText:
    if opts.engine is Engine.COMBINED:
        first = read_document(src, replace(opts, engine=Engine.RAPIDOCR))
        if not _ran_ocr(first.engine):
            return first  # the text layer was used as it is; a second reading adds nothing
        second = read_document(src, replace(opts, engine=Engine.TESSERACT))
        return replace(
            first, engine=f"{first.engine}, checked by {second.engine}", second_reading=second
        )
    if src.kind is FileKind.PDF:
        return _read_pdf(src, opts)
    pages = []
    frames = images.load_pages(src.path, opts.max_pixels, opts.max_pages)
    for number, frame in enumerate(frames, start=1):
        pages.append(_ocr(frame, number, opts))
    return DocumentText(pages=tuple(pages), engine=_engine_label(opts.engine))


def _ran_ocr(label: str) -> bool:
    return label.startswith("pdf-text+") or not label.startswith("pdf-text")


def _engine_label(engine: Engine) -> str:
    if engine is Engine.TESSERACT:
        return f"tesseract {tesseract.version()}"
    return f"rapidocr {rapidocr_engine.version()}"


def _ocr(frame: Image.Image, number: int, opts: ReadOptions) -> Page:
    if opts.engine is Engine.TESSERACT:
        return tesseract.ocr_page(
            images.clean_for_ocr(images.to_gray(frame)),
            number=number,
            languages=opts.languages,
            timeout=opts.ocr_timeout,
        )
    return rapidocr_engine.ocr_page(
        images.prepare_for_rapidocr(frame),
        number=number,
        timeout=opts.ocr_timeout,
        threads=opts.ocr_threads,
    )


def _read_pdf(src: SourceFile, opts: ReadOptions) -> DocumentText:
    pages: list[Page] = []
    ocred = reread = kept = 0
    with pdftext.open_pdf(src.path, opts.max_pages) as pdf_pages:
        for p in pdf_pages:
            if not p.needs_ocr and p.text_page is not None:
                pages.append(p.text_page)
                kept += p.layer.kind is LayerKind.OCR
                continue
            width_px = int(p.width_pt * opts.pdf_dpi / 72)
            height_px = int(p.height_pt * opts.pdf_dpi / 72)
            images.check_pixels(
                width_px, height_px, opts.max_pixels, f"{src.path.name} page {p.number}"
            )
            pages.append(_ocr(pdftext.render(p, opts.pdf_dpi), p.number, opts))
            ocred += 1
            reread += p.layer.kind is LayerKind.OCR
    return DocumentText(
        pages=tuple(pages),
        engine=_pdf_label(opts, ocred, reread, kept),
        embedded=facturx.read_embedded(src.path),
    )


def _pdf_label(opts: ReadOptions, ocred: int, reread: int, kept: int) -> str:
    """How the PDF was read, e.g. "pdf-text+rapidocr 3.10.0 (bad OCR layer re-read on 2 pages)"."""
    label = f"pdf-text+{_engine_label(opts.engine)}" if ocred else "pdf-text"
    notes = []
    if reread:
        notes.append(f"bad OCR layer re-read on {_pages(reread)}")
    if kept:
        notes.append(f"old OCR layer kept on {_pages(kept)}")
    return f"{label} ({'; '.join(notes)})" if notes else label


def _pages(n: int) -> str:
    return "1 page" if n == 1 else f"{n} pages"
