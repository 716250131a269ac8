"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 keys.

Checkpoints are signed notes, so anyone holding the verifier key string can check them
with off-the-shelf tooling (Go ``sumdb/note``, transparency-dev witnesses).  Parsing is
strict on purpose: a note that is not byte-exactly well formed is rejected rather than
"repaired", so two parties can never disagree about what was signed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from audit.encoding import b64decode, b64encode
from audit.errors import NoteError

ALG_ED25519 = 0x01
SIG_PREFIX = "\u2014 "  # em dash, space
MAX_SIGNATURES = 100


def check_key_name(name: str) -> None:
    """Key names must be non-empty and contain no Unicode spaces or '+'."""
    if not name or "+" in name or any(ch.isspace() for ch in name):
        raise NoteError(f"invalid key name: {name!r}")
    if any(ord(ch) < 0x20 or ch == "\x7f" for ch in name):
        raise NoteError(f"control character in key name: {name!r}")


def key_id(name: str, public_key: bytes) -> int:
    """SHA-256(name || 0x0A || 0x01 || pubkey)[:4] as a big-endian uint32."""
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _raw_public(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class Verifier:
    """A named Ed25519 public key as used to check note signatures."""

    name: str
    key_id: int
    public_key: Ed25519PublicKey

    @classmethod
    def from_string(cls, vkey: str) -> Verifier:
        """Parse ``name+hex8keyid+base64(0x01||pubkey)``, checking the key id."""
        parts = vkey.strip().split("+", 2)
        if len(parts) != 3:
            raise NoteError("verifier key must be name+keyid+key")
        name, hexid, b64key = parts
        check_key_name(name)
        kid = _parse_key_id(hexid)
        try:
            raw = b64decode(b64key)
        except ValueError as exc:
            raise NoteError(f"verifier key: {exc}") from exc
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("verifier key is not an Ed25519 (type 0x01) key")
        if key_id(name, raw[1:]) != kid:
            raise NoteError("verifier key id does not match name and key")
        return cls(name, kid, Ed25519PublicKey.from_public_bytes(raw[1:]))

    def to_string(self) -> str:
        """The ``name+hex8+base64`` verifier key string."""
        raw = bytes([ALG_ED25519]) + _raw_public(self.public_key)
        return f"{self.name}+{self.key_id:08x}+{b64encode(raw)}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        """True when ``signature`` is this key's Ed25519 signature over ``text``."""
        try:
            self.public_key.verify(signature, text)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class Signer:
    """A named Ed25519 private key that signs notes."""

    name: str
    key_id: int
    private_key: Ed25519PrivateKey

    @classmethod
    def from_string(cls, skey: str) -> Signer:
        """Parse ``PRIVATE+KEY+name+hex8keyid+base64(0x01||seed)``."""
        parts = skey.strip().split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteError("signer key must be PRIVATE+KEY+name+keyid+key")
        name, hexid, b64key = parts[2:]
        check_key_name(name)
        kid = _parse_key_id(hexid)
        try:
            raw = b64decode(b64key)
        except ValueError as exc:
            raise NoteError(f"signer key: {exc}") from exc
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("signer key is not an Ed25519 (type 0x01) key")
        private = Ed25519PrivateKey.from_private_bytes(raw[1:])
        if key_id(name, _raw_public(private.public_key())) != kid:
            raise NoteError("signer key id does not match name and key")
        return cls(name, kid, private)

    @classmethod
    def generate(cls, name: str) -> Signer:
        """A fresh random key named ``name``."""
        check_key_name(name)
        private = Ed25519PrivateKey.generate()
        return cls(name, key_id(name, _raw_public(private.public_key())), private)

    def to_string(self) -> str:
        """The ``PRIVATE+KEY+...`` signer key string (keep it secret)."""
        seed = self.private_key.private_bytes_raw()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{b64encode(bytes([1]) + seed)}"

    def verifier(self) -> Verifier:
        """The matching public verifier."""
        return Verifier(self.name, self.key_id, self.private_key.public_key())

    def sign(self, text: bytes) -> bytes:
        """Raw Ed25519 signature over ``text``."""
        return self.private_key.sign(text)


def generate_key(name: str) -> tuple[str, str]:
    """Return ``(signer_key_string, verifier_key_string)`` for a new key named ``name``."""
    signer = Signer.generate(name)
    return signer.to_string(), signer.verifier().to_string()


def _parse_key_id(hexid: str) -> int:
    if len(hexid) != 8 or any(c not in "0123456789abcdef" for c in hexid):
        raise NoteError(f"key id must be 8 lowercase hex digits: {hexid!r}")
    return int(hexid, 16)


@dataclass(frozen=True)
class Signature:
    """One signature line of a note."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """Rendered ``— name base64(keyid||sig)`` line (without the newline)."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{SIG_PREFIX}{self.name} {b64encode(blob)}"


@dataclass(frozen=True)
class Note:
    """A parsed note: its text and signature lines (not yet verified)."""

    text: str
    signatures: tuple[Signature, ...]

    def render(self) -> str:
        """The note in wire form."""
        return self.text + "\n" + "".join(s.line() + "\n" for s in self.signatures)


@dataclass(frozen=True)
class VerifiedNote:
    """A note with at least one signature verified by a trusted key."""

    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]

    @property
    def signer_names(self) -> frozenset[str]:
        """Names of the keys whose signatures verified."""
        return frozenset(s.name for s in self.verified)


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("note text must end in a newline")
    for ch in text:
        if ch < " " and ch != "\n":
            raise NoteError("note text contains a control character")


