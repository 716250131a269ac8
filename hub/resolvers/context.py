"""Per-request context: the services, and DataLoaders so nested fields batch (no N+1)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from audit import AuditLog
from hub.access.keys import KeyStore
from hub.access.state import AccessState
from hub.graph.cypher_store import CypherStore
from hub.graph.port import Row, SubjectKind
from hub.personal_data import Keyring
from hub.sanctions.catalogue import Catalogue
from hub.sanctions.service import SanctionService
from hub.settings import Settings
from hub.workflows import WorkflowService


@dataclass
class Services:
    """Long-lived objects shared by every request."""

    settings: Settings
    store: CypherStore
    keyring: Keyring
    catalogue: Catalogue
    sanctions: SanctionService
    keys: KeyStore
    audit: AuditLog
    workflows: WorkflowService
    # "today" for the workflows (the default date of a step, the back-dating window);
    # replaceable so a test can walk a year in a few seconds
    clock: Callable[[], dt.date] = dt.date.today

    async def close(self) -> None:
        await self.store.close()
        await asyncio.to_thread(self.audit.close)
        self.keys.close()


Note = Callable[[Iterable[str | None]], None]
_SUBJECT_COLUMNS = ("uscc", "pkey", "subject_key")


def _ignore(_: Iterable[str | None]) -> None:
    return None


def _grouped_loader(
    fetch: Callable[[list[str]], Awaitable[dict[str, list[Row]]]],
    note: Note = _ignore,
    keyed_by_subject: bool = True,
) -> DataLoader[str, list[Row]]:
    """Rows grouped by key; the subjects they disclose are noted for the access log."""

    async def load(keys: list[str]) -> list[list[Row]]:
        found = await fetch(list(keys))
        if keyed_by_subject:
            note(k for k in keys if found.get(k))
        note(r.get(c) for rows in found.values() for r in rows for c in _SUBJECT_COLUMNS)
        return [found.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def _node_loader(store: CypherStore, label: str, note: Note) -> DataLoader[str, Row | None]:
    async def load(keys: list[str]) -> list[Row | None]:
        found = await store.get_nodes(label, list(keys))
        note(found)
        return [found.get(k) for k in keys]

    return DataLoader(load_fn=load)


def _agencies_by_kind(store: CypherStore) -> DataLoader[str, list[Row]]:
    """All agencies of a kind; every enforcing-agency field of a request shares one load."""

    async def load(kinds: list[str]) -> list[list[Row]]:
        nodes = await store.get_nodes("Agency", sorted(await store.agency_codes()))
        return [[n for _, n in sorted(nodes.items()) if n.get("kind") == k] for k in kinds]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    institution: DataLoader[str, Row | None]
    person: DataLoader[str, Row | None]
    roles: dict[SubjectKind, DataLoader[str, list[Row]]]
    entries: dict[SubjectKind, DataLoader[str, list[Row]]]
    records: dict[tuple[str, SubjectKind], DataLoader[str, list[Row]]]
    responsible: DataLoader[str, list[Row]]
    agencies: DataLoader[str, list[Row]]

    @classmethod
    def create(cls, store: CypherStore, access: AccessState | None = None) -> Loaders:
        """Loaders for one request; subjects they load are noted in ``access``."""
        kinds: tuple[SubjectKind, ...] = ("institution", "person")
        note = access.note_subjects if access is not None else _ignore

        def grouped(
            fetch: Callable[[list[str]], Awaitable[dict[str, list[Row]]]],
        ) -> DataLoader[str, list[Row]]:
            return _grouped_loader(fetch, note)

        return cls(
            institution=_node_loader(store, "Institution", note),
            person=_node_loader(store, "Person", note),
            roles={k: grouped(partial(store.roles_of, k)) for k in kinds},
            entries={k: grouped(partial(store.entries_of, k)) for k in kinds},
            records={
                (label, k): grouped(partial(store.records_of, label, k))
                for label in ("Penalty", "Evaluation", "Commitment")
                for k in kinds
            },
            responsible=_grouped_loader(store.responsible_of, note, keyed_by_subject=False),
            agencies=_agencies_by_kind(store),
        )


@dataclass
class HubContext:
    services: Services
    loaders: Loaders
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    access: AccessState = field(default_factory=AccessState)
