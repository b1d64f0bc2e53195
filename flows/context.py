"""What every stage needs, built once from the settings and passed in (stages never read
global settings)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from docintake.decision import Thresholds
from docintake.settings import Settings
from extractors.reader import Engine, ReadOptions
from matching.matcher import MatchPolicy


@dataclass(frozen=True)
class PipelineContext:
    database_url: str
    archive_dir: Path
    read: ReadOptions = field(default_factory=ReadOptions)
    thresholds: Thresholds = field(default_factory=Thresholds)
    policy: MatchPolicy = field(default_factory=MatchPolicy)
    workers: int = 2
    task_runner: str = "thread"  # thread | dask
    dask_address: str | None = None
    actor: str = "docintake"

    @classmethod
    def from_settings(cls, settings: Settings) -> PipelineContext:
        return cls(
            database_url=settings.database,
            archive_dir=settings.archive,
            read=ReadOptions(
                engine=Engine(settings.ocr_engine),
                languages=settings.ocr_languages,
                ocr_timeout=settings.ocr_timeout_seconds,
                pdf_dpi=settings.pdf_render_dpi,
                max_pixels=settings.max_image_pixels,
                max_pages=settings.max_pages,
                # Documents run side by side; each gets its share of the cores.
                ocr_threads=max(1, (os.cpu_count() or 1) // settings.workers),
            ),
            thresholds=Thresholds(
                field_confidence=settings.field_confidence_threshold,
                match_confidence=settings.match_confidence_threshold,
            ),
            workers=settings.workers,
            task_runner=settings.task_runner,
            dask_address=settings.dask_address,
        )
