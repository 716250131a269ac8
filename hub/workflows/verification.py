"""Public verification: a signed statement of an institution's grade and list status.

The notice board in each institution (公示栏) shows a QR code. It encodes a URL that
carries the statement itself: canonical JSON (RFC 8785) of the institution's current
grade and list status and the date, signed with the hub's Ed25519 statement key. The
public page needs nothing but the URL: it checks the signature, then whether the
statement is still current — a newer statement for the institution, or a grade or list
status that changed since, makes it outdated.

The signing key lives beside the hub's master secret (`secrets/statement-signing.key`,
mode 0600), created on first use; it is never logged or shown (only its public key).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import io
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import rfc8785
import segno
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from hub.graph.cypher_store import CypherStore
from hub.identifiers import Uscc
from hub.sanctions.resolve import evaluation_in_force, status_on
from hub.workflows import queries as wq
from hub.workflows.context import Context, SubjectRef, iso, now_stamp
from hub.workflows.errors import WorkflowError

KEY_FILE = "statement-signing.key"
STATEMENT_VERSION = 1


class StatementSigner:
    """The Ed25519 key that signs public statements; its repr shows no secret."""

    def __init__(self, secrets_dir: Path) -> None:
        self._path = secrets_dir / KEY_FILE
        self._key: Ed25519PrivateKey | None = None

    def __repr__(self) -> str:
        return f"StatementSigner({self._path})"

    def _private(self) -> Ed25519PrivateKey:
        if self._key is None:
            self._key = self._load_or_create()
        return self._key

    def _load_or_create(self) -> Ed25519PrivateKey:
        if not self._path.exists():
            self._path.parent.mkdir(parents=True, exist_ok=True)
            raw = Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.Raw,
                serialization.PrivateFormat.Raw,
                serialization.NoEncryption(),
            )
            body = {"version": 1, "ed25519": base64.b64encode(raw).decode()}
            try:
                fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another process created it first: use theirs
            else:
                with os.fdopen(fd, "w") as fh:
                    json.dump(body, fh)
        body = json.loads(self._path.read_text())
        return Ed25519PrivateKey.from_private_bytes(base64.b64decode(body["ed25519"]))

    def sign(self, data: bytes) -> bytes:
        return self._private().sign(data)

    def public_key(self) -> Ed25519PublicKey:
        return self._private().public_key()

    def public_key_pem(self) -> str:
        return (
            self.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )


@dataclass(frozen=True, slots=True)
class IssuedStatement:
    token: str
    url: str
    statement: dict[str, Any]


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """`valid`: the signature holds; `current`: nothing newer or different since."""

    status: Literal["invalid", "current", "outdated"]
    reason: str
    statement: dict[str, Any] | None = None

    @property
    def valid(self) -> bool:
        return self.status != "invalid"

    @property
    def current(self) -> bool:
        return self.status == "current"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token_of(url_or_token: str) -> str:
    """The statement token in a verification URL (or the token itself)."""
    if "://" in url_or_token:
        values = parse_qs(urlsplit(url_or_token).query).get("s", [])
        return values[0] if values else ""
    return url_or_token


def qr_svg(url: str) -> bytes:
    """The QR code of a verification URL, as SVG (for the notice board)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="svg", scale=4)
    return out.getvalue()


def qr_png(url: str) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=4)
    return out.getvalue()


async def facts(store: CypherStore, uscc: str, day: str) -> dict[str, Any]:
    """What a statement asserts about an institution on `day`."""
    nodes = await store.get_nodes("Institution", [uscc])
    evaluations = (await store.records_of("Evaluation", "institution", [uscc])).get(uscc, [])
    entries = (await store.entries_of("institution", [uscc])).get(uscc, [])
    evaluation = evaluation_in_force(evaluations, day)
    lists = []
    for entry in entries:
        status = status_on(entry, day)
        if status is not None:
            lists.append({"list": entry["list_type"], "entry": entry["entry_id"], "status": status})
    return {
        "uscc": uscc,
        "name": (nodes.get(uscc) or {}).get("name"),
        "grade": evaluation["grade"] if evaluation else None,
        "grade_year": int(evaluation["year"]) if evaluation else None,
        "lists": sorted(lists, key=lambda x: (x["list"], x["entry"])),
    }


