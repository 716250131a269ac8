"""Standalone, tamper-evident access log for credit-hub (no dependency on ``hub``).

Auditors can install and use this package alone: Merkle proofs (RFC 9162), C2SP signed
notes, checkpoints and tlog-proofs, and an offline verifier for exports.
"""

from audit.checkpoint import Checkpoint, SignedCheckpoint, cosign, open_checkpoint, sign_checkpoint
from audit.errors import (
    AuditError,
    AuditUnavailable,
    CheckpointError,
    CorruptLog,
    LeafError,
    NoteError,
    ProofError,
)
from audit.export import ExportSummary, export_database
from audit.leaf import (
    AccessLeaf,
    AccessRecord,
    Leaf,
    RedactionLeaf,
    Result,
    decode_leaf,
    encode_leaf,
    query_sha256,
    subject_commitment,
    utc_now,
)
from audit.merkle import leaf_hash, verify_consistency, verify_inclusion
from audit.note import Signer, Verifier, generate_key, open_note, sign_note
from audit.store import AuditLog, Entry, Receipt
from audit.tlogproof import parse_tlog_proof, verify_tlog_proof
from audit.tree import MerkleTree
from audit.verify import Problem, VerifyResult, verify_export

__all__ = [
    "AccessLeaf",
    "AccessRecord",
    "AuditError",
    "AuditLog",
    "AuditUnavailable",
    "Checkpoint",
    "CheckpointError",
    "CorruptLog",
    "Entry",
    "ExportSummary",
    "Leaf",
    "LeafError",
    "MerkleTree",
    "NoteError",
    "Problem",
    "ProofError",
    "Receipt",
    "RedactionLeaf",
    "Result",
    "SignedCheckpoint",
    "Signer",
    "Verifier",
    "VerifyResult",
    "cosign",
    "decode_leaf",
    "encode_leaf",
    "export_database",
    "generate_key",
    "leaf_hash",
    "open_checkpoint",
    "open_note",
    "parse_tlog_proof",
    "query_sha256",
    "sign_checkpoint",
    "sign_note",
    "subject_commitment",
    "utc_now",
    "verify_consistency",
    "verify_export",
    "verify_inclusion",
    "verify_tlog_proof",
]
