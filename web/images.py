"""The archived original as a picture a browser shows: JPEG and PNG as they are, TIFF pages
and PDF pages (pypdfium2) as PNG."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from docintake.exceptions import NotFoundError

PDF_SCALE = 150 / 72  # 150 dpi: readable on screen, a few hundred kB a page
MAX_PAGES = 50


def file_kind(path: Path, stored: str | None) -> str:
    if stored:
        return stored
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"\x89PNG"):
        return "png"
    if head.startswith(b"\xff\xd8"):
        return "jpeg"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "tiff"
    return "unknown"


def page_count(path: Path, kind: str) -> int:
    if kind == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        try:
            return min(len(pdf), MAX_PAGES)
        finally:
            pdf.close()
    if kind == "tiff":
        with Image.open(path) as im:
            return min(getattr(im, "n_frames", 1), MAX_PAGES)
    return 1


def page_image(path: Path, kind: str, page: int) -> tuple[bytes, str]:
    """(bytes, media type) of page ``page`` (1-based)."""
    if not 1 <= page <= page_count(path, kind):
        raise NotFoundError(f"The document has no page {page}.")
    if kind in ("jpeg", "png"):
        return path.read_bytes(), f"image/{kind}"
    if kind == "pdf":
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(path)
        try:
            bitmap = pdf[page - 1].render(scale=PDF_SCALE)
            image = bitmap.to_pil()
        finally:
            pdf.close()
    elif kind == "tiff":
        with Image.open(path) as im:
            im.seek(page - 1)
            image = im.convert("RGB")
    else:
        raise NotFoundError("The original is not an image or PDF this page can show.")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue(), "image/png"
