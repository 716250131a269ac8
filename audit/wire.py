"""Length-prefixed frames between the hub and its access-log process.

The two ends are a parent and the child it started on a private socket pair (no path,
no port: nothing else can connect), so a frame's body is a pickle: the log's own types
(records, receipts, entries, checkpoints, exceptions) cross unchanged.
"""

from __future__ import annotations

import pickle
import struct
from typing import Any

from audit.leaf import AccessRecord, Result

_LENGTH = struct.Struct(">I")
MAX_FRAME = 256 * 1024 * 1024


def frame(obj: Any) -> bytes:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    return _LENGTH.pack(len(body)) + body


class FrameReader:
    """Cuts a byte stream into the objects its frames hold."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[Any]:
        buf = self._buf
        buf += data
        out = []
        pos = 0
        size = len(buf)
        while size - pos >= 4:
            (length,) = _LENGTH.unpack_from(buf, pos)
            if length > MAX_FRAME:
                raise ValueError(f"frame of {length} bytes exceeds {MAX_FRAME}")
            end = pos + 4 + length
            if end > size:
                break
            out.append(pickle.loads(buf[pos + 4 : end]))
            pos = end
        if pos:
            del buf[:pos]
        return out


def encode_record(record: AccessRecord) -> tuple[Any, ...]:
    """An access record as a plain tuple: pickled in a fifth of a dataclass's time."""
    result = record.result
    return (
        record.principal,
        record.agency,
        record.role,
        record.purpose,
        record.operation,
        record.query_sha256,
        result.outcome,
        result.subjects,
        result.error_class,
        record.time,
    )


def decode_record(fields: tuple[Any, ...]) -> AccessRecord:
    """The record :func:`encode_record` sent (validated again as it is rebuilt)."""
    principal, agency, role, purpose, operation, sha256, outcome, subjects, error, time = fields
    result = Result(outcome, subjects, error)
    return AccessRecord(principal, agency, role, purpose, operation, sha256, result, time)
