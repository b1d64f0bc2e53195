"""The ``docintake`` command. Errors become messages and exit codes here, and only here."""

from __future__ import annotations

import json
import logging
import os
import shutil
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

# Prefect logs every run at INFO; people at a terminal need our summary, not that.
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
# Telemetry needs a network we may not have, and its heartbeat fights us for the SQLite lock.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
# Prefect's temporary API server can take longer than its 20 s default to start on a busy
# two-core machine (OCR running); failing the whole run for that would be wrong.
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "90")

import click  # noqa: E402
from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402
from sqlalchemy.exc import SQLAlchemyError  # noqa: E402

from docintake import __version__  # noqa: E402
from docintake.domain import Engine, Status  # noqa: E402
from docintake.exceptions import DatabaseError, DocintakeError, UsageError  # noqa: E402
from docintake.settings import Settings, load_settings  # noqa: E402

# Piped output (CI logs, `| less`) gets a wide table rather than 80 wrapped columns.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, width=None if sys.stderr.isatty() else 160)

# In a folder given to `run`, these are sidecar files (ground truth, notes), not documents.
SIDECAR_SUFFIXES = frozenset({".json", ".xml", ".csv", ".txt", ".md", ".yaml", ".yml"})

ENGINES = tuple(e.value for e in Engine)

STATUS_STYLE = {
    Status.AUTO_ACCEPTED: "green",
    Status.NEEDS_REVIEW: "yellow",
    Status.DUPLICATE: "cyan",
    Status.SPLIT: "cyan",
    Status.FAILED: "red",
    Status.EXTRACTED: "green",
    Status.ACCEPTED: "green",
    Status.REJECTED: "red",
    Status.ESCALATED: "magenta",
}


def _settings(ctx: click.Context) -> Settings:
    settings = ctx.obj
    assert isinstance(settings, Settings)
    return settings


def _quiet_prefect() -> None:
    # A bad document is an expected outcome that we report ourselves; Prefect would print a
    # traceback for each failed task run. Unexpected errors are still logged by our flows.
    import prefect  # noqa: F401  (configures Prefect's logging, which we then adjust)

    logging.getLogger("prefect.task_runs").setLevel(logging.CRITICAL)
    logging.getLogger("distributed").setLevel(logging.WARNING)  # Dask's cluster chatter


def _context(settings: Settings, *, prefect: bool = True) -> Any:
    """The pipeline context; checks the OCR engine first. ``prefect``: the command runs flows."""
    from extractors.reader import engine_version
    from flows.context import PipelineContext

    engine_version(Engine(settings.ocr_engine), settings.ocr_languages)
    if prefect:
        _quiet_prefect()
    return PipelineContext.from_settings(settings)


def _database(settings: Settings) -> Any:
    from storage.db import Database

    return Database(settings.database)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "show_default": True})
@click.version_option(__version__, prog_name="docintake")
@click.option(
    "--home",
    type=click.Path(path_type=Path),
    default=None,
    help="Data folder (env DOCINTAKE_HOME, default ./docintake-data).",
)
@click.option(
    "--database-url",
    default=None,
    help="SQLAlchemy URL (env DOCINTAKE_DATABASE_URL, default SQLite in the home).",
)
@click.option(
    "--workers",
    type=int,
    default=None,
    help="Documents processed at once (env DOCINTAKE_WORKERS, default 2).",
)
@click.option(
    "--engine",
    type=click.Choice(ENGINES),
    default=None,
    help="OCR engine (env DOCINTAKE_OCR_ENGINE, default rapidocr).",
)
@click.pass_context
def cli(
    ctx: click.Context,
    home: Path | None,
    database_url: str | None,
    workers: int | None,
    engine: str | None,
) -> None:
    """Read receipts, invoices and customs documents; match them; review what is unsure."""
    try:
        ctx.obj = load_settings(
            home=home, database_url=database_url, workers=workers, ocr_engine=engine
        )
    except ValueError as e:
        raise UsageError(f"Invalid setting: {e}") from e


# ---- extract / run ----------------------------------------------------------------------


def _expand(inputs: Sequence[Path], *, skip_sidecars: bool) -> list[Path]:
    from flows.watch import iter_files

    files: list[Path] = []
    skipped = 0
    for item in inputs:
        if item.is_dir():
            for f in iter_files(item):
                if skip_sidecars and f.suffix.lower() in SIDECAR_SUFFIXES:
                    skipped += 1
                    continue
                files.append(f)
        elif item.exists():
            files.append(item)
        else:
            raise UsageError(f"{item} does not exist.")
    if skipped:
        err.print(f"[dim]skipped {skipped} sidecar file(s) (.json, .csv, .txt, ...)[/dim]")
    if not files:
        raise UsageError("No files to process.")
    return files


def _print_json(objs: Iterable[dict[str, Any]]) -> None:
    for obj in objs:
        sys.stdout.write(json.dumps(obj, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _field(outcome: Any, name: str) -> str:
    value = outcome.fields.get(name, {}).get("value")
    return "" if value is None else str(value)


def summary_table(outcomes: Sequence[Any], *, with_match: bool = True) -> Table:
    table = Table(title=f"{len(outcomes)} document(s)", show_lines=False)
    table.add_column("document", no_wrap=True)
    table.add_column("type")
    table.add_column("total", justify="right")
    if with_match:
        table.add_column("match")
    table.add_column("decision")
    table.add_column("why", overflow="fold", max_width=60)
    # A split file's parts are shown under it, each a document of its own.
    rows = [r for o in outcomes for r in [(o, ""), *((p, "  └ ") for p in o.parts)]]
    for o, indent in rows:
        total = _field(o, "total_amount")
        currency = _field(o, "currency")
        match = ""
        if o.match and o.match.get("customer_id"):
            match = f"{o.match['customer_id']} / {o.match.get('bill_id') or '-'}"
            match += f" ({o.match['confidence']:.2f})"
        style = STATUS_STYLE.get(o.status, "")
        row = [indent + o.file, o.document_type or "", f"{total} {currency}".strip()]
        if with_match:
            row.append(match)
        more = f" (+{len(o.reasons) - 3} more)" if len(o.reasons) > 3 else ""
        why = "; ".join(o.reasons[:3]) + more
        row += [f"[{style}]{o.status.value}[/{style}]", why]
        table.add_row(*row)
    return table


def _counts(outcomes: Sequence[Any]) -> str:
    counts: dict[str, int] = {}
    for o in outcomes:
        counts[o.status.value] = counts.get(o.status.value, 0) + 1
    return ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))


