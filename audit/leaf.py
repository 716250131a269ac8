"""The access-record leaf: what one log entry says, as canonical JSON bytes.

A leaf states who asked what, why, and what happened, but never the query text, its
variables or a subject identifier: subjects appear only as salted SHA-256 commitments
whose openings (random value + key) live in a separate, deletable file.  Deleting an
opening makes the commitment meaningless without changing a single hashed byte, which
is how redaction coexists with an append-only Merkle log.
"""

from __future__ import annotations

import hashlib
import json
import re
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from json.encoder import encode_basestring
from typing import Any, Literal, cast

import rfc8785

from audit.errors import LeafError

KIND_ACCESS = "access"
KIND_REDACTION = "redaction"
OUTCOMES = ("allowed", "refused", "error")
Outcome = Literal["allowed", "refused", "error"]

COMMITMENT_DOMAIN = b"credit-hub/audit/subject-commitment/v1"
NONCE_SIZE = 32

_TIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z\Z")
_HEX64_RE = re.compile(r"[0-9a-f]{64}\Z")


_now_cache: tuple[int, str] = (-1, "")  # (second, "YYYY-MM-DDTHH:MM:SS") last formatted
_checked_second = ""  # the last date-time (to the second) check_time validated


def utc_now() -> str:
    """Current time as RFC 3339 UTC with microseconds, e.g. 2025-01-31T12:00:00.000001Z."""
    global _now_cache
    seconds, micros = divmod(time.time_ns() // 1000, 1_000_000)
    cached = _now_cache  # one tuple: read and replaced atomically, so thread-safe
    if cached[0] != seconds:
        t = time.gmtime(seconds)
        cached = _now_cache = (
            seconds,
            f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T"
            f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}",
        )
    return f"{cached[1]}.{micros:06d}Z"


def check_time(value: str) -> None:
    """Accept only RFC 3339 timestamps in UTC ('Z'), so leaves sort and compare as text."""
    global _checked_second
    if not isinstance(value, str) or not _TIME_RE.match(value):
        raise LeafError(f"time must be RFC 3339 UTC (…Z): {value!r}")
    second = value[:19]
    if second == _checked_second:
        return  # same calendar second as the last valid time: already checked
    try:
        datetime.fromisoformat(second)
    except ValueError as exc:
        raise LeafError(f"invalid date/time: {value!r}") from exc
    _checked_second = second


def query_sha256(normalised_query: str) -> str:
    """Hex SHA-256 of the *normalised* query document (the hub normalises, e.g. print_ast)."""
    return hashlib.sha256(normalised_query.encode("utf-8")).hexdigest()


def subject_key_bytes(subject_key: str | bytes) -> bytes:
    """Subject keys may be given as text (UTF-8 encoded) or raw bytes."""
    if isinstance(subject_key, str):
        return subject_key.encode("utf-8")
    if isinstance(subject_key, bytes):
        return subject_key
    raise TypeError("subject key must be str or bytes")


_COMMITMENT_PREFIX = COMMITMENT_DOMAIN + b"\x00"


def commitment_prefix() -> bytes:
    """The bytes a commitment hashes before the random value: domain || 0x00."""
    return _COMMITMENT_PREFIX


def subject_commitment(nonce: bytes, subject_key: bytes) -> str:
    """Hex SHA-256(domain || 0x00 || 32-byte random value || subject key)."""
    if len(nonce) != NONCE_SIZE:
        raise ValueError("commitment random value must be 32 bytes")
    return hashlib.sha256(_COMMITMENT_PREFIX + nonce + subject_key).hexdigest()


def new_nonce() -> bytes:
    """Fresh random value for one commitment (never reused, so equal keys stay unlinkable)."""
    return ssl.RAND_bytes(NONCE_SIZE)


def _check_str(name: str, value: object, allow_empty: bool = False) -> None:
    if not isinstance(value, str) or (not value and not allow_empty):
        raise LeafError(f"{name} must be a non-empty string")


