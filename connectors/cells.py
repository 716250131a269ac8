"""Normalising single cell values the way agencies actually type them.

Spreadsheets and exports carry full-width digits, stray and invisible spaces, dates in
five spellings (or as Excel serial numbers), and Chinese labels for document types.
Each parser returns a canonical value or raises `CellError` naming the column, so a bad
row is rejected with a reason the sending agency can act on.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from hub.identifiers import ID_TYPES, IdentifierError, clean_text, parse_person_id, parse_uscc


class CellError(ValueError):
    """A rejected cell: the native column label and a display-safe reason."""

    def __init__(self, column: str, reason: str) -> None:
        self.column = column
        self.reason = reason
        super().__init__(f"{column}: {reason}")


def text(value: Any) -> str:
    """Any cell as clean text ('' for empty); numbers lose a spurious '.0'."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return clean_text(str(value))


# Excel's day zero for the 1900 date system (it counts the fictitious 1900-02-29).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_YMD = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T].*)?$")
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{5}(?:\.\d+)?$")


def date(value: Any, column: str) -> dt.date:
    """A date from a datetime cell, an Excel serial or any common Chinese spelling."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _serial(float(value), column)
    raw = text(value)
    if not raw:
        raise CellError(column, "is empty")
    match = _YMD.match(raw) or _COMPACT.match(raw)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            raise CellError(column, f"not a real date (got {raw!r})") from None
    if _SERIAL.match(raw):
        return _serial(float(raw), column)
    raise CellError(column, f"not a date (got {raw!r})")


def _serial(serial: float, column: str) -> dt.date:
    if not 1 <= serial < 2_958_466:  # Excel's own range: 1900-01-01 .. 9999-12-31
        raise CellError(column, f"not an Excel date serial (got {serial:g})")
    return _EXCEL_EPOCH + dt.timedelta(days=int(serial))


def optional_date(value: Any, column: str) -> dt.date | None:
    if value is None or (isinstance(value, str) and not text(value)):
        return None
    return date(value, column)


def amount(value: Any, column: str, scale: int = 1) -> Decimal | None:
    """A money amount in yuan; '万元' columns are scaled; empty means none."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = Decimal(str(value))
    else:
        raw = text(value).replace(",", "").replace("元", "").replace("¥", "").strip()
        if raw.endswith("万"):
            raw, scale = raw[:-1], 10_000
        if not raw:
            return None
        try:
            number = Decimal(raw)
        except InvalidOperation:
            raise CellError(column, f"not an amount (got {raw!r})") from None
    if not number.is_finite() or number < 0:
        raise CellError(column, f"an amount is a non-negative number (got {number})")
    return (number * scale).normalize()


def integer(value: Any, column: str, low: int, high: int) -> int:
    raw = text(value)
    try:
        number = int(Decimal(raw))
    except (InvalidOperation, ValueError):
        raise CellError(column, f"not a whole number (got {raw!r})") from None
    if not low <= number <= high:
        raise CellError(column, f"must be between {low} and {high} (got {number})")
    return number


def score(value: Any, column: str) -> float:
    raw = text(value)
    try:
        number = float(raw)
    except ValueError:
        raise CellError(column, f"not a score (got {raw!r})") from None
    if not 0 <= number <= 100:
        raise CellError(column, f"scores are between 0 and 100 (got {raw})")
    return number


def choice(value: Any, column: str, labels: dict[str, str]) -> str:
    """Map a native label (e.g. 优秀) to its canonical value."""
    raw = text(value).replace(" ", "")
    if raw in labels:
        return labels[raw]
    if raw in labels.values():
        return raw
    known = "、".join(dict.fromkeys(labels))
    raise CellError(column, f"must be one of {known} (got {raw!r})")


def uscc(value: Any, column: str) -> str:
    try:
        return parse_uscc(text(value), column).value
    except IdentifierError as err:
        raise CellError(column, f"{err.reason} (got {err.shown!r})") from None


# Chinese document-type labels as agencies' systems print them.
ID_TYPE_LABELS = {
    "居民身份证": "resident_id",
    "身份证": "resident_id",
    "中华人民共和国居民身份证": "resident_id",
    "公民身份号码": "resident_id",
    "临时居民身份证": "resident_id",
    "港澳居民来往内地通行证": "hk_macao_taiwan",
    "台湾居民来往大陆通行证": "hk_macao_taiwan",
    "港澳台居民居住证": "hk_macao_taiwan",
    "港澳居民居住证": "hk_macao_taiwan",
    "台湾居民居住证": "hk_macao_taiwan",
    "回乡证": "hk_macao_taiwan",
    "台胞证": "hk_macao_taiwan",
    "外国人永久居留身份证": "foreign_permanent",
    "外国人永久居留证": "foreign_permanent",
    "护照": "passport",
    "外国护照": "passport",
    "中国护照": "passport",
}


def id_type(value: Any, column: str) -> str:
    """A document type label; an empty type means a resident ID (the common case)."""
    raw = text(value).replace(" ", "")
    if not raw:
        return "resident_id"
    if raw in ID_TYPE_LABELS:
        return ID_TYPE_LABELS[raw]
    if raw.lower() in ID_TYPES:
        return raw.lower()
    raise CellError(column, f"unknown document type {raw!r}")


def person_id(type_value: Any, number_value: Any, type_column: str, column: str) -> dict[str, str]:
    """A validated {id_type, id_number}; the reason shows the number masked only."""
    kind = id_type(type_value, type_column)
    try:
        person = parse_person_id(kind, text(number_value), column)
    except IdentifierError as err:
        raise CellError(column, f"{err.reason} (got {err.shown!r})") from None
    return {"id_type": person.id_type, "id_number": person.number}
