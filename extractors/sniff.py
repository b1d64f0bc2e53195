"""Identify a file by its content (never by its name) and fingerprint it."""

from __future__ import annotations

import hashlib
from pathlib import Path

import filetype

from docintake.domain import FileKind, SourceFile
from docintake.exceptions import EmptyFileError, UnreadableFileError, UnsupportedFileError

_MIME_TO_KIND = {
    "image/jpeg": FileKind.JPEG,
    "image/png": FileKind.PNG,
    "image/tiff": FileKind.TIFF,
    "application/pdf": FileKind.PDF,
}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def detect_kind(path: Path) -> FileKind:
    """Look at the first bytes; raise if the content is not a supported document."""
    with path.open("rb") as fh:
        head = fh.read(8192)
    if not head:
        raise EmptyFileError(f"{path.name} is empty (0 bytes); there is nothing to read.")
    # Some PDF writers put junk before the header; the PDF spec allows it within 1 KiB.
    if b"%PDF-" in head[:1024]:
        return FileKind.PDF
    guess = filetype.guess(head)
    if guess is not None and guess.mime in _MIME_TO_KIND:
        return _MIME_TO_KIND[guess.mime]
    what = f"looks like {guess.mime}" if guess is not None else "is not a recognised format"
    raise UnsupportedFileError(
        f"{path.name} {what}; docintake reads JPEG, PNG, TIFF and PDF files "
        "(the file's content decides, not its extension)."
    )


def identify(path: Path) -> SourceFile:
    try:
        size = path.stat().st_size
        kind = detect_kind(path)
        return SourceFile(path=path, sha256=sha256_of(path), size_bytes=size, kind=kind)
    except OSError as e:
        raise UnreadableFileError(f"{path.name} cannot be read: {e.strerror or e}.") from e
