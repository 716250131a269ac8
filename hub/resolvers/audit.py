"""Resolvers for auditors (the access log, checkpoints, proofs) and `accessesTo` for the
credit office. The log's calls block (they are answered by the log's process): they run
in a thread."""

from __future__ import annotations

import asyncio
import base64
from typing import Annotated

import strawberry

from audit import AuditError
from audit.process import LogProcess
from audit.tlogproof import make_tlog_proof
from hub.identifiers import Uscc
from hub.resolvers.inputs import subject_of
from hub.schema.audit_types import (
    AuditCheckpoint,
    AuditConsistencyProof,
    AuditEntry,
    AuditEntryConnection,
    AuditEntryEdge,
    AuditEntryFilter,
    AuditInclusionProof,
)
from hub.schema.errors import BadInput
from hub.schema.types import Ctx, PageInfo, SubjectInput

MAX_PAGE = 100
_CURSOR = "audit:"


def _log(info: Ctx) -> LogProcess:
    return info.context.services.audit


def _cursor(index: int) -> str:
    return base64.urlsafe_b64encode(f"{_CURSOR}{index}".encode()).decode()


def _index_of(cursor: str) -> int:
    try:
        text = base64.urlsafe_b64decode(cursor.encode()).decode()
        if not text.startswith(_CURSOR):
            raise ValueError(cursor)
        return int(text[len(_CURSOR) :])
    except ValueError:
        raise BadInput("after", "not a cursor of auditEntries") from None


async def audit_entries(
    info: Ctx, filter: AuditEntryFilter | None = None, first: int = 20, after: str | None = None
) -> AuditEntryConnection:
    """The access log in index order, filtered (every filter must match)."""
    if not 1 <= first <= MAX_PAGE:
        raise BadInput("first", f"between 1 and {MAX_PAGE}")
    start = _index_of(after) if after else None
    f = filter or AuditEntryFilter()
    rows = await asyncio.to_thread(
        _log(info).entries,
        start,
        first + 1,
        kind=f.kind,
        principal=f.principal,
        agency=f.agency,
        role=f.role,
        purpose=f.purpose,
        operation=f.operation,
        outcome=f.outcome,
        since=f.since,
        until=f.until,
    )
    edges = [AuditEntryEdge(cursor=_cursor(e.index), node=AuditEntry.of(e)) for e in rows[:first]]
    return AuditEntryConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=len(rows) > first,
            has_previous_page=start is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )


async def audit_checkpoint(info: Ctx) -> AuditCheckpoint:
    """A signed checkpoint covering every entry acknowledged so far."""
    return AuditCheckpoint.of(await asyncio.to_thread(_log(info).checkpoint_now))


def _check_size(log_size: int, name: str, size: int) -> None:
    if not 1 <= size <= log_size:
        raise BadInput(name, f"between 1 and the log's size ({log_size})")


async def audit_inclusion_proof(
    info: Ctx, index: int, tree_size: int | None = None
) -> AuditInclusionProof:
    """Proof that entry `index` is in the tree of `treeSize` (default: the latest checkpoint)."""
    return await asyncio.to_thread(_inclusion_proof, _log(info), index, tree_size)


def _inclusion_proof(log: LogProcess, index: int, tree_size: int | None) -> AuditInclusionProof:
    latest = log.latest_checkpoint() or log.checkpoint_now()
    size = latest.size if tree_size is None else tree_size
    _check_size(log.size, "treeSize", size)
    if not 0 <= index < size:
        raise BadInput("index", f"between 0 and treeSize - 1 ({size - 1})")
    try:
        proof = log.inclusion_proof(index, size)
        signed = next(iter(log.checkpoints(size)), None)
        tlog = make_tlog_proof(index, proof, signed) if signed and signed.size == size else None
    except (AuditError, IndexError, ValueError) as exc:
        raise BadInput("index", str(exc)) from None
    return AuditInclusionProof(
        index=index,
        tree_size=size,
        leaf_hash=log.leaf_hash(index).hex(),
        hashes=[h.hex() for h in proof],
        tlog_proof=tlog,
    )


async def audit_consistency_proof(
    info: Ctx,
    from_size: Annotated[int, strawberry.argument(name="from")],
    to_size: Annotated[int, strawberry.argument(name="to")],
) -> AuditConsistencyProof:
    """Proof that the tree of `from` entries is a prefix of the tree of `to` entries."""
    return await asyncio.to_thread(_consistency_proof, _log(info), from_size, to_size)


def _consistency_proof(log: LogProcess, from_size: int, to_size: int) -> AuditConsistencyProof:
    log_size = log.size
    _check_size(log_size, "from", from_size)
    _check_size(log_size, "to", to_size)
    if from_size > to_size:
        raise BadInput("from", "must not exceed to")
    proof = log.consistency_proof(from_size, to_size)
    return AuditConsistencyProof(
        from_size=from_size, to_size=to_size, hashes=[h.hex() for h in proof]
    )


async def accesses_to(
    info: Ctx, subject: SubjectInput, purpose: str | None = None
) -> list[AuditEntry]:
    """Every logged request that touched this subject (redacted entries excepted)."""
    parsed = subject_of(subject)
    if isinstance(parsed, Uscc):
        key = parsed.value
    else:
        key = info.context.services.keyring.person_key(parsed)
    info.context.access.note_subjects([key])
    entries = await asyncio.to_thread(_log(info).accesses_to, key)
    return [AuditEntry.of(e) for e in entries]