def _with_progress(total: int, work: Callable[[Callable[[Any], None]], list[Any]]) -> list[Any]:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as progress:
        bar = progress.add_task("processing", total=total)
        return work(lambda _o: progress.advance(bar))


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per file.")
@click.pass_context
def extract(ctx: click.Context, files: tuple[Path, ...], as_json: bool) -> None:
    """Read FILES and print their fields. No ledger; nothing is written."""
    from flows.stages import extract_only

    paths = _expand(files, skip_sidecars=True)
    pctx = _context(_settings(ctx), prefect=False)  # extract runs the stages without Prefect

    def work(tick: Callable[[Any], None]) -> list[Any]:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=pctx.workers) as pool:
            results = []
            for outcome in pool.map(lambda p: extract_only(pctx, p), paths):
                if as_json:
                    _print_json([outcome.to_json(with_match=False)])
                tick(outcome)
                results.append(outcome)
            return results

    outcomes = _with_progress(len(paths), work)
    if not as_json:
        out.print(summary_table(outcomes, with_match=False))


@cli.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line per file.")
@click.pass_context
def run(ctx: click.Context, inputs: tuple[Path, ...], as_json: bool) -> None:
    """Run the whole pipeline on files or folders, into the database."""
    from flows.intake import run_batch

    settings = _settings(ctx)
    paths = _expand(inputs, skip_sidecars=True)
    pctx = _context(settings)
    _database(settings)  # create / migrate before workers start
    err.print(f"[bold]processing {len(paths)} file(s)[/bold] with {pctx.workers} worker(s)")
    outcomes = _with_progress(len(paths), lambda tick: run_batch(pctx, paths, on_done=tick))
    if as_json:
        _print_json(o.to_json() for o in outcomes)
    else:
        out.print(summary_table(outcomes))
    err.print(f"[bold]done:[/bold] {_counts(outcomes)}")


# ---- watch / serve / demo -----------------------------------------------------------------


def _report_outcome(as_json: bool) -> Callable[[Any, Path], None]:
    def report(outcome: Any, final: Path) -> None:
        if as_json:
            _print_json([outcome.to_json() | {"moved_to": str(final)}])
            return
        style = STATUS_STYLE.get(outcome.status, "")
        why = f" — {'; '.join(outcome.reasons)}" if outcome.reasons else ""
        err.print(
            f"[{style}]{outcome.status.value:>13}[/{style}] {outcome.file} → "
            f"{final.parent.name}/{why}"
        )

    return report


@cli.command()
@click.option("--once", is_flag=True, help="Process what is in the inbox now, then exit.")
@click.option("--json", "as_json", is_flag=True, help="Print each outcome as a JSON line.")
@click.pass_context
def watch(ctx: click.Context, once: bool, as_json: bool) -> None:
    """Watch $DOCINTAKE_HOME/inbox and process each file once it stops changing."""
    from flows.watch import Folders, Watcher, exclusive

    settings = _settings(ctx)
    pctx = _context(settings)
    _database(settings)
    folders = Folders.from_settings(settings)
    watcher = Watcher(
        pctx, folders, stable_seconds=settings.stable_seconds, on_outcome=_report_outcome(as_json)
    )
    err.print(f"watching [bold]{folders.inbox.resolve()}[/bold]")
    with exclusive(folders):
        if once:
            outcomes = watcher.scan_once()
            if not as_json and outcomes:
                out.print(summary_table(outcomes))
            err.print(f"[bold]done:[/bold] {_counts(outcomes) or 'inbox was empty'}")
            return
        try:
            watcher.run_forever(settings.poll_seconds)
        except KeyboardInterrupt:
            err.print("stopped; files being processed are resumed at the next start")


@cli.command()
@click.option(
    "--web/--no-web",
    default=True,
    help="Also serve the web page and API (DOCINTAKE_WEB_HOST, DOCINTAKE_WEB_PORT).",
)
@click.pass_context
def serve(ctx: click.Context, web: bool) -> None:
    """Watch the inbox and serve the scheduled retry batch (a Prefect deployment)."""
    from flows.batch import serve as serve_all
    from flows.watch import Folders, exclusive

    settings = _settings(ctx)
    pctx = _context(settings)
    _database(settings)
    err.print(
        f"watching {settings.inbox.resolve()}; retrying failed documents on '{settings.retry_cron}'"
    )
    folders = Folders.from_settings(settings)
    with exclusive(folders):
        if web:
            from web.server import start_in_thread

            # A daemon thread: it stops with serve (Ctrl-C or the watcher failing).
            start_in_thread(settings)
            err.print(f"web page and API at http://{settings.web_host}:{settings.web_port}/")
        serve_all(
            pctx,
            folders,
            home=settings.home,
            cron=settings.retry_cron,
            poll_seconds=settings.poll_seconds,
            stable_seconds=settings.stable_seconds,
        )