class Statements:
    def __init__(self, ctx: Context, signer: StatementSigner) -> None:
        self.ctx = ctx
        self.signer = signer

    async def issue(self, agency: str, role: str, uscc: Uscc, on: dt.date) -> IssuedStatement:
        """Sign the institution's grade and list status on `on`; supersedes earlier ones."""
        day = iso(on)
        async with self.ctx.store.transaction() as run:
            actor = await self.ctx.actor(run, agency, role)
            if actor.kind not in ("health_commission", "credit_office"):
                raise WorkflowError("agency", "statements are issued by the health commission")
            await self.ctx.require_subject(run, SubjectRef("institution", uscc.value), "uscc")
            latest = await run(wq.STATEMENTS_OF, {"uscc": uscc.value})
            serial = int(latest[0]["serial"]) + 1 if latest else 1
            statement = {
                "v": STATEMENT_VERSION,
                **await facts(self.ctx.store, uscc.value, day),
                "as_of": day,
                "serial": serial,
            }
            payload = rfc8785.dumps(statement)
            token = f"{_b64(payload)}.{_b64(self.signer.sign(payload))}"
            row = {
                "statement_key": f"{uscc.value}/{serial:08d}",
                "uscc": uscc.value,
                "serial": f"{serial:08d}",
                "as_of": day,
                "digest": hashlib.sha256(payload).hexdigest(),
                "issued_at": now_stamp(),
            }
            await run(wq.upsert("Statement"), {"rows": [row]})
            # the token itself is public (it is printed on the notice board): the history
            # keeps it, so the current statement's QR code can be served again
            await self.ctx.record(
                run, "institution", uscc.value, "statement.issued", on, actor, token, str(serial)
            )
        return IssuedStatement(token=token, url=self.url_of(token), statement=statement)

    def url_of(self, token: str) -> str:
        return f"{self.ctx.config.verification.base_url}?s={token}"

    async def latest(self, uscc: str) -> IssuedStatement | None:
        """The institution's latest statement (what its notice board should show), if any."""
        found = await self.ctx.store.read(wq.STATEMENTS_OF, {"uscc": uscc})
        if not found:
            return None
        serial = str(int(found[0]["serial"]))
        for event in reversed(await self.ctx.history("institution", uscc)):
            if event.action != "statement.issued" or event.detail != serial:
                continue
            statement = self.check_signature(event.note)
            head = event.note.partition(".")[0]
            if (
                statement is not None
                and hashlib.sha256(_unb64(head)).hexdigest() == (found[0]["digest"])
            ):
                return IssuedStatement(event.note, self.url_of(event.note), statement)
        return None

    def check_signature(self, url_or_token: str) -> dict[str, Any] | None:
        """The signed statement, or None if it is malformed or its signature fails."""
        token = token_of(url_or_token)
        try:
            head, _, tail = token.partition(".")
            payload, signature = _unb64(head), _unb64(tail)
            if _b64(payload) != head or _b64(signature) != tail:
                return None  # not the canonical encoding: some byte of the token changed
            self.signer.public_key().verify(signature, payload)
            statement = json.loads(payload)
        except (ValueError, binascii.Error, InvalidSignature, UnicodeDecodeError):
            return None
        if not isinstance(statement, dict) or statement.get("v") != STATEMENT_VERSION:
            return None
        return statement

    async def verify(self, url_or_token: str, today: dt.date) -> VerificationResult:
        """Public: is the statement genuine, and is it still current on `today`?"""
        statement = self.check_signature(url_or_token)
        if statement is None:
            return VerificationResult("invalid", "the signature does not match the statement")
        uscc = str(statement.get("uscc"))
        latest = await self.ctx.store.read(wq.STATEMENTS_OF, {"uscc": uscc})
        if latest and int(latest[0]["serial"]) > int(statement.get("serial", 0)):
            return VerificationResult(
                "outdated",
                f"superseded by a newer statement of {latest[0]['as_of']}",
                statement,
            )
        now = await facts(self.ctx.store, uscc, iso(today))
        for key in ("grade", "grade_year", "lists"):
            if now[key] != statement.get(key):
                return VerificationResult(
                    "outdated",
                    f"the {key.replace('_', ' ')} has changed since {statement['as_of']}",
                    statement,
                )
        return VerificationResult("current", f"current on {iso(today)}", statement)
