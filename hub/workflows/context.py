"""What every workflow shares: the store, the rules, the acting agency and the history.

Every step runs in one store transaction: it reads the state it checks through the
transaction's `run`, raises WorkflowError (which rolls everything back) or writes the
new state together with one history event (date, acting agency and role, note).
"""

from __future__ import annotations

import datetime as dt
import time
import uuid
from dataclasses import dataclass
from typing import Literal

from hub.graph.cypher_store import CypherStore, Run
from hub.graph.port import Row
from hub.identifiers import PersonId, Uscc
from hub.personal_data import Keyring
from hub.sanctions.catalogue import Catalogue
from hub.workflows import queries as wq
from hub.workflows.config import WorkflowConfig
from hub.workflows.errors import WorkflowError

SubjectKind = Literal["institution", "person"]
SubjectInput = Uscc | PersonId


@dataclass(frozen=True, slots=True)
class Actor:
    """The acting principal: an agency known to the hub, its kind, and the user's role."""

    agency: str
    kind: str
    role: str


@dataclass(frozen=True, slots=True)
class SubjectRef:
    """An institution (USCC) or a person (graph key, never the document number)."""

    kind: SubjectKind
    key: str


@dataclass(frozen=True, slots=True)
class HistoryEvent:
    target_kind: str
    target_key: str
    action: str
    on: str
    agency: str
    role: str
    detail: str
    note: str
    recorded_at: str


def iso(day: dt.date) -> str:
    return day.isoformat()


def now_stamp() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def new_key(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def need_text(field: str, value: str | None) -> str:
    text = (value or "").strip()
    if not text:
        raise WorkflowError(field, "must not be empty")
    if len(text) > 4000:
        raise WorkflowError(field, "is longer than 4000 characters")
    return text


class Context:
    """The shared services of the workflows."""

    def __init__(
        self,
        store: CypherStore,
        keyring: Keyring,
        config: WorkflowConfig,
        catalogue: Catalogue,
    ) -> None:
        self.store = store
        self.keyring = keyring
        self.config = config
        self.catalogue = catalogue

    def subject(self, subject: SubjectInput) -> SubjectRef:
        if isinstance(subject, Uscc):
            return SubjectRef("institution", subject.value)
        return SubjectRef("person", self.keyring.person_key(subject))

    async def actor(self, run: Run, agency: str, role: str) -> Actor:
        """The acting agency must be known to the hub; the role is recorded as given."""
        if not role or not role.strip():
            raise WorkflowError("role", "the acting role is required")
        rows = await run(wq.get("Agency"), {"keys": [agency]})
        if not rows:
            raise WorkflowError("agency", f"unknown agency {agency!r}")
        return Actor(agency=agency, kind=rows[0]["kind"] or "other", role=role.strip())

    async def agencies(self) -> list[Row]:
        return await self.store.read(wq.AGENCIES, {})

    async def require_subject(self, run: Run, subject: SubjectRef, field: str = "subject") -> Row:
        rows = await run(wq.SUBJECT_EXISTS[subject.kind], {"key": subject.key})
        if not rows:
            what = f"institution {subject.key}" if subject.kind == "institution" else "person"
            raise WorkflowError(field, f"unknown {what}: no record of it in the hub")
        return rows[0]

    async def record(
        self,
        run: Run,
        target_kind: str,
        target_key: str,
        action: str,
        on: dt.date,
        actor: Actor | None,
        note: str = "",
        detail: str = "",
    ) -> None:
        """Append one history event (a node per event)."""
        row = {
            "event_key": f"ev-{time.time_ns():020d}-{uuid.uuid4().hex[:8]}",  # sorts in order
            "target_kind": target_kind,
            "target_key": target_key,
            "action": action,
            "on_date": iso(on),
            "agency": actor.agency if actor else "system",
            "role": actor.role if actor else "system",
            "detail": detail,
            "note": note,
            "recorded_at": now_stamp(),
        }
        await run(wq.upsert("WorkflowEvent"), {"rows": [row]})

    async def history(self, target_kind: str, target_key: str) -> list[HistoryEvent]:
        rows = await self.store.read(
            wq.HISTORY, {"target_kind": target_kind, "target_key": target_key}
        )
        return [
            HistoryEvent(
                target_kind=r["target_kind"],
                target_key=r["target_key"],
                action=r["action"],
                on=r["on_date"],
                agency=r["agency"],
                role=r["role"],
                detail=r["detail"] or "",
                note=r["note"] or "",
                recorded_at=r["recorded_at"],
            )
            for r in rows
        ]
