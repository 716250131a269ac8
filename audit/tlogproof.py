"""C2SP tlog-proof files (https://c2sp.org/tlog-proof): offline proof of one entry.

A receipt handed to a data subject or an agency is only useful if it can be checked
without talking to the hub; a tlog-proof bundles the index, the inclusion proof and the
signed (and cosigned) checkpoint in one small text file.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from audit.checkpoint import SignedCheckpoint, open_checkpoint
from audit.encoding import b64decode, b64encode, parse_decimal
from audit.errors import CheckpointError, ProofError
from audit.merkle import verify_inclusion
from audit.note import Verifier

HEADER = "c2sp.org/tlog-proof@v1"


@dataclass(frozen=True)
class TlogProof:
    """A parsed tlog-proof (nothing verified yet)."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint_note: str
    extra: bytes | None = None

    def render(self) -> str:
        """Wire form of the proof."""
        lines = [HEADER]
        if self.extra is not None:
            lines.append("extra " + b64encode(self.extra))
        lines.append(f"index {self.index}")
        lines.extend(b64encode(h) for h in self.proof)
        return "".join(line + "\n" for line in lines) + "\n" + self.checkpoint_note


def parse_tlog_proof(text: str) -> TlogProof:
    """Parse a tlog-proof strictly."""
    head, sep, checkpoint_note = text.partition("\n\n")
    if not sep:
        raise ProofError("tlog-proof lacks the blank line before its checkpoint")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise ProofError(f"tlog-proof must start with {HEADER}")
    pos = 1
    extra: bytes | None = None
    try:
        if pos < len(lines) and lines[pos].startswith("extra "):
            extra = b64decode(lines[pos][len("extra ") :])
            pos += 1
        if pos >= len(lines) or not lines[pos].startswith("index "):
            raise ProofError("tlog-proof lacks an index line")
        index = parse_decimal(lines[pos][len("index ") :])
        proof = tuple(b64decode(line) for line in lines[pos + 1 :])
    except ValueError as exc:
        raise ProofError(f"malformed tlog-proof: {exc}") from exc
    if any(len(h) != 32 for h in proof):
        raise ProofError("tlog-proof hashes must be 32 bytes")
    return TlogProof(index, proof, checkpoint_note, extra)


def make_tlog_proof(
    index: int, proof: Sequence[bytes], checkpoint: SignedCheckpoint, extra: bytes | None = None
) -> str:
    """Render a tlog-proof for entry ``index`` under ``checkpoint``."""
    return TlogProof(index, tuple(proof), checkpoint.note, extra).render()


def verify_tlog_proof(
    text: str,
    leaf_hash: bytes,
    verifiers: Iterable[Verifier],
    origin: str | None = None,
    required: Iterable[str] = (),
) -> SignedCheckpoint:
    """Check signatures, then inclusion of ``leaf_hash``; returns the trusted checkpoint."""
    parsed = parse_tlog_proof(text)
    try:
        signed = open_checkpoint(parsed.checkpoint_note, verifiers, origin, required)
    except CheckpointError as exc:
        raise ProofError(str(exc)) from exc
    cp = signed.checkpoint
    verify_inclusion(leaf_hash, parsed.index, cp.size, parsed.proof, cp.root)
    return signed
