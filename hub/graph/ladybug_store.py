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
from functools import cache
from pathlib import Path
from typing import Any

import ladybug
import pyarrow as pa

from hub.graph import queries as q
from hub.graph.cypher_store import CypherStore, Run
from hub.graph.port import Row

# WAL size that triggers a checkpoint at commit (LadybugDB's default is 16 MiB). A
# checkpoint rewrites every touched node group, so its cost grows with the database: at
# 1M rows it costs seconds whatever the batch. A 20k-row ingest batch logs ~11 MiB, so the
# default would checkpoint every other batch; at this size a 1M-row load checkpoints about
# once. Committed data is safe in the WAL meanwhile (replayed on open after a crash).
CHECKPOINT_THRESHOLD_MIB = 512


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


# Provenance the ingest sends; first_seen and last_seen are the batch's `$now`.
_WRITTEN_PROVENANCE = ("src_agency", "src_record", "content_hash")
_ROLE_COLUMNS = ("pkey", "uscc", *q.EDGES["HOLDS"][1], *_WRITTEN_PROVENANCE)


def _strings(columns: list[list[Any]]) -> pa.Table:
    """An Arrow table of string columns named v0, v1, … (a property name such as `text`
    could clash with a Cypher keyword when used as a variable)."""
    return pa.table(
        {f"v{i}": pa.array(values, type=pa.string()) for i, values in enumerate(columns)}
    )


def _assignments(names: tuple[str, ...], first: int = 0) -> str:
    """`{a: v0, b: v1, …, first_seen: $now, last_seen: $now}` for frame columns."""
    pairs = [f"{name}: v{i}" for i, name in enumerate(names, start=first)]
    return "{" + ", ".join([*pairs, "first_seen: $now", "last_seen: $now"]) + "}"


@cache
def _create_nodes(label: str) -> str:
    names = (*q.NODE_PROPERTIES[label], *_WRITTEN_PROVENANCE)
    return f"LOAD FROM $rows CREATE (:{label} {_assignments(names)})"


@cache
def _keyed_nodes(label: str) -> tuple[str, str]:
    """(existing, touch) for one node table, keys in frame column v0."""
    match = f"LOAD FROM $rows MATCH (n:{label} {{{q.NODE_KEYS[label]}: v0}}) "
    return (
        f"{match}RETURN n.{q.NODE_KEYS[label]} AS key, n.content_hash AS content_hash",
        f"{match}SET n.last_seen = $now",
    )


_ROLE_IDS = ("pkey", "uscc", "role", "valid_from")
# The shape of queries.ROLE_EXISTING (anchor on the person, OPTIONAL MATCH its roles).
_MATCH_ROLES = (
    "LOAD FROM $rows MATCH (p:Person {pkey: v0}) OPTIONAL MATCH (p)-[h:HOLDS]->(i:Institution) "
    "WITH v0, v1, v2, v3, h, i WHERE i.uscc = v1 AND h.role = v2 AND h.valid_from = v3 "
)
_EXISTING_ROLES = (
    f"{_MATCH_ROLES}RETURN v0 AS pkey, v1 AS uscc, v2 AS role, v3 AS valid_from, "
    "h.content_hash AS content_hash"
)
_TOUCH_ROLES = f"{_MATCH_ROLES}SET h.last_seen = $now"

_CREATE_ROLES = (
    "LOAD FROM $rows MATCH (p:Person {pkey: v0}) MATCH (i:Institution {uscc: v1}) "
    f"CREATE (p)-[:HOLDS {_assignments(_ROLE_COLUMNS[2:], first=2)}]->(i)"
)


def _rows(result: Any) -> list[Row]:
    names = result.get_column_names()
    return [dict(zip(names, values, strict=True)) for values in result.get_all()]