@cli.command("web")
@click.option("--host", default=None, help="Address to listen on (env DOCINTAKE_WEB_HOST).")
@click.option(
    "--port", type=click.IntRange(1, 65535), default=None, help="Port (env DOCINTAKE_WEB_PORT)."
)
@click.pass_context
def web_command(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve the web page (review queue, uploads) and the REST API under /api.

    Uploads go into the watched inbox: run `docintake watch` or `serve` beside it.
    """
    from web.server import run as run_web

    settings = _settings(ctx)
    _database(settings)
    host = host or settings.web_host
    port = settings.web_port if port is None else port
    err.print(f"web page and API at http://{host}:{port}/ (API docs at /docs)")
    run_web(settings, host, port)


@cli.command()
@click.option(
    "--samples",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=Path("samples"),
    help="Folder with the sample documents and ledger/.",
)
@click.pass_context
def demo(ctx: click.Context, samples: Path) -> None:
    """Import the demo ledger, drop the samples into the inbox and process them."""
    from flows.watch import Folders, Watcher, exclusive
    from storage.ledger_import import import_ledger

    settings = _settings(ctx)
    pctx = _context(settings)
    db = _database(settings)
    ledger = samples / "ledger"
    with db.session() as s:
        report = import_ledger(s, ledger / "customers.csv", ledger / "bills.csv")
    _print_import(report)
    folders = Folders.from_settings(settings)
    folders.create()
    # Top-level samples and those in sub-folders (samples/trade/), not the ledger.
    docs = [
        p
        for p in sorted(samples.rglob("*"))
        if p.is_file()
        and ledger not in p.parents
        and p.suffix.lower() in (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf")
    ]
    for p in docs:
        shutil.copy2(p, folders.inbox / p.name)
    err.print(f"dropped {len(docs)} sample(s) into {folders.inbox}")
    watcher = Watcher(pctx, folders, stable_seconds=0.2, on_outcome=_report_outcome(False))
    with exclusive(folders):
        outcomes = watcher.scan_once()
    out.print(summary_table(outcomes))
    err.print(
        f"[bold]done:[/bold] {_counts(outcomes)}. Review queue: "
        f"docintake --home {settings.home} review list"
    )


# ---- eval ---------------------------------------------------------------------------------


def _eval_one(pctx: Any, path: Path, truth_path: Path, cache: Path | None, group: str = "") -> Any:
    """Read, classify and parse one document (timed) and check it against its ground truth."""
    import time

    from docintake.evaluation import DocumentEval, check_document, load_truth, read_route
    from docintake.exceptions import DocumentError
    from flows.stages import classify, decide_fields_only, extract_fields, read_text

    truth = load_truth(truth_path)
    started = time.perf_counter()
    try:
        text = _read_cached(pctx, path, cache) if cache else read_text(pctx, path).text
        extraction = extract_fields(text, classify(text))
        decision = decide_fields_only(pctx, extraction)
    except DocumentError as e:
        seconds = time.perf_counter() - started
        kind = truth.document_type or ""
        return DocumentEval(path.name, seconds, error=e.message, document_type=kind, group=group)
    seconds = time.perf_counter() - started
    return check_document(
        path.name,
        truth,
        extraction,
        auto_accepted=not decision.needs_review,
        seconds=seconds,
        route=read_route(text.engine, extraction.source),
        group=group,
    )


def _read_cached(pctx: Any, path: Path, cache: Path) -> Any:
    """OCR output kept per file content and engine, so parser work need not re-run OCR."""
    import threading

    from extractors import sniff
    from extractors.recorded import text_from_json, text_to_json
    from flows.stages import read_text

    key = cache / f"{sniff.sha256_of(path)}.{pctx.read.engine.value}.json"
    if key.exists():
        return text_from_json(json.loads(key.read_text()))
    text = read_text(pctx, path).text
    cache.mkdir(parents=True, exist_ok=True)
    tmp = key.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
    tmp.write_text(json.dumps(text_to_json(text)))
    tmp.replace(key)
    return text


def _read_stage(cache: Path | None) -> Callable[[Any, Path], Any]:
    """The pipeline's read stage, through the OCR cache when there is one."""
    from flows.stages import TextResult, read_text

    if cache is None:
        return read_text

    def read(pctx: Any, path: Path) -> Any:
        from extractors import sniff

        return TextResult(source=sniff.identify(path), text=_read_cached(pctx, path, cache))

    return read


def _eval_ledger_run(
    settings: Settings,
    folder: Path,
    ledger_files: tuple[Path, Path, Path],
    cache: Path | None,
    group_by: str = "prefix",
) -> tuple[list[Any], list[Any], Any, float]:
    """Import the ledger into a scratch home and run the whole pipeline on FOLDER's documents.

    Returns the field checks (documents with a NAME.json), every document's match outcome,
    the import report and the wall time. The stages run in-process, one document at a time in
    file-name order: the same ``run_pipeline`` as ``docintake run`` without Prefect, so an
    earlier document settles a bill exactly as it would in a real run.
    """
    import tempfile
    import time
    from dataclasses import replace

    from docintake.evaluation import (
        DocumentEval,
        MatchOutcome,
        check_document,
        file_group,
        load_truth,
        read_route,
    )
    from flows import stages
    from flows.intake import PLAIN, run_pipeline
    from storage.db import get_engine
    from storage.ledger_import import import_ledger

    paths = sorted(_expand([folder], skip_sidecars=True), key=lambda p: p.relative_to(folder))
    # Read every truth file first: a bad one should stop the run before, not after, the work.
    truths = {
        p: load_truth(p.with_suffix(".json")) for p in paths if p.with_suffix(".json").is_file()
    }
    customers, bills, _expected = ledger_files
    with tempfile.TemporaryDirectory(prefix="docintake-eval-") as tmp:
        scratch = settings.model_copy(update={"home": Path(tmp), "database_url": None})
        db = _database(scratch)
        try:
            with db.session() as s:
                imported = import_ledger(s, customers, bills)
            pctx = _context(scratch, prefect=False)
            # One document at a time, so each gets every core for its OCR (ocr_threads 0).
            pctx = replace(pctx, workers=1, read=replace(pctx.read, ocr_threads=0))
            extractions: dict[str, Any] = {}
            routes: dict[str, str] = {}

            def record(ctx: Any, intake: Any, read: Any, extraction: Any, *rest: Any) -> Any:
                extractions[intake.sha256] = extraction  # for the field checks; a duplicate's too
                routes[intake.sha256] = read_route(read.text.engine, extraction.source)
                return stages.record(ctx, intake, read, extraction, *rest)

            use = replace(PLAIN, read_text=_read_stage(cache), record=record)
            fields: list[Any] = []
            matches: list[Any] = []
            started = time.perf_counter()

            def work(tick: Callable[[Any], None]) -> list[Any]:
                for path in paths:
                    t0 = time.perf_counter()
                    outcome = run_pipeline(pctx, path, use=use)
                    seconds = time.perf_counter() - t0
                    matches.append(MatchOutcome.from_json(outcome.to_json()))
                    if path in truths:
                        extraction = extractions.get(outcome.sha256 or "")
                        group = file_group(path.relative_to(folder), group_by)
                        if outcome.status is Status.FAILED or extraction is None:
                            error = outcome.error or "; ".join(outcome.reasons) or "not processed"
                            kind = truths[path].document_type or ""
                            fields.append(
                                DocumentEval(
                                    path.name, seconds, error=error, document_type=kind, group=group
                                )
                            )
                        else:
                            auto = outcome.status is Status.AUTO_ACCEPTED
                            fields.append(
                                check_document(
                                    path.name,
                                    truths[path],
                                    extraction,
                                    auto_accepted=auto,
                                    seconds=seconds,
                                    route=routes.get(outcome.sha256 or "", ""),
                                    group=group,
                                )
                            )
                    tick(outcome)
                return matches

            _with_progress(len(paths), work)
            wall = time.perf_counter() - started
        finally:
            # The engine is cached per URL; let go of the scratch file before it is deleted.
            get_engine(scratch.database).dispose()
    return fields, matches, imported, wall


def _pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


def _print_eval(report: Any, engine: str, misses_path: Path, misses: int) -> None:
    fields = Table(title=f"Field accuracy ({engine}, {report.documents} documents)")
    fields.add_column("field")
    fields.add_column("right", justify="right")
    fields.add_column("accuracy", justify="right")
    for f in report.fields:
        style = "green" if f.accuracy >= 0.95 else "yellow" if f.accuracy >= 0.85 else "red"
        fields.add_row(f.name, f"{f.right}/{f.total}", f"[{style}]{_pct(f.accuracy)}[/{style}]")
    out.print(fields)
    _print_eval_slices(report)
    calib = Table(title="Calibration: reported confidence → share right")
    calib.add_column("confidence")
    calib.add_column("fields", justify="right")
    calib.add_column("right", justify="right")
    for b in report.calibration:
        calib.add_row(f"{b.low:.2f}–{min(b.high, 1.0):.2f}", str(b.total), _pct(b.accuracy))
    out.print(calib)
    right, total = report.high_confidence()
    share = _pct(right / total if total else None)
    out.print(f"fields at confidence ≥ 0.90: {right}/{total} right ({share})")
    out.print(
        f"auto-accepted: {report.auto_accepted}/{report.documents} ({_pct(report.auto_share)}), "
        f"key fields all right: {report.auto_accepted_right}/{report.auto_accepted} "
        f"({_pct(report.auto_precision)}); every field right: "
        f"{report.auto_accepted_all_right}/{report.auto_accepted}"
    )
    if report.failed:
        out.print(f"[red]failed: {report.failed}[/red]")
    out.print(
        f"seconds per document: {report.seconds_per_document:.2f} "
        f"(wall {report.wall_seconds_per_document:.2f} with the batch's workers)"
    )
    err.print(f"{misses} miss(es) written to {misses_path}")


def _print_eval_slices(report: Any) -> None:
    """Per group, document type and read route: fields as rows, one column per slice. A
    dimension with a single value gets a line instead of a table (its column is the total)."""
    single = []
    for label, slices in (
        ("group", report.by_group),
        ("document type", report.by_type),
        ("read", report.by_route),
    ):
        if len(slices) < 2:
            single += [f"{label}: {s.name}" for s in slices]
            continue
        table = Table(title=f"Field accuracy by {label}")
        table.add_column("field")
        for s in slices:
            table.add_column(s.name, justify="right")
        table.add_row("documents", *(str(s.documents) for s in slices))
        for f in report.fields:
            cells = []
            for s in slices:
                stats = s.field(f.name)
                if stats is None:
                    cells.append("—")
                    continue
                acc = stats.accuracy
                style = "green" if acc >= 0.95 else "yellow" if acc >= 0.85 else "red"
                cells.append(f"{stats.right}/{stats.total} [{style}]{_pct(acc)}[/{style}]")
            table.add_row(f.name, *cells)
        table.add_row("auto-accepted", *(str(s.auto_accepted) for s in slices))
        for name, attr in (
            ("… every field right", "auto_accepted_all_right"),
            ("… key fields right", "auto_accepted_right"),
        ):
            table.add_row(
                name,
                *(
                    f"{getattr(s, attr)}/{s.auto_accepted} "
                    f"{_pct(getattr(s, attr) / s.auto_accepted if s.auto_accepted else None)}"
                    for s in slices
                ),
            )
        out.print(table)
    if single:
        out.print("all documents: " + "; ".join(single))


def _print_match_eval(report: Any, ledger_dir: Path, misses_path: Path, misses: int) -> None:
    from docintake.evaluation import MATCH_TARGETS, RIGHT

    met = report.targets()

    def target(name: str, goal: str) -> str:
        ok = met[name]
        return goal if ok is None else f"[green]{goal} ✓[/green]" if ok else f"[red]{goal} ✗[/red]"

    table = Table(title=f"Matching against {ledger_dir} ({report.documents} documents)")
    table.add_column("measure")
    table.add_column("right", justify="right")
    table.add_column("rate", justify="right")
    table.add_column("target")
    for label, name, right, total in (
        (
            "customer precision, auto-accepted",
            "customer_precision",
            report.auto_customer_right,
            report.auto_accepted,
        ),
        (
            "bill precision, auto-accepted",
            "bill_precision",
            report.auto_bill_right,
            report.auto_with_bill,
        ),
        (
            "customer recall, accepted or suggested",
            "customer_recall",
            report.customer_found,
            report.with_customer,
        ),
    ):
        rate = getattr(report, name)
        table.add_row(
            label, f"{right}/{total}", _pct(rate), target(name, f"≥ {MATCH_TARGETS[name]:.1%}")
        )
    table.add_row(
        "bill accuracy, accepted or suggested",
        f"{report.bill_found}/{report.with_bill}",
        _pct(report.bill_accuracy),
        "",
    )
    table.add_row(
        "no customer expected → review",
        f"{report.no_customer_reviewed}/{report.no_customer}",
        _pct(report.no_customer_reviewed / report.no_customer if report.no_customer else None),
        target("no_customer_reviewed", "all"),
    )
    out.print(table)
    out.print(
        f"auto-accepted: {report.auto_accepted}/{report.documents - report.duplicates} "
        f"({_pct(report.auto_share)}); duplicates: {report.duplicates}; failed: {report.failed}"
    )
    out.print("verdicts: " + ", ".join(f"{n} {v}" for v, n in sorted(report.verdicts().items())))
    # The documents that break an acceptance rule; the other misses are in the CSV.
    bad = [r for r in report.rows if r.status == Status.AUTO_ACCEPTED and r.verdict != RIGHT]
    bad += [r for r in report.rows if r.document in report.no_customer_violators and r not in bad]
    if bad:
        worst = Table(title="Wrong auto-accepts and 'no customer' documents not sent to review")
        for column in ("document", "status", "expected", "got", "confidence", "verdict"):
            worst.add_column(column)
        for r in bad:
            want = r.expected
            worst.add_row(
                r.document,
                r.status,
                f"{want.customer_id or '—'} / {want.bill_id or '—'}" if want else "",
                f"{r.customer_id or '—'} / {r.bill_id or '—'}",
                "" if r.confidence is None else f"{r.confidence:.2f}",
                f"[red]{r.verdict}[/red]",
            )
        out.print(worst)
    for label, names in (
        ("not in expected_matches.csv (not scored)", report.without_expected_row),
        ("in expected_matches.csv but not in the folder", report.expected_not_run),
    ):
        if names:
            more = f" ... (+{len(names) - 10})" if len(names) > 10 else ""
            out.print(f"[yellow]{len(names)} {label}:[/yellow] {', '.join(names[:10])}{more}")
    err.print(f"{misses} match miss(es) written to {misses_path}")


@cli.command("eval")
@click.argument("folder", type=click.Path(path_type=Path, exists=True, file_okay=False))
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="OCR engine to evaluate.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as one JSON object.")
@click.option(
    "--misses",
    "misses_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=Path("eval-misses.csv"),
    help="CSV with one row per wrong or missing field.",
)
@click.option(
    "--ocr-cache",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Keep OCR output here and reuse it on the next run (for work on parsers).",
)
@click.option(
    "--ledger",
    "ledger_dir",
    type=click.Path(path_type=Path, exists=True, file_okay=False),
    default=None,
    help="Folder with customers.csv, bills.csv and expected_matches.csv: also score matching.",
)
@click.option(
    "--group-by",
    type=click.Choice(["prefix", "folder", "none"]),
    default="prefix",
    show_default=True,
    help="Also report per group of files: by file-name prefix (trailing id dropped), by "
    "sub-folder, or not.",
)
@click.pass_context
def eval_command(
    ctx: click.Context,
    folder: Path,
    engine: str | None,
    as_json: bool,
    misses_path: Path,
    ocr_cache: Path | None,
    ledger_dir: Path | None,
    group_by: str,
) -> None:
    """Measure field accuracy on FOLDER's documents that have a ground-truth NAME.json.

    Truth files use SROIE's keys or our field names (and document_type). Figures come per
    field, and also per document type, per group of files (--group-by) and per read route
    (text layer, OCR, embedded XML); the misses CSV names each row's group and route.

    With --ledger, the ledger is imported into a scratch database (deleted afterwards) and
    every document in FOLDER goes through the whole pipeline, one at a time in file-name order
    (an earlier document settles a bill as in a real run). The stages run in-process, the same
    code as `docintake run` without Prefect. Matches are scored against expected_matches.csv
    (document,customer_id,bill_id; document is the file stem or name; empty ids: "no match" is
    right): customer and bill precision among auto-accepted documents, customer recall and bill
    accuracy of the match (auto-accepted or suggested to the reviewer), and whether every
    "no customer" document went to review. Field figures then come from the same run, with
    "auto-accepted" meaning the whole pipeline's decision. Match misses go to a second CSV
    beside --misses, named after it (default eval-misses-matches.csv).
    """
    import time
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from docintake.evaluation import file_group, summarise, write_misses

    settings = _settings(ctx)
    if engine:
        settings = settings.model_copy(update={"ocr_engine": Engine(engine)})
    if ledger_dir is not None:
        _eval_with_ledger(settings, folder, ledger_dir, ocr_cache, as_json, misses_path, group_by)
        return
    pctx = _context(settings, prefect=False)
    pairs = [
        (p, p.with_suffix(".json"))
        for p in _expand([folder], skip_sidecars=True)
        if p.with_suffix(".json").is_file()
    ]
    if not pairs:
        raise UsageError(f"No document in {folder} has a ground-truth .json beside it.")
    started = time.perf_counter()

    def work(tick: Callable[[Any], None]) -> list[Any]:
        with ThreadPoolExecutor(max_workers=pctx.workers) as pool:
            results = []
            for res in pool.map(
                lambda pt: _eval_one(
                    pctx, pt[0], pt[1], ocr_cache, file_group(pt[0].relative_to(folder), group_by)
                ),
                pairs,
            ):
                tick(res)
                results.append(res)
            return results

    results = _with_progress(len(pairs), work)
    report = replace(summarise(results), wall_seconds=time.perf_counter() - started)
    misses = write_misses(results, misses_path)
    if as_json:
        _print_json(
            [report.to_json() | {"engine": settings.ocr_engine.value, "group_by": group_by}]
        )
        return
    _print_eval(report, settings.ocr_engine.value, misses_path, misses)


