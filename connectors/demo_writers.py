"""Writing native files the way agencies' systems do: GBK or BOM CSV, merged-header XLSX.

Used by `credit-hub demo-data`, the tests and the benchmark, so each format is produced
one way. Large outputs stream (CSV/JSONL line by line, XLSX in write-only mode).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment, Font


@dataclass
class NativeSheet:
    """One table as an agency exports it: a header (one or two rows) and rows."""

    title: str
    header: list[str]
    rows: Iterable[Sequence[Any]]
    groups: dict[str, list[str]] = field(default_factory=dict)  # merged top cell -> sub-labels
    banner: str | None = None  # a title row above the header


def write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]], encoding: str
) -> None:
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if v is None else v for v in row])


def write_jsonl(path: Path, items: Iterable[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False, default=str) + "\n")


def write_xlsx(path: Path, sheets: Sequence[NativeSheet], notes: str | None = None) -> None:
    """A workbook with real merged cells (title banner, grouped two-row headers)."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title)
        top = 1
        if sheet.banner:
            ws.cell(1, 1, sheet.banner).font = Font(bold=True)
            ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(sheet.header))
            top = 2
        data_row = _header(ws, sheet, top)
        for offset, row in enumerate(sheet.rows):
            for col, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(data_row + offset, col, value)
    if notes:
        ws = book.create_sheet("填报说明")
        for number, line in enumerate(notes.splitlines(), start=1):
            ws.cell(number, 1, line)
    book.save(path)


def _header(ws: Any, sheet: NativeSheet, top: int) -> int:
    if not sheet.groups:
        for col, name in enumerate(sheet.header, start=1):
            ws.cell(top, col, name).font = Font(bold=True)
        return top + 1
    grouped = {sub: group for group, subs in sheet.groups.items() for sub in subs}
    col = 1
    while col <= len(sheet.header):
        name = sheet.header[col - 1]
        group = grouped.get(name)
        if group is None:  # a plain column spans both header rows
            ws.cell(top, col, name)
            ws.merge_cells(start_row=top, start_column=col, end_row=top + 1, end_column=col)
            col += 1
            continue
        width = len(sheet.groups[group])
        ws.cell(top, col, group).alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=top, start_column=col, end_row=top, end_column=col + width - 1)
        for i, sub in enumerate(sheet.groups[group]):
            ws.cell(top + 1, col + i, sub)
        col += width
    return top + 2


def write_xlsx_streaming(path: Path, sheets: Sequence[NativeSheet]) -> None:
    """Write-only mode for very large sheets: a merged header reads the same (top-left
    cell holds the value, the rest empty), only the merge markers are missing."""
    book = openpyxl.Workbook(write_only=True)
    for sheet in sheets:
        ws = book.create_sheet(sheet.title)
        if sheet.groups:
            grouped = {sub: group for group, subs in sheet.groups.items() for sub in subs}
            seen: set[str] = set()
            first: list[Any] = []
            for name in sheet.header:
                group = grouped.get(name)
                first.append(name if group is None else (None if group in seen else group))
                if group:
                    seen.add(group)
            ws.append(first)
            ws.append([name if name in grouped else None for name in sheet.header])
        else:
            ws.append(list(sheet.header))
        for row in sheet.rows:
            ws.append(list(row))
    book.save(path)
