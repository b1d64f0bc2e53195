"""Get text with word positions out of any supported file: the image or PDF route."""

from __future__ import annotations

from dataclasses import dataclass

from docintake.domain import DocumentText, FileKind, Page, SourceFile
from extractors import images, pdftext, tesseract


@dataclass(frozen=True)
class ReadOptions:
    languages: str = "eng"
    ocr_timeout: float = 120.0
    pdf_dpi: int = 300
    max_pixels: int = 100_000_000
    max_pages: int = 50


def read_document(src: SourceFile, opts: ReadOptions) -> DocumentText:
    if src.kind is FileKind.PDF:
        return _read_pdf(src, opts)
    pages = []
    frames = images.load_pages(src.path, opts.max_pixels, opts.max_pages)
    for number, frame in enumerate(frames, start=1):
        pages.append(_ocr(images.to_gray(frame), number, opts))
    return DocumentText(pages=tuple(pages), engine=f"tesseract {tesseract.version()}")


def _ocr(gray: images.GrayImage, number: int, opts: ReadOptions) -> Page:
    return tesseract.ocr_page(
        images.clean_for_ocr(gray),
        number=number,
        languages=opts.languages,
        timeout=opts.ocr_timeout,
    )


def _read_pdf(src: SourceFile, opts: ReadOptions) -> DocumentText:
    pages: list[Page] = []
    used_ocr = False
    with pdftext.open_pdf(src.path, opts.max_pages) as pdf_pages:
        for p in pdf_pages:
            if p.text_page is not None:
                pages.append(p.text_page)
                continue
            width_px = int(p.width_pt * opts.pdf_dpi / 72)
            height_px = int(p.height_pt * opts.pdf_dpi / 72)
            images.check_pixels(
                width_px, height_px, opts.max_pixels, f"{src.path.name} page {p.number}"
            )
            pages.append(_ocr(images.to_gray(pdftext.render(p, opts.pdf_dpi)), p.number, opts))
            used_ocr = True
    engine = "pdf-text"
    if used_ocr:
        engine = f"pdf-text+tesseract {tesseract.version()}"
    return DocumentText(pages=tuple(pages), engine=engine)
