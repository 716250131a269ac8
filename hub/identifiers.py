"""Identifiers of institutions and persons: normalise, validate, mask.

Every layer (connectors, records, API) calls these, so a USCC or an ID number is
checked one way everywhere and a rejection always names the field and the reason,
never the clear ID number.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from operator import mul
from typing import Literal, get_args

IdType = Literal["resident_id", "hk_macao_taiwan", "foreign_permanent", "passport"]
ID_TYPES: tuple[str, ...] = get_args(IdType)

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
ORG_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
RESIDENT_CHECK = "10X98765432"

# Zero-width and formatting characters that survive copy-paste from office documents.
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


class IdentifierError(ValueError):
    """A rejected identifier: the field, a display-safe value and the reason."""

    def __init__(self, field: str, shown: str, reason: str) -> None:
        self.field = field
        self.shown = shown
        self.reason = reason
        super().__init__(f"{field}: {reason} (got {shown!r})")


def clean_text(value: str) -> str:
    """Full-width to half-width (NFKC), invisible characters removed, spaces collapsed."""
    text = unicodedata.normalize("NFKC", value).translate(_INVISIBLE)
    return " ".join(text.split())


def _compact(value: str) -> str:
    if value.isascii():  # NFKC keeps ASCII as is, and the invisible characters are not ASCII
        return "".join(value.split()).upper()
    return clean_text(value).replace(" ", "").upper()


def mask(number: str) -> str:
    """Mask a document number for display: keep a short head and tail only."""
    n = len(number)
    if n >= 15:
        head, tail = 6, 4
    elif n >= 8:
        head, tail = 2, 2
    else:
        head, tail = 1, 1 if n > 2 else 0
    return number[:head] + "*" * (n - head - tail) + (number[n - tail :] if tail else "")


# --- USCC (GB 32100-2015) -------------------------------------------------------------


_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
_ORG_VALUE = {c: i for i, c in enumerate(ORG_ALPHABET)}


def uscc_check_char(first17: str) -> str:
    total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), USCC_WEIGHTS))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    total = sum(map(mul, map(_ORG_VALUE.__getitem__, first8), ORG_WEIGHTS))
    check = 11 - total % 11
    return {10: "X", 11: "0"}.get(check, str(check))


@dataclass(frozen=True, slots=True)
class Uscc:
    value: str

    @property
    def region(self) -> str:
        """Administrative division code (characters 3–8)."""
        return self.value[2:8]

    @property
    def organisation_code(self) -> str:
        return self.value[8:17]

    def __str__(self) -> str:
        return self.value


# Far fewer institutions than records naming them (roles, evaluations, entries): an ingest
# validates each code many times. Only valid codes are cached (a rejection raises).
USCC_CACHE = 1 << 16


def parse_uscc(raw: str, field: str = "uscc") -> Uscc:
    """Normalise and validate a unified social credit code."""
    return _parse_uscc(raw, field)


@lru_cache(maxsize=USCC_CACHE)
def _parse_uscc(raw: str, field: str) -> Uscc:
    value = _compact(raw)
    if len(value) != 18:
        raise IdentifierError(field, value, f"a USCC has 18 characters, not {len(value)}")
    if not _USCC_VALUE.keys() >= set(value):
        bad = next(c for c in value if c not in _USCC_VALUE)
        raise IdentifierError(field, value, f"character {bad!r} is not allowed in a USCC")
    if not value[2:8].isdigit():
        raise IdentifierError(field, value, "characters 3–8 must be a 6-digit region code")
    org = value[8:17]
    if org_code_check_char(org[:8]) != org[8]:  # org[:8] is within the USCC alphabet
        raise IdentifierError(field, value, "the embedded organisation code has a wrong check")
    expected = uscc_check_char(value[:17])
    if value[17] != expected:
        raise IdentifierError(field, value, f"check character should be {expected!r}")
    return Uscc(value)


# --- Person documents -------------------------------------------------------------------


_ZERO_WEIGHTED = ord("0") * sum(RESIDENT_WEIGHTS)


def resident_check_char(first17: str) -> str:
    if first17.isascii():  # the code points of ASCII digits, without an int() per digit
        total = sum(map(mul, first17.encode(), RESIDENT_WEIGHTS)) - _ZERO_WEIGHTED
    else:  # other Unicode decimal digits, as int() reads them
        total = sum(map(mul, map(int, first17), RESIDENT_WEIGHTS))
    return RESIDENT_CHECK[total % 11]


@dataclass(frozen=True, slots=True)
class PersonId:
    """A validated, normalised identity document. Its str() is masked on purpose."""

    id_type: str
    number: str

    @property
    def masked(self) -> str:
        return mask(self.number)

    @property
    def canonical(self) -> str:
        """The exact bytes the keyed digest is taken over."""
        return f"{self.id_type}:{self.number}"

    def __str__(self) -> str:
        return f"{self.id_type}:{self.masked}"

    __repr__ = __str__


_HMT = re.compile(r"^(?:[HM]\d{8}(?:\d{2})?|\d{8}|8[123]\d{4}\d{11}[0-9X])$")
_FOREIGN = re.compile(r"^(?:[A-Z]{3}\d{12}|9\d{16}[0-9X])$")
_PASSPORT = re.compile(r"^[A-Z0-9]{5,17}$")


# Set only inside `remembering_person_ids`: a cache that holds clear document numbers,
# so it lives no longer than the block that asked for it (an ingest run), never globally.
_remembered: ContextVar[Callable[[str, str, str], PersonId] | None] = ContextVar(
    "remembered_person_ids", default=None
)
PERSON_ID_CACHE = 1 << 16


@contextmanager
def remembering_person_ids(size: int = PERSON_ID_CACHE) -> Iterator[None]:
    """Validate each document once within this block: an ingest names a person in many
    records (person, roles, entries). Only valid documents are kept (a rejection raises),
    in memory, and forgotten when the block ends."""
    cached = lru_cache(maxsize=size)(_parse_person_id)
    token = _remembered.set(cached)
    try:
        yield
    finally:
        _remembered.reset(token)
        cached.cache_clear()


def parse_person_id(id_type: str, raw: str, field: str = "id_number") -> PersonId:
    """Normalise and validate a person's document number for its type."""
    return (_remembered.get() or _parse_person_id)(id_type, raw, field)


