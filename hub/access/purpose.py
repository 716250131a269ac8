"""The purpose of a request: required wherever a subject is touched, kept in the access log
for ever, so it must say something and must not carry an ID number (a leaf cannot be
redacted, and a purpose is free text)."""

from __future__ import annotations

import re
from contextlib import suppress
from urllib.parse import unquote

from hub.schema.errors import BadInput, require_purpose

PURPOSE_HEADER = "x-purpose"
_ID_LIKE = re.compile(r"\d{14,17}[\dXx]")  # resident IDs (18) and old 15-digit numbers


def check_purpose(text: str) -> str:
    """The normalised purpose, or a BAD_USER_INPUT error naming `purpose`."""
    purpose = require_purpose(text)
    if _ID_LIKE.search(purpose):
        raise BadInput("purpose", "must not contain an ID number (it is kept in the access log)")
    return purpose


def header_purpose(raw: str | None) -> str | None:
    """The X-Purpose header (UTF-8, percent-encoded where needed) as text, if sent."""
    if raw is None:
        return None
    with suppress(UnicodeError):
        raw = raw.encode("latin-1").decode("utf-8")  # starlette decodes headers as latin-1
    return unquote(raw)


def scrub(text: str) -> str:
    """Mask anything that looks like an ID number (e.g. in a client-chosen operation name)."""
    return _ID_LIKE.sub(lambda m: "#" * len(m.group()), text)
