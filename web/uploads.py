"""Uploads take the watched folder's path: each file is written whole into the inbox under a
hidden temporary name, then linked to its real name in one step, so the watcher (which skips
hidden and ``.part`` files and waits for a file to settle) never sees half a file."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from docintake.exceptions import UsageError

CHUNK = 1024 * 1024
NAME_MAX = 150
# Names the watcher skips as partial downloads: such an upload would wait forever.
SKIPPED_SUFFIXES = (".part", ".crdownload", ".tmp")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+-]+")


class UploadTooLarge(UsageError):
    """The file is larger than DOCINTAKE_WEB_MAX_UPLOAD_MB (HTTP 413)."""


def safe_name(name: str | None) -> str:
    """The file name without any folder part, leading dots or unusual characters."""
    base = PurePosixPath((name or "").replace("\\", "/")).name
    base = _UNSAFE.sub("_", base).strip(" ._") or "upload"
    if base.lower().endswith(SKIPPED_SUFFIXES):
        base += ".upload"
    if len(base) > NAME_MAX:
        stem, dot, suffix = base.rpartition(".")
        base = (stem[: NAME_MAX - len(suffix) - 1] + dot + suffix) if dot else base[:NAME_MAX]
    return base


def save_to_inbox(inbox: Path, name: str | None, source: BinaryIO, max_bytes: int) -> Path:
    """Copy ``source`` into ``inbox`` as ``name`` (or ``name-2``... if taken); the path."""
    inbox.mkdir(parents=True, exist_ok=True)
    wanted = safe_name(name)
    fd, tmp_name = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=inbox)
    tmp = Path(tmp_name)
    try:
        size = 0
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                size += len(chunk)
                if size > max_bytes:
                    raise UploadTooLarge(
                        f"{wanted} is larger than {max_bytes // (1024 * 1024)} MB; not taken."
                    )
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if size == 0:
            raise UsageError(f"{wanted} is empty; not taken.")
        return _link_unique(tmp, inbox / wanted)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _link_unique(tmp: Path, target: Path) -> Path:
    # os.link fails instead of replacing, so two uploads of one name never overwrite.
    n = 1
    candidate = target
    while True:
        try:
            os.link(tmp, candidate)
            return candidate
        except FileExistsError:
            n += 1
            candidate = target.with_name(f"{target.stem}-{n}{target.suffix}")