def _eval_with_ledger(
    settings: Settings,
    folder: Path,
    ledger_dir: Path,
    ocr_cache: Path | None,
    as_json: bool,
    misses_path: Path,
    group_by: str = "prefix",
) -> None:
    """``eval --ledger``: fields and matches from one whole-pipeline run."""
    from dataclasses import replace

    from docintake.evaluation import (
        ledger_files,
        load_expected_matches,
        match_misses_path,
        score_matches,
        summarise,
        write_match_misses,
        write_misses,
    )

    files = ledger_files(ledger_dir)
    expected = load_expected_matches(files[2])
    fields, matches, imported, wall = _eval_ledger_run(settings, folder, files, ocr_cache, group_by)
    report = replace(summarise(fields), wall_seconds=wall)
    match_report = score_matches(matches, expected)
    misses = write_misses(fields, misses_path)
    match_path = match_misses_path(misses_path)
    match_misses = write_match_misses(match_report, match_path)
    if as_json:
        ledger_json = {
            "path": str(ledger_dir),
            "imported": {
                "customers": imported.inserted["customers"],
                "bills": imported.inserted["bills"],
            },
            "import_errors": [str(e) for e in imported.errors],
        }
        _print_json(
            [
                report.to_json()
                | {"engine": settings.ocr_engine.value, "group_by": group_by}
                | {"ledger": ledger_json}
                | {"matches": match_report.to_json()}
            ]
        )
        return
    _print_import(imported)
    if report.documents:
        _print_eval(report, settings.ocr_engine.value, misses_path, misses)
    else:
        out.print(
            f"[yellow]no document in {folder} has a ground-truth .json: no field figures[/yellow]"
        )
    _print_match_eval(match_report, ledger_dir, match_path, match_misses)