def _parse_person_id(id_type: str, raw: str, field: str) -> PersonId:
    if id_type not in ID_TYPES:
        raise IdentifierError("id_type", str(id_type), f"must be one of {', '.join(ID_TYPES)}")
    value = _compact(raw)
    if id_type == "resident_id":
        return PersonId(id_type, _resident(value, field))
    if not value:
        raise IdentifierError(field, "", "is empty")
    pattern = {"hk_macao_taiwan": _HMT, "foreign_permanent": _FOREIGN, "passport": _PASSPORT}[
        id_type
    ]
    if not pattern.match(value):
        raise IdentifierError(field, mask(value), f"not a valid {id_type} document number")
    numeric18 = id_type != "passport" and len(value) == 18 and value[:17].isdigit()
    if numeric18 and resident_check_char(value[:17]) != value[17]:
        raise IdentifierError(field, mask(value), "wrong check character")
    return PersonId(id_type, value)


# A birth date before the year this process started is in the past without asking the
# clock: date.today() reads the time zone file on every call (a tenth of an ingest's
# person validation).
_STARTED_YEAR = dt.date.today().year


def _resident(value: str, field: str) -> str:
    if len(value) == 15 and value.isdigit():
        value = value[:6] + "19" + value[6:]
        value += resident_check_char(value)
        birth = value[6:14]
    elif len(value) == 18 and value[:17].isdigit() and value[17] in "0123456789X":
        birth = value[6:14]
    else:
        raise IdentifierError(field, mask(value), "a resident ID has 18 characters (or 15 digits)")
    try:
        born = dt.date(int(birth[:4]), int(birth[4:6]), int(birth[6:]))
    except ValueError:
        raise IdentifierError(
            field, mask(value), "characters 7–14 are not a real birth date"
        ) from None
    if born.year < 1900 or (born.year >= _STARTED_YEAR and born > dt.date.today()):
        raise IdentifierError(field, mask(value), "birth date is out of range")
    if resident_check_char(value[:17]) != value[17]:
        raise IdentifierError(field, mask(value), "wrong check character")
    return value
