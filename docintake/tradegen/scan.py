"""Scan-like images of rendered pages: pypdfium2 renders, OpenCV degrades (seeded)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pypdfium2 as pdfium

from docintake.exceptions import CorruptFileError, SetupError

RENDER_DPI = 200
SCAN_DPI = 150


@dataclass(frozen=True)
class ScanLook:
    """How one scan went wrong: the numbers are drawn from the seed."""

    angle: float  # degrees, ±1.5
    blur: float  # gaussian sigma at render resolution
    noise: float  # gaussian sigma in grey levels
    jpeg_quality: int
    paper: int  # grey level of blank paper
    ink: int  # grey level of solid black


def look_for(seed: int) -> ScanLook:
    rng = np.random.default_rng(seed)
    return ScanLook(
        angle=float(rng.uniform(0.3, 1.5) * rng.choice((-1, 1))),
        blur=float(rng.uniform(0.5, 1.0)),
        noise=float(rng.uniform(4.0, 9.0)),
        jpeg_quality=int(rng.integers(45, 75)),
        paper=int(rng.integers(228, 246)),
        ink=int(rng.integers(20, 55)),
    )


def render_page(pdf: Path, dpi: int = RENDER_DPI) -> np.ndarray:
    """The first page of ``pdf`` as a grey image."""
    try:
        doc = pdfium.PdfDocument(str(pdf))
        try:
            image = doc[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        finally:
            doc.close()
    except pdfium.PdfiumError as e:
        raise CorruptFileError(f"{pdf} cannot be rendered: {e}") from e
    return np.asarray(image, dtype=np.uint8)


def degrade(
    page: np.ndarray, seed: int, *, dpi: int = RENDER_DPI, out_dpi: int = SCAN_DPI
) -> np.ndarray:
    """Paper tone, sensor noise, skew, optics blur, lower resolution and JPEG loss."""
    look = look_for(seed)
    rng = np.random.default_rng(seed + 1)
    h, w = page.shape
    img: np.ndarray = page.astype(np.float32)
    img = look.ink + img * (look.paper - look.ink) / 255.0
    # Noise before blur and downsampling, as a sensor adds it: grainy but not salt-and-pepper
    # (and far smaller PNGs than noise added last).
    img = img + rng.normal(0.0, look.noise * 1.6, img.shape).astype(np.float32)
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), look.angle, 1.0)
    img = cv2.warpAffine(
        img,
        matrix,
        (w, h),
        flags=cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_CONSTANT,
        borderValue=float(look.paper),
    )
    img = cv2.GaussianBlur(img, (0, 0), look.blur)
    size = (round(w * out_dpi / dpi), round(h * out_dpi / dpi))
    img = cv2.resize(img, size, interpolation=cv2.INTER_AREA)
    out = np.clip(img, 0, 255).astype(np.uint8)
    ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, look.jpeg_quality])
    if not ok:
        raise CorruptFileError("the scan image could not be JPEG-encoded")
    decoded = cv2.imdecode(buf, cv2.IMREAD_GRAYSCALE)
    if decoded is None:
        raise CorruptFileError("the scan image could not be JPEG-decoded")
    return np.asarray(decoded, dtype=np.uint8)


def scan(pdf: Path, out: Path, seed: int) -> tuple[int, int]:
    """Write a scan-like PNG of the first page of ``pdf``; returns (width, height) in px."""
    image = degrade(render_page(pdf), seed)
    if not cv2.imwrite(str(out), image, [cv2.IMWRITE_PNG_COMPRESSION, 9]):
        raise SetupError(f"Cannot write {out}: is the folder writable?")
    return image.shape[1], image.shape[0]
