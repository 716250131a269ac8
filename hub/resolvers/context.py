"""Per-request context: the services, and DataLoaders so nested fields batch (no N+1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from strawberry.dataloader import DataLoader

from hub.graph.cypher_store import CypherStore
from hub.graph.port import Row, SubjectKind
from hub.personal_data import Keyring
from hub.sanctions.catalogue import Catalogue
from hub.sanctions.service import SanctionService
from hub.settings import Settings


@dataclass
class Services:
    """Long-lived objects shared by every request."""

    settings: Settings
    store: CypherStore
    keyring: Keyring
    catalogue: Catalogue
    sanctions: SanctionService


def _grouped_loader(
    fetch: Callable[[list[str]], Awaitable[dict[str, list[Row]]]],
) -> DataLoader[str, list[Row]]:
    async def load(keys: list[str]) -> list[list[Row]]:
        found = await fetch(list(keys))
        return [found.get(k, []) for k in keys]

    return DataLoader(load_fn=load)


def _node_loader(store: CypherStore, label: str) -> DataLoader[str, Row | None]:
    async def load(keys: list[str]) -> list[Row | None]:
        found = await store.get_nodes(label, list(keys))
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
    def create(cls, store: CypherStore) -> Loaders:
        kinds: tuple[SubjectKind, ...] = ("institution", "person")

        def records(label: str, kind: SubjectKind) -> DataLoader[str, list[Row]]:
            return _grouped_loader(partial(store.records_of, label, kind))

        return cls(
            institution=_node_loader(store, "Institution"),
            person=_node_loader(store, "Person"),
            roles={k: _grouped_loader(partial(store.roles_of, k)) for k in kinds},
            entries={k: _grouped_loader(partial(store.entries_of, k)) for k in kinds},
            records={
                (label, k): records(label, k)
                for label in ("Penalty", "Evaluation", "Commitment")
                for k in kinds
            },
            responsible=_grouped_loader(store.responsible_of),
            agencies=_agencies_by_kind(store),
        )


@dataclass
class HubContext:
    services: Services
    loaders: Loaders
    request: Any = None
    response: Any = None
    extra: dict[str, Any] = field(default_factory=dict)
