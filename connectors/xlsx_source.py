"""Excel workbooks, streamed with openpyxl's read-only mode: every sheet is a table.

Read-only mode parses the sheet XML as it goes (constant memory on a million rows) and
gives values only; dates come as datetime cells or, unformatted, as serial numbers,
which the cell parsers accept both.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl

from connectors.pipeline import Sheet


def open_xlsx(path: Path) -> tuple[list[Sheet], Any]:
    """The sheets (lazy) and the workbook, which the caller closes."""
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)

    def rows(ws: Any, prefix: str) -> Iterator[tuple[str, list[Any]]]:
        for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
            if any(v is not None and str(v).strip() for v in values):
                yield f"{prefix}:row {number}", list(values)

    sheets = [
        Sheet(f"{path.name}:{ws.title}", rows(ws, f"{path.name}:{ws.title}"), skip_if_unknown=True)
        for ws in book.worksheets
    ]
    return sheets, book


def sheet_rows(book: Any) -> int:
    """Rows the workbook declares (its dimension), for a progress bar; 0 if unknown."""
    total = 0
    for ws in book.worksheets:
        total += ws.max_row or 0
    return total
