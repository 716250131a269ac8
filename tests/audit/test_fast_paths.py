"""The fast paths (bulk verification, tree assembly, append helpers) equal the plain ones."""

from __future__ import annotations

import hashlib
import hmac
import os
import random
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import pytest

import audit.verify as verify_mod
from audit import AccessLeaf, AuditLog, LeafError, Signer, encode_leaf, verify_export
from audit.leaf import check_time, encode_access, subject_commitment, utc_now
from audit.merkle import leaf_hash
from audit.subjects import SubjectVault
from audit.tree import MerkleTree, subtree_levels

from .conftest import make_record


@pytest.fixture
def big_export(audit_log: AuditLog, tmp_path: Path) -> Path:
    """About 130 entries (indexes of 1, 2 and 3 digits), several checkpoints, a redaction."""
    for i in range(128):
        audit_log.append(make_record(i), [f"CC-{i}"] if i % 3 else [])
        if i in (9, 63, 99):
            audit_log.checkpoint_now()
    audit_log.redact(5, "court order 123")
    path = tmp_path / "export.jsonl"
    audit_log.export(path)
    return path


def _entry_base(lines: list[bytes]) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith(b'{"index":'))


def _flip(lines: list[bytes], pos: int) -> None:
    line = bytearray(lines[pos])
    at = line.index(b'"principal":"') + len(b'"principal":"')
    line[at] ^= 0x01
    lines[pos] = bytes(line)


def _tamperings() -> dict[str, Callable[[list[bytes], int], None]]:
    def flip(k: int) -> Callable[[list[bytes], int], None]:
        return lambda lines, base: _flip(lines, base + k)

    def delete(k: int) -> Callable[[list[bytes], int], None]:
        def f(lines: list[bytes], base: int) -> None:
            del lines[base + k]

        return f

    def swap(a: int, b: int) -> Callable[[list[bytes], int], None]:
        def f(lines: list[bytes], base: int) -> None:
            lines[base + a], lines[base + b] = lines[base + b], lines[base + a]

        return f

    def edit(k: int, old: bytes, new: bytes) -> Callable[[list[bytes], int], None]:
        def f(lines: list[bytes], base: int) -> None:
            lines[base + k] = lines[base + k].replace(old, new, 1)

        return f

    def no_final_newline(lines: list[bytes], base: int) -> None:
        lines[-1] = lines[-1].rstrip(b"\n")

    def duplicate(lines: list[bytes], base: int) -> None:
        lines.insert(base + 40, lines[base + 39])

    def upper_hex(lines: list[bytes], base: int) -> None:
        line = lines[base + 77]
        start = line.index(b'"leaf_hash":"') + 13
        lines[base + 77] = line[:start] + line[start : start + 64].upper() + line[start + 64 :]

    return {
        "flip 0": flip(0),
        "flip 9": flip(9),
        "flip 10": flip(10),
        "flip 100": flip(100),
        "flip last": flip(128),
        "delete 12": delete(12),
        "delete 99": delete(99),
        "delete last": delete(128),
        "swap 14 21": swap(14, 21),
        "swap 8 11": swap(8, 11),
        "duplicate": duplicate,
        "no final newline": no_final_newline,
        "upper-case hash": upper_hex,
        "nul in leaf": edit(50, b'"role":"analyst"', b'"role":"anal\x00st"'),
        "leaf field in leaf": edit(60, b'"role":"analyst"', b'"role":"","leaf":{"x":1}'),
        "redaction altered": edit(128, b'"index":5,', b'"index":500,'),
        "leading zero": edit(33, b'{"index":33,', b'{"index":033,'),
        "space in line": edit(70, b'","leaf":', b'", "leaf":'),
        "crlf": edit(90, b"}\n", b"}\r\n"),
        "unchanged": lambda lines, base: None,
    }


