"""CSV exports, streamed: encoding from the bytes, delimiter from the header line.

Positions are `FILE:line N`, the physical line where the row starts, so an agency can
find a quarantined row in its own file even when quoted cells span lines.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from connectors import encoding
from connectors.pipeline import Sheet


def _delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";", "|")}
    return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","


def open_csv(path: Path) -> tuple[Sheet, BinaryIO, str]:
    """The sheet, the underlying binary file (for progress by offset) and the encoding."""
    enc = encoding.detect(path)
    raw = path.open("rb")
    text = io.TextIOWrapper(raw, encoding=enc, newline="")
    first = text.readline()
    text.seek(0)
    reader = csv.reader(text, delimiter=_delimiter(first))

    def rows() -> Iterator[tuple[str, list[Any]]]:
        try:
            line = 0
            for values in reader:
                start, line = line + 1, reader.line_num
                if any(v.strip() for v in values):
                    yield f"{path.name}:line {start}", list(values)
        finally:
            text.close()

    return Sheet(path.name, rows()), raw, enc
