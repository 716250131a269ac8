"""`credit-hub ingest AGENCY PATH|URL` and `credit-hub demo-data`, added to the hub's CLI.

On a terminal a progress bar runs; otherwise (cron, a pipe, a test) a plain progress
line is printed now and then, so a long run is visibly alive in a log.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from connectors.agencies import AGENCIES, Agency
from connectors.runner import ConnectorReport, run
from hub.settings import Settings

err = Console(stderr=True, soft_wrap=True)


def _summary(report: ConnectorReport) -> None:
    rows, ingest = report.rows, report.ingest
    enc = f", {report.encoding}" if report.encoding else ""
    err.print(
        f"[bold]{report.target}[/] ({report.agency}, {report.format}{enc}): rows read {rows.read}, "
        f"accepted {rows.accepted}, quarantined {rows.rejected}; records accepted {ingest.accepted}"
    )
    for label, counts in sorted(ingest.written.items()):
        err.print(
            f"  {label}: {counts['created']} created, {counts['updated']} updated, "
            f"{counts['unchanged']} unchanged"
        )
    for table, count in sorted(rows.by_table.items()):
        err.print(f"  table {table}: {count} rows")
    for sheet in rows.skipped_sheets:
        err.print(f"  [yellow]skipped sheet[/] {sheet}: no known column")
    for rejection in ingest.rejections[:20]:
        err.print(f"  [red]{rejection.position}[/] {rejection.field}: {rejection.reason}")
    if ingest.rejected > 20:
        err.print(f"  … {ingest.rejected - 20} more in {ingest.quarantine_file}")
    if report.error:
        err.print(f"[red]stopped:[/] {report.error} (the next run resumes from the saved cursor)")


def _write_report(report: ConnectorReport, settings: Settings, report_file: Path | None) -> None:
    body = json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"
    if report_file is None:
        reports = settings.data_dir / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        name = Path(report.ingest.source).name or report.agency
        report_file = (
            reports / f"{report.agency}.{name}.{report.ingest.started.replace(':', '')}.json"
        )
    report_file.write_text(body, encoding="utf-8")


def ingest_agency(
    agency: Agency, target: str, report_file: Path | None, page_size: int, retries: int
) -> None:
    settings = Settings()
    if not target.startswith(("http://", "https://")) and not Path(target).is_file():
        err.print(f"[red]no such file:[/] {target}")
        raise typer.Exit(2)
    if err.is_terminal:
        columns = (TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=True) as progress:
            task: TaskID = progress.add_task(Path(target).name or target, total=None)

            def bar(rows: int, done: int, total: int | None) -> None:
                progress.update(task, completed=done, total=total, description=f"{rows} rows")

            report = asyncio.run(run(agency, target, settings, bar, page_size, retries))
    else:

        def line(rows: int, done: int, total: int | None) -> None:
            print(f"progress: {rows} rows", file=sys.stderr, flush=True)

        report = asyncio.run(run(agency, target, settings, line, page_size, retries))
    _summary(report)
    _write_report(report, settings, report_file)
    if report.error:
        raise typer.Exit(1)


def _agency_command(agency: Agency) -> Callable[..., None]:
    def command(
        target: Annotated[str, typer.Argument(help="a file (CSV, XLSX, JSON Lines) or an API URL")],
        report_file: Annotated[
            Path | None, typer.Option("--report", help="write the JSON report here")
        ] = None,
        page_size: Annotated[int, typer.Option(help="items per API page")] = 500,
        retries: Annotated[int, typer.Option(help="retries of a failed API page")] = 5,
    ) -> None:
        ingest_agency(agency, target, report_file, page_size, retries)

    command.__doc__ = f"Ingest {agency.name} ({agency.slug}, code {agency.code}) data."
    return command


def demo_data(
    out_dir: Path,
    scale: Annotated[int, typer.Option(help="institutions in the generated world")] = 100,
    bad_rows: Annotated[float, typer.Option(help="share of rows made bad")] = 0.02,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same files)")] = 1,
) -> None:
    """Write each agency's native files (GBK CSV, XLSX, JSON Lines, BOM CSV) for a world."""
    from connectors.demo_data import write_demo

    manifest = write_demo(out_dir, scale, bad_rows, seed)
    for entry in manifest["files"]:
        err.print(
            f"{entry['agency']}  {entry['file']}: {entry['rows']} rows, {entry['bad_rows']} bad"
        )
    err.print(f"manifest: {out_dir / 'manifest.json'}")


def add_commands(app: typer.Typer, ingest_app: typer.Typer) -> None:
    for agency in AGENCIES:
        command = _agency_command(agency)
        ingest_app.command(agency.slug)(command)
        ingest_app.command(agency.code, hidden=True)(command)
    app.command("demo-data")(demo_data)