class LadybugStore(CypherStore):
    name = "embedded"

    def __init__(
        self,
        path: Path,
        read_threads: int = 2,
        buffer_pool_mib: int = 3072,
        checkpoint_threshold_mib: int = CHECKPOINT_THRESHOLD_MIB,
    ) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = ladybug.Database(
                str(path),
                buffer_pool_size=buffer_pool_mib << 20,
                checkpoint_threshold=checkpoint_threshold_mib << 20,
            )
        except RuntimeError as err:
            if "lock" in str(err).lower():
                raise StoreLocked(f"{path} is open in another process: {err}") from None
            raise
        self._local = threading.local()
        self._readers = ThreadPoolExecutor(read_threads, thread_name_prefix="graph-read")
        self._writer = ThreadPoolExecutor(1, thread_name_prefix="graph-write")
        self._write_lock: asyncio.Lock | None = None
        self._connections: list[ladybug.Connection] = []
        self._loaded = False  # this write transaction scanned Arrow tables
        self._guard = threading.Lock()

    def _connection(self) -> ladybug.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = ladybug.Connection(self._db, num_threads=1)
            self._local.conn = conn
            with self._guard:
                self._connections.append(conn)
        return conn

    def _drop_connection(self) -> None:
        """Close this thread's connection; the next call opens a fresh one.

        The client caches a prepared statement for every Arrow table it is given and never
        evicts it (each new table object is a new cache key), so every table of a bulk load
        would stay in memory until the connection closes (at 300k rows: 60 MiB of Arrow
        data and 100 MiB more buffer pool in use; closing after each write costs ~15 ms).
        """
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            self._local.conn = None
            with self._guard:
                self._connections.remove(conn)
            conn.close()

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
                try:
                    yield run
                except BaseException:
                    with suppress(RuntimeError):  # LadybugDB may have rolled back already
                        await run("ROLLBACK", {})
                    raise
                await run("COMMIT", {})
                self.generation += 1
            finally:
                if self._loaded:
                    self._loaded = False
                    await asyncio.get_running_loop().run_in_executor(
                        self._writer, self._drop_connection
                    )

    # Bulk load: rows the shared logic has proven absent (read in this same transaction,
    # deduplicated, writes serialised) go in with `LOAD FROM <arrow table> CREATE`, which
    # reads the columns straight from Arrow (20k rows in ~0.25 s, near COPY's speed) and is
    # logged in the WAL like any write. Not COPY: LadybugDB 0.22 checkpoints after every
    # COPY, a cost that grows with the database (2.7 s a 20k-row batch at 1M rows, 12 s a
    # 100k one); with auto_checkpoint off a COPY is not in the WAL at all, and a crash
    # before the next checkpoint leaves a file that segfaults on open (both measured).
    # A duplicate key in CREATE is an error that rolls the transaction back, not a crash.
    # The table goes in as a parameter: `LOAD FROM frame` (a local variable's name) is bound
    # when the statement is prepared, and the client's statement cache then replays the
    # first batch's table for every later one. The per-batch key lookups and touches take
    # the same Arrow route: 2-3x faster than `UNWIND $keys` (measured on 20k role keys at
    # 300k rows), and the keys are not converted one by one under the interpreter lock
    # while the ingest's parser waits for it.

    async def _scan(
        self, run: Run, query: str, columns: list[list[Any]], **params: str
    ) -> list[Row]:
        self._loaded = True
        return await run(query, {"rows": _strings(columns), **params})

    async def _insert_nodes(self, run: Run, label: str, rows: list[Row], now: str) -> None:
        key = q.NODE_KEYS[label]
        names = (*q.NODE_PROPERTIES[label], *_WRITTEN_PROVENANCE)
        columns = [[r.get("key" if c == key else c) for r in rows] for c in names]
        await self._scan(run, _create_nodes(label), columns, now=now)

    async def _insert_roles(self, run: Run, rows: list[Row], now: str) -> None:
        columns = [[r.get(c) for r in rows] for c in _ROLE_COLUMNS]
        await self._scan(run, _CREATE_ROLES, columns, now=now)

    async def _existing(self, run: Run, label: str, keys: list[str]) -> list[Row]:
        return await self._scan(run, _keyed_nodes(label)[0], [keys])

    async def _touch(self, run: Run, label: str, keys: list[str], now: str) -> None:
        await self._scan(run, _keyed_nodes(label)[1], [keys], now=now)

    async def _existing_roles(self, run: Run, rows: list[Row]) -> list[Row]:
        return await self._scan(run, _EXISTING_ROLES, [[r[f] for r in rows] for f in _ROLE_IDS])

    async def _touch_roles(self, run: Run, rows: list[Row], now: str) -> None:
        await self._scan(run, _TOUCH_ROLES, [[r[f] for r in rows] for f in _ROLE_IDS], now=now)

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