# ---- generate-trade -------------------------------------------------------------------------


@cli.command("generate-trade")
@click.argument("out_dir", type=click.Path(path_type=Path, file_okay=False))
@click.option("--shipments", type=click.IntRange(1, 10_000), default=5, help="How many shipments.")
@click.option("--seed", type=int, default=1, help="Same seed, same documents.")
@click.option("--no-scans", is_flag=True, help="PDFs and truth only, no scan-like PNGs.")
def generate_trade(out_dir: Path, shipments: int, seed: int, no_scans: bool) -> None:
    """Render trade documents (invoice, packing list, B/L or AWB, customs) with truth files."""
    from docintake.tradegen import generate

    files = generate(out_dir, shipments=shipments, seed=seed, scans=not no_scans)
    documents = sum(1 for f in files if f.suffix in (".pdf", ".png"))
    err.print(f"wrote {documents} document(s) of {shipments} shipment(s) to {out_dir}")


# ---- report ---------------------------------------------------------------------------------


@cli.command("report")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder to write into  [default: <home>/reports/<as-of date>]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx", "both"]),
    default="both",
    help="One CSV per table, one report.xlsx with a sheet per table, or both (PNG charts always).",
)
@click.option(
    "--as-of",
    default=None,
    metavar="YYYY-MM-DD",
    help="Date the overdue ages and the review days run to  [default: today]",
)
@click.pass_context
def report_command(ctx: click.Context, out_dir: Path | None, fmt: str, as_of: str | None) -> None:
    """Bill reconciliation, overdue bills, customer history and review throughput."""
    from docintake.reports import parse_as_of, write_report

    day = parse_as_of(as_of)
    settings = _settings(ctx)
    target = out_dir or settings.home / "reports" / day.isoformat()
    written = write_report(_database(settings), target, as_of=day, fmt=fmt)
    table = Table(title=f"Report as of {day.isoformat()}")
    table.add_column("table")
    table.add_column("rows", justify="right")
    for name, rows in written.rows.items():
        table.add_row(name, str(rows))
    out.print(table)
    for finding, count in written.findings.items():
        out.print(f"{finding}: {count}", style="yellow" if count else None)
    for path in written.paths:
        out.print(f"wrote {path}")
    if written.empty:
        out.print(
            "[yellow]The database has no bills and no documents yet: "
            "the tables have headers only.[/yellow]"
        )


