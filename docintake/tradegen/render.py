"""A small drawing kit over reportlab: top-left coordinates, boxes, tables, mixed CJK text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from docintake.exceptions import SetupError

CJK_FONT_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CJK = "WQYMicroHei"
PORTRAIT = A4
LANDSCAPE = landscape(A4)

_CJK_RUN = re.compile(r"([\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+)")
_BOLD = {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold", "Courier": "Courier-Bold"}


def register_cjk_font(path: Path = CJK_FONT_PATH) -> str:
    """Register the Chinese font once; SetupError when the machine lacks it."""
    if not path.is_file():
        raise SetupError(
            f"The Chinese font {path} is missing; the trade documents need it. "
            "Install it with `apt-get install fonts-wqy-microhei`."
        )
    if CJK in pdfmetrics.getRegisteredFontNames():
        return CJK
    try:
        pdfmetrics.registerFont(TTFont(CJK, str(path), subfontIndex=0))
    except Exception as e:  # reportlab raises bare TTFError/struct errors on bad files
        raise SetupError(f"The Chinese font {path} cannot be read: {e}") from e
    return CJK


@dataclass(frozen=True)
class Col:
    title: str
    width: float
    align: str = "left"  # left | right | center


class Sheet:
    """One PDF page drawn from the top-left corner, in points."""

    def __init__(self, path: Path, pagesize: tuple[float, float] = PORTRAIT, *, title: str = ""):
        register_cjk_font()
        self.width, self.height = pagesize
        # invariant: no timestamps or random ids, so one seed gives the same bytes.
        self.canvas = Canvas(str(path), pagesize=pagesize, invariant=1, pageCompression=1)
        self.canvas.setTitle(title)
        self.canvas.setCreator("docintake tradegen")
        self.font = "Helvetica"
        self.canvas.setLineWidth(0.5)

    def save(self) -> None:
        self.canvas.showPage()
        self.canvas.save()

    # --- text -----------------------------------------------------------------------------

    def _runs(self, s: str, bold: bool, font: str | None) -> list[tuple[str, str]]:
        latin = font or self.font
        if bold:
            latin = _BOLD.get(latin, latin)
        return [
            (part, CJK if _CJK_RUN.fullmatch(part) else latin) for part in _CJK_RUN.split(s) if part
        ]

    def text_width(self, s: str, size: float, bold: bool = False, font: str | None = None) -> float:
        return sum(pdfmetrics.stringWidth(t, f, size) for t, f in self._runs(s, bold, font))

    def text(
        self,
        x: float,
        y: float,
        s: str,
        size: float = 8,
        *,
        bold: bool = False,
        align: str = "left",
        font: str | None = None,
        gray: float = 0.0,
    ) -> None:
        """Draw ``s`` with its baseline ``y`` points below the top edge."""
        w = self.text_width(s, size, bold, font)
        if align == "right":
            x -= w
        elif align == "center":
            x -= w / 2
        c = self.canvas
        c.setFillGray(gray)
        for part, f in self._runs(s, bold, font):
            # The CJK font has no bold face: fill and stroke it, inside saveState so the
            # render mode (graphics state, not the text object's) ends with this run.
            fake_bold = bold and f == CJK
            if fake_bold:
                c.saveState()
                c.setLineWidth(size * 0.025)
            t = c.beginText(x, self.height - y)
            t.setFont(f, size)
            if fake_bold:
                t.setTextRenderMode(2)
            t.textOut(part)
            c.drawText(t)
            if fake_bold:
                c.restoreState()
                c.setFillGray(gray)
            x += pdfmetrics.stringWidth(part, f, size)
        c.setFillGray(0)
        c.setLineWidth(0.5)

    def wrap(self, s: str, width: float, size: float, font: str | None = None) -> list[str]:
        """Break ``s`` into lines no wider than ``width`` (CJK breaks anywhere)."""
        out: list[str] = []
        for para in s.split("\n"):
            line = ""
            tokens = re.findall(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|\S+\s*", para)
            for tok in tokens:
                trial = line + tok
                if line and self.text_width(trial.rstrip(), size, font=font) > width:
                    out.append(line.rstrip())
                    line = tok
                else:
                    line = trial
            out.append(line.rstrip())
        return out

    def lines(
        self,
        x: float,
        y: float,
        texts: Sequence[str],
        size: float = 8,
        leading: float | None = None,
        **kw: object,
    ) -> float:
        """Draw lines downwards from baseline ``y``; returns the next free baseline."""
        leading = leading or size * 1.22
        for s in texts:
            self.text(x, y, s, size, **kw)  # type: ignore[arg-type]
            y += leading
        return y

    # --- lines and boxes ------------------------------------------------------------------

    def rect(
        self, x: float, y: float, w: float, h: float, lw: float = 0.5, fill: float | None = None
    ) -> None:
        c = self.canvas
        c.setLineWidth(lw)
        if fill is not None:
            c.setFillGray(fill)
        c.rect(
            x,
            self.height - y - h,
            w,
            h,
            stroke=1 if lw > 0 else 0,
            fill=1 if fill is not None else 0,
        )
        c.setFillGray(0)
        c.setLineWidth(0.5)

    def hline(self, x1: float, x2: float, y: float, lw: float = 0.5) -> None:
        self.canvas.setLineWidth(lw)
        self.canvas.line(x1, self.height - y, x2, self.height - y)
        self.canvas.setLineWidth(0.5)

    def vline(self, x: float, y1: float, y2: float, lw: float = 0.5) -> None:
        self.canvas.setLineWidth(lw)
        self.canvas.line(x, self.height - y1, x, self.height - y2)
        self.canvas.setLineWidth(0.5)

    def box(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        label: str,
        values: Sequence[str] = (),
        *,
        label_size: float = 6,
        size: float = 8,
        bold_values: bool = False,
        align: str = "left",
        font: str | None = None,
        border: bool = True,
    ) -> None:
        """A form box: small label in the corner, the value lines under it."""
        if border:
            self.rect(x, y, w, h)
        self.text(x + 2.5, y + label_size + 1.5, label, label_size, gray=0.15)
        top = y + label_size + 3 + size
        wrapped = [ln for v in values for ln in self.wrap(v, w - 6, size, font)]
        if align == "right":
            for i, ln in enumerate(wrapped):
                self.text(
                    x + w - 3,
                    top + i * size * 1.2,
                    ln,
                    size,
                    bold=bold_values,
                    align="right",
                    font=font,
                )
        else:
            self.lines(x + 3, top, wrapped, size, bold=bold_values, font=font)

    def table(
        self,
        x: float,
        y: float,
        cols: Sequence[Col],
        rows: Sequence[Sequence[str]],
        *,
        size: float = 7.5,
        header_size: float = 6.5,
        row_h: float | None = None,
        header_h: float = 16,
        grid: str = "full",  # full | rules | none
        header_fill: float | None = None,
        min_h: float = 0,
        font: str | None = None,
    ) -> float:
        """A table with a header row; returns the y below it. Cells may hold several lines."""
        total_w = sum(c.width for c in cols)
        row_h = row_h or size * 1.25
        if header_fill is not None:
            self.rect(x, y, total_w, header_h, lw=0, fill=header_fill)
        # Header: up to two lines per title, vertically centred.
        cx = x
        for col in cols:
            parts = col.title.split("\n")
            base = y + (header_h - len(parts) * header_size * 1.15) / 2 + header_size
            for i, part in enumerate(parts):
                self.text(
                    cx + col.width / 2,
                    base + i * header_size * 1.15,
                    part,
                    header_size,
                    bold=True,
                    align="center",
                )
            cx += col.width
        yy = y + header_h
        body_top = yy
        for row in rows:
            # Cells wrap inside their column, as a form's typed text does.
            cells = [
                [
                    ln
                    for part in cell.split("\n")
                    for ln in self.wrap(part, col.width - 6, size, font)
                ]
                for col, cell in zip(cols, row, strict=True)
            ]
            height = max(len(c) for c in cells) * row_h + 3
            cx = x
            for col, cell in zip(cols, cells, strict=True):
                for i, part in enumerate(cell):
                    base = yy + 2 + size + i * row_h
                    if col.align == "right":
                        self.text(cx + col.width - 3, base, part, size, align="right", font=font)
                    elif col.align == "center":
                        self.text(cx + col.width / 2, base, part, size, align="center", font=font)
                    else:
                        self.text(cx + 3, base, part, size, font=font)
                cx += col.width
            yy += height
            if grid == "rules":
                self.hline(x, x + total_w, yy, 0.25)
        yy = max(yy + 2, body_top + min_h)
        if grid == "full":
            self.rect(x, y, total_w, yy - y)
            self.hline(x, x + total_w, body_top)
            cx = x
            for col in cols[:-1]:
                cx += col.width
                self.vline(cx, y, yy)
        elif grid == "rules":
            self.hline(x, x + total_w, y, 0.8)
            self.hline(x, x + total_w, body_top, 0.5)
            self.hline(x, x + total_w, yy, 0.8)
        return yy
