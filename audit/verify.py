"""Offline verification of an export, naming the first bad entry.

The verifier trusts nothing in the file but the signatures of the keys it is given:

1. every checkpoint must carry a valid signature from a trusted key, name the expected
   origin, and checkpoints must never shrink;
2. entry lines must appear in index order 0, 1, 2, … and each leaf must hash to the leaf
   hash recorded beside it — this pinpoints a changed, removed or reordered entry;
3. the Merkle tree recomputed from the leaves must reproduce every checkpoint's root,
   successive checkpoints must be provably consistent, and the last checkpoint must cover
   every exported entry — this catches an attacker who also rewrote the recorded hashes
   (the culprit is then known to lie between two checkpoints).

Entries are hashed range by range, by worker processes for large exports; see the
comment above :data:`RANGE_BYTES`.  Whatever the path, the result is the one the plain
line-by-line loop (:func:`_exact_range`) gives, which the tests check.
"""

from __future__ import annotations

import binascii
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import repeat
from multiprocessing import get_context, parent_process
from operator import itemgetter
from pathlib import Path
from typing import BinaryIO, NamedTuple

from audit.checkpoint import SignedCheckpoint, open_checkpoint
from audit.encoding import b64encode
from audit.errors import AuditError, LeafError, ProofError
from audit.export import (
    CHECKPOINT_PREFIX,
    ENTRY_PREFIX,
    ENTRY_SUFFIX,
    EXPORT_FORMAT,
    HASH_FIELD,
    LEAF_FIELD,
)
from audit.leaf import RedactionLeaf, decode_leaf
from audit.merkle import HASH_SIZE, verify_consistency
from audit.note import Verifier
from audit.tree import MerkleTree, subtree_levels

_REDACTION_MARK = b'"kind":"redaction"'


