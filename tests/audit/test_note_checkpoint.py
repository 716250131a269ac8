"""Signed notes, checkpoints and tlog-proofs: sign, verify, tamper, reject malformed."""

from __future__ import annotations

import base64

import pytest

from audit import (
    Checkpoint,
    CheckpointError,
    NoteError,
    ProofError,
    Signer,
    Verifier,
    cosign,
    generate_key,
    open_checkpoint,
    open_note,
    sign_checkpoint,
    sign_note,
    verify_tlog_proof,
)
from audit.merkle import leaf_hash
from audit.note import parse_note
from audit.tlogproof import make_tlog_proof, parse_tlog_proof
from audit.tree import MerkleTree

TEXT = "credit-hub.test/audit\n5\n" + base64.b64encode(bytes(32)).decode() + "\n"


def test_keygen_roundtrip() -> None:
    skey, vkey = generate_key("example.org/log")
    signer = Signer.from_string(skey)
    verifier = Verifier.from_string(vkey)
    assert signer.verifier() == verifier or signer.verifier().to_string() == vkey
    assert skey.startswith("PRIVATE+KEY+example.org/log+")
    assert open_note(sign_note("hello\n", [signer]), [verifier]).text == "hello\n"


def test_multi_sign_required_and_unknown() -> None:
    a, b, c = (Signer.generate(n) for n in ("log.a", "office.b", "stranger.c"))
    note = sign_note("body\n", [a, b, c])
    opened = open_note(note, [a.verifier(), b.verifier()], required=["log.a", "office.b"])
    assert opened.signer_names == {"log.a", "office.b"}
    assert [s.name for s in opened.unverified] == ["stranger.c"]
    with pytest.raises(NoteError, match="missing required"):
        open_note(sign_note("body\n", [a]), [a.verifier(), b.verifier()], required=["office.b"])
    with pytest.raises(NoteError, match="no signature from a trusted key"):
        open_note(sign_note("body\n", [c]), [a.verifier()])


def test_same_name_other_key_is_ignored_and_rotation_works() -> None:
    old, new = Signer.generate("log.example"), Signer.generate("log.example")
    assert old.key_id != new.key_id
    note = sign_note("body\n", [new])
    with pytest.raises(NoteError):
        open_note(note, [old.verifier()])
    assert open_note(note, [old.verifier(), new.verifier()]).signer_names == {"log.example"}


def test_tampering_is_detected() -> None:
    signer = Signer.generate("log.example")
    note = sign_note("amount 100\n", [signer])
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(note.replace("100", "900"), [signer.verifier()])
    sig = note.split(" ")[-1].strip()
    raw = bytearray(base64.b64decode(sig))
    raw[10] ^= 1
    forged = note.replace(sig, base64.b64encode(bytes(raw)).decode())
    with pytest.raises(NoteError, match="invalid signature"):
        open_note(forged, [signer.verifier()])


@pytest.mark.parametrize(
    ("note", "why"),
    [
        ("text\n— k AAAAAAA=\n", "blank line"),
        ("text\n\n— k AAAAAAA=", "newline"),
        ("text\n\n", "no signatures"),
        ("text\n\n- k AAAAAAA=\n", "malformed signature line"),
        ("text\n\n— k+x AAAAAAA=\n", "invalid key name"),
        ("text\n\n— k AAAAAAA\n", "base64"),
        ("text\n\n— k AAAA\n", "too short"),
        ("te\tx\n\n— k AAAAAAA=\n", "control character"),
        ("text\n\n— k AAAAAAA=\n— k AAAAAAA=\n", "duplicate"),
        ("text\n\n—  AAAAAAA=\n", "invalid key name"),
    ],
)
def test_malformed_notes_rejected(note: str, why: str) -> None:
    with pytest.raises(NoteError, match=why):
        parse_note(note)


def test_bad_key_strings() -> None:
    skey, vkey = generate_key("k.example")
    name, kid, key = vkey.split("+", 2)
    with pytest.raises(NoteError, match="key id"):
        Verifier.from_string(f"{name}+{int(kid, 16) ^ 1:08x}+{key}")
    with pytest.raises(NoteError):
        Verifier.from_string(f"{name}+{kid}")
    with pytest.raises(NoteError):
        Signer.from_string(vkey)
    with pytest.raises(NoteError, match="key id"):
        Signer.from_string(skey.replace("+k.example+", "+other.example+"))


def test_checkpoint_roundtrip_cosign_and_parse_strictness() -> None:
    log, office = Signer.generate("credit-hub.test/audit"), Signer.generate("office.test")
    cp = Checkpoint("credit-hub.test/audit", 5, bytes(32), ("ext line",))
    assert Checkpoint.parse(cp.to_text()) == cp
    signed = sign_checkpoint(cp, [log])
    both = cosign(signed.note, [office])
    assert both.startswith(signed.note.rstrip("\n"))
    assert both.count("\n— ") == 2
    opened = open_checkpoint(
        both, [log.verifier(), office.verifier()], origin=cp.origin, required=[office.name]
    )
    assert opened.checkpoint == cp
    with pytest.raises(CheckpointError, match="origin"):
        open_checkpoint(both, [log.verifier()], origin="other")
    with pytest.raises(CheckpointError):
        open_checkpoint(signed.note, [log.verifier()], required=[office.name])
    for bad in [
        TEXT.replace("\n5\n", "\n05\n"),
        TEXT.replace("\n5\n", "\n+5\n"),
        TEXT.replace("\n5\n", "\n\n"),
        TEXT[:-1],
        "origin\n5\n",
        TEXT.replace("AAAA=", "AAA="),
        TEXT + "\n",
        "origin\n5\n" + base64.b64encode(bytes(31)).decode() + "\n",
    ]:
        with pytest.raises(CheckpointError):
            Checkpoint.parse(bad)


def test_tlog_proof_roundtrip_and_tamper() -> None:
    signer = Signer.generate("credit-hub.test/audit")
    leaves = [b"leaf %d" % i for i in range(11)]
    tree = MerkleTree.from_leaf_hashes([leaf_hash(x) for x in leaves])
    signed = sign_checkpoint(Checkpoint(signer.name, 11, tree.root()), [signer])
    text = make_tlog_proof(6, tree.inclusion_proof(6), signed, extra=b"ctx")
    assert text.startswith("c2sp.org/tlog-proof@v1\nextra Y3R4\nindex 6\n")
    parsed = parse_tlog_proof(text)
    assert parsed.index == 6 and parsed.extra == b"ctx"
    assert verify_tlog_proof(text, leaf_hash(leaves[6]), [signer.verifier()]).size == 11
    with pytest.raises(ProofError):
        verify_tlog_proof(text, leaf_hash(leaves[5]), [signer.verifier()])
    with pytest.raises(ProofError):
        verify_tlog_proof(
            text.replace("index 6", "index 5"), leaf_hash(leaves[6]), [signer.verifier()]
        )
    with pytest.raises(ProofError):
        verify_tlog_proof(text, leaf_hash(leaves[6]), [Signer.generate("x.y").verifier()])
    with pytest.raises(ProofError):
        parse_tlog_proof(text.replace("index 6", "index 06"))
