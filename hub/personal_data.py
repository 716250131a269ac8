"""Personal data at rest: keyed digests for lookup, AES-GCM for authorised display.

A person's graph key is HMAC-SHA256 over the normalised document, so the graph can
join on it without holding the number. The number itself is kept only as ciphertext.
The nonce is synthetic (an HMAC of key and plaintext), so the same document always
encrypts to the same bytes: re-ingesting a file changes nothing, and a nonce is
never reused for a different plaintext.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from hub.identifiers import PersonId

_DIGEST_LABEL = b"credit-hub/person-key/v1"
_ENCRYPT_LABEL = b"credit-hub/person-id-encryption/v1"
_NONCE_LABEL = b"credit-hub/person-id-nonce/v1"
_API_KEY_LABEL = b"credit-hub/api-key/v1"
_SUBJECT_LABEL = b"credit-hub/person-ref/v1"


class SecretsMissing(RuntimeError):
    """The hub's secret file is absent: run `credit-hub init` first."""


def _derive(master: bytes, label: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label).derive(master)


@dataclass(frozen=True, slots=True)
class Keyring:
    """Sub-keys derived from one 32-byte master secret, one per purpose."""

    digest_key: bytes
    encryption_key: bytes
    nonce_key: bytes
    api_key_key: bytes
    reference_key: bytes
    # Keyed once here rather than per call: an ingest digests and encrypts every person
    # (HMAC key setup and AES key expansion were half of that cost).
    _digest: hmac.HMAC = field(init=False, repr=False, compare=False)
    _nonce: hmac.HMAC = field(init=False, repr=False, compare=False)
    _api_key: hmac.HMAC = field(init=False, repr=False, compare=False)
    _encryption: AESGCM = field(init=False, repr=False, compare=False)
    _reference: AESGCM = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        keyed = {
            "_digest": hmac.new(self.digest_key, digestmod=hashlib.sha256),
            "_nonce": hmac.new(self.nonce_key, digestmod=hashlib.sha256),
            "_api_key": hmac.new(self.api_key_key, digestmod=hashlib.sha256),
            "_encryption": AESGCM(self.encryption_key),
            "_reference": AESGCM(self.reference_key),
        }
        for name, value in keyed.items():
            object.__setattr__(self, name, value)

    @classmethod
    def from_master(cls, master: bytes) -> Keyring:
        if len(master) != 32:
            raise ValueError("the master secret must be 32 bytes")
        return cls(
            digest_key=_derive(master, _DIGEST_LABEL),
            encryption_key=_derive(master, _ENCRYPT_LABEL),
            nonce_key=_derive(master, _NONCE_LABEL),
            api_key_key=_derive(master, _API_KEY_LABEL),
            reference_key=_derive(master, _SUBJECT_LABEL),
        )

    def person_key(self, person: PersonId) -> str:
        """The graph key of a person: a domain-separated keyed digest of the document."""
        return _mac(self._digest, person.canonical.encode()).hexdigest()

    def person_ref(self, person_key: str) -> str:
        """An opaque, stable reference for a person in the API (the federation key).

        The graph key sealed under a key of its own: stable (synthetic nonce), reveals
        nothing outside the hub, and the hub can turn it back into the graph key.
        """
        raw = bytes.fromhex(person_key)
        iv = _mac(self._nonce, b"ref\0" + raw).digest()[:12]
        sealed = self._reference.encrypt(iv, raw, b"person-ref")
        return "P" + base64.urlsafe_b64encode(iv + sealed).decode().rstrip("=")

    def person_key_of_ref(self, ref: str) -> str | None:
        """The graph key behind a reference, or None if it is not one of ours."""
        try:
            raw = base64.urlsafe_b64decode(ref[1:] + "=" * (-len(ref[1:]) % 4))
            key = self._reference.decrypt(raw[:12], raw[12:], b"person-ref")
        except (ValueError, InvalidTag):
            return None
        return key.hex() if ref.startswith("P") else None

    def encrypt_number(self, person: PersonId, person_key: str) -> str:
        data = person.number.encode()
        iv = _mac(self._nonce, person_key.encode() + b"\0" + data).digest()[:12]
        sealed = self._encryption.encrypt(iv, data, person_key.encode())
        return base64.b64encode(iv + sealed).decode()

    def decrypt_number(self, token: str, person_key: str) -> str:
        raw = base64.b64decode(token)
        return self._encryption.decrypt(raw[:12], raw[12:], person_key.encode()).decode()

    def seal(self, data: bytes, context: bytes) -> str:
        """Encrypt arbitrary bytes (e.g. a quarantined line) with a random nonce."""
        iv = secrets.token_bytes(12)
        return base64.b64encode(iv + self._encryption.encrypt(iv, data, context)).decode()

    def unseal(self, token: str, context: bytes) -> bytes:
        raw = base64.b64decode(token)
        return self._encryption.decrypt(raw[:12], raw[12:], context)

    def api_key_hash(self, api_key: str) -> str:
        return _mac(self._api_key, api_key.encode()).hexdigest()


def _mac(keyed: hmac.HMAC, data: bytes) -> hmac.HMAC:
    """HMAC of `data` under the key `keyed` was made with (a copy: `keyed` stays blank)."""
    mac = keyed.copy()
    mac.update(data)
    return mac


def create_secret_file(path: Path) -> bool:
    """Write a new master secret (0600). Returns False if one exists already."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    body = {"version": 1, "master": base64.b64encode(secrets.token_bytes(32)).decode()}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(body, fh)
    return True


def load_keyring(path: Path) -> Keyring:
    if not path.exists():
        raise SecretsMissing(f"no secret file at {path}: run `credit-hub init`")
    body = json.loads(path.read_text())
    return Keyring.from_master(base64.b64decode(body["master"]))
