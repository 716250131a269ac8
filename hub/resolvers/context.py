"""Per-request context: the services, and DataLoaders so nested fields batch (no N+1)."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

from strawberry.dataloader import DataLoader

from audit.process import LogProcess
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
    audit: LogProcess
    workflows: WorkflowService
    # "today" for the workflows (the default date of a step, the back-dating window);
    # replaceable so a test can walk a year in a few seconds
    clock: Callable[[], dt.date] = dt.date.today

    async def close(self) -> None:
        if self.sanctions.index is not None:
            await self.sanctions.index.close()
        await self.store.close()
        await asyncio.to_thread(self.audit.close)
        self.keys.close()


Note = Callable[[Iterable[str | None]], None]
_SUBJECT_COLUMNS = ("uscc", "pkey", "subject_key")
_KINDS: tuple[SubjectKind, ...] = ("institution", "person")


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


class Loaders:
    """A request's DataLoaders, each made on first use (most requests need one or two)."""

    def __init__(self, store: CypherStore, access: AccessState | None = None) -> None:
        self._store = store
        self._note: Note = access.note_subjects if access is not None else _ignore

    @classmethod
    def create(cls, store: CypherStore, access: AccessState | None = None) -> Loaders:
        """Loaders for one request; subjects they load are noted in ``access``."""
        return cls(store, access)

    def _grouped(
        self, fetch: Callable[[list[str]], Awaitable[dict[str, list[Row]]]]
    ) -> DataLoader[str, list[Row]]:
        return _grouped_loader(fetch, self._note)

    @cached_property
    def institution(self) -> DataLoader[str, Row | None]:
        return _node_loader(self._store, "Institution", self._note)

    @cached_property
    def person(self) -> DataLoader[str, Row | None]:
        return _node_loader(self._store, "Person", self._note)

    @cached_property
    def roles(self) -> dict[SubjectKind, DataLoader[str, list[Row]]]:
        return {k: self._grouped(partial(self._store.roles_of, k)) for k in _KINDS}

    @cached_property
    def entries(self) -> dict[SubjectKind, DataLoader[str, list[Row]]]:
        return {k: self._grouped(partial(self._store.entries_of, k)) for k in _KINDS}

    @cached_property
    def records(self) -> dict[tuple[str, SubjectKind], DataLoader[str, list[Row]]]:
        return {
            (label, k): self._grouped(partial(self._store.records_of, label, k))
            for label in ("Penalty", "Evaluation", "Commitment")
            for k in _KINDS
        }

    @cached_property
    def responsible(self) -> DataLoader[str, list[Row]]:
        return _grouped_loader(self._store.responsible_of, self._note, keyed_by_subject=False)

    @cached_property
    def agencies(self) -> DataLoader[str, list[Row]]:
        return _agencies_by_kind(self._store)


@dataclass
class HubContext:
    services: Services
    loaders: Loaders
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
    access: AccessState = field(default_factory=AccessState)
