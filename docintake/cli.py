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
    Status.FAILED: "red",
    Status.EXTRACTED: "green",
    Status.ACCEPTED: "green",
    Status.REJECTED: "red",
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
    for o in outcomes:
        total = _field(o, "total_amount")
        currency = _field(o, "currency")
        match = ""
        if o.match and o.match.get("customer_id"):
            match = f"{o.match['customer_id']} / {o.match.get('bill_id') or '-'}"
            match += f" ({o.match['confidence']:.2f})"
        style = STATUS_STYLE.get(o.status, "")
        row = [o.file, o.document_type or "", f"{total} {currency}".strip()]
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
@click.pass_context
def serve(ctx: click.Context) -> None:
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
        serve_all(
            pctx,
            folders,
            home=settings.home,
            cron=settings.retry_cron,
            poll_seconds=settings.poll_seconds,
            stable_seconds=settings.stable_seconds,
        )


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
    docs = [
        p
        for p in sorted(samples.iterdir())
        if p.is_file() and p.suffix.lower() in (".jpg", ".jpeg", ".png", ".tif", ".tiff", ".pdf")
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


def _eval_one(pctx: Any, path: Path, truth_path: Path, cache: Path | None) -> Any:
    """Read, classify and parse one document (timed) and check it against its ground truth."""
    import time

    from docintake.evaluation import DocumentEval, check_document, load_truth
    from docintake.exceptions import DocumentError
    from flows.stages import classify, decide_fields_only, extract_fields, read_text

    truth = load_truth(truth_path)
    started = time.perf_counter()
    try:
        text = _read_cached(pctx, path, cache) if cache else read_text(pctx, path).text
        extraction = extract_fields(text, classify(text))
        decision = decide_fields_only(pctx, extraction)
    except DocumentError as e:
        return DocumentEval(path.name, time.perf_counter() - started, error=e.message)
    seconds = time.perf_counter() - started
    return check_document(
        path.name, truth, extraction, auto_accepted=not decision.needs_review, seconds=seconds
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
@click.pass_context
def eval_command(
    ctx: click.Context,
    folder: Path,
    engine: str | None,
    as_json: bool,
    misses_path: Path,
    ocr_cache: Path | None,
) -> None:
    """Measure field accuracy on FOLDER's documents that have a ground-truth NAME.json."""
    import time
    from concurrent.futures import ThreadPoolExecutor
    from dataclasses import replace

    from docintake.evaluation import summarise, write_misses

    settings = _settings(ctx)
    if engine:
        settings = settings.model_copy(update={"ocr_engine": Engine(engine)})
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
            for res in pool.map(lambda pt: _eval_one(pctx, pt[0], pt[1], ocr_cache), pairs):
                tick(res)
                results.append(res)
            return results

    results = _with_progress(len(pairs), work)
    report = replace(summarise(results), wall_seconds=time.perf_counter() - started)
    misses = write_misses(results, misses_path)
    if as_json:
        _print_json([report.to_json() | {"engine": settings.ocr_engine.value}])
        return
    _print_eval(report, settings.ocr_engine.value, misses_path, misses)


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


# ---- review ---------------------------------------------------------------------------------


@cli.group()
def review() -> None:
    """The double-review queue: two different reviewers must approve."""


@review.command("list")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
@click.pass_context
def review_list(ctx: click.Context, as_json: bool) -> None:
    from docintake import review as svc

    items = svc.list_queue(_database(_settings(ctx)))
    if as_json:
        _print_json(i.to_json() for i in items)
        return
    table = Table(title=f"{len(items)} document(s) waiting for review")
    for col in ("id", "file", "type", "total", "match", "approvals", "reasons"):
        table.add_column(col, overflow="fold")
    for i in items:
        table.add_row(
            str(i.id),
            i.file,
            i.document_type or "",
            i.total_amount or "",
            f"{i.customer_id or '-'} / {i.bill_id or '-'}",
            ", ".join(i.approvals) or "-",
            "; ".join(i.reasons),
        )
    out.print(table)


@review.command("show")
@click.argument("document_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
@click.pass_context
def review_show(ctx: click.Context, document_id: int, as_json: bool) -> None:
    from docintake import review as svc

    data = svc.show(_database(_settings(ctx)), document_id)
    if as_json:
        _print_json([data])
        return
    out.print(
        f"[bold]Document {data['id']}[/bold] {data['file']} — {data['document_type']}, "
        f"[{STATUS_STYLE.get(Status(data['status']), '')}]{data['status']}[/]"
    )
    out.print(f"archived original: {data['archive_path']}")
    table = Table("field", "value", "confidence")
    for name, fv in sorted(data["fields"].items()):
        conf = fv.get("confidence")
        style = "red" if conf is not None and conf < 0.8 else ""
        value = fv.get("value")
        table.add_row(
            name,
            ", ".join(value) if isinstance(value, list) else str(value),
            f"[{style}]{conf}[/]" if style else str(conf),
        )
    out.print(table)
    m = data["match"]
    out.print(
        f"match: customer {m['customer_id'] or '-'}, bill {m['bill_id'] or '-'}, "
        f"confidence {m['confidence']}"
    )
    for r in m["reasons"] or []:
        out.print(f"  {r.get('field')} ~ {r.get('against')}: {r.get('score')} {r.get('note', '')}")
    if data["reasons"]:
        out.print("[yellow]why review:[/yellow] " + "; ".join(data["reasons"]))
    out.print(f"approvals: {', '.join(data['approvals']) or 'none'}")
    if data["audit"]:
        out.print("[bold]audit log[/bold]")
        for a in data["audit"]:
            change = f" {a['field']}: {a['old']} → {a['new']}" if a["field"] else ""
            out.print(f"  {a['at']} {a['actor']} {a['action']}{change}")


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
