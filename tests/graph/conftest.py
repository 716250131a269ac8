"""The contract suite's stores: besides the configured ones, the embedded store running the
shared write queries (the ones Neo4j runs) instead of its own Arrow bulk paths, so those
queries are executed here too although no Neo4j server is available."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from hub.graph import CypherStore, open_store
from hub.graph.cypher_store import CypherStore as Shared
from hub.graph.ladybug_store import LadybugStore
from hub.settings import Settings
from tests.conftest import STORES, _neo4j_store


class SharedQueriesStore(LadybugStore):
    """LadybugDB with the adapter hooks reset to the shared Cypher."""

    _existing = Shared._existing
    _touch = Shared._touch
    _existing_roles = Shared._existing_roles
    _touch_roles = Shared._touch_roles
    _insert_nodes = Shared._insert_nodes
    _insert_roles = Shared._insert_roles


@pytest.fixture(params=[*STORES, "embedded-shared-queries"])
async def store(request: pytest.FixtureRequest, settings: Settings) -> AsyncIterator[CypherStore]:
    opened: CypherStore
    if request.param == "neo4j":
        opened = await _neo4j_store()
    elif request.param == "embedded-shared-queries":
        opened = SharedQueriesStore(settings.graph_path)
        await opened.setup()
    else:
        opened = await open_store(settings)
    try:
        yield opened
    finally:
        await opened.close()
