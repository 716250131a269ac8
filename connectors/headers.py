"""Finding the header of a sheet: title rows above it, and two-row merged headers.

Agencies' Excel templates often start with a title row and group columns under a
merged top cell (评分 over five area scores). Read-only openpyxl does not expose merged
ranges, but a merged cell reads as its value in the top-left cell and empty elsewhere;
so the top row is carried right over its empty cells wherever a sub-header exists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from connectors import cells

HEADER_SCAN_ROWS = 6
_HINTS = re.compile(r"\((?:必填|选填|可选|非必填|必录|选录)\)|[*＊:：]")


def label(value: Any) -> str:
    """A header label compared without spaces, required-markers or filling hints."""
    return _HINTS.sub("", cells.text(value).replace(" ", ""))


Header = list[tuple[str, ...]]
"""Per column, the label candidates to try, most specific first."""


def single(row: Sequence[Any]) -> Header:
    return [(label(v),) if label(v) else () for v in row]


def two_rows(top: Sequence[Any], sub: Sequence[Any]) -> Header:
    """Flatten a two-row header: 'top+sub', then 'sub', per column."""
    width = max(len(top), len(sub))
    tops = [label(top[i]) if i < len(top) else "" for i in range(width)]
    subs = [label(sub[i]) if i < len(sub) else "" for i in range(width)]
    header: Header = []
    carried = ""
    for top_label, sub_label in zip(tops, subs, strict=True):
        if top_label:
            carried = top_label
        elif not sub_label:
            carried = ""
        parent = top_label or carried
        if sub_label and parent and parent != sub_label:
            header.append((parent + sub_label, sub_label))
        else:
            header.append((sub_label or parent,) if sub_label or parent else ())
    return header


def candidates(rows: Sequence[Sequence[Any]]) -> list[tuple[int, Header]]:
    """(rows the header takes, header) for every plausible header start."""
    out: list[tuple[int, Header]] = []
    for start in range(min(len(rows), HEADER_SCAN_ROWS)):
        out.append((start + 1, single(rows[start])))
        if start + 1 < len(rows):
            out.append((start + 2, two_rows(rows[start], rows[start + 1])))
    return out
