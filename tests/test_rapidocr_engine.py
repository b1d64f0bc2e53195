"""The rapidocr engine module: box-to-line grouping, error mapping, offline guarantee."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from docintake.exceptions import OcrError, OcrTimeoutError, SetupError
from extractors import rapidocr_engine
from extractors.reader import Engine, ReadOptions, read_document
from extractors.sniff import identify

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _quad(left: float, top: float, right: float, bottom: float) -> list[list[float]]:
    return [[left, top], [right, top], [right, bottom], [left, bottom]]


def _result(*boxes: tuple[str, float, list[list[float]]]) -> SimpleNamespace:
    return SimpleNamespace(
        txts=tuple(b[0] for b in boxes),
        scores=tuple(b[1] for b in boxes),
        boxes=np.asarray([b[2] for b in boxes], dtype=float),
    )


def _lines(result: SimpleNamespace) -> list[str]:
    words = rapidocr_engine._words(rapidocr_engine._boxes(result))
    return [ln.text for ln in rapidocr_engine.group_lines(words)]


def test_label_and_amount_boxes_on_one_baseline_become_one_line() -> None:
    result = _result(
        ("12.50", 0.99, _quad(300, 102, 360, 122)),  # right margin, listed first
        ("TOTAL", 0.98, _quad(10, 100, 80, 120)),
        ("CASH", 0.97, _quad(10, 130, 70, 150)),
        ("20.00", 0.99, _quad(300, 131, 360, 151)),
    )
    assert _lines(result) == ["TOTAL 12.50", "CASH 20.00"]


def test_slightly_slanted_photo_still_groups_the_line() -> None:
    # A photo taken at a slight angle: the amount sits 7 px lower than its label.
    result = _result(
        ("GRAND TOTAL", 0.99, _quad(10, 200, 150, 224)),
        ("33.90", 0.99, _quad(300, 207, 360, 231)),
    )
    assert _lines(result) == ["GRAND TOTAL 33.90"]


def test_close_but_separate_lines_stay_apart() -> None:
    result = _result(
        ("SUBTOTAL 10.00", 0.99, _quad(10, 100, 200, 120)),
        ("TAX 0.60", 0.99, _quad(10, 121, 200, 141)),
    )
    assert _lines(result) == ["SUBTOTAL 10.00", "TAX 0.60"]


def test_words_get_their_share_of_the_box_and_the_box_confidence() -> None:
    words = rapidocr_engine._words(
        rapidocr_engine._boxes(_result(("AB CD", 0.8, _quad(0, 0, 100, 20))))
    )
    assert [w.text for w, _ in words] == ["AB", "CD"]
    first, second = (w for w, _ in words)
    assert first.left == 0 and second.left == 60  # "CD" starts at character 3 of 5
    assert first.confidence == second.confidence == pytest.approx(0.8)


def test_full_width_characters_from_the_cjk_model_become_ascii() -> None:
    lines = _lines(_result(("MOTOR（SUNGAI）SDN．BHD", 0.9, _quad(0, 0, 300, 20))))
    assert lines == ["MOTOR(SUNGAI)SDN.BHD"]


def test_no_text_found_gives_an_empty_page() -> None:
    assert _lines(SimpleNamespace(txts=None, scores=None, boxes=None)) == []


def _tilted(text: str, x: float, y: float, w: float, h: float, deg: float) -> tuple:
    """A box of ``text`` rotated by ``deg`` about the page centre (400, 300)."""
    theta = np.radians(deg)
    rot = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    pts = np.asarray(_quad(x, y, x + w, y + h)) - (400, 300)
    return (text, 0.95, (pts @ rot.T + (400, 300)).tolist())


def test_a_tilted_page_is_straightened_so_its_lines_group_again() -> None:
    # A page tilted by 4 degrees: across 600 px a line drifts by ~40 px, twice its height.
    result = _result(
        _tilted("GRAND TOTAL", 100, 300, 160, 20, 4),
        _tilted("33.90", 600, 300, 80, 20, 4),
        _tilted("CASH PAID", 100, 340, 160, 20, 4),
        _tilted("50.00", 600, 340, 80, 20, 4),
    )
    boxes = rapidocr_engine._boxes(result)
    assert [ln.text for ln in rapidocr_engine.group_lines(rapidocr_engine._words(boxes))] != [
        "GRAND TOTAL 33.90",
        "CASH PAID 50.00",
    ]
    straight = rapidocr_engine.straighten(boxes, 800, 600)
    lines = rapidocr_engine.group_lines(rapidocr_engine._words(straight))
    assert [ln.text for ln in lines] == ["GRAND TOTAL 33.90", "CASH PAID 50.00"]


def test_a_sideways_page_is_read_again_turned_and_the_best_turn_kept(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = np.zeros((400, 200), np.uint8)
    page[0, 0] = 255  # marks the original top-left corner
    calls: list[tuple[int, int]] = []

    def fake_run(image: Any, *_args: object, **_kw: object) -> SimpleNamespace:
        calls.append(image.shape)
        if image.shape == (400, 200):  # as scanned: text runs up the page
            return _result(("TOTAL 9.99", 0.9, _quad(10, 10, 30, 200)))
        if image[-1, 0] == 255:  # one quarter turn counter-clockwise: upright
            return _result(
                ("SHOP SDN BHD", 0.98, _quad(10, 10, 190, 30)),
                ("TOTAL 9.99", 0.97, _quad(10, 60, 190, 80)),
            )
        return _result(("66'6 7VLOL", 0.3, _quad(10, 10, 190, 30)))  # upside down: noise

    monkeypatch.setattr(rapidocr_engine, "_run", fake_run)
    page_out = rapidocr_engine.ocr_page(page, number=1, timeout=5)
    assert [ln.text for ln in page_out.lines] == ["SHOP SDN BHD", "TOTAL 9.99"]
    assert (page_out.width, page_out.height) == (400, 200)
    assert len(calls) == 3  # as scanned, then a quarter turn each way


def test_an_upside_down_page_is_turned_over(monkeypatch: pytest.MonkeyPatch) -> None:
    page = np.zeros((400, 200), np.uint8)
    page[0, 0] = 255
    calls: list[tuple[int, int]] = []

    def fake_run(image: Any, *_args: object, **_kw: object) -> SimpleNamespace:
        calls.append(image.shape)
        if image[-1, -1] == 255:  # turned over: the marked corner is now bottom-right
            return _result(
                ("SHOP SDN BHD", 0.98, _quad(10, 10, 190, 30)),
                ("TOTAL 9.99", 0.97, _quad(10, 60, 190, 80)),
            )
        return _result(
            ("66'6 7VLOL", 0.4, _quad(10, 300, 190, 320)),
            ("GHB NGS dOHS", 0.5, _quad(10, 350, 190, 370)),
        )

    monkeypatch.setattr(rapidocr_engine, "_run", fake_run)
    page_out = rapidocr_engine.ocr_page(page, number=1, timeout=5)
    assert [ln.text for ln in page_out.lines] == ["SHOP SDN BHD", "TOTAL 9.99"]
    assert len(calls) == 2


def test_an_upright_page_is_read_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    def fake_run(image: Any, *_args: object, **_kw: object) -> SimpleNamespace:
        calls.append(image.shape)
        return _result(("SHOP SDN BHD", 0.98, _quad(10, 10, 190, 30)))

    monkeypatch.setattr(rapidocr_engine, "_run", fake_run)
    rapidocr_engine.ocr_page(np.zeros((400, 200), np.uint8), number=1, timeout=5)
    assert len(calls) == 1


def test_missing_bundled_model_is_a_setup_error_not_a_download(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rapidocr_engine.version.cache_clear()
    monkeypatch.setattr(
        rapidocr_engine, "_MODEL_FILES", (*rapidocr_engine._MODEL_FILES, "no-such-model.onnx")
    )
    try:
        with pytest.raises(SetupError, match="does not download models"):
            rapidocr_engine.version()
    finally:
        rapidocr_engine.version.cache_clear()


def test_engine_failure_becomes_an_ocr_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(_image: Any) -> Any:
        raise RuntimeError("ONNXRuntimeError: bad input")

    monkeypatch.setattr(rapidocr_engine, "get_engine", lambda _threads: broken)
    with pytest.raises(OcrError, match="rapidocr failed on page 2"):
        rapidocr_engine.ocr_page(np.zeros((10, 10), np.uint8), number=2, timeout=5)


def test_a_page_that_takes_too_long_is_given_up(monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()

    def slow(_image: Any) -> Any:
        release.wait(5)
        return SimpleNamespace(txts=None, scores=None, boxes=None)

    monkeypatch.setattr(rapidocr_engine, "get_engine", lambda _threads: slow)
    started = time.monotonic()
    try:
        with pytest.raises(OcrTimeoutError, match="longer than 0 s"):
            rapidocr_engine.ocr_page(np.zeros((10, 10), np.uint8), number=1, timeout=0.2)
    finally:
        release.set()
    assert time.monotonic() - started < 2


@pytest.mark.integration
@pytest.mark.parametrize("engine", [Engine.RAPIDOCR, Engine.COMBINED])
def test_reads_the_sample_receipt_without_touching_the_network(
    monkeypatch: pytest.MonkeyPatch, engine: Engine
) -> None:
    contacted: list[object] = []

    def refuse(_sock: socket.socket, address: object) -> None:
        contacted.append(address)
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda *a, **k: refuse(None, a))  # type: ignore[arg-type]
    text = read_document(identify(SAMPLES / "receipt-photo.jpg"), ReadOptions(engine=engine))
    assert contacted == []
    assert text.engine.startswith("rapidocr 3.10")
    assert "SRI MURNI MART" in text.text.upper()
    assert (text.second_reading is not None) == (engine is Engine.COMBINED)
    if text.second_reading is not None:
        assert text.second_reading.engine.startswith("tesseract")


def test_turning_a_page_stays_within_the_pages_time_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    limits: list[float] = []

    def slow_sideways(_image: Any, _number: int, timeout: float, *_a: object, **_k: object) -> Any:
        limits.append(timeout)
        time.sleep(0.3)
        return _result(("TOTAL 9.99", 0.9, _quad(10, 10, 30, 200)))  # always reads sideways

    monkeypatch.setattr(rapidocr_engine, "_run", slow_sideways)
    with pytest.raises(OcrTimeoutError, match="longer than 0 s"):
        rapidocr_engine.ocr_page(np.zeros((400, 200), np.uint8), number=1, timeout=0.5)
    assert limits[0] == 0.5 and 0 < limits[1] < 0.3  # the turn got only what was left
