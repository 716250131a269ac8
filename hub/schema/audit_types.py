"""GraphQL types of the access log, for auditors: entries (never a subject, only its
commitment), signed checkpoints and Merkle proofs, hashes in lowercase hex."""

from __future__ import annotations

import strawberry

from audit import AccessLeaf, Entry, SignedCheckpoint
from hub.schema.types import PageInfo


@strawberry.type(description="What happened: allowed, refused or error; subjects; error class.")
class AuditResult:
    outcome: str
    subjects: int
    error_class: str | None


@strawberry.type(description="One leaf of the access log, and the exact bytes that were hashed.")
class AuditEntry:
    index: int
    leaf_hash: str
    kind: str
    time: str
    principal: str
    agency: str | None
    role: str | None
    purpose: str | None
    operation: str | None
    query_sha256: str | None
    result: AuditResult | None
    subject_commitments: list[str]
    redacts: int | None
    basis: str | None
    leaf: str = strawberry.field(description="The canonical (RFC 8785) JSON leaf, as hashed.")

    @classmethod
    def of(cls, entry: Entry) -> AuditEntry:
        leaf = entry.leaf
        raw = entry.raw.decode("utf-8")
        if isinstance(leaf, AccessLeaf):
            r = leaf.record
            return cls(
                index=entry.index,
                leaf_hash=entry.leaf_hash,
                kind="access",
                time=r.time,
                principal=r.principal,
                agency=r.agency,
                role=r.role,
                purpose=r.purpose,
                operation=r.operation,
                query_sha256=r.query_sha256,
                result=AuditResult(
                    outcome=r.result.outcome,
                    subjects=r.result.subjects,
                    error_class=r.result.error_class,
                ),
                subject_commitments=list(leaf.subjects),
                redacts=None,
                basis=None,
                leaf=raw,
            )
        return cls(
            index=entry.index,
            leaf_hash=entry.leaf_hash,
            kind="redaction",
            time=leaf.time,
            principal=leaf.principal,
            agency=None,
            role=None,
            purpose=None,
            operation=None,
            query_sha256=None,
            result=None,
            subject_commitments=[],
            redacts=leaf.index,
            basis=leaf.basis,
            leaf=raw,
        )


@strawberry.input
class AuditEntryFilter:
    principal: str | None = None
    agency: str | None = None
    role: str | None = None
    purpose: str | None = None
    operation: str | None = None
    outcome: str | None = None
    kind: str | None = None
    since: str | None = strawberry.field(default=None, description="RFC 3339 UTC, inclusive")
    until: str | None = strawberry.field(default=None, description="RFC 3339 UTC, exclusive")


@strawberry.type
class AuditEntryEdge:
    cursor: str
    node: AuditEntry


@strawberry.type
class AuditEntryConnection:
    edges: list[AuditEntryEdge]
    page_info: PageInfo

    @strawberry.field
    def nodes(self) -> list[AuditEntry]:
        return [e.node for e in self.edges]


@strawberry.type(description="A signed checkpoint (C2SP tlog-checkpoint as a signed note).")
class AuditCheckpoint:
    origin: str
    tree_size: int
    root_hash: str
    note: str = strawberry.field(description="The signed note; verify it with the log's key.")

    @classmethod
    def of(cls, signed: SignedCheckpoint) -> AuditCheckpoint:
        cp = signed.checkpoint
        return cls(origin=cp.origin, tree_size=cp.size, root_hash=cp.root.hex(), note=signed.note)


@strawberry.type(description="RFC 9162 inclusion proof of one entry in the tree of treeSize.")
class AuditInclusionProof:
    index: int
    tree_size: int
    leaf_hash: str
    hashes: list[str]
    tlog_proof: str | None = strawberry.field(
        description="C2SP tlog-proof with the checkpoint signed at treeSize, if one was."
    )


@strawberry.type(description="RFC 9162 consistency proof between two tree sizes.")
class AuditConsistencyProof:
    from_size: int
    to_size: int
    hashes: list[str]
