"""The one settings object. Read once, from ``DOCINTAKE_*`` variables and CLI flags."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from docintake.domain import Engine
from docintake.exceptions import SetupError


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DOCINTAKE_", extra="ignore", frozen=True)

    home: Path = Field(
        default=Path("./docintake-data"),
        description="Folder for the inbox, processing/done/failed folders, archive and SQLite DB.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the database; default sqlite:///$DOCINTAKE_HOME/docintake.db.",
    )
    ocr_engine: Engine = Field(
        default=Engine.RAPIDOCR,
        description="OCR engine for images and scanned PDF pages: 'rapidocr' (PP-OCRv6, most "
        "accurate), 'tesseract', or 'combined' (rapidocr, checked against tesseract).",
    )
    ocr_languages: str = Field(
        default="eng",
        description="Tesseract language codes joined by '+', e.g. 'eng+deu' "
        "(tesseract and combined engines).",
    )
    ocr_timeout_seconds: float = Field(
        default=120.0, gt=0, description="Give up OCR of one page after this many seconds."
    )
    pdf_render_dpi: int = Field(
        default=300, ge=72, le=600, description="Resolution for OCR of PDF pages with no text."
    )
    max_image_pixels: int = Field(
        default=100_000_000,
        gt=0,
        description="Refuse images with more pixels than this (guards memory and time).",
    )
    max_pages: int = Field(
        default=50, gt=0, description="Refuse PDFs and multi-page TIFFs with more pages."
    )
    field_confidence_threshold: float = Field(
        default=0.80,
        ge=0,
        le=1,
        description="A required field below this confidence sends the document to review.",
    )
    match_confidence_threshold: float = Field(
        default=0.85,
        ge=0,
        le=1,
        description="A customer/bill match below this confidence sends the document to review.",
    )
    workers: int = Field(default=2, ge=1, description="Documents processed at once in a batch.")
    task_runner: Literal["thread", "dask"] = Field(
        default="thread",
        description="How a batch runs its documents: 'thread' (one machine) or 'dask' "
        "(install docintake[dask]; a local Dask cluster, or DOCINTAKE_DASK_ADDRESS).",
    )
    dask_address: str | None = Field(
        default=None,
        description="Address of a running Dask scheduler (tcp://host:8786) for task_runner=dask.",
    )
    stable_seconds: float = Field(
        default=2.0,
        ge=0,
        description="A dropped file is taken once its size and time have not changed this long.",
    )
    poll_seconds: float = Field(
        default=1.0, gt=0, description="How often the watcher rescans the inbox."
    )
    retry_cron: str = Field(
        default="*/15 * * * *",
        description="Cron schedule of the batch that re-runs documents that failed for a "
        "passing reason (used by 'docintake serve').",
    )
    web_host: str = Field(
        default="127.0.0.1",
        description="Address the web page and API listen on ('docintake web', 'serve').",
    )
    web_port: int = Field(default=8000, ge=1, le=65535, description="Port of the web app.")
    web_max_upload_mb: float = Field(
        default=50.0, gt=0, description="Largest file the web upload accepts, in megabytes."
    )

    @property
    def database(self) -> str:
        return self.database_url or f"sqlite:///{(self.home / 'docintake.db').resolve()}"

    @property
    def inbox(self) -> Path:
        return self.home / "inbox"

    @property
    def processing(self) -> Path:
        return self.home / "processing"

    @property
    def done(self) -> Path:
        return self.home / "done"

    @property
    def failed(self) -> Path:
        return self.home / "failed"

    @property
    def archive(self) -> Path:
        return self.home / "archive"

    @property
    def web_secret_file(self) -> Path:
        return self.home / "web-session.key"


def web_session_secret(settings: Settings) -> str:
    """The key that signs web session cookies: made once in the home (mode 0600), so that
    sessions survive a restart and every process serving the same home agrees on it."""
    path = settings.web_secret_file
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_urlsafe(48))
        try:
            # A link never replaces: if another process made the key first, we use theirs.
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink(missing_ok=True)
        return _read_secret(path)
    except OSError as e:
        raise SetupError(f"Cannot create the web session key {path}: {e}") from e


def _read_secret(path: Path) -> str:
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)  # a key others can read lets them forge sessions
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < 32:
        raise SetupError(f"The web session key {path} is too short; delete it to make a new one.")
    return secret


def load_settings(**overrides: object) -> Settings:
    """Environment first, then explicit overrides (from CLI flags) that are not None."""
    given = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**given)  # type: ignore[arg-type]
