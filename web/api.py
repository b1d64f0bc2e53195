"""The REST API under /api. Every rule is ``docintake.review``'s; errors become statuses in
``web.errors``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile
from pydantic import BaseModel, ConfigDict, Field

from docintake import review
from docintake.accounts import Account, Action, require
from docintake.domain import Status
from docintake.settings import Settings
from web import queries
from web.auth import api_user, database
from web.uploads import save_to_inbox

router = APIRouter(prefix="/api", tags=["api"])

FieldValues = dict[str, str | list[str]]


class ApproveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fields: FieldValues = Field(
        default_factory=dict, description="Corrections of the machine's values, name -> value."
    )
    customer_id: str | None = Field(default=None, max_length=64)
    bill_id: str | None = Field(default=None, max_length=64)


class RejectIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=1, max_length=2000)


class ResolveIn(ApproveIn):
    choose: int | None = Field(default=None, description="Reviewer 1's or 2's version.")


class Outcome(BaseModel):
    document_id: int
    status: str
    approvals: list[str]
    message: str
    differences: list[str]


class Saved(BaseModel):
    file: str
    saved_as: str


class UploadOut(BaseModel):
    saved: list[Saved]
    message: str


def corrections(fields: FieldValues) -> dict[str, str | list[str]]:
    """Checked and normalised by the review service (UsageError -> 422)."""
    return {
        name: review.normalize_field(name, ", ".join(v) if isinstance(v, list) else v)
        for name, v in fields.items()
    }


def _outcome(result: review.ReviewOutcome) -> Outcome:
    return Outcome(
        document_id=result.document_id,
        status=result.status,
        approvals=result.approvals,
        message=result.message,
        differences=result.differences,
    )


@router.get("/queue")
def get_queue(
    request: Request,
    account: Annotated[Account, Depends(api_user(Action.REVIEW))],
    stage: Annotated[str | None, Query(description="first, second or escalated")] = None,
) -> list[dict[str, Any]]:
    """Documents waiting for a first review, a second review or an admin."""
    return [i.to_json() for i in review.list_queue(database(request), stage)]


@router.get("/documents/{document_id}")
def get_document(
    request: Request,
    document_id: int,
    account: Annotated[Account, Depends(api_user(Action.REVIEW))],
) -> dict[str, Any]:
    """The machine's values, match candidates and audit log (blind: no other reviewer's
    version); for an admin, an escalated document's versions side by side."""
    return review.show(
        database(request), document_id, for_role=account.role.value, viewer=account.name
    )


@router.post("/documents/{document_id}/approve")
def approve(
    request: Request,
    document_id: int,
    account: Annotated[Account, Depends(api_user(Action.REVIEW))],
    body: ApproveIn | None = None,
) -> Outcome:
    """This reviewer's approval, with optional corrections; the second one decides."""
    body = body or ApproveIn()
    result = review.approve(
        database(request),
        document_id,
        account.name,
        corrections=corrections(body.fields),
        customer_id=body.customer_id,
        bill_id=body.bill_id,
    )
    return _outcome(result)


@router.post("/documents/{document_id}/reject")
def reject(
    request: Request,
    document_id: int,
    body: RejectIn,
    account: Annotated[Account, Depends(api_user(Action.REVIEW))],
) -> Outcome:
    """Reject a waiting document (an escalated one: admins only)."""
    db = database(request)
    if queries.document_status(db, document_id) == Status.ESCALATED:
        require(account, Action.ADMIN)
    return _outcome(review.reject(db, document_id, account.name, body.reason))


@router.post("/documents/{document_id}/resolve")
def resolve(
    request: Request,
    document_id: int,
    body: ResolveIn,
    account: Annotated[Account, Depends(api_user(Action.ADMIN))],
) -> Outcome:
    """An admin decides an escalated document: ``choose`` 1 or 2, or their own values."""
    result = review.resolve(
        database(request),
        document_id,
        account.name,
        choose=body.choose,
        corrections=corrections(body.fields),
        customer_id=body.customer_id,
        bill_id=body.bill_id,
    )
    return _outcome(result)


@router.post("/upload", status_code=202)
def upload(
    request: Request,
    files: Annotated[list[UploadFile], File(description="One or more documents.")],
    account: Annotated[Account, Depends(api_user(Action.UPLOAD))],
) -> UploadOut:
    """Files go into the watched inbox, exactly like a dropped file; the watcher
    (docintake watch or serve) processes them."""
    settings: Settings = request.app.state.settings
    limit = int(settings.web_max_upload_mb * 1024 * 1024)
    saved = []
    for f in files:
        path = save_to_inbox(settings.inbox, f.filename, f.file, limit)
        saved.append(Saved(file=f.filename or path.name, saved_as=path.name))
    return UploadOut(
        saved=saved, message=f"{len(saved)} file(s) in the inbox; the watcher takes them next."
    )