# ---- users ----------------------------------------------------------------------------------

# docintake.accounts.Role, spelled out so that the CLI starts without importing the accounts
# service (a test keeps the two equal).
ROLES = ("operator", "reviewer", "admin")


@cli.group()
def users() -> None:
    """People who sign in: roles, passwords, API tokens."""


def _stdin_is_terminal() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def _read_password() -> str:
    """Prompted twice at a terminal; otherwise one line from stdin (scripts, CI)."""
    if _stdin_is_terminal():
        password: str = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        return password
    line = sys.stdin.readline() if sys.stdin is not None else ""
    if not line:
        raise UsageError("No password: type it at the prompt, or pipe one line into stdin.")
    return line.rstrip("\r\n")


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(ROLES), required=True, help="What the user may do.")
@click.pass_context
def users_add(ctx: click.Context, name: str, role: str) -> None:
    """Add a user. The password is prompted for, or read as one line from stdin."""
    from docintake import accounts

    accounts.normalize_name(name)  # a bad name is refused before the password is typed
    db = _database(_settings(ctx))
    password = _read_password()
    account = accounts.create_user(db, name, role, password)
    out.print(f"[green]added[/green] {account.name} ({account.role})")


@users.command("list")
@click.pass_context
def users_list(ctx: click.Context) -> None:
    """Users: role, whether they may sign in, API tokens not revoked."""
    from docintake import accounts

    found = accounts.list_users(_database(_settings(ctx)))
    table = Table("name", "role", "active", "tokens", title=f"{len(found)} user(s)")
    for u in found:
        active = "yes" if u.active else "[red]no[/red]"
        table.add_row(u.name, u.role.value, active, str(u.tokens))
    out.print(table)


@users.command("passwd")
@click.argument("name")
@click.pass_context
def users_passwd(ctx: click.Context, name: str) -> None:
    """Set a user's password (prompted for, or one line from stdin)."""
    from docintake import accounts

    db = _database(_settings(ctx))
    password = _read_password()
    account = accounts.set_password(db, name, password)
    out.print(f"[green]password changed[/green] for {account.name}")


@users.command("token")
@click.argument("name")
@click.pass_context
def users_token(ctx: click.Context, name: str) -> None:
    """Print a new API token for NAME (only the token on stdout)."""
    from docintake import accounts

    token = accounts.new_token(_database(_settings(ctx)), name)
    click.echo(token)
    err.print("This token is shown once; only its hash is kept. Keep it somewhere safe.")


@users.command("deactivate")
@click.argument("name")
@click.pass_context
def users_deactivate(ctx: click.Context, name: str) -> None:
    """Stop NAME signing in and revoke their API tokens."""
    from docintake import accounts

    revoked = accounts.deactivate(_database(_settings(ctx)), name)
    out.print(f"[yellow]deactivated[/yellow] {name.lower()}; {revoked} API token(s) revoked")


