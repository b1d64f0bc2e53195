"""All errors docintake raises on purpose.

Library code raises these; only the CLI (``docintake.cli``) and the flows turn them into output.
Every error carries a message written for the person at the terminal and an exit code.
"""

from __future__ import annotations

from datetime import datetime


class DocintakeError(Exception):
    """Base error: ``message`` is shown to a person, ``exit_code`` ends the CLI."""

    exit_code: int = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(DocintakeError):
    """The command was called wrongly (bad flag value, missing file argument)."""

    exit_code = 2


class SetupError(DocintakeError):
    """The machine lacks something docintake needs (tesseract, a writable folder, the DB)."""

    exit_code = 3


class DatabaseError(DocintakeError):
    """The database could not be reached or migrated."""

    exit_code = 3


class LedgerImportError(DocintakeError):
    """A ledger file cannot be read at all (individual bad rows are reported, not raised)."""

    exit_code = 4


class ReviewError(DocintakeError):
    """A review action was refused (same reviewer twice, wrong state, unknown bill)."""

    exit_code = 5


class NotFoundError(DocintakeError):
    """A document, customer or bill id does not exist."""

    exit_code = 6


class DocumentError(DocintakeError):
    """One document could not be processed. The run goes on; the file goes to ``failed/``.

    ``retryable`` says whether trying again later may succeed (a timeout, a locked database)
    as opposed to a problem with the file itself (corrupt, encrypted, unsupported).
    """

    retryable: bool = False


class EmptyFileError(DocumentError):
    """The file has no bytes."""


class UnreadableFileError(DocumentError):
    """The file cannot be opened (permissions, vanished, I/O error)."""

    retryable = True


class UnsupportedFileError(DocumentError):
    """The content is not a JPEG, PNG, TIFF or PDF, whatever the file name says."""


class CorruptFileError(DocumentError):
    """The content claims a known format but cannot be decoded."""


class EncryptedPdfError(DocumentError):
    """The PDF is password protected."""


class ImageTooLargeError(DocumentError):
    """The image has more pixels than the configured limit."""


class OcrError(DocumentError):
    """The OCR engine failed on this document (crash, bad output)."""

    retryable = True


class OcrTimeoutError(OcrError):
    """The OCR engine did not finish within the configured time."""

    retryable = True


class TransientError(DocumentError):
    """Something outside the document failed (database busy, disk full); worth retrying."""

    retryable = True


class AuthError(DocintakeError):
    """Not signed in, a wrong password, or a bad token."""

    exit_code = 7


class ForbiddenError(DocintakeError):
    """Signed in, but this role may not do that."""

    exit_code = 8


class ThrottledError(AuthError):
    """Too many failed sign-ins; try again later (``retry_at``, UTC, when known)."""

    def __init__(self, message: str, retry_at: datetime | None = None) -> None:
        super().__init__(message)
        self.retry_at = retry_at
