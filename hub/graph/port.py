"""The graph store port: the one interface the rest of the hub uses.

Rows crossing this port are plain dicts of strings (dates as ISO strings) that hold no
clear ID number: persons are keyed by their keyed digest (`pkey`) and carry only a
masked and an encrypted copy of the document number.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Row = dict[str, Any]
SubjectKind = Literal["institution", "person"]

# Batch order: subjects (and agencies) first, so records and edges find their ends.
NODE_BATCHES = (
    "Agency",
    "Institution",
    "Person",
    "ListEntry",
    "Penalty",
    "Evaluation",
    "Commitment",
    "Feedback",
)
SUBJECT_LABELS = ("Agency", "Institution", "Person")


@dataclass
class WriteBatch:
    """Everything one ingest batch writes, prepared by the ingest layer."""

    nodes: dict[str, list[Row]] = field(default_factory=lambda: {k: [] for k in NODE_BATCHES})
    roles: list[Row] = field(default_factory=list)
    responsible: list[Row] = field(default_factory=list)
    ref_institutions: list[Row] = field(default_factory=list)
    ref_persons: list[Row] = field(default_factory=list)

    def __len__(self) -> int:
        return sum(len(v) for v in self.nodes.values()) + len(self.roles)


@dataclass
class UpsertCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def add(self, other: UpsertCounts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged


@dataclass(frozen=True)
class Page:
    rows: list[Row]
    has_next: bool


class GraphStore(Protocol):
    """What the hub needs of a graph database; both adapters pass one contract suite."""

    name: str

    async def setup(self) -> None:
        """Create tables, constraints and indexes if they are missing."""

    async def close(self) -> None: ...

    async def write(self, batch: WriteBatch, now: str) -> dict[str, UpsertCounts]:
        """Idempotent upsert of one batch in one transaction; counts per table."""

    async def get_nodes(self, label: str, keys: list[str]) -> dict[str, Row]: ...

    async def agency_codes(self) -> set[str]: ...

    async def roles_of(self, kind: SubjectKind, keys: list[str]) -> dict[str, list[Row]]:
        """Role history (every role ever held, with dates), grouped by owner key."""

    async def entries_of(self, kind: SubjectKind, keys: list[str]) -> dict[str, list[Row]]:
        """List entries whose subject is one of `keys`, grouped by owner key."""

    async def responsible_of(self, entry_ids: list[str]) -> dict[str, list[Row]]: ...

    async def records_of(
        self, label: str, kind: SubjectKind, keys: list[str]
    ) -> dict[str, list[Row]]:
        """Penalties, evaluations or commitments about subjects, grouped by owner key."""

    async def sanction_facts(
        self, kind: SubjectKind, keys: list[str], derived_roles: list[str]
    ) -> dict[str, list[Row]]:
        """Every list entry that can reach each subject, with the path, in one round trip."""

    async def current_holders(self, usccs: list[str], as_of: str) -> dict[str, list[Row]]: ...

    async def list_entries(self, filters: dict[str, str], first: int, after: str) -> Page: ...

    async def counts(self) -> dict[str, int]: ...