# ---- ledger ---------------------------------------------------------------------------------


@cli.group()
def ledger() -> None:
    """Customers and bills."""


def _print_import(report: Any) -> None:
    err.print(
        f"customers: {report.inserted['customers']} new, {report.updated['customers']} updated; "
        f"bills: {report.inserted['bills']} new, {report.updated['bills']} updated"
        + (f"; {report.kept_local} kept our recorded payment" if report.kept_local else "")
    )
    for e in report.errors:
        err.print(f"[yellow]skipped[/yellow] {e}")


@ledger.command("import")
@click.option("--customers", type=click.Path(path_type=Path), help="customers CSV or XLSX")
@click.option("--bills", type=click.Path(path_type=Path), help="bills CSV or XLSX")
@click.pass_context
def ledger_import(ctx: click.Context, customers: Path | None, bills: Path | None) -> None:
    """Import or update customers and bills (re-importing updates, never duplicates)."""
    from storage.ledger_import import import_ledger

    if customers is None and bills is None:
        raise UsageError("Give --customers FILE, --bills FILE or both.")
    db = _database(_settings(ctx))
    with db.session() as s:
        report = import_ledger(s, customers, bills)
    _print_import(report)


@ledger.command("reindex")
@click.pass_context
def ledger_reindex(ctx: click.Context) -> None:
    """Rebuild the matching index (customer keys, bill reference keys).

    Needed only after customers or bills were changed by SQL outside docintake; imports,
    reviews and the pipeline keep the index up to date themselves.
    """
    from storage.ledger_index import rebuild_index

    db = _database(_settings(ctx))
    with db.session() as s:
        customers, bills = rebuild_index(s.connection())
    out.print(f"[green]reindexed[/green] {customers} customer(s), {bills} bill(s)")


@ledger.command("export")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Folder to write into  [default: <home>/exports/<today>]",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "xlsx"]),
    default="csv",
    help="customers and bills as .csv or .xlsx files.",
)
@click.pass_context
def ledger_export(ctx: click.Context, out_dir: Path | None, fmt: str) -> None:
    """Write customers and bills (current status) in the format `ledger import` reads."""
    from datetime import date

    from docintake.reports import export_ledger

    settings = _settings(ctx)
    target = out_dir or settings.home / "exports" / date.today().isoformat()
    written = export_ledger(_database(settings), target, fmt=fmt)
    for path in written.paths:
        out.print(f"wrote {path}")
    out.print(f"{written.rows['customers']} customer(s), {written.rows['bills']} bill(s)")


# ---- review ---------------------------------------------------------------------------------


@cli.group()
def review() -> None:
    """The double-review queue: two different reviewers approve, the second one blind; an admin
    resolves a disagreement."""


