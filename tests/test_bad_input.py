"""Bad files dropped into the inbox end in failed/ with a readable reason; good ones go on.

These run the real pipeline stages (real sniffing, decoding, tesseract). Most use the stages
without Prefect (``use=PLAIN``); one goes through ``docintake watch --once`` and so through
the real Prefect flow.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfgen import canvas

import flows.watch as watch
from docintake.cli import main
from docintake.domain import Status
from flows.context import PipelineContext
from flows.intake import PLAIN, run_pipeline
from flows.stages import Outcome
from flows.watch import ERROR_SUFFIX, Folders, Watcher
from storage.db import Database
from storage.models import Document

pytestmark = pytest.mark.integration


# ---- the files ------------------------------------------------------------------------------


def zero_byte(path: Path) -> None:
    path.write_bytes(b"")


def truncated_jpeg(path: Path) -> None:
    img = Image.new("RGB", (600, 400), "white")
    draw = ImageDraw.Draw(img)
    for i in range(0, 600, 20):
        draw.line([(i, 0), (600 - i, 400)], fill=(i % 255, 80, 160), width=3)
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=95)
    data = buf.getvalue()
    path.write_bytes(data[: len(data) // 2])


def text_as_pdf(path: Path) -> None:
    path.write_text(
        "Invoice 42\nTotal: 60.30\nThis is a plain text file, not a PDF.\n", encoding="utf-8"
    )


def encrypted_pdf(path: Path) -> None:
    c = canvas.Canvas(str(path), encrypt="secret")
    c.drawString(72, 720, "INVOICE INV-2026-0417 Total 1,998.41 SGD")
    c.drawString(72, 700, "Tan Brothers Trading Pte Ltd, 18 Jurong Port Road")
    c.showPage()
    c.save()


def huge_png(path: Path) -> None:
    Image.new("1", (20000, 20000)).save(path)  # 400 megapixels, a few KB on disk


def good_png(path: Path) -> None:
    img = Image.new("L", (900, 420), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=36)
    for i, line in enumerate(
        ["SRI MURNI MART SDN BHD", "Date: 15/03/2026", "Receipt No: CS-041827", "TOTAL RM 60.30"]
    ):
        draw.text((40, 30 + i * 90), line, fill=0, font=font)
    img.save(path)


# name in the inbox, how to make it, words its error must contain (any one of each tuple)
BAD_FILES: dict[str, tuple[Callable[[Path], None], list[tuple[str, ...]]]] = {
    "empty-scan.pdf": (zero_byte, [("empty",), ("0 bytes",)]),
    "half-photo.jpg": (truncated_jpeg, [("truncated", "damaged")]),
    "notes.pdf": (text_as_pdf, [("not a recognised format",), ("PDF",)]),
    "locked.pdf": (encrypted_pdf, [("password",)]),
    "poster.png": (huge_png, [("megapixels",)]),
}


def _reason(note: str) -> str:
    lines = [ln for ln in note.splitlines() if ln.startswith("Reason:")]
    assert len(lines) == 1, note
    return lines[0]


def _assert_words(text: str, words: list[tuple[str, ...]]) -> None:
    low = text.lower()
    for alternatives in words:
        assert any(w.lower() in low for w in alternatives), (alternatives, text)


# ---- the real stages, without Prefect -------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def folders(home: Path) -> Folders:
    return Folders(home / "inbox", home / "processing", home / "done", home / "failed")


@pytest.fixture
def plain_watcher(monkeypatch: pytest.MonkeyPatch, home: Path, folders: Folders) -> Watcher:
    """A watcher whose batch runs the real stages one after another, without Prefect."""
    url = f"sqlite:///{home}/docintake.db"
    Database(url)
    ctx = PipelineContext(database_url=url, archive_dir=home / "archive", workers=1)

    def run_plain(
        ctx: PipelineContext,
        paths: Sequence[Path],
        resume: Sequence[bool] | None = None,
        on_done: Callable[[Outcome], None] | None = None,
    ) -> list[Outcome]:
        flags = list(resume) if resume is not None else [False] * len(paths)
        return [
            run_pipeline(ctx, p, resume=r, use=PLAIN) for p, r in zip(paths, flags, strict=True)
        ]

    monkeypatch.setattr(watch, "run_batch", run_plain)
    return Watcher(ctx, folders, stable_seconds=0)


def _documents(home: Path) -> dict[str, Document]:
    db = Database(f"sqlite:///{home}/docintake.db", auto_migrate=False)
    with db.session() as s:
        return {d.file_name: d for d in s.query(Document).all()}


@pytest.mark.parametrize("name", list(BAD_FILES))
def test_bad_file_ends_in_failed_with_a_reason(plain_watcher, folders, home, name):
    make, words = BAD_FILES[name]
    make(folders.inbox / name)

    outcomes = plain_watcher.scan_once()

    assert [o.status for o in outcomes] == [Status.FAILED]
    assert outcomes[0].retryable is False  # a problem with the file, not worth retrying
    assert (folders.failed / name).is_file()
    note = (folders.failed / (name + ERROR_SUFFIX)).read_text(encoding="utf-8")
    assert f"could not process {name}" in note
    _assert_words(_reason(note), words)
    assert "Fix the file" in note
    assert list(folders.inbox.iterdir()) == []
    assert list(folders.processing.iterdir()) == []
    assert list(folders.done.iterdir()) == []

    doc = _documents(home)[name]
    assert doc.status == Status.FAILED
    assert doc.error and doc.error_retryable is False
    _assert_words(doc.error, words)
    assert doc.archive_path and Path(doc.archive_path).is_file()  # the original is kept


def test_error_reason_names_the_dropped_file_not_the_archive_copy(plain_watcher, folders):
    """The reason is read by the person who dropped the file: it must name that file."""
    zero_byte(folders.inbox / "empty-scan.pdf")
    truncated_jpeg(folders.inbox / "half-photo.jpg")

    outcomes = plain_watcher.scan_once()

    for o in outcomes:
        reason = _reason((folders.failed / (o.file + ERROR_SUFFIX)).read_text(encoding="utf-8"))
        assert o.file in reason, reason
        assert o.sha256 and o.sha256 not in reason, reason


def test_good_document_is_processed_next_to_bad_ones(plain_watcher, folders, home):
    for name, (make, _words) in BAD_FILES.items():
        make(folders.inbox / name)
    good_png(folders.inbox / "good-receipt.png")

    outcomes = {o.file: o for o in plain_watcher.scan_once()}

    assert set(outcomes) == {*BAD_FILES, "good-receipt.png"}
    good = outcomes["good-receipt.png"]
    # No ledger was imported, so nothing can be matched: the decision is review, and says why.
    assert good.status is Status.NEEDS_REVIEW
    assert "no matching customer" in good.reasons
    assert good.fields.get("total_amount", {}).get("value") == "60.30"
    assert (folders.done / "good-receipt.png").is_file()
    assert sorted(p.name for p in folders.failed.iterdir()) == sorted(
        [*BAD_FILES, *(n + ERROR_SUFFIX for n in BAD_FILES)]
    )
    assert _documents(home)["good-receipt.png"].status == good.status.value


# ---- crash recovery with the real stages ----------------------------------------------------


def test_file_claimed_before_a_crash_is_resumed_on_its_record(plain_watcher, folders, home):
    from flows import stages

    left = folders.processing / "notes.pdf"
    text_as_pdf(left)
    stages.ingest(plain_watcher.ctx, left)  # claimed, then the process died

    outcomes = plain_watcher.scan_once()

    assert [o.status for o in outcomes] == [Status.FAILED]
    assert (folders.failed / "notes.pdf").is_file()
    assert (folders.failed / ("notes.pdf" + ERROR_SUFFIX)).is_file()
    docs = _documents(home)
    assert list(docs) == ["notes.pdf"]  # the same record, not a duplicate
    assert docs["notes.pdf"].status == Status.FAILED
    assert docs["notes.pdf"].attempts == 2


def test_file_finished_before_a_crash_is_just_moved_on(plain_watcher, folders, home):
    left = folders.processing / "good-receipt.png"
    good_png(left)
    first = run_pipeline(plain_watcher.ctx, left, use=PLAIN)  # recorded, but never moved
    assert first.status is Status.NEEDS_REVIEW  # no ledger: nothing to match

    outcomes = plain_watcher.scan_once()

    assert [(o.status, o.document_id) for o in outcomes] == [(first.status, first.document_id)]
    assert (folders.done / "good-receipt.png").is_file()
    docs = _documents(home)
    assert list(docs) == ["good-receipt.png"]  # no duplicate record
    assert docs["good-receipt.png"].status == first.status.value


def test_same_bytes_dropped_again_are_a_duplicate(plain_watcher, folders, home):
    text_as_pdf(folders.inbox / "notes.pdf")
    plain_watcher.scan_once()
    (folders.inbox / "again").mkdir()
    good_png(folders.inbox / "again" / "r1.png")
    plain_watcher.scan_once()
    good_png(folders.inbox / "r2.png")  # same bytes as r1.png

    outcomes = plain_watcher.scan_once()

    assert [o.status for o in outcomes] == [Status.DUPLICATE]
    assert (folders.done / "r2.png").is_file()
    docs = _documents(home)
    assert docs["r2.png"].duplicate_of_id == docs["r1.png"].id


# ---- the real thing: docintake watch --once (Prefect flow) ----------------------------------


def test_watch_once_cli_with_bad_and_good_files(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DOCINTAKE_STABLE_SECONDS", "0")
    home = tmp_path / "home"
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    for name, (make, _words) in BAD_FILES.items():
        make(inbox / name)
    (inbox / "batch").mkdir()
    good_png(inbox / "batch" / "good-receipt.png")

    code = main(["--home", str(home), "watch", "--once", "--json"])

    captured = capsys.readouterr()
    assert code == 0, captured.err
    rows = {r["file"]: r for r in map(json.loads, captured.out.splitlines()) if r}
    assert set(rows) == {*BAD_FILES, "good-receipt.png"}

    failed = home / "failed"
    for name, (_make, words) in BAD_FILES.items():
        assert rows[name]["status"] == "failed"
        assert Path(rows[name]["moved_to"]) == failed / name
        assert (failed / name).is_file()
        note = (failed / (name + ERROR_SUFFIX)).read_text(encoding="utf-8")
        _assert_words(_reason(note), words)

    good = rows["good-receipt.png"]
    assert good["status"] == "needs_review"  # no ledger: nothing to match
    assert "no matching customer" in good["reasons"]
    assert Path(good["moved_to"]) == home / "done" / "batch" / "good-receipt.png"
    assert (home / "done" / "batch" / "good-receipt.png").is_file()
    assert list(inbox.iterdir()) == []  # the dropped folder was removed once emptied
    assert list((home / "processing").iterdir()) == []

    docs = _documents(home)
    assert docs["good-receipt.png"].status == good["status"]
    assert {n: docs[n].status for n in BAD_FILES} == {n: "failed" for n in BAD_FILES}