@dataclass(frozen=True)
class Problem:
    """Why verification failed; ``index`` is the first bad entry when it is known."""

    index: int | None
    reason: str

    def __str__(self) -> str:
        where = "export" if self.index is None else f"entry {self.index}"
        return f"{where}: {self.reason}"


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of :func:`verify_export`."""

    origin: str
    entries: int
    checkpoints: int
    root: bytes | None
    problem: Problem | None

    @property
    def ok(self) -> bool:
        """True when nothing was wrong."""
        return self.problem is None

    def summary(self) -> str:
        """One line for humans."""
        if self.problem is not None:
            return f"FAILED {self.problem}"
        root = b64encode(self.root) if self.root is not None else "-"
        return (
            f"OK {self.origin}: {self.entries} entries, {self.checkpoints} signed checkpoints, "
            f"root {root}"
        )


class _Stop(Exception):
    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def verify_export(
    path: str | Path,
    verifiers: Iterable[Verifier],
    required: Iterable[str] = (),
    origin: str | None = None,
    strict_leaves: bool = False,
    *,
    workers: int | None = None,
) -> VerifyResult:
    """Verify an export file; never raises for bad content, reports a Problem instead.

    ``workers`` processes hash the entries (default: one per CPU, up to 4, for exports
    of 32 MB or more; 1 hashes in this process).  The result is the same either way.
    """
    verifiers = list(verifiers)
    required = list(required)
    state = _State()
    try:
        with open(path, "rb") as f:
            where = os.path.abspath(path)  # worker processes open the file themselves
            _verify(f, where, verifiers, required, origin, strict_leaves, workers, state)
    except _Stop as stop:
        return state.result(stop.problem)
    except OSError as exc:
        return state.result(Problem(None, f"cannot read export: {exc}"))
    return state.result(None)


@dataclass
class _State:
    origin: str = ""
    entries: int = 0
    checkpoints: int = 0
    root: bytes | None = None

    def result(self, problem: Problem | None) -> VerifyResult:
        return VerifyResult(self.origin, self.entries, self.checkpoints, self.root, problem)


def _verify(
    f: BinaryIO,
    path: str,
    verifiers: list[Verifier],
    required: list[str],
    origin: str | None,
    strict: bool,
    workers: int | None,
    state: _State,
) -> None:
    header_raw = f.readline()
    try:
        header = json.loads(header_raw)
        if not isinstance(header, dict) or header.get("format") != EXPORT_FORMAT:
            raise ValueError("unknown format")
        state.origin = str(header["origin"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _Stop(Problem(None, f"not a {EXPORT_FORMAT} file ({exc})")) from None
    if origin is not None and state.origin != origin:
        raise _Stop(Problem(None, f"origin is {state.origin!r}, expected {origin!r}"))

    checkpoints: list[SignedCheckpoint] = []
    offset = len(header_raw)
    line = f.readline()
    while line.startswith(CHECKPOINT_PREFIX):
        number = len(checkpoints) + 1
        try:
            note = json.loads(line)["checkpoint"]
            signed = open_checkpoint(note, verifiers, state.origin, required)
        except (ValueError, KeyError, TypeError, AuditError) as exc:
            raise _Stop(Problem(None, f"checkpoint #{number}: {exc}")) from None
        if checkpoints and signed.size < checkpoints[-1].size:
            raise _Stop(Problem(None, f"checkpoint #{number}: tree size went backwards"))
        checkpoints.append(signed)
        offset += len(line)
        line = f.readline()
    state.checkpoints = len(checkpoints)
    if not checkpoints:
        raise _Stop(Problem(None, "no signed checkpoint in export"))

    good, structural, tree = _hash_entries(f, path, offset, strict, workers)
    state.entries = good

    previous: SignedCheckpoint | None = None
    for number, cp in enumerate(checkpoints, start=1):
        if cp.size > good:
            break
        ok_from = previous.size if previous is not None else 0
        if tree.root(cp.size) != cp.root:
            raise _Stop(
                Problem(
                    ok_from,
                    (
                        f"entries {ok_from}..{cp.size - 1} do not reproduce the root signed "
                        f"in checkpoint #{number} (size {cp.size}): an entry there was "
                        f"altered, removed or reordered"
                    ),
                )
            )
        if previous is not None and previous.size > 0:
            try:
                proof = tree.consistency_proof(previous.size, cp.size)
                verify_consistency(previous.size, cp.size, proof, previous.root, cp.root)
            except ProofError as exc:
                raise _Stop(Problem(ok_from, f"checkpoint #{number} inconsistent: {exc}")) from None
        previous = cp
    if structural is not None:
        raise _Stop(structural)
    last = checkpoints[-1]
    if last.size > good:
        raise _Stop(
            Problem(
                good,
                (
                    f"entry missing: the export ends after {good} entries but checkpoint "
                    f"#{len(checkpoints)} covers {last.size}"
                ),
            )
        )
    if good > last.size:
        raise _Stop(Problem(last.size, "entry not covered by any signed checkpoint (added?)"))
    state.root = last.root


# ---------------------------------------------------------------------- entry hashing
#
# The entry section is cut at line boundaries into ranges of about RANGE_BYTES.  Each
# range is hashed by :func:`_hash_range` (in worker processes for large exports): it
# checks every line's structure with C-level bulk operations (``map`` over the lines, no
# Python code per line), hashes the leaves and computes the Merkle nodes lying inside the
# range.  If anything at all is unusual it gives up on the range, and the range is then
# re-read line by line by :func:`_exact_range`, the plain reference loop that names the
# first bad entry.  Hash mismatches are located exactly by the fast path itself.

RANGE_BYTES = 16 << 20
_PARALLEL_MIN_BYTES = 32 << 20
_MAX_WORKERS = 4
_LINE_PREFIX = ENTRY_PREFIX + b"%d" + HASH_FIELD
_FIRST_INDEX = re.compile(rb'\{"index":(0|[1-9][0-9]{0,17}),"leaf_hash":"')


class _RangeResult(NamedTuple):
    start: int  # index of the range's first entry, as its first line says
    entries: int
    levels: list[bytes]  # subtree_levels() of the range's leaf hashes
    mismatch: int | None  # first entry whose recorded hash differs


def _hash_entries(
    f: BinaryIO, path: str, offset: int, strict: bool, workers: int | None
) -> tuple[int, Problem | None, MerkleTree]:
    """Hash every entry; returns (entries good so far, first structural problem, tree)."""
    size = os.fstat(f.fileno()).st_size
    ranges = _split(f, offset, size)
    if workers is None:
        workers = 1
        if size - offset >= _PARALLEL_MIN_BYTES and parent_process() is None:
            workers = min(_MAX_WORKERS, _cpus())
    parts: list[tuple[int, list[bytes]]] = []
    expected = 0
    structural: Problem | None = None
    mismatch: int | None = None
    results = _range_results(path, ranges, strict, workers)
    try:
        for (begin, end), result in zip(ranges, results, strict=True):
            if result is not None and result.start == expected:
                levels = result.levels
                count = result.entries
                mismatch = result.mismatch
            else:
                packed, recorded, structural, count = _exact_range(f, begin, end, expected, strict)
                mismatch = _first_hash_mismatch(packed, recorded)
                if mismatch is not None:
                    mismatch += expected
                levels = subtree_levels(packed, expected)
            if mismatch is not None:
                leaves = levels[0][: (mismatch - expected) * HASH_SIZE]
                parts.append((expected, subtree_levels(leaves, expected)))
                expected = mismatch
                structural = Problem(
                    mismatch, "leaf bytes do not match the recorded leaf hash (entry changed)"
                )
                break
            parts.append((expected, levels))
            expected += count
            if structural is not None:
                break
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()
    return expected, structural, MerkleTree.from_parts(parts)


def _cpus() -> int:
    affinity = getattr(os, "sched_getaffinity", None)  # Linux: the CPUs we may run on
    return len(affinity(0)) if affinity is not None else (os.cpu_count() or 1)


def _split(f: BinaryIO, offset: int, size: int) -> list[tuple[int, int]]:
    """Cut [offset, size) into ranges of about RANGE_BYTES ending at line ends."""
    ranges = []
    while offset < size:
        end = offset + RANGE_BYTES
        if end >= size:
            end = size
        else:
            f.seek(end)
            f.readline()
            end = f.tell()
        ranges.append((offset, end))
        offset = end
    return ranges


def _range_results(
    path: str, ranges: list[tuple[int, int]], strict: bool, workers: int
) -> Iterator[_RangeResult | None]:
    """:func:`_hash_range` of every range, in order (worker processes if ``workers`` > 1)."""
    if workers <= 1 or len(ranges) < 2:
        for begin, end in ranges:
            yield _hash_range(path, begin, end, strict)
        return
    # "spawn": forking a process that runs threads (the hub, a test runner) is unsafe.
    pool = ProcessPoolExecutor(min(workers, len(ranges)), mp_context=get_context("spawn"))
    futures: list[Future[_RangeResult | None]] = []
    try:
        try:
            futures = [pool.submit(_hash_range, path, b, e, strict) for b, e in ranges]
        except (BrokenProcessPool, OSError, RuntimeError):
            futures = []  # cannot start workers here: hash in this process
        for i, (begin, end) in enumerate(ranges):
            if futures:
                try:
                    result = futures[i].result()
                except (BrokenProcessPool, OSError, RuntimeError):
                    futures = []  # the workers died: hash the rest in this process
            if not futures:
                result = _hash_range(path, begin, end, strict)
            yield result
    finally:
        for future in futures:
            future.cancel()
        pool.shutdown(wait=True, cancel_futures=True)


def _hash_range(path: str, begin: int, end: int, strict: bool) -> _RangeResult | None:
    """Fast path for the entry lines in bytes [begin, end); None if any line is unusual."""
    with open(path, "rb") as f:
        f.seek(begin)
        block = f.read(end - begin)
    if len(block) != end - begin or not block.endswith(b"\n"):
        return None  # the file changed, or its last line has no newline
    first = _FIRST_INDEX.match(block)
    if first is None:
        return None
    start = int(first.group(1))
    hashed = _hash_block(block, start, strict)
    if hashed is None:
        return None
    hexes, packed, count = hashed
    mismatch = _first_hash_mismatch(packed, hexes)
    return _RangeResult(
        start,
        count,
        subtree_levels(packed, start),
        None if mismatch is None else start + mismatch,
    )


def _hash_block(block: bytes, start: int, strict: bool) -> tuple[bytes, bytes, int] | None:
    """(recorded hex hashes, computed leaf hashes, line count) of whole entry lines."""
    lines = block.split(b"\n")
    lines.pop()
    n = len(lines)
    check = strict or _REDACTION_MARK in block
    sha = hashlib.sha256
    hexes: list[bytes] = []
    digests: list[bytes] = []
    i = 0
    while i < n:  # one run per number of index digits: fixed offsets within the line
        index = start + i
        digits = len(str(index))
        stop = min(n, 10**digits - start)
        run = lines[i:stop]
        p = len(ENTRY_PREFIX) + digits + len(HASH_FIELD)
        prefixes = map(_LINE_PREFIX.__mod__, range(index, start + stop))
        if not all(map(bytes.startswith, run, prefixes)):
            return None
        if any(map(LEAF_FIELD.__ne__, map(itemgetter(slice(p + 64, p + 73)), run))):
            return None
        if not all(map(bytes.endswith, run, repeat(b"}"))):
            return None
        leaves = list(map(itemgetter(slice(p + 73, -1)), run))
        if check:
            for offset, leaf in enumerate(leaves):
                if (strict or _REDACTION_MARK in leaf) and _check_leaf(leaf, index + offset):
                    return None
        hexes.append(b"".join(map(itemgetter(slice(p, p + 64)), run)))
        digests.append(b"".join([sha(b"\x00" + x).digest() for x in leaves]))
        i = stop
    return b"".join(hexes), b"".join(digests), n


def _exact_range(
    f: BinaryIO, begin: int, end: int, index: int, strict: bool
) -> tuple[bytes, bytes, Problem | None, int]:
    """Reference loop over the lines in [begin, end): (hashes, recorded hex, problem, count)."""
    packed = bytearray()
    recorded = bytearray()
    sha = hashlib.sha256
    leaf_start = 64 + len(LEAF_FIELD)  # offset of the leaf after the hash-field prefix
    first = index
    f.seek(begin)
    position = begin
    lines = iter(f)
    for raw in lines:
        if position >= end:
            break
        position += len(raw)
        prefix = b'{"index":%d,"leaf_hash":"' % index
        if not raw.startswith(prefix) or not raw.endswith(ENTRY_SUFFIX):
            return bytes(packed), bytes(recorded), _diagnose(raw, index, lines), index - first
        p = len(prefix)
        if raw[p + 64 : p + leaf_start] != LEAF_FIELD:
            return (
                bytes(packed),
                bytes(recorded),
                Problem(index, "malformed entry line"),
                index - first,
            )
        leaf = raw[p + leaf_start : -len(ENTRY_SUFFIX)]
        if (strict or _REDACTION_MARK in leaf) and (problem := _check_leaf(leaf, index)):
            return bytes(packed), bytes(recorded), problem, index - first
        recorded += raw[p : p + 64]
        packed += sha(b"\x00" + leaf).digest()
        index += 1
    return bytes(packed), bytes(recorded), None, index - first


def _first_hash_mismatch(packed: bytes, recorded_hex: bytes) -> int | None:
    """Index of the first entry whose computed hash differs from the recorded one."""
    try:
        if binascii.unhexlify(recorded_hex) == packed:
            return None
    except ValueError:
        pass  # some recorded hash is not hex: find it below
    for i in range(len(packed) // HASH_SIZE):
        if packed[i * 32 : i * 32 + 32].hex().encode() != recorded_hex[i * 64 : i * 64 + 64]:
            return i
    return None


def _check_leaf(leaf: bytes, index: int) -> Problem | None:
    try:
        decoded = decode_leaf(leaf)
    except LeafError as exc:
        return Problem(index, f"invalid leaf: {exc}")
    if isinstance(decoded, RedactionLeaf) and decoded.index >= index:
        return Problem(index, f"redaction names entry {decoded.index}, which is not earlier")
    return None


def _diagnose(raw: bytes, index: int, rest: Iterable[bytes]) -> Problem:
    """Explain why the line at position ``index`` is not entry ``index``."""
    if raw.startswith(CHECKPOINT_PREFIX):
        return Problem(index, "checkpoint line found among entries")
    try:
        found = json.loads(raw)["index"]
        if not isinstance(found, int):
            raise TypeError("index is not an integer")
    except (ValueError, KeyError, TypeError):
        return Problem(index, "malformed entry line")
    if not raw.startswith(ENTRY_PREFIX + str(found).encode() + HASH_FIELD):
        return Problem(index, "malformed entry line")
    if found < index:
        return Problem(index, f"out of order: entry {found} appears again at position {index}")
    want = ENTRY_PREFIX + str(index).encode() + HASH_FIELD
    for offset, later in enumerate(rest, start=1):
        if later.startswith(want):
            return Problem(
                index,
                (
                    f"out of order: found entry {found} at position {index}, entry {index} "
                    f"appears {offset} line(s) later"
                ),
            )
    return Problem(index, f"entry removed: position {index} holds entry {found}")
