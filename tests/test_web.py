"""The web page and REST API (web/) with FastAPI's TestClient on a temporary database."""

from __future__ import annotations

import io
import re
import stat
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from db_rows import load_bill, load_document
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from PIL import Image

from docintake import accounts, review
from docintake.accounts import Role
from docintake.cli import main
from docintake.settings import Settings, web_session_secret
from storage.db import Database
from storage.models import Document
from web import api, pages
from web.app import create_app

PASSWORD = "correct horse battery"
XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
USERS = {"ada": Role.ADMIN, "rita": Role.REVIEWER, "rob": Role.REVIEWER, "otto": Role.OPERATOR}
CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture(autouse=True)
def cheap_hasher(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at minimum cost, as in test_accounts (throttling needs many sign-ins)."""
    monkeypatch.setattr(
        accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    accounts._dummy_hash.cache_clear()


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path, database_url=db_url)


@pytest.fixture
def app(settings: Settings, ledger_db: Database) -> Any:
    for name, role in USERS.items():
        accounts.create_user(ledger_db, name, role, PASSWORD)
    return create_app(settings, db=ledger_db)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


@pytest.fixture
def new_client(app: Any) -> Callable[..., TestClient]:
    """Another browser (its own cookies); ``new_client("rita")`` is signed in as rita."""

    def make(name: str | None = None, **kwargs: Any) -> TestClient:
        c = TestClient(app, **kwargs)
        if name is not None:
            sign_in(c, name)
        return c

    return make


@pytest.fixture
def token(ledger_db: Database, app: Any) -> Callable[[str], dict[str, str]]:
    def headers(name: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {accounts.new_token(ledger_db, name)}"}

    return headers


def csrf(c: TestClient, page: str = "/login") -> str:
    found = CSRF_INPUT.search(c.get(page).text)
    assert found is not None, f"no CSRF field on {page}"
    return found.group(1)


def sign_in(c: TestClient, name: str, password: str = PASSWORD) -> Any:
    r = c.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": csrf(c)},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    return r


def _path(route: APIRoute) -> str:
    return (
        route.path.replace("{document_id}", "1")
        .replace("{customer_id}", "C1")
        .replace("{page}", "1")
    )


PUBLIC = {"/login", "/openapi.json", "/docs", "/docs/oauth2-redirect", "/redoc"}


# ---- signing in ----------------------------------------------------------------------------


def test_every_page_and_api_route_refuses_without_sign_in(app: Any, make_document: Any) -> None:
    make_document()
    anonymous = TestClient(app)
    checked = []
    # The routers' own lists: FastAPI 0.154 wraps included routers in app.routes.
    for route in [*api.router.routes, *pages.router.routes]:
        if not isinstance(route, APIRoute) or route.path in PUBLIC:
            continue
        for method in route.methods - {"HEAD"}:
            r = anonymous.request(method, _path(route), follow_redirects=False)
            if route.path.startswith("/api/"):
                assert r.status_code == 401, (method, route.path, r.status_code)
                assert r.headers["www-authenticate"] == "Bearer"
                assert "detail" in r.json()
            elif route.path == "/logout":
                assert r.status_code == 303 and r.headers["location"] == "/login"
            else:
                assert r.status_code == 303, (method, route.path, r.status_code)
                assert r.headers["location"].startswith("/login?next=")
            checked.append((method, route.path))
    assert ("POST", "/api/documents/{document_id}/approve") in checked
    assert ("GET", "/documents/{document_id}") in checked
    assert ("POST", "/upload") in checked
    assert len(checked) >= 15


def test_bad_bearer_token_is_401(client: TestClient) -> None:
    r = client.get("/api/queue", headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
    assert r.json()["detail"] == accounts.BAD_TOKEN
    assert client.get("/api/queue", headers={"Authorization": "Basic eDp5"}).status_code == 401


def test_sign_in_lands_on_the_queue_and_sign_out_ends_the_session(client: TestClient) -> None:
    r = sign_in(client, "rita")
    assert r.headers["location"] == "/"
    page = client.get("/")
    assert page.url.path == "/queue"
    assert 'id="user-name"' in page.text and "rita" in page.text
    token = CSRF_INPUT.search(page.text)
    assert token is not None
    out = client.post("/logout", data={"csrf_token": token.group(1)}, follow_redirects=False)
    assert out.headers["location"] == "/login"
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_sign_in_goes_back_to_the_page_asked_for_but_not_elsewhere(client: TestClient) -> None:
    asked = client.get("/queue?stage=first", follow_redirects=False)
    assert asked.headers["location"] == "/login?next=%2Fqueue%3Fstage%3Dfirst"
    form = {"name": "rita", "password": PASSWORD, "csrf_token": csrf(client)}
    r = client.post("/login", data={**form, "next": "/queue?stage=first"}, follow_redirects=False)
    assert r.headers["location"] == "/queue?stage=first"
    other = TestClient(client.app)
    form["csrf_token"] = csrf(other)
    r = other.post("/login", data={**form, "next": "//evil.example/"}, follow_redirects=False)
    assert r.headers["location"] == "/"


def test_wrong_password_shows_the_message(client: TestClient) -> None:
    r = client.post(
        "/login", data={"name": "rita", "password": "wrong password", "csrf_token": csrf(client)}
    )
    assert r.status_code == 401
    assert 'id="login-error"' in r.text
    assert accounts.WRONG_CREDENTIALS in r.text


def test_throttled_sign_in_is_429_with_retry_after_and_the_time(client: TestClient) -> None:
    for _ in range(accounts.MAX_FAILURES_PER_NAME):
        bad = {"name": "rita", "password": "wrong password", "csrf_token": csrf(client)}
        assert client.post("/login", data=bad).status_code == 401
    right = {"name": "rita", "password": PASSWORD, "csrf_token": csrf(client)}
    r = client.post("/login", data=right, follow_redirects=False)
    assert r.status_code == 429
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins" in r.text
    assert re.search(r"try again after \d\d:\d\d UTC", r.text)


def test_session_cookie_is_httponly_and_samesite(new_client: Callable[..., TestClient]) -> None:
    plain = new_client()
    cookie = sign_in(plain, "rita").headers["set-cookie"].lower()
    assert cookie.startswith("docintake_session=")
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie  # plain http on 127.0.0.1 would otherwise lose the session
    tls = new_client(base_url="https://testserver")
    assert "; secure" in sign_in(tls, "rita").headers["set-cookie"].lower()


def test_a_deactivated_user_loses_their_session(client: TestClient, ledger_db: Database) -> None:
    sign_in(client, "rita")
    assert client.get("/queue").status_code == 200
    accounts.deactivate(ledger_db, "rita")
    r = client.get("/queue", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_session_secret_is_made_once_and_private(settings: Settings) -> None:
    first = web_session_secret(settings)
    assert web_session_secret(settings) == first
    assert len(first) >= 32
    assert stat.S_IMODE(settings.web_secret_file.stat().st_mode) == 0o600


# ---- CSRF and roles ------------------------------------------------------------------------


def test_form_posts_without_the_csrf_token_are_refused(
    new_client: Callable[..., TestClient], make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document()
    rita = new_client("rita")
    missing = rita.post(f"/documents/{doc_id}/approve", data={})
    wrong = rita.post(f"/documents/{doc_id}/approve", data={"csrf_token": "x" * 43})
    assert missing.status_code == 403 and wrong.status_code == 403
    assert "security token" in missing.text
    assert load_document(ledger_db, doc_id).approvals == []
    anonymous = new_client()
    login = anonymous.post("/login", data={"name": "rita", "password": PASSWORD})
    assert login.status_code == 403
    # Same-origin JS using the session must send the token as a header.
    assert rita.post(f"/api/documents/{doc_id}/approve", json={}).status_code == 403
    ok = rita.post(
        f"/api/documents/{doc_id}/approve",
        json={},
        headers={"X-CSRF-Token": csrf(rita, "/queue")},
    )
    assert ok.status_code == 200
    assert [a.reviewer for a in load_document(ledger_db, doc_id).approvals] == ["rita"]


def test_a_reviewer_cannot_reach_admin_routes(
    new_client: Callable[..., TestClient], token: Any, make_document: Any
) -> None:
    doc_id = make_document(status="escalated")
    rita = new_client("rita")
    page = rita.post(
        f"/documents/{doc_id}/resolve", data={"choose": "1", "csrf_token": csrf(rita, "/queue")}
    )
    assert page.status_code == 403
    assert 'id="error-message"' in page.text
    headers = token("rita")
    api = new_client()
    assert (
        api.post(
            f"/api/documents/{doc_id}/resolve", json={"choose": 1}, headers=headers
        ).status_code
        == 403
    )
    reject = api.post(f"/api/documents/{doc_id}/reject", json={"reason": "no"}, headers=headers)
    assert reject.status_code == 403


def test_an_operator_uploads_but_does_not_review(
    new_client: Callable[..., TestClient], token: Any, make_document: Any
) -> None:
    doc_id = make_document()
    otto = new_client("otto")
    assert otto.get("/").url.path == "/upload"
    assert otto.get("/queue").status_code == 403
    assert otto.get(f"/documents/{doc_id}").status_code == 403
    r = new_client().post(f"/api/documents/{doc_id}/approve", json={}, headers=token("otto"))
    assert r.status_code == 403
    assert "otto (operator) may not review" in r.json()["detail"]


# ---- escaping ------------------------------------------------------------------------------


def test_ocr_text_is_escaped_on_the_queue_and_review_page(
    new_client: Callable[..., TestClient], make_document: Any
) -> None:
    doc_id = make_document(
        {"vendor_name": XSS, "total_amount": "60.30"}, reasons=[f"odd vendor {XSS}"]
    )
    rita = new_client("rita")
    for page in ("/queue", f"/documents/{doc_id}"):
        html = rita.get(page).text
        assert XSS not in html, page
        assert ESCAPED in html, page


def test_review_page_shows_line_items_and_proof_reading(
    new_client: Callable[..., TestClient], make_document: Any
) -> None:
    rows = [
        {"description": f"Widget {XSS}", "quantity": "2", "unit_price": "5.00", "amount": "10.00"},
        {"description": "Gadget", "quantity": "1", "unit_price": "7.50", "amount": "7.50"},
    ]
    doc_id = make_document(
        {"total_amount": "17.50", "line_items": {"value": rows, "confidence": 0.9}},
        document_type="invoice",
        checks=[
            {"rule": "line_items_sum", "passed": True, "message": "the lines add up", "fields": []},
            {"rule": "iban_checksum", "passed": False, "message": "IBAN check fails", "fields": []},
        ],
    )
    html = new_client("rita").get(f"/documents/{doc_id}").text
    assert html.count('data-testid="line-item-row"') == 2
    assert "Gadget" in html and "7.50" in html
    assert XSS not in html and ESCAPED in html  # line items are OCR text too
    assert 'data-rule="iban_checksum" class="failed"' in html
    assert 'data-rule="line_items_sum" class="passed"' in html
    # A table is shown, not offered as a text field to edit.
    assert 'name="field_line_items"' not in html


# ---- API -----------------------------------------------------------------------------------


def test_api_queue_lists_waiting_documents_by_stage(
    client: TestClient, token: Any, make_document: Any, ledger_db: Database
) -> None:
    first = make_document()
    second = make_document()
    make_document(status="accepted")
    review.approve(ledger_db, second, "rob")
    headers = token("rita")
    everything = client.get("/api/queue", headers=headers)
    assert everything.status_code == 200
    assert [(d["id"], d["stage"]) for d in everything.json()] == [
        (first, "first"),
        (second, "second"),
    ]
    only = client.get("/api/queue", params={"stage": "second"}, headers=headers).json()
    assert [d["id"] for d in only] == [second]
    assert client.get("/api/queue", params={"stage": "nope"}, headers=headers).status_code == 422


def test_api_two_reviewers_approve_and_the_bill_is_settled(
    client: TestClient, token: Any, make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document({"total_amount": "60.30", "currency": "MYR"})
    one = client.post(f"/api/documents/{doc_id}/approve", headers=token("rita"))
    assert one.status_code == 200
    assert one.json()["status"] == "needs_review"
    assert "one more reviewer" in one.json()["message"]
    two = client.post(f"/api/documents/{doc_id}/approve", json={}, headers=token("rob"))
    assert two.status_code == 200
    assert two.json()["status"] == "accepted"
    assert two.json()["approvals"] == ["rita", "rob"]
    bill = load_bill(ledger_db, "B1")
    assert bill.status == "paid"
    assert bill.amount_remaining == Decimal("0.00")


def test_api_same_reviewer_twice_is_409_with_the_message(
    client: TestClient, token: Any, make_document: Any
) -> None:
    doc_id = make_document()
    headers = token("rita")
    assert client.post(f"/api/documents/{doc_id}/approve", headers=headers).status_code == 200
    again = client.post(f"/api/documents/{doc_id}/approve", headers=headers)
    assert again.status_code == 409
    assert again.json()["detail"] == (
        f"rita has already approved document {doc_id}. The second approval must come "
        "from a different reviewer."
    )


def test_api_unknown_document_is_404(client: TestClient, token: Any) -> None:
    headers = token("rita")
    assert client.get("/api/documents/999999", headers=headers).status_code == 404
    r = client.post("/api/documents/999999/approve", headers=headers)
    assert r.status_code == 404
    assert r.json()["detail"] == "There is no document with id 999999."


def test_api_bad_input_is_422(client: TestClient, token: Any, make_document: Any) -> None:
    doc_id = make_document()
    headers = token("rita")
    bad_field = client.post(
        f"/api/documents/{doc_id}/approve", json={"fields": {"nope": "1"}}, headers=headers
    )
    assert bad_field.status_code == 422
    assert "Unknown field 'nope'" in bad_field.json()["detail"]
    bad_amount = client.post(
        f"/api/documents/{doc_id}/approve",
        json={"fields": {"total_amount": "lots"}},
        headers=headers,
    )
    assert bad_amount.status_code == 422
    no_reason = client.post(f"/api/documents/{doc_id}/reject", json={}, headers=headers)
    assert no_reason.status_code == 422
    assert client.get("/api/documents/abc", headers=headers).status_code == 422


def test_api_corrections_disagreement_and_admin_resolve(
    client: TestClient, token: Any, make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document({"total_amount": "60.30", "vendor_name": "SRI MURNI"})
    fix = {"fields": {"vendor_name": "Sri Murni Mart"}}
    assert (
        client.post(f"/api/documents/{doc_id}/approve", json=fix, headers=token("rita")).status_code
        == 200
    )
    # Blind: the second reviewer sees the machine's value, not rita's correction.
    shown = client.get(f"/api/documents/{doc_id}", headers=token("rob")).json()
    assert shown["machine"]["fields"]["vendor_name"]["value"] == "SRI MURNI"
    assert shown["versions"] == []
    two = client.post(f"/api/documents/{doc_id}/approve", headers=token("rob"))
    assert two.json()["status"] == "escalated"
    assert two.json()["differences"] == ["vendor_name"]
    resolved = client.post(
        f"/api/documents/{doc_id}/resolve", json={"choose": 1}, headers=token("ada")
    )
    assert resolved.status_code == 200
    assert resolved.json()["status"] == "accepted"
    assert load_document(ledger_db, doc_id).fields["vendor_name"]["value"] == "Sri Murni Mart"
    assert load_bill(ledger_db, "B1").status == "paid"


def test_api_reject_needs_a_reason_and_records_it(
    client: TestClient, token: Any, make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document()
    r = client.post(
        f"/api/documents/{doc_id}/reject", json={"reason": "not ours"}, headers=token("rita")
    )
    assert r.status_code == 200
    assert r.json()["status"] == "rejected"
    assert load_document(ledger_db, doc_id).reasons[-1] == "rejected by rita: not ours"


def test_api_upload_lands_in_the_inbox(client: TestClient, token: Any, settings: Settings) -> None:
    files = [
        ("files", ("scan.png", b"\x89PNG fake", "image/png")),
        ("files", ("../../etc/scan.png", b"second", "image/png")),
    ]
    r = client.post("/api/upload", files=files, headers=token("otto"))
    assert r.status_code == 202
    assert [s["saved_as"] for s in r.json()["saved"]] == ["scan.png", "scan-2.png"]
    assert (settings.inbox / "scan.png").read_bytes() == b"\x89PNG fake"
    assert (settings.inbox / "scan-2.png").read_bytes() == b"second"
    # Nothing half-written or hidden is left for the watcher to trip over.
    assert sorted(p.name for p in settings.inbox.iterdir()) == ["scan-2.png", "scan.png"]
    refused = client.post("/api/upload", files=files[:1], headers=token("rita"))
    assert refused.status_code == 403


def test_api_upload_refuses_empty_and_too_large_files(
    app: Any, token: Any, settings: Settings, tmp_path: Path, ledger_db: Database
) -> None:
    small = create_app(settings.model_copy(update={"web_max_upload_mb": 0.001}), db=ledger_db)
    c = TestClient(small)
    headers = token("otto")
    big = c.post("/api/upload", files=[("files", ("big.pdf", b"x" * 2000))], headers=headers)
    assert big.status_code == 413
    empty = c.post("/api/upload", files=[("files", ("empty.pdf", b""))], headers=headers)
    assert empty.status_code == 422
    assert not settings.inbox.exists() or list(settings.inbox.iterdir()) == []


def test_openapi_lists_the_api(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert set(paths) == {
        "/api/queue",
        "/api/documents/{document_id}",
        "/api/documents/{document_id}/approve",
        "/api/documents/{document_id}/reject",
        "/api/documents/{document_id}/resolve",
        "/api/upload",
    }


# ---- pages ---------------------------------------------------------------------------------


def test_queue_page_filters_and_sorts(
    new_client: Callable[..., TestClient], make_document: Any, ledger_db: Database
) -> None:
    small = make_document({"total_amount": "5.00", "vendor_name": "Small Shop"})
    big = make_document({"total_amount": "900.00"}, document_type="invoice")
    rita = new_client("rita")
    page = rita.get("/queue")
    assert page.status_code == 200
    assert 'data-testid="queue-row"' in page.text
    assert "Small Shop" in page.text and "Sri Murni Mart Sdn Bhd" in page.text
    rows = lambda html: [int(i) for i in re.findall(r'data-document-id="(\d+)"', html)]  # noqa: E731
    assert rows(rita.get("/queue?sort=total&order=desc").text) == [big, small]
    assert rows(rita.get("/queue?sort=total&order=asc").text) == [small, big]
    assert rows(rita.get("/queue?type=invoice").text) == [big]
    assert rows(rita.get("/queue?sort=age&order=desc").text) == [small, big]
    assert rita.get("/queue?sort=colour").status_code == 422


def test_review_page_shows_machine_values_and_approves_with_them_unchanged(
    new_client: Callable[..., TestClient], make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document({"total_amount": "60.30", "vendor_name": "SRI MURNI"})
    following = make_document()
    review.approve(ledger_db, doc_id, "rob", corrections={"vendor_name": "Rob's spelling"})
    rita = new_client("rita")
    page = rita.get(f"/documents/{doc_id}")
    assert page.status_code == 200
    assert 'id="field-vendor_name"' in page.text and 'value="SRI MURNI"' in page.text
    assert "Rob&#39;s spelling" not in page.text and "Rob's spelling" not in page.text
    assert 'id="approve-button"' in page.text and "Alt</kbd>+<kbd>A" in page.text
    # What the browser sends when the reviewer just presses Approve.
    form = {
        "csrf_token": csrf(rita, f"/documents/{doc_id}"),
        "field_vendor_name": "SRI MURNI",
        "field_total_amount": "60.30",
        "field_document_date": "",
        "customer_id": "C1",
        "bill_id": "B1",
    }
    r = rita.post(f"/documents/{doc_id}/approve", data=form, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/documents/{following}"
    doc = load_document(ledger_db, doc_id)
    assert doc.status == "escalated"  # rob corrected the vendor, rita kept the machine's
    assert doc.approvals[1].version == {
        "fields": {"total_amount": "60.30", "vendor_name": "SRI MURNI"},
        "customer_id": "C1",
        "bill_id": "B1",
    }
    assert "escalated" in rita.get(r.headers["location"]).text


def test_review_page_puts_the_stored_box_of_a_field_on_its_input(
    new_client: Callable[..., TestClient], make_document: Any
) -> None:
    box = {"page": 1, "x": 935, "y": 1462, "w": 111, "h": 31, "page_width": 1200}
    doc_id = make_document(
        {
            "total_amount": {
                "value": "61.80",
                "confidence": 0.6,
                "box": box | {"page_height": 1868},
            },
            "vendor_name": {"value": "SRI MURNI", "confidence": 0.9, "box": box},  # incomplete
            "currency": "MYR",
        }
    )
    html = new_client("rita").get(f"/documents/{doc_id}").text
    total = re.search(r'<input id="field-total_amount"[^>]*>', html)
    assert total is not None
    attrs = dict(re.findall(r'(data-[a-z-]+)="([^"]*)"', total.group(0)))
    assert attrs | {"data-confidence": ""} == {
        "data-testid": "field-total_amount",
        "data-confidence": "",
        "data-box-page": "1",
        "data-box-x": "935",
        "data-box-y": "1462",
        "data-box-w": "111",
        "data-box-h": "31",
        "data-page-width": "1200",
        "data-page-height": "1868",
    }
    for name in ("vendor_name", "currency"):
        tag = re.search(rf'<input id="field-{name}"[^>]*>', html)
        assert tag is not None and "data-box-" not in tag.group(0), name


def test_same_reviewer_twice_on_the_page_shows_the_service_message(
    new_client: Callable[..., TestClient], make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document()
    review.approve(ledger_db, doc_id, "rita")
    rita = new_client("rita")
    page = rita.get(f"/documents/{doc_id}")
    assert 'id="already-approved"' in page.text
    assert 'id="approve-button"' not in page.text
    r = rita.post(
        f"/documents/{doc_id}/approve",
        data={"csrf_token": csrf(rita, f"/documents/{doc_id}"), "field_total_amount": "60.30"},
    )
    assert r.status_code == 409
    assert 'id="error-message"' in r.text
    assert "rita has already approved document" in r.text


def test_page_corrections_and_bill_choice_reach_the_service(
    new_client: Callable[..., TestClient], make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document({"total_amount": "100"}, bill_id=None)
    rita = new_client("rita")
    form = {
        "csrf_token": csrf(rita, f"/documents/{doc_id}"),
        "field_total_amount": "100.00",  # the same amount, written differently
        "field_vendor_name": "Sri Murni",
        "customer_id": "C1",
        "bill_id": "B2",
    }
    r = rita.post(f"/documents/{doc_id}/approve", data=form, follow_redirects=False)
    assert r.status_code == 303
    version = load_document(ledger_db, doc_id).approvals[0].version
    assert version is not None
    assert version["fields"]["vendor_name"] == "Sri Murni"
    assert version["bill_id"] == "B2"
    bad = rita.post(
        f"/documents/{doc_id}/approve",
        data={**form, "csrf_token": csrf(rita, "/queue"), "field_total_amount": "lots"},
    )
    assert bad.status_code in (409, 422)
    assert 'id="error-message"' in bad.text


def test_page_reject_goes_to_the_next_document(
    new_client: Callable[..., TestClient], make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document()
    rita = new_client("rita")
    r = rita.post(
        f"/documents/{doc_id}/reject",
        data={"csrf_token": csrf(rita, "/queue"), "reason": "blurred"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/queue"
    assert load_document(ledger_db, doc_id).status == "rejected"
    assert "rejected by rita" in rita.get("/queue").text  # the flash message


def test_admin_sees_both_versions_and_chooses_one(
    new_client: Callable[..., TestClient], make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document({"total_amount": "60.30", "vendor_name": "SRI MURNI"})
    review.approve(ledger_db, doc_id, "rita", corrections={"vendor_name": "Sri Murni Mart"})
    review.approve(ledger_db, doc_id, "rob")
    ada = new_client("ada")
    page = ada.get(f"/documents/{doc_id}")
    assert 'id="comparison"' in page.text
    assert 'data-field="vendor_name" data-differs="true"' in page.text
    assert 'data-field="total_amount" data-differs="false"' in page.text
    assert 'id="resolve-1"' in page.text and 'id="resolve-2"' in page.text
    # A reviewer sees neither the versions nor the buttons.
    rita_page = new_client("rita").get(f"/documents/{doc_id}").text
    assert 'id="comparison"' not in rita_page and 'id="waiting-for-admin"' in rita_page
    r = ada.post(
        f"/documents/{doc_id}/resolve",
        data={"csrf_token": csrf(ada, "/queue"), "choose": "2"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    doc = load_document(ledger_db, doc_id)
    assert doc.status == "accepted"
    assert doc.fields["vendor_name"]["value"] == "SRI MURNI"


def test_document_image_is_served_from_the_archive(
    new_client: Callable[..., TestClient],
    make_document: Any,
    ledger_db: Database,
    settings: Settings,
) -> None:
    settings.archive.mkdir(parents=True)
    png, pdf = settings.archive / "ab" / "png", settings.archive / "cd" / "pdf"
    png.parent.mkdir()
    pdf.parent.mkdir()
    Image.new("RGB", (40, 20), "white").save(png, format="PNG")
    Image.new("RGB", (40, 20), "white").save(pdf, format="PDF")
    ids = {}
    for kind, path in (("png", png), ("pdf", pdf)):
        ids[kind] = make_document()
        with ledger_db.session() as s:
            doc = s.get(Document, ids[kind])
            assert doc is not None
            doc.archive_path, doc.file_kind = str(path), kind
    outside = make_document()
    with ledger_db.session() as s:
        doc = s.get(Document, outside)
        assert doc is not None
        doc.archive_path = "/etc/passwd"
    rita = new_client("rita")
    assert 'data-testid="document-page"' in rita.get(f"/documents/{ids['pdf']}").text
    for kind in ("png", "pdf"):
        r = rita.get(f"/documents/{ids[kind]}/pages/1")
        assert r.status_code == 200
        assert r.headers["content-type"] == "image/png"
        assert Image.open(io.BytesIO(r.content)).size[0] > 0
    assert rita.get(f"/documents/{ids['pdf']}/pages/2").status_code == 404
    assert rita.get(f"/documents/{outside}/pages/1").status_code == 404
    assert 'id="no-image"' in rita.get(f"/documents/{outside}").text


def test_upload_page_puts_files_in_the_inbox(
    new_client: Callable[..., TestClient], settings: Settings
) -> None:
    otto = new_client("otto")
    page = otto.get("/upload")
    assert 'id="upload-form"' in page.text
    r = otto.post(
        "/upload",
        data={"csrf_token": csrf(otto, "/upload")},
        files=[("files", ("a.pdf", b"%PDF-1.4 a")), ("files", ("b.jpg", b"\xff\xd8 b"))],
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert sorted(p.name for p in settings.inbox.iterdir()) == ["a.pdf", "b.jpg"]
    assert "2 file(s) in the inbox" in otto.get("/upload").text
    no_token = otto.post("/upload", files=[("files", ("c.pdf", b"%PDF"))])
    assert no_token.status_code == 403
    assert not (settings.inbox / "c.pdf").exists()


def test_customer_page_shows_bills_payments_and_balance(
    client: TestClient, token: Any, new_client: Callable[..., TestClient], make_document: Any
) -> None:
    doc_id = make_document({"total_amount": "60.30"})
    client.post(f"/api/documents/{doc_id}/approve", headers=token("rita"))
    client.post(f"/api/documents/{doc_id}/approve", headers=token("rob"))
    page = new_client("rita").get("/customers/C1")
    assert page.status_code == 200
    assert "Sri Murni Mart Sdn Bhd" in page.text
    assert 'data-bill-id="B1" data-status="paid"' in page.text
    assert 'data-bill-id="B2" data-status="open"' in page.text
    assert page.text.count('data-testid="payment-row"') == 1
    # Open bills of C1: B2 (100.00); B1 is now paid and B4 was paid before.
    assert re.search(r'data-currency="MYR">100\.00 MYR', page.text)
    assert new_client("rita").get("/customers/NOPE").status_code == 404


# ---- commands ------------------------------------------------------------------------------


def test_web_command_runs_uvicorn_on_the_settings_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import web.server

    calls: list[tuple[str, int]] = []
    monkeypatch.setattr(web.server, "run", lambda settings, host, port: calls.append((host, port)))
    assert main(["--home", str(tmp_path), "web"]) == 0
    assert main(["--home", str(tmp_path), "web", "--host", "0.0.0.0", "--port", "9001"]) == 0
    monkeypatch.setenv("DOCINTAKE_WEB_PORT", "8123")
    assert main(["--home", str(tmp_path), "web"]) == 0
    assert calls == [("127.0.0.1", 8000), ("0.0.0.0", 9001), ("127.0.0.1", 8123)]


def test_a_taken_port_is_a_setup_error() -> None:
    from docintake.exceptions import SetupError
    from web.server import bind

    first = bind("127.0.0.1", 0)
    first.listen()
    try:
        with pytest.raises(SetupError, match="Cannot listen"):
            bind("127.0.0.1", first.getsockname()[1]).close()
    finally:
        first.close()


def test_ages_are_measured_from_arrival(
    new_client: Callable[..., TestClient], make_document: Any, ledger_db: Database
) -> None:
    doc_id = make_document()
    with ledger_db.session() as s:
        doc = s.get(Document, doc_id)
        assert doc is not None
        doc.created_at = datetime(2020, 1, 1, tzinfo=UTC)
    html = new_client("rita").get("/queue").text
    assert re.search(r'data-testid="queue-age">\d+ d<', html)
