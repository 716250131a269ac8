"""Exceptions raised by the audit package.

They live in one module so that callers (the hub, the CLI, auditors' scripts) can catch
precise failure classes without importing the module that raised them.
"""

from __future__ import annotations


class AuditError(Exception):
    """Base class for every error raised by the audit package."""


class AuditUnavailable(AuditError):
    """The log cannot durably record entries; callers must fail closed (HTTP 503)."""


class ProofError(AuditError):
    """A Merkle inclusion or consistency proof did not verify."""


class NoteError(AuditError):
    """A signed note or key string is malformed or its signatures do not verify."""


class CheckpointError(AuditError):
    """A checkpoint body is malformed or does not match what was expected."""


class LeafError(AuditError):
    """A leaf record is malformed or not in canonical form."""


class CorruptLog(AuditError):
    """The stored log disagrees with its own signed checkpoints."""
