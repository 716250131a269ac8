"""One ingest run: validated records stream into the store in batches; bad rows are
quarantined with their position, field and reason, so `read == accepted + rejected`.

Quarantined lines are kept whole (nothing is lost) but sealed with the hub's key, since
they may hold clear ID numbers; the report names only the field and the reason.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, TextIO

from hub.graph.cypher_store import CypherStore
from hub.graph.port import UpsertCounts, WriteBatch
from hub.identifiers import remembering_person_ids
from hub.personal_data import Keyring
from hub.records import AgencyRecord, CanonicalRecord, RecordError, parse_line
from hub.store_rows import RowBuilder, agency_references

MAX_REJECTIONS_IN_REPORT = 1000
YIELD_EVERY = 50  # records parsed between chances for the write-behind batch to proceed


@dataclass(frozen=True)
class Rejection:
    position: str
    field: str
    reason: str


@dataclass
class IngestReport:
    source: str
    started: str
    finished: str = ""
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    written: dict[str, dict[str, int]] = field(default_factory=dict)
    rejections: list[Rejection] = field(default_factory=list)
    quarantine_file: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class Ingestor:
    """Feeds records into the store; the caller owns reading and parsing."""

    def __init__(
        self,
        store: CypherStore,
        keyring: Keyring,
        source: str,
        quarantine_dir: Path,
        batch_size: int = 5000,
    ) -> None:
        self.store = store
        self.keyring = keyring
        self.builder = RowBuilder(keyring)
        self.batch_size = batch_size
        self.report = IngestReport(source=source, started=_now())
        self._batch = WriteBatch()
        self._pending = 0  # records in `_batch`: each adds one row (len() sums every table)
        self._types: Counter[str] = Counter()
        self._written: dict[str, UpsertCounts] = {}
        self._agencies: set[str] | None = None
        self._quarantine_dir = quarantine_dir
        self._quarantine: TextIO | None = None
        self._writing: asyncio.Task[dict[str, UpsertCounts]] | None = None

    async def accept(self, position: str, record: CanonicalRecord, raw: str) -> bool:
        """Add a parsed record; rejects it if it names an unknown agency."""
        self.report.read += 1
        if self._agencies is None:
            self._agencies = await self.store.agency_codes()
        if isinstance(record, AgencyRecord):
            self._agencies.add(record.code)
        for field_name, code in agency_references(record):
            if code not in self._agencies:
                self._quarantine_row(position, field_name, f"unknown agency {code!r}", raw)
                return False
        self.builder.add(self._batch, record)
        self._pending += 1
        self.report.accepted += 1
        self._types[record.type] += 1
        if self._pending >= self.batch_size:
            await self._write_behind()
        elif self.report.accepted % YIELD_EVERY == 0:
            await asyncio.sleep(0)  # let the batch being written take its next step
        return True

    def reject(self, position: str, field_name: str, reason: str, raw: str) -> None:
        self.report.read += 1
        self._quarantine_row(position, field_name, reason, raw)

    def _quarantine_row(self, position: str, field_name: str, reason: str, raw: str) -> None:
        self.report.rejected += 1
        if len(self.report.rejections) < MAX_REJECTIONS_IN_REPORT:
            self.report.rejections.append(Rejection(position, field_name, reason))
        if self._quarantine is None:
            self._quarantine_dir.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
            path = self._quarantine_dir / f"{Path(self.report.source).name}.{stamp}.jsonl"
            self._quarantine = path.open("a", encoding="utf-8")
            self.report.quarantine_file = str(path)
        context = f"{self.report.source}|{position}".encode()
        entry = {
            "source": self.report.source,
            "position": position,
            "field": field_name,
            "reason": reason,
            "sealed_row": self.keyring.seal(raw.encode(), context),
        }
        self._quarantine.write(json.dumps(entry, ensure_ascii=False) + "\n")

    async def _write_behind(self) -> None:
        """Hand the full batch to the store and go on parsing while it is written.

        At most one batch is in flight: the previous one is awaited first, so a crash
        loses at most the batches not yet acknowledged, and a re-run redoes them.
        """
        await self._settle()
        if self._pending:
            batch, self._batch, self._pending = self._batch, WriteBatch(), 0
            self._writing = asyncio.create_task(self.store.write(batch, _now()))

    async def _settle(self) -> None:
        if self._writing is not None:
            writing, self._writing = self._writing, None
            for label, counts in (await writing).items():
                self._written.setdefault(label, UpsertCounts()).add(counts)

    async def flush(self) -> None:
        """Write everything accepted so far; when this returns, it is stored."""
        await self._write_behind()
        await self._settle()

    async def finish(self) -> IngestReport:
        await self.flush()
        if self._quarantine is not None:
            self._quarantine.close()
        self.report.by_type = dict(self._types)
        self.report.written = {k: asdict(v) for k, v in self._written.items()}
        self.report.finished = _now()
        return self.report


async def ingest_lines(
    ingestor: Ingestor,
    lines: Iterable[str],
    parse: Callable[[str], CanonicalRecord] = parse_line,
    on_progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Canonical JSON Lines: blank lines are skipped, every other line is counted."""
    with _fewer_collections(), remembering_person_ids():
        return await _ingest_lines(ingestor, lines, parse, on_progress)


@contextmanager
def _fewer_collections(young: int = 100_000) -> Iterator[None]:
    """Run the cyclic garbage collector less often while this runs: an ingest allocates
    millions of short-lived dicts (freed by reference counting, no cycles), and the
    default of a young-generation pass every 700 allocations costs ~12% of parse and
    build time."""
    thresholds = gc.get_threshold()
    gc.set_threshold(max(young, thresholds[0]), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


async def _ingest_lines(
    ingestor: Ingestor,
    lines: Iterable[str],
    parse: Callable[[str], CanonicalRecord],
    on_progress: Callable[[int], None] | None,
) -> IngestReport:
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        try:
            record = parse(text)
        except RecordError as err:
            ingestor.reject(f"line {number}", err.field, err.reason, text)
        else:
            await ingestor.accept(f"line {number}", record, text)
        if on_progress is not None and number % 10_000 == 0:
            on_progress(number)
    return await ingestor.finish()
