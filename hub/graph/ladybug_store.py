"""Embedded adapter: LadybugDB, one on-disk file, no server.

LadybugDB allows one process per file (a second one is refused by its file lock), one
connection per thread, and one write transaction at a time. So reads run on a small
pool of threads each holding its own connection, and every write transaction runs on
one dedicated writer thread, serialised by a lock.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, suppress
from pathlib import Path
from typing import Any

import ladybug
import pyarrow as pa

from hub.graph import queries as q
from hub.graph.cypher_store import CypherStore, Run
from hub.graph.port import Row


class StoreLocked(RuntimeError):
    """Another process owns the graph file."""


def ddl() -> list[str]:
    """LadybugDB schema: every property a string (see queries.py)."""
    statements = []
    for label, props in q.NODE_PROPERTIES.items():
        cols = ", ".join(f"{p} STRING" for p in (*props, *q.PROVENANCE))
        statements.append(
            f"CREATE NODE TABLE IF NOT EXISTS {label}({cols}, PRIMARY KEY({q.NODE_KEYS[label]}))"
        )
    for edge, (pairs, props) in q.EDGES.items():
        ends = ", ".join(f"FROM {a} TO {b}" for a, b in pairs)
        extra = (*props, *q.PROVENANCE) if edge in q.EDGES_WITH_PROVENANCE else props
        cols = "".join(f", {p} STRING" for p in extra)
        statements.append(f"CREATE REL TABLE IF NOT EXISTS {edge}({ends}{cols})")
    return statements


def _strings(columns: dict[str, list[Any]]) -> pa.Table:
    """An Arrow table of string columns, in the table's declared column order."""
    return pa.table({name: pa.array(values, type=pa.string()) for name, values in columns.items()})


def _rows(result: Any) -> list[Row]:
    names = result.get_column_names()
    return [dict(zip(names, values, strict=True)) for values in result.get_all()]


class LadybugStore(CypherStore):
    name = "embedded"

    def __init__(self, path: Path, read_threads: int = 2, buffer_pool_mib: int = 3072) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = ladybug.Database(str(path), buffer_pool_size=buffer_pool_mib << 20)
        except RuntimeError as err:
            if "lock" in str(err).lower():
                raise StoreLocked(f"{path} is open in another process: {err}") from None
            raise
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(read_threads, thread_name_prefix="graph-read")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="graph-write")
        self._write_lock: asyncio.Lock | None = None
        self._connections: list[ladybug.Connection] = []
        self._guard = threading.Lock()

    def _connection(self) -> ladybug.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = ladybug.Connection(self._db, num_threads=1)
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    def _execute(self, query: str, params: dict[str, Any]) -> list[Row]:
        return _rows(self._connection().execute(query, params))

    async def _on(self, pool: ThreadPoolExecutor, query: str, params: dict[str, Any]) -> list[Row]:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(pool, self._execute, query, params)

    async def read(self, query: str, params: dict[str, Any]) -> list[Row]:
        return await self._on(self._readers, query, params)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Run]:
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        async with self._write_lock:

            async def run(query: str, params: dict[str, Any]) -> list[Row]:
                return await self._on(self._writer, query, params)

            await run("BEGIN TRANSACTION", {})
            try:
                yield run
            except BaseException:
                with suppress(RuntimeError):  # LadybugDB may have rolled back already
                    await run("ROLLBACK", {})
                raise
            await run("COMMIT", {})
            self.generation += 1

    # Bulk load: rows the shared logic has proven absent (read in this same transaction,
    # deduplicated, writes serialised) go in with COPY, ~100k rows/s instead of ~10k with
    # MERGE. Absence must be certain: a duplicate key in COPY crashes LadybugDB 0.22.

    def _copy(self, table: str, frame: pa.Table) -> None:
        self._connection().execute(f"COPY {table} FROM frame")

    async def _copy_on_writer(self, table: str, frame: pa.Table) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._writer, self._copy, table, frame)

    async def _insert_nodes(self, run: Run, label: str, rows: list[Row], now: str) -> None:
        key = q.NODE_KEYS[label]
        columns: dict[str, list[Any]] = {
            c: [r.get("key" if c == key else c) for r in rows]
            for c in (*q.NODE_PROPERTIES[label], *q.PROVENANCE)
        }
        columns["first_seen"] = columns["last_seen"] = [now] * len(rows)
        await self._copy_on_writer(label, _strings(columns))

    async def _insert_roles(self, run: Run, rows: list[Row], now: str) -> None:
        names = ("pkey", "uscc", *q.EDGES["HOLDS"][1], *q.PROVENANCE)
        columns: dict[str, list[Any]] = {c: [r.get(c) for r in rows] for c in names}
        columns["first_seen"] = columns["last_seen"] = [now] * len(rows)
        await self._copy_on_writer("HOLDS", _strings(columns))

    async def setup(self) -> None:
        async with self.transaction() as run:
            for statement in ddl():
                await run(statement, {})

    async def close(self) -> None:
        self._readers.shutdown(wait=True)
        self._writer.shutdown(wait=True)
        with self._guard:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self._db.close()
