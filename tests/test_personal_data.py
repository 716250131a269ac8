"""Keyed digests and ciphertexts stay what earlier ingests stored (keys set up once)."""

from __future__ import annotations

import base64
import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from hub.identifiers import PersonId
from hub.personal_data import Keyring

PERSON = PersonId("resident_id", "11010519491231002X")


def test_digest_and_ciphertext_are_the_documented_constructions() -> None:
    keyring = Keyring.from_master(bytes(range(32)))
    for _ in range(2):  # the keyed state is reused, never changed by a call
        pkey = keyring.person_key(PERSON)
        expected = hmac.new(keyring.digest_key, PERSON.canonical.encode(), hashlib.sha256)
        assert pkey == expected.hexdigest()
        data = PERSON.number.encode()
        nonce = hmac.new(keyring.nonce_key, pkey.encode() + b"\0" + data, hashlib.sha256)
        iv = nonce.digest()[:12]
        sealed = AESGCM(keyring.encryption_key).encrypt(iv, data, pkey.encode())
        token = keyring.encrypt_number(PERSON, pkey)
        assert token == base64.b64encode(iv + sealed).decode()
        assert keyring.decrypt_number(token, pkey) == PERSON.number
        assert keyring.person_key_of_ref(keyring.person_ref(pkey)) == pkey
        assert keyring.unseal(keyring.seal(b"row", b"ctx"), b"ctx") == b"row"
    assert keyring.api_key_hash("k") == (
        hmac.new(keyring.api_key_key, b"k", hashlib.sha256).hexdigest()
    )
    assert keyring == Keyring.from_master(bytes(range(32)))
