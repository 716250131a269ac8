"""SQLite connection settings shared by the log and the subject vault.

WAL with ``synchronous=FULL`` makes every transaction durable once it has committed (the
WAL is fsynced on each commit), which is the promise behind a receipt.  Connections are
shared between the writer threads under our own locks, hence ``check_same_thread=False``.

Durable connections are in autocommit mode (``isolation_level=None``): a single statement
is its own transaction, committed and fsynced when it returns, and several statements
that must be atomic are wrapped in :func:`transaction`.  This is what lets a writer store
a whole group with one statement: every call into SQLite releases the GIL, and under load
each re-take waits up to the interpreter's switch interval (5 ms) behind the appending
threads, so the number of calls per group, not the disk, bounded the throughput.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

# Statements are cached per connection by their SQL text; group inserts vary in length,
# so keep the cache small (each cached multi-row INSERT holds its compiled program).
_CACHED_STATEMENTS = 32
_MAX_ROWS = 4096  # rows per INSERT statement


def connect_durable(path: str | Path, busy_timeout: float = 5.0) -> sqlite3.Connection:
    """Open (creating if needed) a database in WAL mode with full fsync on commit."""
    conn = sqlite3.connect(
        str(path),
        timeout=busy_timeout,
        check_same_thread=False,
        isolation_level=None,
        cached_statements=_CACHED_STATEMENTS,
    )
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


@contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[None]:
    """Run the body as one transaction (BEGIN … COMMIT, ROLLBACK on any error)."""
    conn.execute("BEGIN")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.rollback()
        raise


def rollback_if_open(conn: sqlite3.Connection) -> None:
    """After a failed autocommit statement: make sure no transaction is left open."""
    if conn.in_transaction:
        conn.rollback()


def connect_reader(path: str | Path, busy_timeout: float = 5.0) -> sqlite3.Connection:
    """A separate connection for queries, so readers never wait for a writer's fsync."""
    conn = sqlite3.connect(str(path), timeout=busy_timeout, check_same_thread=False)
    conn.execute("PRAGMA query_only=ON")
    return conn


def insert_rows(
    conn: sqlite3.Connection, table: str, width: int, rows: Sequence[Sequence[object]]
) -> None:
    """Insert rows with as few multi-row INSERT statements as possible."""
    insert_flat(conn, table, width, [value for row in rows for value in row])


def statements_needed(conn: sqlite3.Connection, width: int, rows: int) -> int:
    """How many statements :func:`insert_flat` uses for ``rows`` rows."""
    return -(-rows // _rows_per_statement(conn, width))


def insert_flat(conn: sqlite3.Connection, table: str, width: int, values: list[object]) -> None:
    """Insert rows given as one flat list of values (``width`` per row).

    ``executemany`` releases and re-takes the GIL once per row; one multi-row statement
    per group releases it twice (prepare, step).  In autocommit mode a single statement
    is atomic and durable by itself; callers needing more wrap it in a transaction.
    """
    if len(values) % width:
        raise ValueError("values do not form whole rows")
    per_stmt = _rows_per_statement(conn, width) * width
    group = "(" + ",".join("?" * width) + ")"
    for start in range(0, len(values), per_stmt):
        chunk = values[start : start + per_stmt]
        count = len(chunk) // width
        conn.execute(f"INSERT INTO {table} VALUES {','.join([group] * count)}", chunk)


def _rows_per_statement(conn: sqlite3.Connection, width: int) -> int:
    return max(1, min(_MAX_ROWS, conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
