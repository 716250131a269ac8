"""C2SP tlog-checkpoint bodies (https://c2sp.org/tlog-checkpoint) and their signing.

A checkpoint is the only thing the log operator commits to in public: origin, tree size
and root hash.  The credit office cosigns by adding its own signature line to the same
note, so one file carries both attestations and either key can be rotated (verifiers
look keys up by name *and* key id).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from audit.encoding import b64decode, b64encode, parse_decimal
from audit.errors import CheckpointError, NoteError
from audit.merkle import HASH_SIZE
from audit.note import Signer, VerifiedNote, Verifier, add_signatures, open_note, sign_note


@dataclass(frozen=True)
class Checkpoint:
    """The note text of a checkpoint."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.origin or "\n" in self.origin:
            raise CheckpointError("origin must be a non-empty single line")
        if self.size < 0:
            raise CheckpointError("tree size must not be negative")
        if len(self.root) != HASH_SIZE:
            raise CheckpointError("root hash must be 32 bytes")
        for ext in self.extensions:
            if not ext or "\n" in ext:
                raise CheckpointError("extension lines must be non-empty single lines")

    def to_text(self) -> str:
        """The checkpoint body, ending in a newline."""
        lines = [self.origin, str(self.size), b64encode(self.root), *self.extensions]
        return "".join(line + "\n" for line in lines)

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse a checkpoint body strictly (no blank lines, canonical numbers/base64)."""
        if not text.endswith("\n"):
            raise CheckpointError("checkpoint must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3:
            raise CheckpointError("checkpoint needs origin, size and root lines")
        if any(not line for line in lines):
            raise CheckpointError("checkpoint lines must be non-empty")
        origin, size_text, root_text, *extensions = lines
        try:
            size = parse_decimal(size_text)
            root = b64decode(root_text)
        except ValueError as exc:
            raise CheckpointError(str(exc)) from exc
        return cls(origin, size, root, tuple(extensions))


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint together with its signed-note wire form."""

    checkpoint: Checkpoint
    note: str

    @property
    def size(self) -> int:
        """Tree size covered."""
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        """Root hash at that size."""
        return self.checkpoint.root


def sign_checkpoint(checkpoint: Checkpoint, signers: Sequence[Signer]) -> SignedCheckpoint:
    """Sign a checkpoint with the log key and any cosigners, in one note."""
    return SignedCheckpoint(checkpoint, sign_note(checkpoint.to_text(), signers))


def cosign(note: str, signers: Sequence[Signer]) -> str:
    """Add further signature lines (e.g. the credit office's) to a signed checkpoint."""
    try:
        Checkpoint.parse(_text_of(note))
    except NoteError as exc:
        raise CheckpointError(str(exc)) from exc
    return add_signatures(note, signers)


def _text_of(note: str) -> str:
    split = note.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no blank line before its signatures")
    return note[: split + 1]


def open_checkpoint(
    note: str,
    verifiers: Iterable[Verifier],
    origin: str | None = None,
    required: Iterable[str] = (),
) -> SignedCheckpoint:
    """Verify the note signatures, then parse the body; optionally pin the origin."""
    try:
        verified: VerifiedNote = open_note(note, verifiers, required)
    except NoteError as exc:
        raise CheckpointError(f"checkpoint signature: {exc}") from exc
    checkpoint = Checkpoint.parse(verified.text)
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint origin {checkpoint.origin!r} is not {origin!r}")
    return SignedCheckpoint(checkpoint, note)
