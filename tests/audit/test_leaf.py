"""Leaf records: canonical JSON equal to the rfc8785 reference, strict decoding."""

from __future__ import annotations

import hashlib
import json

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import AccessLeaf, AccessRecord, LeafError, RedactionLeaf, Result
from audit.leaf import decode_leaf, encode_leaf, subject_commitment, utc_now

from .conftest import make_record

valid_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=40)
hex64 = st.binary(min_size=32, max_size=32).map(lambda b: b.hex())


@settings(max_examples=300, deadline=None)
@given(
    principal=valid_text,
    agency=valid_text,
    role=valid_text,
    purpose=valid_text,
    operation=valid_text,
    outcome=st.sampled_from(["allowed", "refused", "error"]),
    count=st.integers(0, 2**53 - 1),
    error_class=st.none() | valid_text,
    subjects=st.lists(hex64, max_size=4),
)
def test_access_leaf_matches_rfc8785(
    principal: str,
    agency: str,
    role: str,
    purpose: str,
    operation: str,
    outcome: str,
    count: int,
    error_class: str | None,
    subjects: list[str],
) -> None:
    record = AccessRecord(
        principal,
        agency,
        role,
        purpose,
        operation,
        "ab" * 32,
        Result(outcome, count, error_class),  # type: ignore[arg-type]
    )
    leaf = AccessLeaf(record, tuple(subjects))
    data = encode_leaf(leaf)
    assert data == rfc8785.dumps(leaf.to_json())
    assert decode_leaf(data) == leaf


@settings(max_examples=100, deadline=None)
@given(basis=valid_text, principal=valid_text, index=st.integers(0, 2**53 - 1))
def test_redaction_leaf_matches_rfc8785(basis: str, principal: str, index: int) -> None:
    leaf = RedactionLeaf(index, basis, principal)
    assert encode_leaf(leaf) == rfc8785.dumps(leaf.to_json())
    assert decode_leaf(encode_leaf(leaf)) == leaf


def test_leaf_has_exactly_the_published_fields() -> None:
    leaf = AccessLeaf(make_record(), ("cd" * 32,))
    obj = json.loads(encode_leaf(leaf))
    assert set(obj) == {
        "kind",
        "time",
        "principal",
        "agency",
        "role",
        "purpose",
        "operation",
        "query_sha256",
        "result",
        "subjects",
    }
    assert obj["kind"] == "access"
    assert obj["result"] == {"outcome": "allowed", "subjects": 1, "error_class": None}


def test_decode_rejects_non_canonical_and_unknown() -> None:
    data = encode_leaf(AccessLeaf(make_record(), ()))
    obj = json.loads(data)
    with pytest.raises(LeafError, match="canonical"):
        decode_leaf(json.dumps(obj).encode())  # spaces after separators
    with pytest.raises(LeafError, match="fields"):
        decode_leaf(rfc8785.dumps({**obj, "query": "{ secrets }"}))
    with pytest.raises(LeafError, match="kind"):
        decode_leaf(rfc8785.dumps({**obj, "kind": "other"}))
    with pytest.raises(LeafError):
        decode_leaf(b"not json")


@pytest.mark.parametrize(
    "overrides",
    [
        {"time": "2024-01-01T00:00:00+01:00"},
        {"time": "2024-13-01T00:00:00Z"},
        {"query_sha256": "AB" * 32},
        {"principal": ""},
        {"result": "allowed"},
    ],
)
def test_record_validation(overrides: dict[str, object]) -> None:
    with pytest.raises(LeafError):
        make_record(**overrides)


def test_result_validation_and_time_format() -> None:
    with pytest.raises(LeafError):
        Result("maybe")  # type: ignore[arg-type]
    with pytest.raises(LeafError):
        Result("allowed", -1)
    assert utc_now().endswith("Z") and len(utc_now()) == 27


def test_commitment_definition() -> None:
    nonce, key = bytes(range(32)), b"CC-12345678"
    expected = hashlib.sha256(
        b"credit-hub/audit/subject-commitment/v1" + b"\x00" + nonce + key
    ).hexdigest()
    assert subject_commitment(nonce, key) == expected
