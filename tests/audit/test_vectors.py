"""Interoperability: the Merkle and signed-note vectors from other implementations."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from audit import ProofError, Verifier, open_note, verify_consistency, verify_inclusion
from audit.merkle import EMPTY_ROOT, leaf_hash, root_from_leaf_hashes
from audit.note import Signer
from audit.tree import MerkleTree

from .conftest import VECTORS

INCLUSION = sorted((VECTORS / "merkle" / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((VECTORS / "merkle" / "consistency").rglob("*.json"))


def _ids(paths: list[Path]) -> list[str]:
    return [str(p.relative_to(VECTORS / "merkle")) for p in paths]


def _b64(value: str | None) -> bytes:
    return base64.b64decode(value) if value else b""


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def test_all_vector_files_present() -> None:
    assert len(INCLUSION) + len(CONSISTENCY) == 196


@pytest.mark.parametrize("path", INCLUSION, ids=_ids(INCLUSION))
def test_inclusion_vector(path: Path) -> None:
    v = _load(path)
    proof = [_b64(p) for p in v["proof"] or []]
    args = (_b64(v["leafHash"]), v["leafIdx"], v["treeSize"], proof, _b64(v["root"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(*args)
    else:
        verify_inclusion(*args)


@pytest.mark.parametrize("path", CONSISTENCY, ids=_ids(CONSISTENCY))
def test_consistency_vector(path: Path) -> None:
    v = _load(path)
    proof = [_b64(p) for p in v["proof"] or []]
    args = (v["size1"], v["size2"], proof, _b64(v["root1"]), _b64(v["root2"]))
    if v["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(*args)
    else:
        verify_consistency(*args)


@pytest.fixture(scope="module")
def classic() -> dict[str, Any]:
    return _load(VECTORS / "rfc6962_8leaf_and_notes.json")


def test_classic_tree_roots(classic: dict[str, Any]) -> None:
    assert EMPTY_ROOT.hex() == classic["empty_tree_root"]
    assert MerkleTree().root() == EMPTY_ROOT
    hashes = [leaf_hash(bytes.fromhex(h)) for h in classic["leaves_hex"]]
    tree = MerkleTree()
    for h in hashes:
        tree.append(h)
    for size, root in classic["roots_by_size"].items():
        assert tree.root(int(size)).hex() == root
        assert root_from_leaf_hashes(hashes[: int(size)]).hex() == root


def test_classic_tree_every_proof(classic: dict[str, Any]) -> None:
    hashes = [leaf_hash(bytes.fromhex(h)) for h in classic["leaves_hex"]]
    tree = MerkleTree.from_leaf_hashes(hashes)
    roots = {int(k): bytes.fromhex(v) for k, v in classic["roots_by_size"].items()}
    checked = 0
    for size in range(1, 9):
        for index in range(size):
            proof = tree.inclusion_proof(index, size)
            verify_inclusion(hashes[index], index, size, proof, roots[size])
            checked += 1
        for size1 in range(1, size + 1):
            proof = tree.consistency_proof(size1, size)
            verify_consistency(size1, size, proof, roots[size1], roots[size])
            checked += 1
    assert checked == 36 + 36


def test_signed_note_vectors(classic: dict[str, Any]) -> None:
    vectors = classic["signed_note_vectors"]
    assert len(vectors) == 2
    for vec in vectors:
        verifier = Verifier.from_string(vec["vkey"])
        assert verifier.to_string() == vec["vkey"]
        opened = open_note(vec["note"], [verifier])
        assert opened.signer_names == {verifier.name}
        if "skey" in vec:
            signer = Signer.from_string(vec["skey"])
            assert signer.to_string() == vec["skey"]
            assert signer.verifier().to_string() == vec["vkey"]
