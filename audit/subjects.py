"""The subject vault: openings of subject commitments, in their own SQLite file.

Plaintext subject keys are personal data; the Merkle log is append-only forever.  So the
log holds only commitments and this separate file holds, per entry, the random value and
subject key that open each commitment, plus a keyed index HMAC(index_key, subject key) →
entry indexes that answers "who accessed subject X" without scanning.  Erasing an
entry's rows (with ``secure_delete`` and a truncated WAL) leaves nothing to recover,
while every hash in the log stays valid.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path

from audit.db import connect_durable, insert_flat, rollback_if_open, statements_needed, transaction

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS openings (
    idx INTEGER NOT NULL,
    pos INTEGER NOT NULL,
    nonce BLOB NOT NULL,
    subject_key BLOB NOT NULL,
    PRIMARY KEY (idx, pos)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS subject_index (
    tag BLOB NOT NULL,
    idx INTEGER NOT NULL,
    PRIMARY KEY (tag, idx)
) WITHOUT ROWID;
"""

# Session-only (TEMP) helper: inserting (idx, pos, nonce, subject key, tag) rows into this
# view stores each opening and its index tag, so one INSERT statement (one transaction,
# atomic in autocommit mode) stores a whole group.  Nothing is added to the file.
_TEMP_SCHEMA = """
CREATE TEMP VIEW IF NOT EXISTS opening_rows(idx, pos, nonce, subject_key, tag) AS
    SELECT NULL, NULL, NULL, NULL, NULL WHERE 0;
CREATE TEMP TRIGGER IF NOT EXISTS opening_rows_insert INSTEAD OF INSERT ON opening_rows
BEGIN
    INSERT INTO openings VALUES (NEW.idx, NEW.pos, NEW.nonce, NEW.subject_key);
    INSERT INTO subject_index VALUES (NEW.tag, NEW.idx);
END;
"""

Opening = tuple[int, int, bytes, bytes]  # (idx, pos, nonce, subject key)


class SubjectVault:
    """Deletable store of commitment openings and the keyed subject index."""

    def __init__(
        self, path: str | Path, index_key: bytes | None = None, busy_timeout: float = 5.0
    ) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn = connect_durable(self.path, busy_timeout)
        self._conn.execute("PRAGMA secure_delete=ON")
        self._conn.executescript(_SCHEMA)
        self._conn.executescript(_TEMP_SCHEMA)
        stored = self._conn.execute("SELECT value FROM meta WHERE key='index_key'").fetchone()
        if index_key is None:
            if stored is None:
                index_key = os.urandom(32)
                self._conn.execute("INSERT INTO meta VALUES ('index_key', ?)", (index_key,))
            else:
                index_key = bytes(stored[0])
        # HMAC-SHA256 by its definition (RFC 2104), with the keyed inner and outer
        # states computed once: copying them is cheaper than hmac.HMAC.copy().
        block = index_key if len(index_key) <= 64 else hashlib.sha256(index_key).digest()
        block = block.ljust(64, b"\x00")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def tag(self, subject_key: bytes) -> bytes:
        """Keyed index tag HMAC-SHA256(index key, subject key) (thread-safe, no I/O)."""
        inner = self._inner.copy()
        inner.update(subject_key)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()

    def write(self, openings: Sequence[Opening], tags: Sequence[tuple[bytes, int]]) -> None:
        """Durably store a batch of openings and index tags in one transaction."""
        with self._lock, transaction(self._conn):
            insert_flat(self._conn, "openings", 4, [v for row in openings for v in row])
            insert_flat(self._conn, "subject_index", 2, [v for row in tags for v in row])

    def write_rows(self, values: list[object]) -> None:
        """Durably store openings given as flat (idx, pos, nonce, subject key, tag) values.

        One statement (so one GIL release for SQLite to run and fsync) unless the group
        is very large; it is a transaction by itself, so both tables change together.
        """
        with self._lock:
            try:
                if statements_needed(self._conn, 5, len(values) // 5) == 1:
                    insert_flat(self._conn, "opening_rows", 5, values)
                else:
                    with transaction(self._conn):
                        insert_flat(self._conn, "opening_rows", 5, values)
            except BaseException:
                rollback_if_open(self._conn)
                raise

    def indexes_for(self, subject_key: bytes) -> list[int]:
        """Entry indexes recorded for a subject key (ascending)."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT idx FROM subject_index WHERE tag=? ORDER BY idx", (self.tag(subject_key),)
            ).fetchall()
        return [int(r[0]) for r in rows]

    def openings(self, idx: int) -> list[tuple[int, bytes, bytes]]:
        """(position, random value, subject key) rows of one entry."""
        with self._lock:
            rows = self._conn.execute(
                "SELECT pos, nonce, subject_key FROM openings WHERE idx=? ORDER BY pos", (idx,)
            ).fetchall()
        return [(int(p), bytes(n), bytes(k)) for p, n, k in rows]

    def erase(self, idx: int) -> int:
        """Delete every opening and index tag of entry ``idx``; returns rows removed."""
        with self._lock:
            with transaction(self._conn):
                rows = self._conn.execute(
                    "SELECT subject_key FROM openings WHERE idx=?", (idx,)
                ).fetchall()
                for (key,) in rows:
                    self._conn.execute(
                        "DELETE FROM subject_index WHERE tag=? AND idx=?", (self.tag(key), idx)
                    )
                self._conn.execute("DELETE FROM openings WHERE idx=?", (idx,))
            # Old page images survive in the WAL until it is checkpointed and truncated.
            self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return len(rows)

    def drop_from(self, idx: int) -> int:
        """Remove rows for entries >= ``idx`` (written before a crash hit the log commit)."""
        with self._lock, transaction(self._conn):
            rows = self._conn.execute(
                "SELECT idx, subject_key FROM openings WHERE idx>=?", (idx,)
            ).fetchall()
            for i, key in rows:
                self._conn.execute(
                    "DELETE FROM subject_index WHERE tag=? AND idx=?", (self.tag(key), i)
                )
            self._conn.execute("DELETE FROM openings WHERE idx>=?", (idx,))
        return len(rows)

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()
