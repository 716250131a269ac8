"""Strict base64 helpers shared by the text formats (notes, checkpoints, proofs).

Python's decoder silently skips junk and accepts non-canonical padding; the formats we
parse must round-trip exactly, so decoding re-encodes and compares.
"""

from __future__ import annotations

import base64
import binascii


def b64encode(data: bytes) -> str:
    """Standard (RFC 4648 §4) base64 with padding."""
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes:
    """Decode standard base64, rejecting anything that does not re-encode identically."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError) as exc:
        raise ValueError(f"invalid base64: {text!r}") from exc
    if b64encode(raw) != text:
        raise ValueError(f"non-canonical base64: {text!r}")
    return raw


def parse_decimal(text: str) -> int:
    """Parse an unsigned ASCII decimal with no sign, spaces or leading zeroes."""
    if not text or not text.isascii() or not text.isdigit():
        raise ValueError(f"not a decimal number: {text!r}")
    if len(text) > 1 and text[0] == "0":
        raise ValueError(f"leading zero in decimal number: {text!r}")
    return int(text)
