"""Store rows: content hashes keep the exact encoding earlier ingests stored."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from hub.store_rows import content_hash

_text = st.text(st.characters(exclude_categories=["Cs"]))  # no lone surrogates: not UTF-8
_rows = st.dictionaries(
    _text,
    st.none() | _text | st.lists(st.dictionaries(_text, st.none() | _text, max_size=3)),
    max_size=8,
)


def _stored_encoding(row: dict[str, Any]) -> str:
    encoded = json.dumps(row, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(encoded.encode()).hexdigest()


@given(_rows)
def test_content_hash_is_sha256_of_sorted_compact_utf8_json(row: dict[str, Any]) -> None:
    assert content_hash(row) == _stored_encoding(row)


def test_content_hash_of_control_and_non_ascii_characters() -> None:
    row = {"name": '王红 "\\\n\t\x00\x1f\x7f\u2028😀', "b": None, "a": [{"z": "1", "y": None}]}
    assert content_hash(row) == _stored_encoding(row)
