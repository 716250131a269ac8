"""A native table: its Chinese columns and how one of its rows becomes canonical records.

Each agency publishes a few tables (registration, penalties, lists, …). A table is
recognised from its header, so an agency can send them as separate CSV files, sheets of
one workbook or mixed JSON lines, in any column order and with common aliases.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connectors import cells
from connectors.headers import Header, label
from connectors.points import PointsLedger
from hub.personal_data import Keyring

Record = dict[str, Any]


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    @property
    def labels(self) -> tuple[str, ...]:
        return (label(self.label), *(label(a) for a in self.aliases))


@dataclass
class Context:
    """What row mapping needs beyond the row: the agency and stateful ledgers."""

    agency: str
    keyring: Keyring
    points: PointsLedger | None = None


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    columns: tuple[Column, ...]
    build: Callable[[RowView, Context], list[Record]]

    def column(self, key: str) -> Column:
        for col in self.columns:
            if col.key == key:
                return col
        raise KeyError(key)


@dataclass(frozen=True)
class Resolved:
    """A table matched against one header: which position feeds which column."""

    table: Table
    positions: dict[str, int]
    headers: dict[str, str]  # key -> the header text as found (units such as 万元)

    def view(self, values: Iterable[Any] | Mapping[str, Any]) -> RowView:
        if isinstance(values, Mapping):
            return RowView(self, {k: values.get(h) for k, h in self.headers.items()})
        row = list(values)
        return RowView(
            self, {k: row[i] if i < len(row) else None for k, i in self.positions.items()}
        )


@dataclass(frozen=True)
class Mismatch:
    """No table fits: the closest one and what it misses, for the rejection reason."""

    table: Table | None
    missing: tuple[str, ...] = field(default=())

    @property
    def reason(self) -> str:
        if self.table is None:
            return "no known column in the header"
        return f"looks like {self.table.title} but lacks {'、'.join(self.missing)}"


def resolve(tables: Iterable[Table], header: Header) -> Resolved | Mismatch:
    """Pick the table whose required columns are all present, preferring more matches."""
    best: tuple[int, int, Resolved | Mismatch] | None = None
    for table in tables:
        positions: dict[str, int] = {}
        found: dict[str, str] = {}
        for col in table.columns:
            wanted = col.labels
            for pos, options in enumerate(header):
                if pos in positions.values():
                    continue
                hit = next((o for o in options if _matches(o, wanted)), None)
                if hit is not None:
                    positions[col.key] = pos
                    found[col.key] = hit
                    break
        missing = tuple(c.label for c in table.columns if c.required and c.key not in positions)
        result: Resolved | Mismatch = (
            Resolved(table, positions, found) if not missing else Mismatch(table, missing)
        )
        rank = (0 if missing else 1, len(positions) - len(missing))
        if positions and (best is None or rank > best[:2]):
            best = (*rank, result)
    return best[2] if best else Mismatch(None)


def _matches(option: str, wanted: tuple[str, ...]) -> bool:
    if option in wanted:
        return True
    # A unit in brackets after a known label: 罚款金额(万元).
    base = option.split("(", 1)[0]
    return base != option and base in wanted


def resolve_keys(tables: Iterable[Table], keys: Iterable[str]) -> Resolved | Mismatch:
    """The same for a JSON object: its keys are the header."""
    names = list(keys)
    resolved = resolve(tables, [(label(k),) for k in names])
    if isinstance(resolved, Resolved):  # map back to the object's own keys
        headers = {k: names[i] for k, i in resolved.positions.items()}
        return Resolved(resolved.table, resolved.positions, headers)
    return resolved


class RowView:
    """Typed access to one row's cells; every failure names the native column."""

    def __init__(self, resolved: Resolved, values: dict[str, Any]) -> None:
        self._resolved = resolved
        self.values = values

    def _label(self, key: str) -> str:
        return self._resolved.table.column(key).label

    def raw(self, key: str) -> Any:
        return self.values.get(key)

    def text(self, key: str) -> str:
        value = cells.text(self.values.get(key))
        if not value:
            raise cells.CellError(self._label(key), "is empty")
        return value

    def optional(self, key: str) -> str | None:
        return cells.text(self.values.get(key)) or None

    def date(self, key: str) -> dt.date:
        return cells.date(self.values.get(key), self._label(key))

    def optional_date(self, key: str) -> dt.date | None:
        return cells.optional_date(self.values.get(key), self._label(key))

    def amount(self, key: str) -> Decimal | None:
        found = self._resolved.headers.get(key, "")
        scale = 10_000 if "万元" in found else 1
        return cells.amount(self.values.get(key), self._label(key), scale)

    def integer(self, key: str, low: int, high: int) -> int:
        return cells.integer(self.values.get(key), self._label(key), low, high)

    def score(self, key: str) -> float:
        return cells.score(self.values.get(key), self._label(key))

    def choice(self, key: str, labels: dict[str, str]) -> str:
        return cells.choice(self.values.get(key), self._label(key), labels)

    def uscc(self, key: str) -> str:
        return cells.uscc(self.values.get(key), self._label(key))

    def has(self, key: str) -> bool:
        return bool(cells.text(self.values.get(key)))

    def person(self, type_key: str, number_key: str) -> dict[str, str]:
        return cells.person_id(
            self.values.get(type_key),
            self.values.get(number_key),
            self._label(type_key),
            self._label(number_key),
        )


def source(ctx: Context, record_id: str) -> dict[str, str]:
    return {"agency": ctx.agency, "record_id": record_id}


def iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day is not None else None


def years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def months_after(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - unreachable