@pytest.mark.parametrize("name", sorted(_tamperings()))
def test_fast_verifier_reports_exactly_what_the_reference_loop_does(
    big_export: Path, log_signer: Signer, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    lines = big_export.read_bytes().splitlines(keepends=True)
    _tamperings()[name](lines, _entry_base(lines))
    path = big_export.with_name("tampered.jsonl")
    path.write_bytes(b"".join(lines))
    keys = [log_signer.verifier()]

    fast = verify_export(path, keys, workers=1)
    strict = verify_export(path, keys, workers=1, strict_leaves=True)
    monkeypatch.setattr(verify_mod, "RANGE_BYTES", 700)  # many small ranges
    small = verify_export(path, keys, workers=1)
    small_strict = verify_export(path, keys, workers=1, strict_leaves=True)
    monkeypatch.setattr(verify_mod, "_hash_range", lambda *args: None)  # reference loop only
    reference = verify_export(path, keys, workers=1)
    reference_strict = verify_export(path, keys, workers=1, strict_leaves=True)

    assert fast == reference == small, name
    assert strict == reference_strict == small_strict, name
    # (Upper-case hex was always accepted for the recorded hash: it names the same bytes.)
    assert fast.ok == (name in ("unchanged", "upper-case hash"))


def test_worker_processes_give_the_same_result(
    big_export: Path, log_signer: Signer, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = big_export.read_bytes().splitlines(keepends=True)
    base = _entry_base(lines)
    _flip(lines, base + 77)
    tampered = big_export.with_name("tampered.jsonl")
    tampered.write_bytes(b"".join(lines))
    keys = [log_signer.verifier()]
    monkeypatch.setattr(verify_mod, "RANGE_BYTES", 4000)
    for path in (big_export, tampered):
        assert verify_export(path, keys, workers=2) == verify_export(path, keys, workers=1)
    result = verify_export(tampered, keys, workers=2)
    assert result.problem is not None and result.problem.index == 77


def test_tree_from_parts_equals_sequential_build() -> None:
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 300)
        hashes = [rng.randbytes(32) for _ in range(n)]
        reference = MerkleTree()
        reference.extend_packed(b"".join(hashes))
        cuts = sorted(rng.sample(range(1, n), min(n - 1, rng.randint(0, 6)))) if n > 1 else []
        bounds = [0, *cuts, n]
        parts = [(a, subtree_levels(b"".join(hashes[a:b]), a)) for a, b in pairwise(bounds)]
        tree = MerkleTree.from_parts(parts)
        assert tree.size == n
        assert tree.root() == reference.root()
        for size in {1, n // 2, n} - {0} if n else ():
            assert tree.root(size) == reference.root(size)
            assert tree.inclusion_proof(size - 1, size) == reference.inclusion_proof(size - 1, size)


def test_vault_tag_is_hmac_sha256(tmp_path: Path) -> None:
    for key in (os.urandom(32), b"k" * 100, b""):
        vault = SubjectVault(tmp_path / f"v{len(key)}.db", key)
        try:
            for subject in (b"", b"CC-1", b"x" * 300):
                assert vault.tag(subject) == hmac.new(key, subject, hashlib.sha256).digest()
        finally:
            vault.close()


def test_encode_access_equals_encode_leaf() -> None:
    record = make_record(3, purpose='quote " and \\ and ñ')
    commitments = tuple(subject_commitment(os.urandom(32), b"CC-%d" % i) for i in range(3))
    for subjects in ((), commitments[:1], commitments):
        data = encode_access(record, subjects)
        assert data == encode_leaf(AccessLeaf(record, subjects))
        assert leaf_hash(data) == leaf_hash(encode_leaf(AccessLeaf(record, subjects)))


def test_time_checks_survive_the_per_second_cache() -> None:
    now = utc_now()
    check_time(now)
    check_time(now)
    check_time("2024-02-29T23:59:59.5Z")
    with pytest.raises(LeafError):
        check_time("2023-02-29T23:59:59.5Z")  # same clock time, invalid date
    with pytest.raises(LeafError):
        check_time("2024-02-29T23:59:59.5")
    assert len(utc_now()) == 27 and utc_now() >= now
