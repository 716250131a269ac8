"""JSON Lines with the agency's native keys (Chinese column names), one object a line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from connectors.pipeline import Item


def item(position: str, text: str) -> Item:
    """One line as an Item: an object, or the reason it is not one."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        return Item(
            position, text, error=("line", f"not valid JSON ({err.msg} at column {err.colno})")
        )
    if not isinstance(value, dict):
        return Item(position, text, error=("line", "a line must be a JSON object"))
    return Item(position, text, value=value)


def read_jsonl(path: Path, fh: BinaryIO) -> Iterator[Item]:
    """Blank lines are skipped; a line that is not UTF-8 is rejected, not fatal."""
    for number, line in enumerate(fh, start=1):
        position = f"{path.name}:line {number}"
        try:
            text = line.decode("utf-8-sig" if number == 1 else "utf-8").strip()
        except UnicodeDecodeError as err:
            yield Item(
                position,
                line.decode("utf-8", "replace"),
                error=("line", f"not UTF-8 ({err.reason})"),
            )
            continue
        if text:
            yield item(position, text)
