"""SQLite connection settings shared by the log and the subject vault.

WAL with ``synchronous=FULL`` makes every commit durable once ``commit()`` returns (the WAL
is fsynced on each commit), which is the promise behind a receipt.  Connections are
shared between the writer threads under our own locks, hence ``check_same_thread=False``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path


def connect_durable(path: str | Path, busy_timeout: float = 5.0) -> sqlite3.Connection:
    """Open (creating if needed) a database in WAL mode with full fsync on commit."""
    conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
    try:
        mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()
        if mode is None or str(mode[0]).lower() != "wal":
            raise sqlite3.OperationalError(f"cannot enable WAL mode on {path}")
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    except BaseException:
        conn.close()
        raise
    return conn


def connect_reader(path: str | Path, busy_timeout: float = 5.0) -> sqlite3.Connection:
    """A separate connection for queries, so readers never wait for a writer's fsync."""
    conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    return conn


def insert_rows(
    conn: sqlite3.Connection, table: str, width: int, rows: Sequence[Sequence[object]]
) -> None:
    """Insert many rows with few multi-row INSERT statements.

    ``executemany`` releases and re-takes the GIL once per row; under load every re-take
    queues behind the appending threads, which made the writer, not the disk, the
    bottleneck.  One statement per few hundred rows keeps the writer on the CPU.
    """
    per_stmt = max(1, min(500, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    group = "(" + ",".join("?" * width) + ")"
    for start in range(0, len(rows), per_stmt):
        chunk = rows[start : start + per_stmt]
        params = [value for row in chunk for value in row]
        conn.execute(f"INSERT INTO {table} VALUES {','.join([group] * len(chunk))}", params)
