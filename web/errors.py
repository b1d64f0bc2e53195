"""Our exceptions as HTTP answers, in one place for the pages and the API."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from docintake.exceptions import (
    AuthError,
    DatabaseError,
    DocintakeError,
    ForbiddenError,
    NotFoundError,
    ReviewError,
    SetupError,
    ThrottledError,
    UsageError,
)
from web.uploads import UploadTooLarge

# Most specific first: ThrottledError is an AuthError.
STATUS: tuple[tuple[type[DocintakeError], int], ...] = (
    (ThrottledError, 429),
    (AuthError, 401),
    (ForbiddenError, 403),
    (NotFoundError, 404),
    (ReviewError, 409),
    (UploadTooLarge, 413),
    (UsageError, 422),
    (DatabaseError, 503),
    (SetupError, 503),
)


def status_for(error: DocintakeError) -> int:
    for kind, status in STATUS:
        if isinstance(error, kind):
            return status
    return 500


def headers_for(error: DocintakeError) -> dict[str, str]:
    """Retry-After for throttling (seconds), WWW-Authenticate for a missing or bad token."""
    if isinstance(error, ThrottledError):
        seconds = 60
        if error.retry_at is not None:
            seconds = max(1, math.ceil((error.retry_at - datetime.now(UTC)).total_seconds()))
        return {"Retry-After": str(seconds)}
    if isinstance(error, AuthError):
        return {"WWW-Authenticate": "Bearer"}
    return {}