def parse_note(note: str | bytes) -> Note:
    """Split a signed note into text and signature lines, rejecting malformed input."""
    if isinstance(note, bytes):
        try:
            note = note.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise NoteError("note is not valid UTF-8") from exc
    try:
        note.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise NoteError("note is not valid UTF-8") from exc
    for ch in note:
        if ch < " " and ch != "\n":
            raise NoteError("note contains a control character")
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    text, block = note[: split + 1], note[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note has no signatures or does not end in a newline")
    signatures: list[Signature] = []
    seen: set[tuple[str, int]] = set()
    for line in block[:-1].split("\n"):
        sig = _parse_signature_line(line)
        if (sig.name, sig.key_id) in seen:
            raise NoteError(f"duplicate signature from {sig.name} {sig.key_id:08x}")
        seen.add((sig.name, sig.key_id))
        signatures.append(sig)
        if len(signatures) > MAX_SIGNATURES:
            raise NoteError("too many signatures")
    return Note(text, tuple(signatures))


def _parse_signature_line(line: str) -> Signature:
    if not line.startswith(SIG_PREFIX):
        raise NoteError(f"malformed signature line: {line[:40]!r}")
    rest = line[len(SIG_PREFIX) :]
    name, sep, b64sig = rest.partition(" ")
    if not sep:
        raise NoteError("signature line lacks a signature")
    check_key_name(name)
    try:
        blob = b64decode(b64sig)
    except ValueError as exc:
        raise NoteError(f"signature of {name}: {exc}") from exc
    if len(blob) < 5:
        raise NoteError(f"signature of {name} is too short")
    return Signature(name, int.from_bytes(blob[:4], "big"), blob[4:])


def sign_note(text: str, signers: Sequence[Signer]) -> str:
    """Sign ``text`` (ending in newline) with every signer; returns the wire form."""
    if not signers:
        raise NoteError("at least one signer is required")
    _check_text(text)
    data = text.encode("utf-8")
    sigs = tuple(Signature(s.name, s.key_id, s.sign(data)) for s in signers)
    return Note(text, sigs).render()


def add_signatures(note: str, signers: Sequence[Signer]) -> str:
    """Add signature lines (e.g. a cosigner's) to an already signed note."""
    parsed = parse_note(note)
    data = parsed.text.encode("utf-8")
    have = {(s.name, s.key_id) for s in parsed.signatures}
    extra = tuple(
        Signature(s.name, s.key_id, s.sign(data)) for s in signers if (s.name, s.key_id) not in have
    )
    return Note(parsed.text, parsed.signatures + extra).render()


def open_note(
    note: str | bytes,
    verifiers: Iterable[Verifier],
    required: Iterable[str] = (),
) -> VerifiedNote:
    """Verify a note against trusted keys.

    Signatures from unknown (name, key id) pairs are ignored; a failing signature from a
    known key rejects the whole note; at least one known key must have signed, and every
    name in ``required`` must have a verified signature (e.g. log *and* credit office).
    """
    parsed = parse_note(note)
    known = {(v.name, v.key_id): v for v in verifiers}
    data = parsed.text.encode("utf-8")
    verified: list[Signature] = []
    unverified: list[Signature] = []
    for sig in parsed.signatures:
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unverified.append(sig)
            continue
        if not verifier.verify(data, sig.signature):
            raise NoteError(f"invalid signature from {sig.name} ({sig.key_id:08x})")
        verified.append(sig)
    if not verified:
        raise NoteError("no signature from a trusted key")
    names = {s.name for s in verified}
    missing = sorted(set(required) - names)
    if missing:
        raise NoteError(f"missing required signature(s): {', '.join(missing)}")
    return VerifiedNote(parsed.text, tuple(verified), tuple(unverified))