def _check_count(name: str, value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**53:
        raise LeafError(f"{name} must be a non-negative integer")


@dataclass(frozen=True, slots=True)
class Result:
    """Outcome of the request: allowed/refused/error, subjects returned, error class."""

    outcome: Outcome
    subjects: int = 0
    error_class: str | None = None

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise LeafError(f"outcome must be one of {OUTCOMES}")
        _check_count("result.subjects", self.subjects)
        if self.error_class is not None:
            _check_str("result.error_class", self.error_class)


@dataclass(frozen=True, slots=True)
class AccessRecord:
    """What the hub records about one request (before subject commitments are added)."""

    principal: str
    agency: str
    role: str
    purpose: str
    operation: str
    query_sha256: str
    result: Result
    time: str = field(default_factory=utc_now)

    def __post_init__(self) -> None:
        for name in ("principal", "agency", "role", "purpose", "operation"):
            _check_str(name, getattr(self, name))
        if not isinstance(self.query_sha256, str) or not _HEX64_RE.match(self.query_sha256):
            raise LeafError("query_sha256 must be 64 lowercase hex digits")
        if not isinstance(self.result, Result):
            raise LeafError("result must be a Result")
        check_time(self.time)


@dataclass(frozen=True, slots=True)
class AccessLeaf:
    """An access record plus the commitments to the subjects it touched."""

    record: AccessRecord
    subjects: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for c in self.subjects:
            if not isinstance(c, str) or not _HEX64_RE.match(c):
                raise LeafError("subject commitments must be 64 lowercase hex digits")

    def to_json(self) -> dict[str, Any]:
        """JSON object of the leaf (field names as in the published format)."""
        r = self.record
        return {
            "kind": KIND_ACCESS,
            "time": r.time,
            "principal": r.principal,
            "agency": r.agency,
            "role": r.role,
            "purpose": r.purpose,
            "operation": r.operation,
            "query_sha256": r.query_sha256,
            "result": {
                "outcome": r.result.outcome,
                "subjects": r.result.subjects,
                "error_class": r.result.error_class,
            },
            "subjects": list(self.subjects),
        }


@dataclass(frozen=True, slots=True)
class RedactionLeaf:
    """States that the subject openings of entry ``index`` were erased, and why."""

    index: int
    basis: str
    principal: str
    time: str = field(default_factory=utc_now)

    def __post_init__(self) -> None:
        _check_count("index", self.index)
        _check_str("basis", self.basis)
        _check_str("principal", self.principal)
        check_time(self.time)

    def to_json(self) -> dict[str, Any]:
        """JSON object of the leaf."""
        return {
            "kind": KIND_REDACTION,
            "time": self.time,
            "principal": self.principal,
            "index": self.index,
            "basis": self.basis,
        }


Leaf = AccessLeaf | RedactionLeaf

_ACCESS_KEYS = frozenset(
    AccessLeaf(
        AccessRecord("p", "a", "r", "p", "o", "0" * 64, Result("allowed"), "2000-01-01T00:00:00Z")
    ).to_json()
)
_REDACTION_KEYS = frozenset(RedactionLeaf(0, "b", "p", "2000-01-01T00:00:00Z").to_json())
_RESULT_KEYS = frozenset({"outcome", "subjects", "error_class"})


def _s(value: str) -> str:
    return encode_basestring(value)  # JSON string exactly as RFC 8785 writes it


def encode_leaf(leaf: Leaf) -> bytes:
    """Canonical (RFC 8785) JSON bytes of a leaf: exactly what is hashed.

    Written by hand for the fixed schema (keys pre-sorted, strings escaped as JCS does,
    integers bounded) because the generic encoder is the bottleneck of an append; tests
    check byte-equality with the ``rfc8785`` reference and :func:`decode_leaf` re-checks
    every leaf it reads with that reference.
    """
    if isinstance(leaf, RedactionLeaf):
        text = (
            f'{{"basis":{_s(leaf.basis)},"index":{leaf.index},"kind":"redaction",'
            f'"principal":{_s(leaf.principal)},"time":{_s(leaf.time)}}}'
        )
        try:
            return text.encode("utf-8")
        except UnicodeEncodeError as exc:  # lone surrogates are not valid JSON text
            raise LeafError("leaf contains invalid Unicode") from exc
    return encode_access(leaf.record, leaf.subjects)


def encode_access(record: AccessRecord, subjects: Sequence[str]) -> bytes:
    """:func:`encode_leaf` of ``AccessLeaf(record, subjects)`` without building the leaf.

    For the append path, whose commitments are hex digests it has just computed itself
    (an :class:`AccessLeaf` would only re-check them).
    """
    r = record
    res = r.result
    error_class = "null" if res.error_class is None else _s(res.error_class)
    listed = '"' + '","'.join(subjects) + '"' if subjects else ""
    text = (
        f'{{"agency":{_s(r.agency)},"kind":"access","operation":{_s(r.operation)},'
        f'"principal":{_s(r.principal)},"purpose":{_s(r.purpose)},'
        f'"query_sha256":"{r.query_sha256}",'
        f'"result":{{"error_class":{error_class},"outcome":"{res.outcome}",'
        f'"subjects":{res.subjects}}},"role":{_s(r.role)},'
        f'"subjects":[{listed}],"time":"{r.time}"}}'
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:  # lone surrogates are not valid JSON text
        raise LeafError("leaf contains invalid Unicode") from exc


def decode_leaf(data: bytes) -> Leaf:
    """Parse leaf bytes, insisting on the exact schema and canonical encoding."""
    try:
        obj = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise LeafError(f"leaf is not JSON: {exc}") from exc
    if not isinstance(obj, dict):
        raise LeafError("leaf must be a JSON object")
    kind = obj.get("kind")
    leaf: Leaf
    try:
        if kind == KIND_ACCESS:
            if set(obj) != _ACCESS_KEYS:
                raise LeafError(f"access leaf fields must be {sorted(_ACCESS_KEYS)}")
            res = obj["result"]
            if not isinstance(res, dict) or set(res) != _RESULT_KEYS:
                raise LeafError(f"result fields must be {sorted(_RESULT_KEYS)}")
            subjects = obj["subjects"]
            if not isinstance(subjects, list):
                raise LeafError("subjects must be a list")
            record = AccessRecord(
                principal=obj["principal"],
                agency=obj["agency"],
                role=obj["role"],
                purpose=obj["purpose"],
                operation=obj["operation"],
                query_sha256=obj["query_sha256"],
                result=Result(cast(Outcome, res["outcome"]), res["subjects"], res["error_class"]),
                time=obj["time"],
            )
            leaf = AccessLeaf(record, tuple(subjects))
        elif kind == KIND_REDACTION:
            if set(obj) != _REDACTION_KEYS:
                raise LeafError(f"redaction leaf fields must be {sorted(_REDACTION_KEYS)}")
            leaf = RedactionLeaf(obj["index"], obj["basis"], obj["principal"], obj["time"])
        else:
            raise LeafError(f"unknown leaf kind {kind!r}")
    except (TypeError, AttributeError) as exc:
        raise LeafError(f"malformed leaf: {exc}") from exc
    try:
        reference = bytes(rfc8785.dumps(obj))
    except Exception as exc:  # rfc8785 raises its own error classes for out-of-domain values
        raise LeafError(f"leaf cannot be canonicalised: {exc}") from exc
    if reference != bytes(data) or encode_leaf(leaf) != reference:
        raise LeafError("leaf is not in canonical (RFC 8785) form")
    return leaf
