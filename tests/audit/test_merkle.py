"""Proof generation against verification, for random tree sizes (hypothesis)."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import ProofError, verify_consistency, verify_inclusion
from audit.merkle import root_from_leaf_hashes
from audit.tree import MerkleTree


def _hashes(n: int) -> list[bytes]:
    return [hashlib.sha256(b"leaf %d" % i).digest() for i in range(n)]


@st.composite
def tree_and_index(draw: st.DrawFn) -> tuple[int, int, int]:
    size = draw(st.integers(1, 300))
    tree_size = draw(st.integers(1, size))
    index = draw(st.integers(0, tree_size - 1))
    return size, tree_size, index


@settings(max_examples=150, deadline=None)
@given(tree_and_index())
def test_inclusion_roundtrip_and_mutations(case: tuple[int, int, int]) -> None:
    size, tree_size, index = case
    hashes = _hashes(size)
    tree = MerkleTree.from_leaf_hashes(hashes)
    root = tree.root(tree_size)
    assert root == root_from_leaf_hashes(hashes[:tree_size])
    proof = tree.inclusion_proof(index, tree_size)
    verify_inclusion(hashes[index], index, tree_size, proof, root)
    bad_cases = [
        (hashes[index], index, tree_size, [*proof, root]),  # trailing element
        (hashes[index], index, tree_size, [root, *proof]),  # preceding element
        (hashes[index], index + 1, tree_size, proof),
        (hashes[index], index, tree_size, [p[:31] for p in proof]),
        (hashes[(index + 1) % size] if size > 1 else b"\0" * 32, index, tree_size, proof),
    ]
    if proof:
        bad_cases.append((hashes[index], index, tree_size, proof[:-1]))
        flipped = bytes([proof[0][0] ^ 1]) + proof[0][1:]
        bad_cases.append((hashes[index], index, tree_size, [flipped, *proof[1:]]))
    for leaf, i, n, p in bad_cases:
        if leaf == hashes[index] and i == index and n == tree_size and p == proof:
            continue
        with pytest.raises(ProofError):
            verify_inclusion(leaf, i, n, p, root)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(1, n))))
def test_consistency_roundtrip_and_mutations(case: tuple[int, int]) -> None:
    size2, size1 = case
    tree = MerkleTree.from_leaf_hashes(_hashes(size2))
    root1, root2 = tree.root(size1), tree.root(size2)
    proof = tree.consistency_proof(size1, size2)
    verify_consistency(size1, size2, proof, root1, root2)
    bad_cases = [(size1, size2, [*proof, root1]), (0, size2, proof)]
    if size1 < size2:
        bad_cases.append((size1, size2, proof[:-1]))
        bad_cases.append((size1, size2, [root2, *proof]))
        flipped = bytes([proof[-1][0] ^ 1]) + proof[-1][1:]
        bad_cases.append((size1, size2, [*proof[:-1], flipped]))
    for s1, s2, p in bad_cases:
        with pytest.raises(ProofError):
            verify_consistency(s1, s2, p, root1, root2)
    if size1 < size2:
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof, root2, root1)


def test_incremental_equals_bulk_and_reference() -> None:
    hashes = _hashes(1025)
    one_by_one = MerkleTree()
    chunked = MerkleTree()
    for h in hashes:
        one_by_one.append(h)
    for start in range(0, len(hashes), 97):
        chunked.extend(hashes[start : start + 97])
    for n in (0, 1, 2, 3, 5, 8, 100, 512, 513, 1024, 1025):
        assert one_by_one.root(n) == chunked.root(n) == root_from_leaf_hashes(hashes[:n])


def test_strict_inputs() -> None:
    tree = MerkleTree.from_leaf_hashes(_hashes(4))
    root = tree.root()
    with pytest.raises(ProofError):
        verify_inclusion(b"", 0, 4, tree.inclusion_proof(0), root)
    with pytest.raises(ProofError):
        verify_inclusion(_hashes(1)[0], 0, 4, tree.inclusion_proof(0), b"")
    with pytest.raises(ProofError):
        verify_inclusion(_hashes(1)[0], -1, 4, tree.inclusion_proof(0), root)
    with pytest.raises(ProofError):
        verify_consistency(0, 0, [], root, root)
    with pytest.raises(ProofError):
        verify_consistency(3, 2, [], root, root)
    with pytest.raises(ValueError):
        tree.inclusion_proof(4, 4)
    with pytest.raises(ValueError):
        tree.consistency_proof(0, 4)
