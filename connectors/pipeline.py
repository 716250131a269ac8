"""Rows in, canonical records out: one row is validated whole, then accepted or quarantined.

A row becomes several records (a registration row is an institution, a person and a
role); it is accepted only if all of them validate, so a half-row never lands. Rows are
counted apart from records: `rows.read == rows.accepted + rows.rejected`, always.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterable, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from connectors import headers
from connectors.cells import CellError
from connectors.table import Context, Mismatch, Resolved, Table, resolve, resolve_keys
from hub.ingest import Ingestor
from hub.records import CanonicalRecord, RecordError, parse_record

PROGRESS_EVERY = 1000


@dataclass
class RowCounts:
    read: int = 0
    accepted: int = 0
    rejected: int = 0
    by_table: Counter[str] = field(default_factory=Counter)
    skipped_sheets: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "read": self.read,
            "accepted": self.accepted,
            "rejected": self.rejected,
            "by_table": dict(self.by_table),
            "skipped_sheets": self.skipped_sheets,
        }


@dataclass
class Sheet:
    """A header-led table of rows: a CSV file or one worksheet."""

    name: str  # position prefix: "mr.csv" or "hc.xlsx:信用评价"
    rows: Iterator[tuple[str, list[Any]]]  # (position, cell values), empty rows left out
    skip_if_unknown: bool = False  # a workbook's notes sheet is skipped, not rejected


@dataclass(frozen=True)
class Item:
    """One self-describing object (a JSON line or an API item), or why it is not one."""

    position: str
    raw: str
    value: dict[str, Any] | None = None
    error: tuple[str, str] | None = None  # (field, reason)


def _raw(values: Iterable[Any]) -> str:
    return json.dumps(list(values), ensure_ascii=False, default=str)


class Pipeline:
    def __init__(
        self,
        tables: tuple[Table, ...],
        ingestor: Ingestor,
        ctx: Context,
        on_progress: Callable[[int], None] | None = None,
    ) -> None:
        self.tables = tables
        self.ingestor = ingestor
        self.ctx = ctx
        self.rows = RowCounts()
        self.on_progress = on_progress
        self._by_keys: dict[tuple[str, ...], Resolved | Mismatch] = {}

    async def sheet(self, sheet: Sheet) -> None:
        head: list[tuple[str, list[Any]]] = []
        for entry in sheet.rows:
            head.append(entry)
            if len(head) >= headers.HEADER_SCAN_ROWS + 1:
                break
        if not head:
            return
        taken, found = self._header([values for _, values in head])
        if isinstance(found, Mismatch) and found.table is None and sheet.skip_if_unknown:
            self.rows.skipped_sheets.append(sheet.name)
            return
        for position, values in head[taken:]:
            await self._row(position, found, values, _raw(values))
        for position, values in sheet.rows:
            await self._row(position, found, values, _raw(values))

    def _header(self, rows: list[list[Any]]) -> tuple[int, Resolved | Mismatch]:
        best: tuple[tuple[int, int, int], int, Resolved | Mismatch] | None = None
        for taken, header in headers.candidates(rows):
            found = resolve(self.tables, header)
            matched = len(found.positions) if isinstance(found, Resolved) else 0
            rank = (isinstance(found, Resolved), matched, -taken)
            if best is None or rank > best[0]:
                best = (rank, taken, found)
        assert best is not None
        if isinstance(best[2], Mismatch):  # report the closest table from the first row
            return 1, resolve(self.tables, headers.single(rows[0]))
        return best[1], best[2]

    async def items(self, items: Iterable[Item] | AsyncIterable[Item]) -> None:
        if isinstance(items, AsyncIterable):
            async for item in items:
                await self.item(item)
        else:
            for item in items:
                await self.item(item)

    async def item(self, item: Item) -> None:
        if item.value is None:
            field_name, reason = item.error or ("line", "empty")
            self._count(None)
            self.rows.rejected += 1
            self.ingestor.reject(item.position, field_name, reason, item.raw)
            return
        keys = tuple(item.value)
        found = self._by_keys.get(keys)
        if found is None:
            found = self._by_keys[keys] = resolve_keys(self.tables, keys)
        await self._row(item.position, found, item.value, item.raw)

    async def _row(
        self,
        position: str,
        found: Resolved | Mismatch,
        values: list[Any] | dict[str, Any],
        raw: str,
    ) -> None:
        self._count(found.table.name if isinstance(found, Resolved) else None)
        if isinstance(found, Mismatch):
            return self._reject(position, "columns", found.reason, raw)
        try:
            records = found.table.build(found.view(values), self.ctx)
            parsed: list[CanonicalRecord] = []
            for record in records:
                try:
                    parsed.append(parse_record(record))
                except RecordError as err:
                    raise CellError(f"{record.get('type')}.{err.field}", err.reason) from None
        except CellError as err:
            return self._reject(position, err.column, err.reason, raw)
        ok = True
        for canonical in parsed:
            ok = await self.ingestor.accept(position, canonical, raw) and ok
        if ok:
            self.rows.accepted += 1
        else:
            self.rows.rejected += 1

    def _reject(self, position: str, field_name: str, reason: str, raw: str) -> None:
        self.rows.rejected += 1
        self.ingestor.reject(position, field_name, reason, raw)

    def _count(self, table: str | None) -> None:
        self.rows.read += 1
        self.rows.by_table[table or "unknown"] += 1
        if self.on_progress is not None and self.rows.read % PROGRESS_EVERY == 0:
            self.on_progress(self.rows.read)
