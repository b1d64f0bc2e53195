"""The server-rendered pages. Each calls the review service and shows its messages."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from docintake import accounts, review
from docintake.accounts import Account, Action, Role
from docintake.domain import (
    COMMON_FIELDS,
    CUSTOMS_FIELDS,
    INVOICE_FIELDS,
    TRADE_TYPES,
    DocumentType,
    Status,
)
from docintake.exceptions import (
    AuthError,
    DocintakeError,
    ForbiddenError,
    NotFoundError,
    ThrottledError,
    UsageError,
)
from docintake.settings import Settings
from web import images, queries
from web.auth import (
    client_address,
    csrf_form,
    database,
    form_user,
    page_user,
    session_account,
    sign_in,
    sign_out,
)
from web.errors import headers_for, status_for
from web.rendering import render
from web.uploads import save_to_inbox

router = APIRouter(include_in_schema=False)

CSRF = Depends(csrf_form)
Reviewer = Annotated[Account, Depends(page_user(Action.REVIEW))]
Uploader = Annotated[Account, Depends(page_user(Action.UPLOAD))]
# Form POSTs: the same, then the CSRF token.
ReviewerPost = Annotated[Account, Depends(form_user(Action.REVIEW))]
UploaderPost = Annotated[Account, Depends(form_user(Action.UPLOAD))]
AdminPost = Annotated[Account, Depends(form_user(Action.ADMIN))]
SignedIn = Annotated[Account, Depends(page_user())]
FIELD_PREFIX = "field_"


def _local(target: str | None) -> str:
    """Only a path on this site after sign-in (no //evil.example redirects)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return "/"


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = {"message": message, "kind": kind}


# ---- signing in --------------------------------------------------------------------------------


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    return render(request, "login.html", {"next": _local(next), "error": None})


@router.post("/login", dependencies=[CSRF])
async def login(request: Request) -> Response:
    form = await request.form()
    name, password = str(form.get("name") or ""), str(form.get("password") or "")
    target = _local(str(form.get("next") or "/"))
    try:
        account = accounts.authenticate(database(request), name, password, client_address(request))
    except AuthError as e:
        # Wrong password: 401; too many failures: 429 with Retry-After and the time in text.
        return render(
            request,
            "login.html",
            {"next": target, "error": e.message, "name": name[:120]},
            status_code=status_for(e),
            headers=headers_for(e) if isinstance(e, ThrottledError) else None,
        )
    sign_in(request, account)
    return _see_other(target)


@router.post("/logout")
async def logout(request: Request) -> Response:
    if session_account(request) is not None:
        await csrf_form(request)  # else any site could sign our users out
    sign_out(request)
    return _see_other("/login")


@router.get("/")
def home(account: SignedIn) -> Response:
    return _see_other("/queue" if account.can(Action.REVIEW) else "/upload")


# ---- queue --------------------------------------------------------------------------------------


@router.get("/queue")
def queue(
    request: Request,
    account: Reviewer,
    stage: str | None = None,
    type: str | None = None,  # noqa: A002  (the query parameter's name)
    sort: str = "age",
    order: str = "desc",
) -> Response:
    rows = queries.queue_rows(
        database(request), stage=stage or None, document_type=type or None, sort=sort, order=order
    )
    return render(
        request,
        "queue.html",
        {
            "rows": rows,
            "stage": stage or "",
            "type": type or "",
            "sort": sort,
            "order": order,
            "stages": review.STAGES,
            "types": [t.value for t in DocumentType],
            "actionable": {r.item.id for r in rows if queries.can_act(r.item, account)},
        },
    )


# ---- one document -------------------------------------------------------------------------------


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return str(value)


def _same_text(a: str, b: str) -> bool:
    # A text input drops line breaks; the service compares text without extra spaces too.
    return " ".join(a.split()) == " ".join(b.split())


# Line-item columns in the order a reviewer reads them.
LINE_ITEM_COLUMNS = (
    "description",
    "hs_code",
    "quantity",
    "unit_price",
    "amount",
    "country_of_origin",
    "packages",
    "gross_weight_kg",
    "net_weight_kg",
)


def _field_names(doc: dict[str, Any]) -> list[str]:
    present = list(doc["machine"]["fields"])
    order = list(COMMON_FIELDS)
    if doc.get("document_type") in {t.value for t in TRADE_TYPES}:
        order += CUSTOMS_FIELDS
    else:
        order += INVOICE_FIELDS
    names = [n for n in order if n in review.EDITABLE_FIELDS]
    return names + sorted(n for n in present if n not in names and n in review.EDITABLE_FIELDS)


def _pickers(db: Any, doc: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Customer and bill choices: the machine's, then every match candidate's."""
    machine = doc["machine"]
    candidates = doc["match"]["candidates"] or []
    customers: dict[str, dict[str, Any]] = {}
    bills: dict[str, dict[str, Any]] = {}
    if machine["customer_id"]:
        customers[machine["customer_id"]] = {"id": machine["customer_id"], "suggested": True}
    if machine["bill_id"]:
        bills[machine["bill_id"]] = {
            "id": machine["bill_id"],
            "customer_id": machine["customer_id"],
            "suggested": True,
        }
    for c in candidates:
        cid, bid = c.get("customer_id"), c.get("bill_id")
        reasons = "; ".join(
            f"{r.get('field')}: {r.get('note') or r.get('against')} ({r.get('score')})"
            for r in c.get("reasons") or []
        )
        if cid:
            entry = customers.setdefault(cid, {"id": cid})
            entry.setdefault("name", c.get("customer_name"))
            entry.setdefault("confidence", c.get("confidence"))
            entry.setdefault("reasons", reasons)
        if bid:
            entry = bills.setdefault(bid, {"id": bid, "customer_id": cid})
            entry.setdefault("confidence", c.get("confidence"))
            entry.setdefault("payment", c.get("payment"))
            entry.setdefault("reasons", reasons)
    for entry in [*customers.values(), *bills.values()]:
        for key in ("name", "confidence", "payment", "reasons", "suggested"):
            entry.setdefault(key, None)
    missing = {cid for cid, c in customers.items() if not c.get("name")}
    if missing:
        for cid, name in queries.customer_names(db, missing).items():
            customers[cid]["name"] = name
    return list(customers.values()), list(bills.values())


BOX_KEYS = ("page", "x", "y", "w", "h", "page_width", "page_height")


def _box(stored: Any) -> dict[str, int] | None:
    """Where the field's value is printed (stored by the pipeline), if every number is there."""
    box = stored.get("box") if isinstance(stored, dict) else None
    if not isinstance(box, dict):
        return None
    try:
        out = {k: int(box[k]) for k in BOX_KEYS}
    except (KeyError, TypeError, ValueError):
        return None
    return out if out["page_width"] > 0 and out["page_height"] > 0 else None


def _document_context(
    request: Request,
    account: Account,
    document_id: int,
    *,
    error: str | None = None,
    submitted: FormData | None = None,
) -> dict[str, Any]:
    db = database(request)
    doc = review.show(db, document_id, for_role=account.role.value, viewer=account.name)
    machine = doc["machine"]
    fields = []
    for name in _field_names(doc):
        entry = machine["fields"].get(name) or {}
        value = _shown(entry.get("value"))
        if submitted is not None and f"{FIELD_PREFIX}{name}" in submitted:
            value = str(submitted[f"{FIELD_PREFIX}{name}"])
        box = _box((doc["fields"] or {}).get(name))
        fields.append(
            {"name": name, "value": value, "confidence": entry.get("confidence"), "box": box}
        )
    customers, bills = _pickers(db, doc)
    stage = doc["stage"]
    me = account.name.casefold()
    reviewed = me in {a.casefold() for a in doc["approvals"]}
    settings: Settings = request.app.state.settings
    pages = 0
    archived = _archived(settings, doc.get("archive_path"))
    if archived is not None:
        try:
            pages = images.page_count(archived, images.file_kind(archived, None))
        except Exception:  # a damaged original must not hide the document's fields
            pages = 0
    is_admin = account.role == Role.ADMIN
    chosen_customer = machine["customer_id"] or ""
    chosen_bill = machine["bill_id"] or ""
    if submitted is not None:
        chosen_customer = str(submitted.get("customer_id") or chosen_customer)
        chosen_bill = str(submitted.get("bill_id") or chosen_bill)
    line_items = [
        row
        for row in (machine["fields"].get("line_items") or {}).get("value") or []
        if isinstance(row, dict)
    ]
    columns = [c for c in LINE_ITEM_COLUMNS if any(c in row for row in line_items)]
    return {
        "doc": doc,
        "fields": fields,
        "line_items": line_items,
        "line_item_columns": columns,
        "customers": customers,
        "bills": bills,
        "chosen_customer": chosen_customer,
        "chosen_bill": chosen_bill,
        "pages": pages,
        "reviewed": reviewed,
        "can_approve": stage in ("first", "second") and not reviewed,
        "can_reject": stage in ("first", "second") or (stage == "escalated" and is_admin),
        "can_resolve": stage == "escalated" and is_admin and not reviewed,
        "error": error,
    }


def _archived(settings: Settings, archive_path: str | None) -> Path | None:
    """The archived original, only from inside this home's archive folder."""
    if not archive_path:
        return None
    path = Path(archive_path).resolve()
    root = settings.archive.resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: int, account: Reviewer) -> Response:
    return render(request, "document.html", _document_context(request, account, document_id))


@router.get("/documents/{document_id}/pages/{page}")
def document_image(request: Request, document_id: int, page: int, account: Reviewer) -> Response:
    settings: Settings = request.app.state.settings
    archive_path, kind, _name = queries.document_file(database(request), document_id)
    path = _archived(settings, archive_path)
    if path is None:
        raise NotFoundError(f"The original of document {document_id} is not in the archive.")
    content, media_type = images.page_image(path, images.file_kind(path, kind), page)
    return Response(content, media_type=media_type, headers={"Cache-Control": "private"})


def _decision_failed(
    request: Request, account: Account, document_id: int, e: DocintakeError, form: FormData
) -> Response:
    """The service refused: the page again, with its message and what was typed."""
    if isinstance(e, AuthError | ForbiddenError | NotFoundError):
        raise e
    context = _document_context(request, account, document_id, error=e.message, submitted=form)
    return render(request, "document.html", context, status_code=status_for(e))


def _after_decision(request: Request, account: Account, document_id: int, message: str) -> Response:
    _flash(request, message)
    following = queries.next_document(database(request), document_id, account)
    return _see_other(f"/documents/{following}" if following is not None else "/queue")


@router.post("/documents/{document_id}/approve")
async def approve(request: Request, document_id: int, account: ReviewerPost) -> Response:
    form = await request.form()
    db = database(request)
    try:
        # Compared with the machine's values as the service has them now, not the form's.
        doc = review.show(db, document_id, for_role=account.role.value, viewer=account.name)
        machine = doc["machine"]
        corrections = {}
        for name in review.EDITABLE_FIELDS:
            key = f"{FIELD_PREFIX}{name}"
            if key not in form:
                continue
            typed = str(form[key])
            old = _shown((machine["fields"].get(name) or {}).get("value"))
            if not _same_text(typed, old):
                corrections[name] = review.normalize_field(name, typed)
        customer = str(form.get("customer_id") or "") or None
        bill = str(form.get("bill_id") or "") or None
        result = review.approve(
            db,
            document_id,
            account.name,
            corrections=corrections,
            customer_id=customer if customer != machine["customer_id"] else None,
            bill_id=bill if bill != machine["bill_id"] else None,
        )
    except DocintakeError as e:
        return _decision_failed(request, account, document_id, e, form)
    return _after_decision(request, account, document_id, result.message)


@router.post("/documents/{document_id}/reject")
async def reject(request: Request, document_id: int, account: ReviewerPost) -> Response:
    form = await request.form()
    db = database(request)
    try:
        if queries.document_status(db, document_id) == Status.ESCALATED:
            accounts.require(account, Action.ADMIN)
        result = review.reject(db, document_id, account.name, str(form.get("reason") or ""))
    except DocintakeError as e:
        return _decision_failed(request, account, document_id, e, form)
    return _after_decision(request, account, document_id, result.message)


@router.post("/documents/{document_id}/resolve")
async def resolve(request: Request, document_id: int, account: AdminPost) -> Response:
    form = await request.form()
    try:
        choose = int(str(form.get("choose") or "0"))
        result = review.resolve(database(request), document_id, account.name, choose=choose)
    except ValueError:
        return _decision_failed(
            request, account, document_id, UsageError("Choose version 1 or 2."), form
        )
    except DocintakeError as e:
        return _decision_failed(request, account, document_id, e, form)
    return _after_decision(request, account, document_id, result.message)


# ---- upload ------------------------------------------------------------------------------------


def _upload_context(request: Request) -> dict[str, Any]:
    settings: Settings = request.app.state.settings
    return {
        "recent": queries.recent_documents(database(request)),
        "max_mb": settings.web_max_upload_mb,
    }


@router.get("/upload")
def upload_page(request: Request, account: Uploader) -> Response:
    return render(request, "upload.html", {**_upload_context(request), "error": None})


@router.post("/upload")
async def upload(request: Request, account: UploaderPost) -> Response:
    settings: Settings = request.app.state.settings
    form = await request.form()
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    limit = int(settings.web_max_upload_mb * 1024 * 1024)
    saved: list[str] = []
    try:
        if not files:
            raise UsageError("Choose one or more files to upload.")
        for f in files:
            # Written in a worker thread: a big file must not stall other requests.
            path = await run_in_threadpool(save_to_inbox, settings.inbox, f.filename, f.file, limit)
            saved.append(path.name)
    except DocintakeError as e:
        done = f" Taken before the error: {', '.join(saved)}." if saved else ""
        return render(
            request,
            "upload.html",
            {**_upload_context(request), "error": e.message + done},
            status_code=status_for(e),
        )
    _flash(
        request,
        f"{len(saved)} file(s) in the inbox ({', '.join(saved)}); they appear below once "
        "the watcher has read them.",
    )
    return _see_other("/upload")


# ---- customer ----------------------------------------------------------------------------------


@router.get("/customers/{customer_id}")
def customer_page(request: Request, customer_id: str, account: Reviewer) -> Response:
    overview = queries.customer_overview(database(request), customer_id)
    return render(request, "customer.html", overview)
