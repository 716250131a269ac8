"""Which reader a file needs, from its first bytes (an .xls renamed .csv still works)."""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Literal

Format = Literal["xlsx", "jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("xlsx", "jsonl", "csv")


def detect(path: Path) -> Format:
    with path.open("rb") as fh:
        head = fh.read(4096)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    for bom in (codecs.BOM_UTF8,):
        head = head.removeprefix(bom)
    if head.lstrip().startswith(b"{"):
        return "jsonl"
    return "csv"