@review.command("list")
@click.option(
    "--stage",
    type=click.Choice(["first", "second", "escalated"]),
    default=None,
    help="Only documents waiting for a first review, a second review, or an admin.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def review_list(ctx: click.Context, stage: str | None, as_json: bool) -> None:
    from docintake import review as svc

    items = svc.list_queue(_database(_settings(ctx)), stage=stage)
    if as_json:
        _print_json(i.to_json() for i in items)
        return
    table = Table(title=f"{len(items)} document(s) waiting for review")
    for col in ("id", "stage", "file", "type", "total", "match", "approvals", "reasons"):
        table.add_column(col, overflow="fold")
    for i in items:
        table.add_row(
            str(i.id),
            i.stage or "",
            i.file,
            i.document_type or "",
            i.total_amount or "",
            f"{i.customer_id or '-'} / {i.bill_id or '-'}",
            ", ".join(i.approvals) or "-",
            "; ".join(i.reasons),
        )
    out.print(table)


def _evidence_table(title: str, reasons: Sequence[dict[str, Any]]) -> Table:
    """Match evidence: which document field was compared with which ledger value, and how."""
    table = Table("document field", "compared with", "score", "note", title=title)
    for r in reasons:
        score = float(r.get("score") or 0)
        style = "green" if score >= 90 else "yellow" if score >= 60 else "red"
        table.add_row(
            str(r.get("field")), str(r.get("against")), f"[{style}]{score:.0f}[/]", r.get("note")
        )
    return table


@review.command("show")
@click.argument("document_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def review_show(ctx: click.Context, document_id: int, as_json: bool) -> None:
    from docintake import review as svc

    # No sign-in on the CLI yet: the admin view, which the service keeps blind while a document
    # waits for review. Once docintake.accounts exists, pass the caller's own role here.
    data = svc.show(_database(_settings(ctx)), document_id, for_role="admin")
    if as_json:
        _print_json([data])
        return
    out.print(
        f"[bold]Document {data['id']}[/bold] {data['file']} — {data['document_type']}, "
        f"[{STATUS_STYLE.get(Status(data['status']), '')}]{data['status']}[/]"
    )
    out.print(f"archived original: {data['archive_path']}")
    in_review = data["status"] in (Status.NEEDS_REVIEW, Status.ESCALATED)
    # While in review the document holds the machine's values, which is what reviewers see.
    shown = data["machine"]["fields"] if in_review else data["fields"]
    title = "the machine's values" if in_review else "fields"
    table = Table("field", "value", "confidence", title=title)
    line_items: list[Any] = []
    for name, fv in sorted(shown.items()):
        conf = fv.get("confidence")
        style = "red" if conf is not None and conf < 0.8 else ""
        value = fv.get("value")
        if name == "line_items" and isinstance(value, list):
            line_items = [row for row in value if isinstance(row, dict)]
            value = f"{len(line_items)} row(s), below"
        table.add_row(
            name,
            ", ".join(map(str, value)) if isinstance(value, list) else str(value),
            f"[{style}]{conf}[/]" if style else str(conf),
        )
    out.print(table)
    if line_items:
        columns = list(dict.fromkeys(k for row in line_items for k in row))
        items = Table(*columns, title="line items")
        for row in line_items:
            items.add_row(*(str(row.get(c, "")) for c in columns))
        out.print(items)
    if data.get("field_source") == "xml":
        out.print("fields read from the e-invoice XML embedded in the PDF")
    for check in data.get("checks") or []:
        mark = {True: "[green]✓[/]", False: "[red]✗[/]"}.get(check.get("passed"), "–")
        out.print(f"{mark} {check.get('message', '')}")
    m = data["match"]
    out.print(
        f"match: customer {m['customer_id'] or '-'}, bill {m['bill_id'] or '-'}, "
        f"confidence {m['confidence']}"
    )
    out.print(_evidence_table("why this match", m["reasons"] or []))
    candidates = m.get("candidates") or []
    runner_up = m.get("runner_up")
    if runner_up:
        best = candidates[0]
        out.print(
            f"best answer: customer {best['customer_id']}, bill {best['bill_id'] or '-'}, "
            f"{best['confidence']}; runner-up: customer {runner_up['customer_id']} "
            f"({runner_up['customer_name']}), bill {runner_up['bill_id'] or '-'}, "
            f"{runner_up['confidence']}"
        )
        out.print(_evidence_table("why the runner-up", runner_up.get("reasons") or []))
    others = candidates[2:]
    if others:
        out.print(
            "other candidates: "
            + "; ".join(
                f"{c['customer_id']}/{c['bill_id'] or '-'} {c['confidence']}" for c in others
            )
        )
    if data["reasons"]:
        out.print("[yellow]why review:[/yellow] " + "; ".join(data["reasons"]))
    out.print(f"approvals: {', '.join(data['approvals']) or 'none'}")
    if data["comparison"]:
        _print_versions(data)
    if data["audit"]:
        out.print("[bold]audit log[/bold]")
        for a in data["audit"]:
            change = f" {a['field']}: {a['old']} → {a['new']}" if a["field"] else ""
            out.print(f"  {a['at']} {a['actor']} {a['action']}{change}")


def _shown(value: Any) -> str:
    if value is None:
        return "-"
    return ", ".join(value) if isinstance(value, list) else str(value)


def _print_versions(data: dict[str, Any]) -> None:
    """The reviewers' versions side by side, the fields they disagree on in red."""
    versions = data["versions"]
    table = Table(
        "field",
        "machine",
        *(f"{v['index']}: {v['reviewer']}" for v in versions),
        title="the reviewers' versions (red: they differ)",
    )
    for row in data["comparison"]:
        style = "bold red" if row["differs"] else ""
        cells = [_shown(row["machine"]), *(_shown(v) for v in row["versions"])]
        table.add_row(
            f"[{style}]{row['field']}[/]" if style else row["field"],
            *(f"[{style}]{c}[/]" if style else c for c in cells),
        )
    out.print(table)
    differing = [r["field"] for r in data["comparison"] if r["differs"]]
    if differing and data["status"] == Status.ESCALATED:
        out.print(
            f"[magenta]escalated:[/magenta] the reviewers differ on {', '.join(differing)}; "
            f"docintake review resolve {data['id']} --admin NAME (--choose 1|2 | --set ...)"
        )


@review.command("approve")
@click.argument("document_id", type=int)
@click.option("--reviewer", required=True, help="Your name.")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Correct a field (repeatable).",
)
@click.option("--customer", "customer_id", default=None, help="Correct the matched customer.")
@click.option("--bill", "bill_id", default=None, help="Correct the matched bill.")
@click.pass_context
def review_approve(
    ctx: click.Context,
    document_id: int,
    reviewer: str,
    assignments: tuple[str, ...],
    customer_id: str | None,
    bill_id: str | None,
) -> None:
    from docintake import review as svc

    result = svc.approve(
        _database(_settings(ctx)),
        document_id,
        reviewer,
        corrections=svc.parse_assignments(list(assignments)),
        customer_id=customer_id,
        bill_id=bill_id,
    )
    style = "magenta" if result.status == Status.ESCALATED else "green"
    out.print(f"[{style}]{result.message}[/{style}]")


@review.command("resolve")
@click.argument("document_id", type=int)
@click.option("--admin", "admin", required=True, help="Your name (an admin).")
@click.option(
    "--choose",
    type=click.IntRange(1, 2),
    default=None,
    help="Post reviewer 1's or reviewer 2's version (as in review show).",
)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="Your own version: correct a field of the machine's values (repeatable).",
)
@click.option("--customer", "customer_id", default=None, help="Your own version: the customer.")
@click.option("--bill", "bill_id", default=None, help="Your own version: the bill.")
@click.pass_context
def review_resolve(
    ctx: click.Context,
    document_id: int,
    admin: str,
    choose: int | None,
    assignments: tuple[str, ...],
    customer_id: str | None,
    bill_id: str | None,
) -> None:
    """Decide a document whose two reviewers disagreed."""
    from docintake import review as svc

    # TODO(issue 6): check the admin role with docintake.accounts once it lands.
    result = svc.resolve(
        _database(_settings(ctx)),
        document_id,
        admin,
        choose=choose,
        corrections=svc.parse_assignments(list(assignments)),
        customer_id=customer_id,
        bill_id=bill_id,
    )
    out.print(f"[green]{result.message}[/green]")


@review.command("reject")
@click.argument("document_id", type=int)
@click.option("--reviewer", required=True, help="Your name.")
@click.option("--reason", required=True, help="Why the document is rejected.")
@click.pass_context
def review_reject(ctx: click.Context, document_id: int, reviewer: str, reason: str) -> None:
    from docintake import review as svc

    result = svc.reject(_database(_settings(ctx)), document_id, reviewer, reason)
    out.print(f"[red]{result.message}[/red]")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: the one place where errors become messages and exit codes."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="docintake",
            standalone_mode=False,
        )
    except DocintakeError as e:
        err.print(f"[bold red]error:[/bold red] {e.message}")
        return e.exit_code
    except SQLAlchemyError as e:
        # Not our doing: the database is unreachable, locked, or refused a write.
        err.print(f"[bold red]database error:[/bold red] {getattr(e, 'orig', None) or e}")
        return DatabaseError.exit_code
    except click.exceptions.Exit as e:
        return int(e.exit_code)
    except click.Abort:
        err.print("aborted")
        return 130
    except click.ClickException as e:
        e.show()
        return e.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
