"""One connector run: open the store, read the file or pull the API, report.

The agency's own Agency node is created first if the hub does not know it yet, since
the ingestor rejects records from unknown agencies. The report adds row counts (a row
may be several records), the detected format and encoding, and the API's cursor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from connectors import formats
from connectors.agencies import Agency
from connectors.csv_source import open_csv
from connectors.cursor import CursorStore
from connectors.http_source import Puller, PullError
from connectors.jsonl_source import read_jsonl
from connectors.pipeline import Pipeline, RowCounts
from connectors.points import PointsLedger
from connectors.table import Context
from connectors.xlsx_source import open_xlsx, sheet_rows
from hub.graph import open_store
from hub.graph.cypher_store import CypherStore
from hub.graph.port import WriteBatch
from hub.ingest import Ingestor, IngestReport
from hub.personal_data import Keyring, load_keyring
from hub.records import AgencyRecord, Source
from hub.settings import Settings
from hub.store_rows import RowBuilder

Progress = Callable[[int, int, int | None], None]
"""(rows read, work done, work total or None): bytes for files, rows for sheets."""


@dataclass
class ConnectorReport:
    agency: str
    target: str
    format: str
    ingest: IngestReport
    rows: RowCounts
    encoding: str | None = None
    api: dict[str, Any] = field(default_factory=dict)
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        body = self.ingest.to_json()
        body.update(
            agency=self.agency,
            format=self.format,
            encoding=self.encoding,
            rows=self.rows.to_json(),
            error=self.error,
        )
        if self.api:
            body["api"] = self.api
        return body


def is_url(target: str) -> bool:
    return target.startswith(("http://", "https://"))


async def ensure_agency(store: CypherStore, keyring: Keyring, agency: Agency) -> None:
    if agency.code in await store.agency_codes():
        return
    record = AgencyRecord(
        type="agency",
        source=Source(agency=agency.code, record_id=f"agency/{agency.code}"),
        code=agency.code,
        name=agency.name,
        kind=agency.kind,
    )
    batch = WriteBatch()
    RowBuilder(keyring).add(batch, record)
    await store.write(batch, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def points_path(settings: Settings, agency: Agency) -> Path:
    return settings.data_dir / "connectors" / f"{agency.code}-points.json"


async def run(
    agency: Agency,
    target: str,
    settings: Settings,
    on_progress: Progress | None = None,
    page_size: int = 500,
    retries: int = 5,
    backoff: float = 0.5,
) -> ConnectorReport:
    """Ingest one file or pull one API URL for `agency` into the configured store."""
    keyring = load_keyring(settings.secret_path)
    store = await open_store(settings)
    try:
        await ensure_agency(store, keyring, agency)
        source = target.split("?", 1)[0] if is_url(target) else str(Path(target))
        ingestor = Ingestor(
            store, keyring, source, settings.quarantine_dir, settings.ingest_batch_size
        )
        ledger = PointsLedger(points_path(settings, agency))
        ctx = Context(agency.code, keyring, ledger)
        if is_url(target):
            puller = Puller(
                target,
                CursorStore(settings.data_dir, agency.code, target),
                page_size=page_size,
                retries=retries,
                backoff=backoff,
            )
            report = await _pull(agency, puller, ingestor, ctx, on_progress)
        else:
            report = await _file(agency, Path(target), ingestor, ctx, on_progress)
        ledger.save()
        return report
    finally:
        await store.close()


async def _file(
    agency: Agency, path: Path, ingestor: Ingestor, ctx: Context, on_progress: Progress | None
) -> ConnectorReport:
    kind = formats.detect(path)
    size = path.stat().st_size
    encoding: str | None = None
    if kind == "csv":
        sheet, raw, encoding = open_csv(path)
        pipeline = Pipeline(agency.tables, ingestor, ctx, _by_offset(on_progress, raw.tell, size))
        await pipeline.sheet(sheet)
        raw.close()
    elif kind == "jsonl":
        encoding = "utf-8"
        with path.open("rb") as fh:
            pipeline = Pipeline(
                agency.tables, ingestor, ctx, _by_offset(on_progress, fh.tell, size)
            )
            await pipeline.items(read_jsonl(path, fh))
    else:
        sheets, book = open_xlsx(path)
        total = sheet_rows(book)
        hook = (lambda n: on_progress(n, n, total or None)) if on_progress else None
        pipeline = Pipeline(agency.tables, ingestor, ctx, hook)
        try:
            for sheet in sheets:
                await pipeline.sheet(sheet)
        finally:
            book.close()
    report = await ingestor.finish()
    if on_progress:
        on_progress(pipeline.rows.read, size if kind != "xlsx" else pipeline.rows.read, None)
    return ConnectorReport(agency.code, str(path), kind, report, pipeline.rows, encoding)


def _by_offset(
    on_progress: Progress | None, tell: Callable[[], int], size: int
) -> Callable[[int], None] | None:
    if on_progress is None:
        return None
    return lambda n: on_progress(n, tell(), size)


async def _pull(
    agency: Agency,
    puller: Puller,
    ingestor: Ingestor,
    ctx: Context,
    on_progress: Progress | None,
) -> ConnectorReport:
    cursors = puller.cursors
    hook = (lambda n: on_progress(n, n, None)) if on_progress else None
    pipeline = Pipeline(agency.tables, ingestor, ctx, hook)
    started_at = cursors.load()
    pages = 0
    error: str | None = None
    try:
        async for page in puller.pages():
            await pipeline.items(page.items)
            await ingestor.flush()  # stored first, then the points, then the cursor
            assert ctx.points is not None
            ctx.points.save()
            puller.commit(page)
            pages += 1
    except PullError as err:
        error = str(err)
    report = await ingestor.finish()
    api = {
        "started_at_cursor": started_at,
        "cursor": cursors.load(),
        "pages": pages,
        "retries": puller.retried,
    }
    return ConnectorReport(
        agency.code, puller.url, "api", report, pipeline.rows, "utf-8", api=api, error=error
    )
