"""The export format: one self-contained JSON Lines file an auditor can verify offline.

Layout (one JSON value per line)::

    {"format":"credit-hub/audit-export@v1","origin":...,"size":N,"checkpoints":K}
    {"checkpoint":"<signed note>"}                      (K lines, oldest first)
    {"index":0,"leaf_hash":"<hex>","leaf":{...}}        (N lines, index order)

Each ``leaf`` value is written byte-for-byte as stored (canonical JSON), so its bytes can
be hashed straight out of the line without re-encoding; this is what makes verifying a
million entries take seconds.  The export stops at the latest signed checkpoint, so every
exported entry is covered by a signature.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from audit.checkpoint import Checkpoint
from audit.errors import AuditError

EXPORT_FORMAT = "credit-hub/audit-export@v1"
ENTRY_PREFIX = b'{"index":'
HASH_FIELD = b',"leaf_hash":"'
LEAF_FIELD = b'","leaf":'
ENTRY_SUFFIX = b"}\n"
CHECKPOINT_PREFIX = b'{"checkpoint":'


@dataclass(frozen=True)
class ExportSummary:
    """What an export contains."""

    path: Path
    size: int
    checkpoints: int
    root: bytes


def entry_line(index: int, leaf_hash: bytes, leaf: bytes) -> bytes:
    """One entry line, exactly as the verifier expects it."""
    return b"".join(
        (
            ENTRY_PREFIX,
            str(index).encode(),
            HASH_FIELD,
            leaf_hash.hex().encode(),
            LEAF_FIELD,
            leaf,
            ENTRY_SUFFIX,
        )
    )


def header_line(origin: str, size: int, checkpoints: int) -> bytes:
    """The first line of an export."""
    head = {"format": EXPORT_FORMAT, "origin": origin, "size": size, "checkpoints": checkpoints}
    return json.dumps(head, ensure_ascii=False).encode() + b"\n"


def checkpoint_line(note: str) -> bytes:
    """A checkpoint line (the signed note as a JSON string)."""
    return json.dumps({"checkpoint": note}, ensure_ascii=False).encode() + b"\n"


def thin(sizes: list[int], limit: int) -> list[int]:
    """Positions of at most ``limit`` items spread evenly, always keeping first and last."""
    n = len(sizes)
    if n <= limit:
        return list(range(n))
    if limit < 2:
        return [n - 1]
    step = (n - 1) / (limit - 1)
    return sorted({round(i * step) for i in range(limit)})


def write_export(
    conn: sqlite3.Connection, path: Path, max_checkpoints: int = 1000
) -> ExportSummary:
    """Write the export of the log behind ``conn`` up to its latest checkpoint."""
    row = conn.execute("SELECT value FROM meta WHERE key='origin'").fetchone()
    if row is None:
        raise AuditError("not an audit log database (no origin)")
    origin = str(row[0])
    rows = conn.execute("SELECT size, note FROM checkpoints ORDER BY id").fetchall()
    if not rows:
        raise AuditError("the log has no signed checkpoint yet")
    size = int(rows[-1][0])
    rows = [r for r in rows if int(r[0]) <= size]
    keep = thin([int(r[0]) for r in rows], max(1, max_checkpoints))
    notes = [str(rows[i][1]) for i in keep]
    last = notes[-1]
    root = Checkpoint.parse(last[: last.rfind("\n\n") + 1]).root
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as out:
        out.write(header_line(origin, size, len(notes)))
        for note in notes:
            out.write(checkpoint_line(note))
        cursor = conn.execute(
            "SELECT idx, hash, leaf FROM leaves WHERE idx < ? ORDER BY idx", (size,)
        )
        while True:
            chunk = cursor.fetchmany(10000)
            if not chunk:
                break
            out.write(b"".join(entry_line(i, h, leaf.encode("utf-8")) for i, h, leaf in chunk))
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)
    return ExportSummary(path, size, len(notes), root)


def export_database(
    db_path: str | Path, out_path: str | Path, max_checkpoints: int = 1000
) -> ExportSummary:
    """Export straight from a log file (no keys needed; uses the stored checkpoints)."""
    db = Path(db_path)
    if not db.is_file():
        raise AuditError(f"no such log database: {db}")
    conn = sqlite3.connect(db.resolve().as_uri() + "?mode=ro", uri=True)
    try:
        return write_export(conn, Path(out_path), max_checkpoints)
    finally:
        conn.close()
