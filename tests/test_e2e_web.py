"""End-to-end: the real app under uvicorn, driven by a real headless Chromium (Playwright).

Debian's chromium is used (DOCINTAKE_CHROMIUM, else ``chromium`` on PATH); Playwright never
downloads a browser. Without chromium the tests are skipped, except in CI (CI=true), where
they fail. Screenshots for docs/web.md are written only with DOCINTAKE_SCREENSHOTS=1.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from argon2 import PasswordHasher
from conftest import BILLS, CUSTOMERS, write_csv
from db_rows import add_document, load_bill, load_document

from docintake import accounts
from docintake.accounts import Role
from docintake.settings import Settings
from storage.db import Database
from storage.ledger_import import BILL_COLUMNS, CUSTOMER_COLUMNS, import_ledger
from web.app import create_app

pytestmark = pytest.mark.e2e

# Read at import: the autouse fixture in conftest clears DOCINTAKE_* variables for each test.
CHROMIUM = os.environ.get("DOCINTAKE_CHROMIUM") or shutil.which("chromium")
SCREENSHOTS = os.environ.get("DOCINTAKE_SCREENSHOTS") == "1"
IN_CI = os.environ.get("CI") == "true"
ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "docs" / "screenshots"
RECEIPT = ROOT / "samples" / "receipt-photo.jpg"

PASSWORD = "correct horse battery"
USERS = {"alice": Role.REVIEWER, "bob": Role.REVIEWER, "dora": Role.REVIEWER, "carol": Role.ADMIN}
XSS = "<script>window.__xss=1</script>"
TIMEOUT_MS = 10_000

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # pragma: no cover - playwright is in the dev requirements
    sync_playwright = None  # type: ignore[assignment]


def _no_browser(why: str) -> None:
    if IN_CI:
        pytest.fail(f"CI must run the end-to-end tests: {why}", pytrace=False)
    pytest.skip(why)


# ---- the running site ------------------------------------------------------------------------


class Site:
    def __init__(self, base: str, db: Database, settings: Settings) -> None:
        self.base = base
        self.db = db
        self.settings = settings


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, _migrated_template: Path) -> Iterator[Site]:
    """The app under uvicorn on 127.0.0.1 (a free port), on its own SQLite database with the
    standard test ledger and the users alice, bob, dora (reviewers) and carol (admin)."""
    home = tmp_path_factory.mktemp("e2e-home")
    path = home / "docintake.db"
    with sqlite3.connect(_migrated_template) as src, sqlite3.connect(path) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    url = f"sqlite:///{path}"
    db = Database(url, auto_migrate=False)
    customers = write_csv(home / "customers.csv", CUSTOMER_COLUMNS, CUSTOMERS)
    bills = write_csv(home / "bills.csv", BILL_COLUMNS, BILLS)
    with db.session() as s:
        assert import_ledger(s, customers, bills).errors == []

    with pytest.MonkeyPatch.context() as mp:
        # argon2id at minimum cost, as in test_web: sign-ins happen in the server's thread.
        mp.setattr(accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        accounts._dummy_hash.cache_clear()
        for name, role in USERS.items():
            accounts.create_user(db, name, role, PASSWORD)
        settings = Settings(home=home, database_url=url)
        app = create_app(settings, db=db)

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        sock.listen(128)
        port = sock.getsockname()[1]
        server = uvicorn.Server(
            uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning")
        )
        thread = threading.Thread(
            target=server.run, kwargs={"sockets": [sock]}, name="e2e-web", daemon=True
        )
        thread.start()
        deadline = time.monotonic() + 15
        while not server.started:
            assert thread.is_alive(), "uvicorn stopped while starting"
            assert time.monotonic() < deadline, "uvicorn did not start within 15 s"
            time.sleep(0.02)
        try:
            yield Site(f"http://127.0.0.1:{port}", db, settings)
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            sock.close()
            accounts._dummy_hash.cache_clear()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if sync_playwright is None:
        _no_browser("playwright is not installed")
    if not CHROMIUM or not Path(CHROMIUM).exists():
        _no_browser("chromium is not installed (apt-get install chromium, or DOCINTAKE_CHROMIUM)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def new_page(site: Site, browser: Browser) -> Iterator[Callable[..., Page]]:
    """``new_page()`` is a fresh browser context (its own cookies) with one page;
    ``new_page("alice")`` signs in through the login page first."""
    contexts = []

    def make(name: str | None = None, **context_args: Any) -> Page:
        context = browser.new_context(base_url=site.base, **context_args)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        if name is not None:
            log_in(page, name)
        return page

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, name: str) -> None:
    page.goto("/login")
    page.fill("#login-name", name)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url("**/queue")
    expect(page.locator("#user-name")).to_have_text(name)


def open_from_queue(page: Page, doc_id: int) -> None:
    page.goto("/queue")
    row = page.locator(f'[data-testid="queue-row"][data-document-id="{doc_id}"]')
    row.locator('[data-testid="queue-open"]').click()
    page.wait_for_url(f"**/documents/{doc_id}")
    expect(page.locator("#document-id")).to_have_text(str(doc_id))


# ---- screenshots (first, so the queue shows realistic documents only) -------------------------


def test_review_page_shows_the_archived_original_beside_the_fields(
    site: Site, new_page: Callable[..., Page]
) -> None:
    archived = site.settings.archive / "5f" / "receipt-photo.jpg"
    archived.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(RECEIPT, archived)

    def f(value: str, confidence: float) -> dict[str, Any]:
        return {"value": value, "confidence": confidence}

    def reason(field: str, against: str, score: float, note: str | None = None) -> dict[str, Any]:
        return {"field": field, "against": against, "score": score, "note": note}

    receipt = add_document(
        site.db,
        {
            "vendor_name": f("SRI MURNI MART SDN BHD", 0.93),
            "vendor_address": f("LOT 23, JALAN BUKIT BINTANG, 55100 KUALA LUMPUR", 0.81),
            "document_date": f("2026-03-14", 0.88),
            "document_number": f("CS-041827", 0.9),
            "total_amount": f("61.80", 0.58),
            "tax_amount": f("3.50", 0.71),
            "currency": f("MYR", 0.97),
        },
        file_name="receipt-photo.jpg",
        reasons=[
            "low confidence in total_amount (0.58)",
            "total 61.80 MYR is not the amount of bill B1 (60.30 MYR)",
        ],
        archive_path=archived,
        candidates=[
            {
                "customer_id": "C1",
                "customer_name": "Sri Murni Mart Sdn Bhd",
                "bill_id": "B1",
                "confidence": 0.74,
                "payment": "overpayment",
                "reasons": [
                    reason("vendor_name", "Sri Murni Mart Sdn Bhd", 100.0),
                    reason("vendor_address", "postcode 55100", 95.0),
                    reason("document_number", "CS-041827", 100.0, "the bill's reference"),
                ],
            },
            {
                "customer_id": "C1",
                "customer_name": "Sri Murni Mart Sdn Bhd",
                "bill_id": "B2",
                "confidence": 0.31,
                "payment": "partial",
                "reasons": [reason("vendor_name", "Sri Murni Mart Sdn Bhd", 100.0)],
            },
        ],
    )
    add_document(
        site.db,
        {"vendor_name": "Tan Brothers Trading", "total_amount": "500.00", "currency": "SGD"},
        customer_id="C2",
        bill_id="B3",
        document_type="invoice",
        file_name="invoice-scanned.pdf",
        reasons=["customer name is only a partial match (78)"],
    )
    add_document(
        site.db,
        {"vendor_name": "SRI MURNI MART", "total_amount": "100.00", "currency": "MYR"},
        bill_id=None,
        file_name="receipt-0320.jpg",
        reasons=["two open bills fit equally well: B2, B1"],
    )

    page = new_page("alice", viewport={"width": 1360, "height": 900})
    row = page.locator(f'[data-testid="queue-row"][data-document-id="{receipt}"]')
    expect(row.locator('[data-testid="queue-vendor"]')).to_have_text("SRI MURNI MART SDN BHD")
    if SCREENSHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "queue.png"), full_page=True)

    open_from_queue(page, receipt)
    image = page.locator('[data-testid="document-page"][data-page="1"]')
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=document-page]');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    # The image is beside the fields, not above or below them.
    image_box, fields_box = image.bounding_box(), page.locator("#approve-form").bounding_box()
    assert image_box is not None and fields_box is not None
    assert image_box["x"] + image_box["width"] <= fields_box["x"] + 1
    expect(page.locator("#field-total_amount")).to_have_value("61.80")
    expect(page.locator('[data-testid="candidate-row"]')).to_have_count(2)
    if SCREENSHOTS:
        page.screenshot(path=str(SHOTS / "review.png"), full_page=True)


# ---- 1. two reviewers agree: the document is posted -----------------------------------------


def test_two_reviewers_fix_the_same_field_approve_and_the_bill_is_paid(
    site: Site, new_page: Callable[..., Page]
) -> None:
    assert load_bill(site.db, "B1").status == "open"
    doc_id = add_document(
        site.db,
        {"vendor_name": "SRI MURNI MART", "total_amount": "6O.30", "currency": "MYR"},
        reasons=["total_amount '6O.30' is not an amount"],
    )
    for name in ("alice", "bob"):
        page = new_page(name)
        open_from_queue(page, doc_id)
        # Blind review: each reviewer is shown the machine's value, not the other's fix.
        expect(page.locator("#field-total_amount")).to_have_value("6O.30")
        page.fill("#field-total_amount", "60.30")
        page.click("#approve-button")
        page.wait_for_url(lambda url: f"/documents/{doc_id}" not in url)
        expect(page.locator("#flash")).to_have_attribute("data-kind", "ok")

    doc = load_document(site.db, doc_id)
    assert doc.status == "accepted"
    assert [a.reviewer for a in doc.approvals] == ["alice", "bob"]
    assert doc.fields["total_amount"]["value"] == "60.30"
    assert load_bill(site.db, "B1").status == "paid"

    page.goto("/customers/C1")
    row = page.locator('#customer-bills [data-testid="bill-row"][data-bill-id="B1"]')
    expect(row).to_have_attribute("data-status", "paid")


# ---- 2. the same reviewer twice: refused on the page and through the API --------------------


def test_the_same_reviewers_second_approval_is_refused_on_the_page_and_the_api(
    site: Site, new_page: Callable[..., Page]
) -> None:
    doc_id = add_document(site.db, {"total_amount": "60.30", "currency": "MYR"}, bill_id=None)
    message = (
        f"alice has already approved document {doc_id}. The second approval must come "
        "from a different reviewer."
    )
    first = new_page("alice")
    # The same document open in two tabs; the second tab's form is now out of date.
    second = first.context.new_page()
    first.goto(f"/documents/{doc_id}")
    second.goto(f"/documents/{doc_id}")
    first.click("#approve-button")
    first.wait_for_url(lambda url: f"/documents/{doc_id}" not in url)

    with second.expect_response(f"**/documents/{doc_id}/approve") as answer:
        second.click("#approve-button")
    assert answer.value.status == 409
    expect(second.locator("#error-message")).to_have_text(message)

    second.goto(f"/documents/{doc_id}")
    expect(second.locator("#already-approved")).to_be_visible()
    expect(second.locator("#approve-button")).to_have_count(0)

    token = accounts.new_token(site.db, "alice")
    r = httpx.post(
        f"{site.base}/api/documents/{doc_id}/approve",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 409
    assert r.json()["detail"] == message
    assert [a.reviewer for a in load_document(site.db, doc_id).approvals] == ["alice"]


# ---- 3. a disagreement goes to the admin -----------------------------------------------------


def test_a_disagreement_is_escalated_and_the_admin_chooses_a_version(
    site: Site, new_page: Callable[..., Page]
) -> None:
    doc_id = add_document(
        site.db,
        {"vendor_name": "SRI MURNI", "total_amount": "100.00", "currency": "MYR"},
        bill_id="B2",
        reasons=["low confidence in vendor_name"],
    )
    for name, vendor in (("alice", "Sri Murni Mart"), ("bob", "Sri Murni Mart Sdn Bhd")):
        page = new_page(name)
        open_from_queue(page, doc_id)
        page.fill("#field-vendor_name", vendor)
        page.click("#approve-button")
        page.wait_for_url(lambda url: f"/documents/{doc_id}" not in url)
    assert load_document(site.db, doc_id).status == "escalated"

    carol = new_page("carol")
    row = carol.locator(f'[data-testid="queue-row"][data-document-id="{doc_id}"]')
    expect(row).to_have_attribute("data-stage", "escalated")
    expect(row).to_have_attribute("data-actionable", "true")
    open_from_queue(carol, doc_id)
    expect(carol.locator("#document-stage")).to_have_text("escalated")
    differs = carol.locator('#comparison [data-testid="comparison-row"][data-field="vendor_name"]')
    expect(differs).to_have_attribute("data-differs", "true")
    expect(differs).to_contain_text("Sri Murni Mart Sdn Bhd")
    same = carol.locator('#comparison [data-testid="comparison-row"][data-field="total_amount"]')
    expect(same).to_have_attribute("data-differs", "false")

    carol.click("#resolve-1")
    carol.wait_for_url(lambda url: f"/documents/{doc_id}" not in url)
    expect(carol.locator("#flash")).to_contain_text(f"Document {doc_id} accepted")
    doc = load_document(site.db, doc_id)
    assert doc.status == "accepted"
    assert doc.fields["vendor_name"]["value"] == "Sri Murni Mart"
    assert load_bill(site.db, "B2").status == "paid"


# ---- 4. approving with the keyboard only ------------------------------------------------------


@pytest.mark.parametrize("shortcut", ["Alt+a", "a"])
def test_a_reviewer_approves_unchanged_values_with_the_keyboard_only(
    site: Site, new_page: Callable[..., Page], shortcut: str
) -> None:
    doc_id = add_document(
        site.db, {"vendor_name": "SRI MURNI", "total_amount": "60.30"}, bill_id=None
    )
    page = new_page()
    # Signing in by keyboard too: the name field has autofocus.
    page.goto("/login")
    expect(page.locator("#login-name")).to_be_focused()
    page.keyboard.type("dora")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/queue")

    page.goto(f"/documents/{doc_id}")
    assert page.evaluate("document.activeElement === document.body")
    with page.expect_navigation():
        page.keyboard.press(shortcut)
    expect(page.locator("#flash")).to_contain_text("Approval by dora recorded")
    expect(page.locator("#error-message")).to_have_count(0)  # no second (accesskey) submit

    doc = load_document(site.db, doc_id)
    assert [a.reviewer for a in doc.approvals] == ["dora"]
    assert doc.approvals[0].version == {
        "fields": {"total_amount": "60.30", "vendor_name": "SRI MURNI"},
        "customer_id": "C1",
        "bill_id": None,
    }


def test_focusing_a_field_highlights_where_it_is_printed_on_the_image(
    site: Site, new_page: Callable[..., Page]
) -> None:
    archived = site.settings.archive / "6b" / "receipt-photo.jpg"
    archived.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(RECEIPT, archived)
    # The box of "61.80" as the OCR read the photo at 1200 x 1868 pixels.
    box = {"page": 1, "x": 935, "y": 1462, "w": 111, "h": 31, "page_width": 1200}
    doc_id = add_document(
        site.db,
        {
            "total_amount": {
                "value": "61.80",
                "confidence": 0.6,
                "box": box | {"page_height": 1868},
            },
            "currency": "MYR",  # no box
        },
        bill_id=None,
        archive_path=archived,
    )
    page = new_page("dora", viewport={"width": 1360, "height": 900})
    page.goto(f"/documents/{doc_id}")
    page.wait_for_function(
        "() => { const i = document.querySelector('[data-testid=document-page]');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    highlight = page.locator("#field-highlight")
    expect(highlight).to_have_count(0)

    page.locator("#field-total_amount").focus()
    expect(highlight).to_be_visible()
    image = page.locator('[data-testid="document-page"][data-page="1"]').bounding_box()
    shown = highlight.bounding_box()
    assert image is not None and shown is not None
    scale = image["width"] / 1200
    # Over the amount on the displayed image (the highlight has a few pixels of margin).
    assert abs(shown["x"] - (image["x"] + 935 * scale)) < 6
    assert abs(shown["y"] - (image["y"] + 1462 * scale)) < 6
    assert abs(shown["width"] - 111 * scale) < 10
    assert abs(shown["height"] - 31 * scale) < 10

    page.locator("#field-currency").focus()  # blurs the total; the currency has no box
    expect(highlight).to_be_hidden()


# ---- 5. security in the browser ---------------------------------------------------------------


def test_pages_without_sign_in_go_to_the_login_page(
    site: Site, new_page: Callable[..., Page]
) -> None:
    page = new_page()
    for target in ("/queue", "/documents/1", "/customers/C1", "/"):
        page.goto(target)
        assert page.url.startswith(f"{site.base}/login"), (target, page.url)
        expect(page.locator("#login-form")).to_be_visible()
        expect(page.locator("#user-name")).to_have_count(0)


def test_ocr_text_with_a_script_is_shown_as_text(site: Site, new_page: Callable[..., Page]) -> None:
    doc_id = add_document(
        site.db,
        {"vendor_name": XSS, "total_amount": "60.30"},
        reasons=[f"odd vendor {XSS}"],
        bill_id=None,
    )
    page = new_page("dora")
    page.goto("/queue")
    row = page.locator(f'[data-testid="queue-row"][data-document-id="{doc_id}"]')
    expect(row.locator('[data-testid="queue-vendor"]')).to_have_text(XSS)
    expect(row.locator('[data-testid="queue-reasons"]')).to_contain_text(XSS)
    assert page.evaluate("window.__xss") is None

    page.goto(f"/documents/{doc_id}")
    expect(page.locator("#field-vendor_name")).to_have_value(XSS)
    assert "<script>" in (page.locator("main").text_content() or "")
    assert page.evaluate("window.__xss") is None
    assert page.locator("main script").count() == 0
