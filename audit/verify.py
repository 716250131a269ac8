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
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

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
from audit.merkle import verify_consistency
from audit.note import Verifier
from audit.tree import MerkleTree

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
) -> VerifyResult:
    """Verify an export file; never raises for bad content, reports a Problem instead."""
    verifiers = list(verifiers)
    required = list(required)
    state = _State()
    try:
        with open(path, "rb") as f:
            _verify(f, verifiers, required, origin, strict_leaves, state)
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
    f: Iterable[bytes],
    verifiers: list[Verifier],
    required: list[str],
    origin: str | None,
    strict: bool,
    state: _State,
) -> None:
    lines = iter(f)
    header_raw = next(lines, b"")
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
    line = next(lines, b"")
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
        line = next(lines, b"")
    state.checkpoints = len(checkpoints)
    if not checkpoints:
        raise _Stop(Problem(None, "no signed checkpoint in export"))

    # Pass over the entries: structure, order and per-entry hashes.  The recorded hashes
    # are compared in bulk after the loop (cheaper than one comparison per line).
    packed = bytearray()
    recorded_hex: list[bytes] = []
    sha = hashlib.sha256
    leaf_start = 64 + len(LEAF_FIELD)  # offset of the leaf after the hash-field prefix
    structural: Problem | None = None
    index = 0
    rest: Iterable[bytes] = lines
    if line:
        rest = _chain(line, lines)
    for raw in rest:
        index = len(recorded_hex)
        prefix = b'{"index":%d,"leaf_hash":"' % index
        if not raw.startswith(prefix) or not raw.endswith(ENTRY_SUFFIX):
            structural = _diagnose(raw, index, rest)
            break
        p = len(prefix)
        if raw[p + 64 : p + leaf_start] != LEAF_FIELD:
            structural = Problem(index, "malformed entry line")
            break
        leaf = raw[p + leaf_start : -len(ENTRY_SUFFIX)]
        if (strict or _REDACTION_MARK in leaf) and (problem := _check_leaf(leaf, index)):
            structural = problem
            break
        recorded_hex.append(raw[p : p + 64])
        packed += sha(b"\x00" + leaf).digest()
    else:
        index = len(recorded_hex)
    mismatch = _first_hash_mismatch(bytes(packed), recorded_hex)
    if mismatch is not None:
        index = mismatch
        structural = Problem(
            index, "leaf bytes do not match the recorded leaf hash (entry changed)"
        )
        del packed[index * 32 :]
    good = index
    state.entries = good

    tree = MerkleTree()
    tree.extend_packed(bytes(packed))
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


def _first_hash_mismatch(packed: bytes, recorded_hex: list[bytes]) -> int | None:
    """Index of the first entry whose computed hash differs from the recorded one."""
    try:
        if bytes.fromhex(b"".join(recorded_hex).decode("ascii")) == packed:
            return None
    except ValueError:
        pass  # some recorded hash is not hex: find it below
    for i, hexed in enumerate(recorded_hex):
        if packed[i * 32 : i * 32 + 32].hex().encode() != hexed:
            return i
    return None


def _chain(first: bytes, rest: Iterable[bytes]) -> Iterable[bytes]:
    yield first
    yield from rest


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
